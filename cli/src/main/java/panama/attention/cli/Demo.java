package panama.attention.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import panama.attention.Backend;
import panama.attention.examples.minilm.AttentionMaps;
import panama.attention.examples.minilm.MiniLm;

/**
 * {@code demo}: a real model through MultiHeadAttention. Runs all-MiniLM-L6-v2 on one sentence,
 * prints where tokens look (for each layer the head in which "which" attends most to "cat", and
 * the top 3 keys of every token for two heads), writes one heatmap PNG per layer and the
 * sentence embedding as a NumPy file.
 */
public final class Demo {
    public static final String USAGE = """
            demo [--text S] [--out-dir D] [--backend NAME]
                Runs the all-MiniLM-L6-v2 sentence encoder with MultiHeadAttention on one sentence
                (default: "The cat, which was hungry, ate the fish."), prints which tokens attend
                to which, writes D/layer0.png ... layerN.png (every head's attention map) and
                D/embedding.npy (float32 [384]). D defaults to ./demo-out; NAME is AUTO (default),
                NATIVE_CPU, BLAS or JAVA_REFERENCE.""";
    static final String DEFAULT_TEXT = "The cat, which was hungry, ate the fish.";

    private Demo() {
    }

    /** Runs the command; returns the exit status (0, 1 failure, 2 bad command line). Never throws. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return demo(args, out);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Throwable e) {
            String m = e.getMessage();
            err.println("error: " + (m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ')));
            if ("1".equals(System.getenv("PANATTN_DEBUG"))) {
                e.printStackTrace(err);
            }
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private static int demo(String[] args, PrintStream out) throws Exception {
        String text = DEFAULT_TEXT;
        Path dir = Path.of("demo-out");
        Backend backend = Backend.AUTO;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a, value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (name.equals("--help") || name.equals("-h")) {
                out.println("usage: panama-attention " + USAGE);
                return 0;
            }
            if (!name.equals("--text") && !name.equals("--out-dir") && !name.equals("--backend")) {
                throw new UsageException("demo: unknown option " + a + "; options: --text, --out-dir, --backend");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("demo: " + name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--text" -> text = value;
                case "--out-dir" -> dir = Path.of(value);
                default -> {
                    try {
                        backend = Backend.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("demo: " + e.getMessage());
                    }
                }
            }
        }
        if (text.isBlank()) {
            throw new UsageException("demo: --text is empty");
        }
        System.setProperty("java.awt.headless", "true");
        try (MiniLm model = MiniLm.load()) {
            MiniLm.Tokens tokens = model.tokenize(text);
            String[] tok = tokens.tokens();
            int seq = tok.length;
            MiniLm.Result r = model.run(new long[][] {tokens.ids()}, backend, true);
            int heads = model.heads();
            out.printf(Locale.ROOT, "all-MiniLM-L6-v2: %d layers, %d heads of %d, hidden %d (attention: %s, projections: %s)%n",
                    model.layers(), heads, model.headDim(), model.hidden(), r.backend(), model.projections());
            out.println("text:   \"" + text + "\"");
            out.println("tokens: " + String.join(" ", tok) + "  (" + seq + ")");
            out.println();

            int which = AttentionMaps.indexOf(tok, "which");
            int cat = AttentionMaps.indexOf(tok, "cat");
            int bestLayer = 3, bestHead = 0;
            if (which >= 0 && cat >= 0) {
                out.println("Where \"which\" attends to \"cat\" (per layer, the head that gives it the most weight):");
                float best = -1;
                for (int l = 0; l < model.layers(); l++) {
                    float[] p = r.probs().get(l);
                    AttentionMaps.HeadWeight hw = AttentionMaps.strongestHead(p, heads, seq, which, cat);
                    List<AttentionMaps.Weight> top = AttentionMaps.top(p, seq, hw.head(), which, 1);
                    out.printf(Locale.ROOT, "  layer %d  head %2d  which -> cat %.3f%s%n", l, hw.head(), hw.weight(),
                            top.get(0).key() == cat ? "  (its strongest key)" : "  (strongest key: " + tok[top.get(0).key()] + ")");
                    if (hw.weight() > best) {
                        best = hw.weight();
                        bestLayer = l;
                        bestHead = hw.head();
                    }
                }
                out.println();
            }
            printTop(out, r.probs().get(bestLayer), seq, tok, bestLayer, bestHead,
                    which >= 0 && cat >= 0 ? "the strongest which -> cat" : "");
            int otherLayer = bestLayer == 0 ? model.layers() - 1 : 0;
            printTop(out, r.probs().get(otherLayer), seq, tok, otherLayer, 0, "for contrast");

            Files.createDirectories(dir);
            for (int l = 0; l < model.layers(); l++) {
                BufferedImage img = AttentionMaps.heatmap(r.probs().get(l), heads, seq, tok,
                        "all-MiniLM-L6-v2, layer " + l + ": attention of its " + heads + " heads");
                Path png = dir.resolve("layer" + l + ".png");
                if (!ImageIO.write(img, "png", png.toFile())) {
                    throw new IOException("no PNG writer in this JDK");
                }
            }
            Path npy = dir.resolve("embedding.npy");
            writeNpy(npy, r.embeddings()[0]);
            Path abs = dir.toAbsolutePath().normalize();
            out.println("wrote " + abs.resolve("layer0.png") + " ... layer" + (model.layers() - 1) + ".png (" + heads
                    + " heads each)");
            out.println("wrote " + abs.resolve("embedding.npy") + " (float32 [" + model.hidden() + "], L2-normalised mean of the last hidden states)");
        }
        return 0;
    }

    private static void printTop(PrintStream out, float[] p, int seq, String[] tok, int layer, int head, String why) {
        out.println("Top 3 keys per token, layer " + layer + " head " + head + (why.isEmpty() ? "" : " (" + why + ")") + ":");
        int w = 0;
        for (String t : tok) {
            w = Math.max(w, t.length());
        }
        for (int i = 0; i < seq; i++) {
            StringBuilder sb = new StringBuilder();
            for (AttentionMaps.Weight x : AttentionMaps.top(p, seq, head, i, 3)) {
                sb.append(String.format(Locale.ROOT, "  %-" + (w + 1) + "s%.2f", tok[x.key()], x.weight()));
            }
            out.printf(Locale.ROOT, "  %-" + w + "s ->%s%n", tok[i], sb);
        }
        out.println();
    }

    /** A NumPy v1.0 file: little-endian float32, 1-D, header padded so the data starts at a multiple of 64. */
    static void writeNpy(Path path, float[] values) throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + values.length + ",), }";
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (float v : values) {
            b.putFloat(v);
        }
        try (OutputStream o = Files.newOutputStream(path)) {
            o.write(b.array());
        }
    }
}

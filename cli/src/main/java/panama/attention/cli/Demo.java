package panama.attention.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import panama.attention.Backend;
import panama.attention.examples.minilm.AttentionMaps;
import panama.attention.examples.minilm.MiniLm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    /** The command line of {@code demo}. */
    @Command(name = "demo")
    static final class Opts {
        @Option(names = "--text")
        String text = DEFAULT_TEXT;
        @Option(names = "--out-dir")
        Path outDir = Path.of("demo-out");
        @Option(names = "--backend", converter = Args.BackendConverter.class)
        Backend backend = Backend.AUTO;

        @Option(names = {"-h", "--help"}, usageHelp = true)
        boolean help;
    }

    /** Runs {@code demo ARGS} as the command line does; returns the exit status. Never throws. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.run(all, out, err);
    }

    static int run(Opts o, PrintStream out) throws Exception {
        String text = o.text;
        Path dir = o.outDir;
        Backend backend = o.backend;
        if (text.isBlank()) {
            throw CliException.usage("demo: --text is empty");
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
            float[] embedding = r.embeddings()[0];
            try (Arena arena = Arena.ofConfined()) { // Npy writes from off-heap memory, as sdpa's outputs are
                MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_FLOAT, embedding);
                Npy.write(npy, Npy.Kind.F32, new long[] {embedding.length}, data);
            }
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
}

package panama.attention.bench.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import panama.attention.TileScheduler;
import panama.attention.langchain4j.PanamaAllMiniLmL6V2EmbeddingModel;

/**
 * Our LangChain4j embedding model against LangChain4j's AllMiniLmL6V2EmbeddingModel (ONNX Runtime),
 * in one process, on the same texts, in interleaved rounds (the order alternating), so that a
 * noisy machine slows both alike. Prints per round the two times and their ratio, then as its last
 * line the largest relative difference of any vector and the median throughput ratio.
 *
 * <p>Threads: ours uses the library's workers ({@code -Dpanattn.threads}, set here from
 * {@code --threads}); LangChain4j's model gets an executor of the same size (it embeds each text as
 * one task), and ONNX Runtime inside it keeps its default intra-op threads (one per core).
 *
 * <pre>usage: LangChain4jComparison [--texts N] [--rounds R] [--threads T]</pre>
 */
public final class LangChain4jComparison {
    private LangChain4jComparison() {
    }

    public static void main(String[] args) throws Exception {
        int texts = 96;
        int rounds = 7;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--texts" -> texts = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: [--texts N] [--rounds R] [--threads T])");
            }
        }
        if (texts < 1 || rounds < 1 || threads < 1) {
            throw new IllegalArgumentException("--texts, --rounds and --threads must be positive");
        }
        // Before the library's scheduler first starts: it reads the property once.
        System.setProperty("panattn.threads", Integer.toString(threads));
        List<TextSegment> segments = new ArrayList<>();
        for (String t : texts(texts, 42)) {
            segments.add(TextSegment.from(t));
        }
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            PanamaAllMiniLmL6V2EmbeddingModel ours = new PanamaAllMiniLmL6V2EmbeddingModel();
            EmbeddingModel theirs = new AllMiniLmL6V2EmbeddingModel(executor);
            int over128 = 0;
            long tokens = 0;
            for (TextSegment s : segments) {
                int n = ours.estimateTokenCount(s.text());
                over128 += n >= 128 ? 1 : 0;
                tokens += n;
            }
            System.out.printf("%d texts (%d cut at 128 tokens, %d tokens in all); %d threads each (ours: %d workers; LangChain4j: executor of %d, ONNX Runtime default intra-op threads)%n",
                    segments.size(), over128, tokens, threads, TileScheduler.shared().threads(), threads);
            // Warm-up: class loading, JIT, ONNX Runtime's session, our weights.
            List<Embedding> a = ours.embedAll(segments).content();
            List<Embedding> b = theirs.embedAll(segments).content();
            double maxRel = 0;
            for (int i = 0; i < segments.size(); i++) {
                maxRel = Math.max(maxRel, relativeDifference(b.get(i).vector(), a.get(i).vector()));
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double[] tOurs;
                double[] tTheirs;
                if (r % 2 == 0) {
                    tOurs = time(ours, segments);
                    tTheirs = time(theirs, segments);
                } else {
                    tTheirs = time(theirs, segments);
                    tOurs = time(ours, segments);
                }
                ratios[r] = tTheirs[0] / tOurs[0];
                System.out.printf("round %d: ours %.3f s (%.1f texts/s, %.2f CPU s), AllMiniLmL6V2EmbeddingModel %.3f s (%.1f texts/s, %.2f CPU s), ratio %.2f%n",
                        r + 1, tOurs[0], segments.size() / tOurs[0], tOurs[1], tTheirs[0], segments.size() / tTheirs[0],
                        tTheirs[1], ratios[r]);
            }
            Arrays.sort(ratios);
            double median = rounds % 2 == 1 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
            System.out.printf("langchain4j: max rel err %.2e over %d texts; throughput %.2fx AllMiniLmL6V2EmbeddingModel%n",
                    maxRel, segments.size(), median);
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Wall seconds and the process's CPU seconds (every thread, ONNX Runtime's native ones too) of
     * one embedAll: on a shared machine the CPU time shows the work done, the wall time what a
     * caller waits.
     */
    private static double[] time(EmbeddingModel model, List<TextSegment> segments) {
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        List<Embedding> out = model.embedAll(segments).content();
        double s = (System.nanoTime() - start) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        if (out.size() != segments.size()) {
            throw new IllegalStateException("expected " + segments.size() + " embeddings, got " + out.size());
        }
        return new double[] {s, cpu};
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** ||a - b|| / ||a||. */
    static double relativeDifference(float[] a, float[] b) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (double) (a[i] - b[i]);
            n += a[i] * (double) a[i];
        }
        return Math.sqrt(d / n);
    }

    private static final String[] WORDS = ("the a of and to in is that for it as with was on be by this are from at or "
            + "attention kernel memory foreign function matrix product vector embedding sentence model token batch "
            + "Java panama transformer layer softmax query key value head thread core cache latency throughput "
            + "uncharacteristically internationalization misunderstanding 2024 42 3.14 café naïve résumé Zürich")
            .split(" ");

    /** Deterministic texts: a third short (4-20 words), a third medium (30-80), a third long (120-400). */
    static List<String> texts(int n, long seed) {
        Random rnd = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int words = switch (i % 3) {
                case 0 -> 4 + rnd.nextInt(17);
                case 1 -> 30 + rnd.nextInt(51);
                default -> 120 + rnd.nextInt(281);
            };
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                if (w > 0) {
                    sb.append(w % 12 == 11 ? ". " : w % 5 == 4 ? ", " : " ");
                }
                sb.append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            out.add(sb.append('.').toString());
        }
        return out;
    }
}

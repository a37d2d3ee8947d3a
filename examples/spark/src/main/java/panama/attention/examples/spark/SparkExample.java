package panama.attention.examples.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import panama.attention.CausalMode;
import panama.attention.examples.minilm.MiniLm;

/**
 * {@code ./panama-attention spark}: both Spark jobs, each checked against the same computation
 * done in this JVM without Spark. The last two lines printed are the two verdicts:
 * <pre>
 * spark embeddings: max rel err E over N sentences
 * spark sharded attention: max rel err E over P partitions
 * </pre>
 *
 * <p>Options: {@code --master M} (default {@code local[2]}; ignored under spark-submit, whose
 * {@code --master} wins), {@code --partitions N} (default 4: sentence slices and key shards),
 * {@code --sentences FILE} (one sentence a line; default a built-in list), {@code --batch B}
 * (sentences per encoder call, default 16), {@code --out DIR} (the Parquet output),
 * {@code --throughput N} (sentences in the throughput run, default 32; 0 skips it).
 */
public final class SparkExample {
    /** Varied on purpose: short and long, punctuation, numbers, code, other languages. */
    public static final List<String> SENTENCES = List.of(
            "A man is playing a guitar.",
            "The cat, which was hungry, ate the fish.",
            "Hello world",
            "Panama brings the foreign function and memory API to Java, so attention kernels written in C "
                    + "run on off-heap tensors without JNI.",
            "Apache Spark distributes a dataset's partitions over the executors of a cluster.",
            "What is the capital of France?",
            "Paris is the capital and most populous city of France.",
            "The quick brown fox jumps over the lazy dog.",
            "Stock markets fell sharply on Tuesday after the central bank raised interest rates by 0.5%.",
            "She sells sea shells by the sea shore.",
            "for (int i = 0; i < n; i++) { sum += a[i] * b[i]; }",
            "Der schnelle braune Fuchs springt über den faulen Hund.",
            "El aprendizaje automático transforma la forma en que trabajamos.",
            "Attention is all you need.",
            "I left my umbrella on the 7:45 train to Boston; it was blue with white dots.",
            "Photosynthesis converts light energy, water and carbon dioxide into glucose and oxygen.",
            "OK",
            "Transformers compute softmax(QK^T / sqrt(d)) V for every head, and FlashAttention never "
                    + "materialises the N by N score matrix, streaming keys and values through fast memory instead.");

    private SparkExample() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = parse(args);
        String master = opt.getOrDefault("master", "local[2]");
        int partitions = positive(opt.getOrDefault("partitions", "4"), "--partitions");
        int batch = positive(opt.getOrDefault("batch", String.valueOf(BatchEmbeddings.DEFAULT_BATCH)), "--batch");
        int throughputN = Integer.parseInt(opt.getOrDefault("throughput", "32"));
        List<String> texts = opt.containsKey("sentences") ? readSentences(Path.of(opt.get("sentences"))) : SENTENCES;
        String out = opt.getOrDefault("out", Path.of(System.getProperty("java.io.tmpdir"),
                "panama-attention-spark", "embeddings.parquet").toString());

        SparkSession spark = SparkSessions.start("panama-attention-spark", master);
        try {
            String used = spark.sparkContext().master();
            say("spark %s (%s), default parallelism %d", spark.version(), used, spark.sparkContext().defaultParallelism());

            // 1. Batch embeddings, written as Parquet, read back and checked against this JVM's.
            Dataset<Embedded> embedded = BatchEmbeddings.embed(
                    BatchEmbeddings.sentences(spark, texts, partitions), batch, FailOnce.NEVER);
            long t0 = System.nanoTime();
            BatchEmbeddings.writeParquet(embedded, out);
            say("embedded %d sentences in %d partitions -> %s (%.1f s)", texts.size(), partitions, out,
                    (System.nanoTime() - t0) / 1e9);
            List<Embedded> back = BatchEmbeddings.readParquet(spark, out).collectAsList();
            MiniLm model = EmbeddingEngine.get();
            float[][] want = BatchEmbeddings.embedInProcess(model, texts, partitions, batch);
            double embErr = back.size() == texts.size() ? 0 : Double.POSITIVE_INFINITY;
            for (Embedded e : back) {
                embErr = Math.max(embErr, Compare.maxRelErr(e.getEmbedding(), want[(int) e.getId()]));
            }

            // 2. Throughput: Spark on this master against one calling thread, both warm.
            if (throughputN > 0) {
                throughput(spark, model, texts, throughputN, partitions, batch);
            }

            // 3. Sequence-sharded attention, non-causal (queries over a long context) and causal
            //    (a prefill whose keys are spread over the partitions).
            double attErr = 0;
            ShardedAttention.Problem[] problems = {
                    ShardedAttention.Problem.random(1, 8, 2, 256, 2048, 64, CausalMode.NONE),
                    ShardedAttention.Problem.random(2, 8, 2, 1024, 1024, 64, CausalMode.BOTTOM_RIGHT)};
            for (ShardedAttention.Problem p : problems) {
                long t1 = System.nanoTime();
                ShardedAttention.Partial got = ShardedAttention.run(spark, p, partitions, FailOnce.NEVER);
                double sec = (System.nanoTime() - t1) / 1e9;
                ShardedAttention.Partial want1 = ShardedAttention.unsharded(p);
                double e = Math.max(Compare.maxRelErr(got.out(), want1.out()), Compare.maxRelErr(got.lse(), want1.lse()));
                say("sharded attention %s heads %d/%d Lq %d Lk %d d %d: %d shards merged, max rel err %.3e (%.2f s)",
                        p.causal(), p.heads(), p.kvHeads(), p.seqQ(), p.seqK(), p.headDim(), got.shards(), e, sec);
                attErr = Math.max(attErr, e);
            }

            System.out.println(String.format(Locale.ROOT, "spark embeddings: max rel err %.3e over %d sentences", embErr, texts.size()));
            System.out.println(String.format(Locale.ROOT, "spark sharded attention: max rel err %.3e over %d partitions", attErr, partitions));
        } finally {
            spark.stop();
        }
    }

    /**
     * Prints (and returns) the sentences per second of one in-process calling thread and of the
     * Spark job on this session's master, both warm; the best of two alternating rounds each, since
     * a shared machine's load comes and goes.
     */
    static double[] throughput(SparkSession spark, MiniLm model, List<String> texts, int n, int partitions, int batch) {
        List<String> set = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            set.add(texts.get(i % texts.size()));
        }
        double inProcess = 0, onSpark = 0;
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            BatchEmbeddings.embedInProcess(model, set, partitions, batch); // the batches Spark will form
            inProcess = Math.max(inProcess, n / ((System.nanoTime() - t0) / 1e9));
            Dataset<Embedded> ds = BatchEmbeddings.embed(BatchEmbeddings.sentences(spark, set, partitions), batch, FailOnce.NEVER);
            long t1 = System.nanoTime();
            int rows = ds.collectAsList().size();
            onSpark = Math.max(onSpark, rows / ((System.nanoTime() - t1) / 1e9));
        }
        say("throughput (%d sentences, batch %d, best of 2): in-process 1 thread %.1f sentences/s; spark %s, %d partitions %.1f sentences/s (%.2fx)",
                n, batch, inProcess, spark.sparkContext().master(), partitions, onSpark, onSpark / inProcess);
        return new double[] {inProcess, onSpark};
    }

    static List<String> readSentences(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(line.strip());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--sentences: " + file + " has no sentence");
        }
        return out;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: spark [--master M] [--partitions N] [--sentences FILE] "
                        + "[--batch B] [--out DIR] [--throughput N]; bad argument '" + a + "'");
            }
            m.put(a.substring(2), args[++i]);
        }
        return m;
    }

    private static int positive(String s, String name) {
        int n = Integer.parseInt(s);
        if (n < 1) {
            throw new IllegalArgumentException(name + ": " + n + " must be at least 1");
        }
        return n;
    }

    private static void say(String format, Object... args) {
        System.out.println("spark-example: " + String.format(Locale.ROOT, format, args));
    }
}

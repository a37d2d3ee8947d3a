package panama.attention.examples.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import panama.attention.Backend;
import panama.attention.examples.minilm.MiniLm;

/**
 * Batch sentence embeddings as a Spark job: a {@code Dataset<Sentence>} goes through
 * {@code mapPartitions}, where each partition takes its executor's {@link EmbeddingEngine} and
 * embeds its sentences {@code batchSize} at a time (one padded encoder call per batch, so the
 * projections and attention run over many rows at once), giving a {@code Dataset<Embedded>} whose
 * {@code embedding} column is {@code array<float>}.
 *
 * <p>The same code runs in {@code local[*]} and on a cluster: nothing but the sentences, the batch
 * size and the failure-injection record travels with the task; the model is the executor's own.
 */
public final class BatchEmbeddings {
    public static final int DEFAULT_BATCH = 16;
    public static final Encoder<Sentence> SENTENCE = Encoders.bean(Sentence.class);
    public static final Encoder<Embedded> EMBEDDED = Encoders.bean(Embedded.class);

    private BatchEmbeddings() {
    }

    /**
     * The sentences as a Dataset of {@code partitions} contiguous slices, ids 0..n−1 in list
     * order. (A real job would start from {@code spark.read().textFile(...)} instead.)
     */
    public static Dataset<Sentence> sentences(SparkSession spark, List<String> texts, int partitions) {
        List<Sentence> rows = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            rows.add(new Sentence(i, texts.get(i)));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataset(jsc.parallelize(rows, partitions).rdd(), SENTENCE);
    }

    /** Embeds every sentence; lazy, like any Dataset transformation. */
    public static Dataset<Embedded> embed(Dataset<Sentence> sentences, int batchSize, FailOnce failOnce) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " must be at least 1");
        }
        MapPartitionsFunction<Sentence, Embedded> f = rows -> {
            failOnce.maybeFail();
            return new BatchIterator(rows, batchSize, EmbeddingEngine.get());
        };
        return sentences.mapPartitions(f, EMBEDDED);
    }

    /** Writes the embeddings as Parquet (columns id, text, embedding: list of float). */
    public static void writeParquet(Dataset<Embedded> embedded, String path) {
        embedded.write().mode(SaveMode.Overwrite).parquet(path);
    }

    /** Reads back what {@link #writeParquet} wrote. */
    public static Dataset<Embedded> readParquet(SparkSession spark, String path) {
        return spark.read().parquet(path).as(EMBEDDED);
    }

    /**
     * The same embeddings computed in this thread, without Spark, in the batches the job forms:
     * {@code partitions} contiguous slices as {@link #sentences} makes them (slice {@code s} is
     * {@code [n·s/P, n·(s+1)/P)}, Spark's {@code parallelize}), each cut into batches of
     * {@code batchSize}. Same batches, same padding, same sgemm shapes: in one JVM the results are
     * bit for bit Spark's. (Batching itself moves an embedding by up to about 7e-7 relative,
     * through OpenBLAS's shape-dependent kernels.)
     */
    public static float[][] embedInProcess(MiniLm model, List<String> texts, int partitions, int batchSize) {
        float[][] out = new float[texts.size()][];
        int n = texts.size();
        for (int s = 0; s < partitions; s++) {
            int sliceFrom = (int) ((long) n * s / partitions), sliceTo = (int) ((long) n * (s + 1) / partitions);
            for (int from = sliceFrom; from < sliceTo; from += batchSize) {
                int to = Math.min(sliceTo, from + batchSize);
                float[][] emb = model.encode(texts.subList(from, to), Backend.AUTO, false).embeddings();
                System.arraycopy(emb, 0, out, from, emb.length);
            }
        }
        return out;
    }

    /**
     * Pulls up to batchSize sentences, embeds them in one encoder call, then hands the results out
     * one by one. Lazy: Spark consumes it while writing rows, so a partition never holds more than
     * one batch of embeddings.
     */
    private static final class BatchIterator implements Iterator<Embedded> {
        private final Iterator<Sentence> rows;
        private final int batchSize;
        private final MiniLm model;
        private final List<Embedded> ready = new ArrayList<>();
        private int next;

        BatchIterator(Iterator<Sentence> rows, int batchSize, MiniLm model) {
            this.rows = rows;
            this.batchSize = batchSize;
            this.model = model;
        }

        @Override
        public boolean hasNext() {
            if (next < ready.size()) {
                return true;
            }
            ready.clear();
            next = 0;
            List<Sentence> batch = new ArrayList<>(batchSize);
            while (batch.size() < batchSize && rows.hasNext()) {
                batch.add(rows.next());
            }
            if (batch.isEmpty()) {
                return false;
            }
            List<String> texts = new ArrayList<>(batch.size());
            for (Sentence s : batch) {
                texts.add(s.getText());
            }
            float[][] emb = model.encode(texts, Backend.AUTO, false).embeddings();
            for (int i = 0; i < batch.size(); i++) {
                ready.add(new Embedded(batch.get(i).getId(), batch.get(i).getText(), emb[i]));
            }
            return true;
        }

        @Override
        public Embedded next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.get(next++);
        }
    }
}

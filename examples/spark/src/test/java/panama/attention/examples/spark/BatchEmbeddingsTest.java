package panama.attention.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import panama.attention.examples.minilm.MiniLm;

/**
 * Spark's batch embeddings (mapPartitions over the executor's engine, through Parquet) against the
 * same sentences embedded in this thread by a separately loaded model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchEmbeddingsTest {
    static final double TOL = 1e-6;
    static final int BATCH = 4;
    static final int PARTITIONS = 3;
    SparkSession spark;
    MiniLm reference;
    float[][] want;

    @BeforeAll
    void setUp() throws Exception {
        spark = SharedSpark.get();
        reference = MiniLm.load();
        want = BatchEmbeddings.embedInProcess(reference, SparkExample.SENTENCES, PARTITIONS, BATCH);
    }

    @AfterAll
    void tearDown() {
        reference.close();
    }

    @Test
    void sparkEmbeddingsThroughParquetEqualInProcessEmbeddings() {
        List<String> texts = SparkExample.SENTENCES;
        assertTrue(texts.size() >= 16, "the built-in list has at least 16 sentences");
        Dataset<Embedded> ds = BatchEmbeddings.embed(BatchEmbeddings.sentences(spark, texts, PARTITIONS), BATCH, FailOnce.NEVER);
        StructField emb = ds.schema().apply("embedding");
        assertEquals(new ArrayType(DataTypes.FloatType, false), emb.dataType(), "embedding column: array<float>");

        String path = SharedSpark.dir("embeddings").resolve("out.parquet").toString();
        BatchEmbeddings.writeParquet(ds, path);
        List<Embedded> back = BatchEmbeddings.readParquet(spark, path).collectAsList();
        assertEquals(texts.size(), back.size(), "one row per sentence");
        boolean[] seen = new boolean[texts.size()];
        double worst = 0;
        for (Embedded e : back) {
            int id = (int) e.getId();
            assertTrue(!seen[id], "id " + id + " twice");
            seen[id] = true;
            assertEquals(texts.get(id), e.getText());
            assertEquals(384, e.getEmbedding().length, "embedding width");
            double err = Compare.maxRelErr(e.getEmbedding(), want[id]);
            assertTrue(err <= TOL, "sentence " + id + " '" + e.getText() + "': max rel err " + err + " > " + TOL);
            worst = Math.max(worst, err);
        }
        System.out.printf("spark embeddings: max rel err %.3e over %d sentences%n", worst, texts.size());
        assertEquals(1, EmbeddingEngine.loads(), "the model is loaded once per JVM, whatever the number of tasks");
    }

    @Test
    void batchingMovesEmbeddingsOnlyByRounding() {
        // one batch of all 18 sentences against Spark's 3 slices of batches of 4: different
        // padding and sgemm shapes, so not bit for bit, but within fp32 rounding
        float[][] oneBatch = BatchEmbeddings.embedInProcess(reference, SparkExample.SENTENCES, 1, 64);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Compare.maxRelErr(oneBatch[i], want[i]));
        }
        System.out.printf("embeddings, one batch of 18 against batches of 4: max rel err %.3e%n", worst);
        assertTrue(worst <= 1e-5, "batching changed an embedding by " + worst);
    }

    @Test
    void embeddingsAreNormalisedAndDistinguishMeaning() {
        List<Embedded> rows = BatchEmbeddings.embed(BatchEmbeddings.sentences(spark,
                List.of("What is the capital of France?", "Paris is the capital and most populous city of France.",
                        "for (int i = 0; i < n; i++) { sum += a[i] * b[i]; }"), 2), BATCH, FailOnce.NEVER).collectAsList();
        float[][] e = new float[3][];
        for (Embedded r : rows) {
            e[(int) r.getId()] = r.getEmbedding();
        }
        for (float[] x : e) {
            assertEquals(1.0, dot(x, x), 1e-5, "L2-normalised");
        }
        assertTrue(dot(e[0], e[1]) > dot(e[0], e[2]) + 0.2,
                "question and answer are closer than question and code: " + dot(e[0], e[1]) + " vs " + dot(e[0], e[2]));
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}

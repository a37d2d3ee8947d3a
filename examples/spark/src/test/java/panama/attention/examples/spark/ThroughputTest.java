package panama.attention.examples.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Sentences per second of the batch-embedding job on {@code local[2]} against one in-process
 * thread, printed, never asserted (timings depend on the machine and its load). The engine is
 * warmed first so that neither side pays for loading the model. See docs/SPARK.md for how this
 * scales with executors.
 */
class ThroughputTest {
    @Test
    void printsThroughput() {
        var spark = SharedSpark.get();
        var model = EmbeddingEngine.get();
        BatchEmbeddings.embedInProcess(model, SparkExample.SENTENCES.subList(0, 4), 1, 4); // warm-up
        double[] r = SparkExample.throughput(spark, model, SparkExample.SENTENCES, 16, 2, 8);
        assertTrue(r[0] > 0 && r[1] > 0);
    }
}

package panama.attention.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import panama.attention.CausalMode;
import panama.attention.examples.minilm.MiniLm;

/**
 * A task that fails once and is retried by Spark ({@code local[2,2]}: two attempts per task)
 * still gives the right result: nothing of the failed attempt leaks into the merge or the output.
 */
class RetryTest {
    @Test
    void shardedAttentionSurvivesAFailedTask() throws Exception {
        Path marker = SharedSpark.dir("retry").resolve("failed-once");
        ShardedAttention.Problem p = ShardedAttention.Problem.random(7, 4, 4, 20, 50, 32, CausalMode.BOTTOM_RIGHT);
        ShardedAttention.Partial got = ShardedAttention.run(SharedSpark.get(), p, 3, new FailOnce(1, marker.toString()));
        assertTrue(Files.exists(marker), "partition 1's first attempt failed");
        assertEquals(3, got.shards(), "each partition's partial merged exactly once");
        ShardedAttentionTest.assertClose(got, ShardedAttention.unsharded(p), "after a retried task");
    }

    @Test
    void embeddingsSurviveAFailedTask() throws Exception {
        Path marker = SharedSpark.dir("retry").resolve("failed-once");
        List<String> texts = SparkExample.SENTENCES.subList(0, 6);
        List<Embedded> rows = BatchEmbeddings.embed(BatchEmbeddings.sentences(SharedSpark.get(), texts, 2), 4,
                new FailOnce(0, marker.toString())).collectAsList();
        assertTrue(Files.exists(marker), "partition 0's first attempt failed");
        assertEquals(texts.size(), rows.size(), "each sentence once");
        MiniLm model = EmbeddingEngine.get();
        float[][] want = BatchEmbeddings.embedInProcess(model, texts, 2, 4);
        for (Embedded e : rows) {
            double err = Compare.maxRelErr(e.getEmbedding(), want[(int) e.getId()]);
            assertTrue(err <= BatchEmbeddingsTest.TOL, "sentence " + e.getId() + ": max rel err " + err);
        }
    }
}

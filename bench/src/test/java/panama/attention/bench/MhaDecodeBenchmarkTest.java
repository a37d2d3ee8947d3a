package panama.attention.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import panama.attention.CausalMode;

/** The MHA and decode benchmarks' setup, one call and teardown, on small shapes (no JMH run). */
class MhaDecodeBenchmarkTest {
    @Test
    void multiHeadAttentionBenchmarkRunsAndCountsFlops() {
        assertEquals(3.221, MultiHeadAttentionBenchmark.gflop(1, 512, 768, 12, CausalMode.NONE), 1e-3);
        MultiHeadAttentionBenchmark b = new MultiHeadAttentionBenchmark();
        b.backend = "JAVA_REFERENCE";
        b.batch = 2;
        b.seq = 17;
        b.hidden = 48;
        b.heads = 4;
        b.causal = "bottom-right";
        b.threads = 2;
        b.setUp();
        GflopCounter c = new GflopCounter();
        b.forward(c);
        b.tearDown();
        assertTrue(c.gflop > 0);
    }

    @Test
    void decodeBenchmarkRunsAndCountsBytes() {
        KvCacheDecodeBenchmark b = new KvCacheDecodeBenchmark();
        b.backend = "JAVA_REFERENCE";
        b.batch = 1;
        b.heads = 4;
        b.kvHeads = 2;
        b.headDim = 16;
        b.cacheLength = 600;
        b.queries = 2;
        b.layout = "BSHD";
        b.dtype = "f32";
        b.threads = 2;
        b.setUp();
        KvCacheDecodeBenchmark.Counters c = new KvCacheDecodeBenchmark.Counters();
        b.step(c);
        b.tearDown();
        assertEquals(2.0 * 2 * 600 * 16 * 4 / 1e9, c.gbyte, 1e-15);
    }
}

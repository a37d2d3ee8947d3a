package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.TileScheduler;

/**
 * How {@link NativeCpuKernel} hands out dense tiles: decode tiles in ranges of a quarter of a
 * thread's share, small decode calls as one range (no worker woken), everything else one tile
 * at a time. Only the problem's sizes matter here, so it carries no tensors.
 */
class DecodeHandOutTest {
    private static TileScheduler two;

    @BeforeAll
    static void start() {
        two = TileScheduler.create(2);
    }

    @AfterAll
    static void stop() {
        two.close();
    }

    private static Problem problem(long batch, long heads, long kvHeads, long seqQ, long seqK, long d, DType dtype) {
        return new Problem(null, null, null, null, null, null, null, batch, heads, kvHeads, seqQ, seqK, d, 0, 0, 0,
                0.1f, CausalMode.BOTTOM_RIGHT, dtype, CpuIsa.AUTO, two);
    }

    @Test
    void decodeTilesGoInQuarterSharesPrefillOneAtATime() {
        Problem decode = problem(1, 32, 32, 1, 4096, 128, DType.F32); // 32 tiles on 2 threads
        assertTrue(NativeCpuKernel.isDecode(decode));
        assertEquals(4, NativeCpuKernel.grain(decode, 32));
        assertEquals(1, NativeCpuKernel.grain(decode, 15), "fewer tiles than a quarter share of 2: one at a time");
        Problem fourRows = problem(2, 8, 8, 4, 4096, 64, DType.F32);
        assertTrue(NativeCpuKernel.isDecode(fourRows));
        Problem prefill = problem(1, 8, 8, 2048, 2048, 64, DType.F32);
        assertFalse(NativeCpuKernel.isDecode(prefill));
        assertEquals(1, NativeCpuKernel.grain(prefill, 128), "prefill tiles one at a time: heaviest first balances");
    }

    @Test
    void onlySmallDecodeCallsStayOnOneThread() {
        // 32 heads x 16 keys x d 128 fp32, K and V: 512 KiB, the limit
        assertEquals(512 * 1024, NativeCpuKernel.kvBytes(problem(1, 32, 32, 1, 16, 128, DType.F32)));
        assertTrue(NativeCpuKernel.kvBytes(problem(1, 32, 32, 1, 16, 128, DType.F32)) <= NativeCpuKernel.ONE_THREAD_KV_BYTES);
        assertTrue(NativeCpuKernel.kvBytes(problem(1, 32, 32, 1, 17, 128, DType.F32)) > NativeCpuKernel.ONE_THREAD_KV_BYTES);
        assertTrue(NativeCpuKernel.kvBytes(problem(1, 32, 8, 1, 64, 128, DType.BF16)) <= NativeCpuKernel.ONE_THREAD_KV_BYTES,
                "GQA: the kv heads are what is read");
        assertEquals(Long.MAX_VALUE, NativeCpuKernel.kvBytes(problem(1L << 20, 1L << 20, 1L << 20, 1, 1L << 30, 1024, DType.F32)),
                "no overflow");
    }
}

package panama.attention;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import panama.attention.testing.MallocStats;

/**
 * The long-sequence memory bound: N = 32768, 8 heads, d 64 runs with under 256 MB beyond its inputs
 * and output (the classic path's score matrix alone would be 32 GiB). Inputs are in the
 * interleaved [batch, seq, heads, d] layout that projections produce (an earlier NATIVE_CPU copied
 * K and V heads-first for it, 128 MiB here; the kernel now reads them in place). A sampling thread reads glibc's malloc
 * statistics (mallinfo2: every native allocation of the kernel, FFM arenas and the JVM's own
 * malloc) every millisecond during the call; the peak above the level before the call must stay
 * under the bound. Causal masking halves the work (about 6 s on 2 cores) and allocates the same.
 * A few output rows are checked against a float64 computation so the run is not vacuous.
 */
class LongSequenceMemoryTest {
    private static final long N = 32768, HEADS = 8, D = 64;
    private static final long BOUND = 256L * 1000 * 1000;

    @Test
    void n32768RunsWithinTheMemoryBound() throws Throwable {
        assumeTrue(Attention.backends().stream().anyMatch(s -> s.backend() == Backend.NATIVE_CPU && s.available()),
                "NATIVE_CPU is not available here");
        try (Arena arena = Arena.ofShared()) {
            long elems = N * HEADS * D;
            MemorySegment q = arena.allocate(elems * 4, 64), k = arena.allocate(elems * 4, 64);
            MemorySegment v = arena.allocate(elems * 4, 64), o = arena.allocate(elems * 4, 64);
            fill(q, 1);
            fill(k, 2);
            fill(v, 3);
            Tensor tq = Tensor.bshd(q, DType.F32, 1, N, HEADS, D), tk = Tensor.bshd(k, DType.F32, 1, N, HEADS, D);
            Tensor tv = Tensor.bshd(v, DType.F32, 1, N, HEADS, D), to = Tensor.bshd(o, DType.F32, 1, N, HEADS, D);
            AttentionOptions options = AttentionOptions.builder().backend(Backend.NATIVE_CPU).causal(CausalMode.TOP_LEFT).build();

            long before = MallocStats.inUse();
            AtomicLong peak = new AtomicLong(before);
            AtomicBoolean done = new AtomicBoolean();
            Thread sampler = new Thread(() -> {
                try {
                    while (!done.get()) {
                        long now = MallocStats.inUse();
                        peak.accumulateAndGet(now, Math::max);
                        Thread.sleep(1);
                    }
                } catch (Throwable e) {
                    peak.set(Long.MAX_VALUE); // fails the test below rather than passing blind
                }
            }, "malloc-sampler");
            sampler.start();
            try {
                Attention.sdpa(tq, tk, tv, to, options);
            } finally {
                done.set(true);
                sampler.join();
            }
            long extra = peak.get() - before;
            System.out.printf("[memory] N=32768 H=8 d=64 causal, bshd: peak native memory beyond inputs and output "
                    + "%.1f MiB (bound %d MB)%n", extra / 1048576.0, BOUND / 1000000);
            assertTrue(extra < BOUND, "peak native memory beyond inputs and output was " + extra + " bytes, bound " + BOUND);
            for (long row : new long[] {0, 1, 4097, 20000, N - 1}) {
                for (long h : new long[] {0, HEADS - 1}) {
                    double err = rowError(q, k, v, o, row, h);
                    assertTrue(err < 1e-5, "row " + row + " head " + h + ": relative error " + err);
                }
            }
        }
    }

    /** Deterministic values in [-1, 1): a cheap LCG, so 16 M floats fill in well under a second. */
    private static void fill(MemorySegment s, long seed) {
        long x = seed * 0x9E3779B97F4A7C15L;
        for (long i = 0, n = s.byteSize() / 4; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) ((x >>> 40) * 0x1p-24 * 2 - 1));
        }
    }

    /** Relative L2 error of output row (row, h) against a float64 causal softmax(q·Kᵀ/√d)·V. */
    private static double rowError(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment o, long row, long h) {
        double scale = 1 / Math.sqrt(D);
        double[] s = new double[(int) row + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (long j = 0; j <= row; j++) {
            double dot = 0;
            for (long c = 0; c < D; c++) {
                dot += (double) at(q, row, h, c) * at(k, j, h, c);
            }
            s[(int) j] = dot * scale;
            max = Math.max(max, s[(int) j]);
        }
        double sum = 0;
        for (int j = 0; j <= row; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
        }
        double num = 0, den = 0;
        for (long c = 0; c < D; c++) {
            double want = 0;
            for (int j = 0; j <= row; j++) {
                want += s[j] * at(v, j, h, c);
            }
            want /= sum;
            double got = at(o, row, h, c);
            num += (got - want) * (got - want);
            den += want * want;
        }
        return Math.sqrt(num / Math.max(den, 1e-300));
    }

    private static float at(MemorySegment t, long row, long h, long c) {
        return t.getAtIndex(ValueLayout.JAVA_FLOAT, (row * HEADS + h) * D + c);
    }
}

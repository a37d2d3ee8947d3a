package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AttentionOptions#probabilities()}: the backends that return them (BLAS, JAVA_REFERENCE,
 * AUTO on host tensors, CUDA's cuBLAS path on device tensors) against the float64 reference and
 * against the contract itself, non-finite values included:
 * <ul>
 *   <li>a key a row does not see (past its key length, causally hidden, {@code -inf} mask entry)
 *       has probability 0 and its K/V are never consulted: a NaN q·k under a {@code -inf} mask
 *       entry changes nothing;</li>
 *   <li>a NaN or {@code +inf} logit of a seen key makes the row NaN: out, LSE, and the
 *       probabilities of its seen keys (scale 0 included: {@code 0 · NaN = NaN});</li>
 *   <li>a row that sees no key gives out 0, LSE {@code -inf}, probabilities all 0.</li>
 * </ul>
 * The fused backends decline the option with a reason, and AUTO passes them over.
 */
class ProbabilitiesTest {
    private static final long B = 2, H = 3, KVH = 1, LQ = 7, LK = 13, D = 5;

    /** The backends that return probabilities (CUDA needs a GPU and cuBLAS; it skips here otherwise). */
    static Stream<Backend> returning() {
        return Stream.of(Backend.JAVA_REFERENCE, Backend.BLAS, Backend.AUTO, Backend.CUDA);
    }

    /** Skips with the reason when b cannot run here. */
    private static void assumeRuns(Backend b) {
        if (b == Backend.CUDA) {
            String off = CudaAttention.unfusedUnavailable();
            assumeTrue(off == null, () -> "CUDA's cuBLAS path is off here (no GPU or no cuBLAS): " + off);
        } else {
            TestBackends.assumeRunnable(b);
        }
    }

    /** out, lse and probabilities of one call on b (device tensors for CUDA), from outputs full of garbage. */
    static float[][] run(Backend b, Tensor q, Tensor k, Tensor v, AttentionOptions.Builder o) {
        try (Arena a = Arena.ofConfined()) {
            Tensor out = garbage(Tensor.allocate(a, q.dtype(), q.shape()));
            Tensor lse = garbage(Tensor.allocate(a, DType.F32, q.size(0), q.size(1), q.size(2)));
            Tensor probs = garbage(Tensor.allocate(a, DType.F32, q.size(0), q.size(1), q.size(2), k.size(2)));
            AttentionOptions built = o.build().toBuilder().backend(b).build();
            if (b != Backend.CUDA) {
                Backend used = Attention.sdpa(q, k, v, out, built.toBuilder().lse(lse).probabilities(probs).build());
                assertTrue(used == Backend.BLAS || used == Backend.JAVA_REFERENCE, () -> "AUTO took " + used);
                return new float[][] {out.toFloatArray(), lse.toFloatArray(), probs.toFloatArray()};
            }
            try (DeviceArena gpu = DeviceArena.open()) {
                Tensor dout = gpu.allocate(DType.F32, out.shape()), dlse = gpu.allocate(DType.F32, lse.shape());
                Tensor dprobs = gpu.allocate(DType.F32, probs.shape());
                gpu.fill(dprobs, 0x55);
                AttentionOptions.Builder d = built.toBuilder().lse(dlse).probabilities(dprobs);
                if (built.mask() != null) {
                    d.mask(gpu.copyOf(built.mask()));
                }
                assertEquals(Backend.CUDA, Attention.sdpa(gpu.copyOf(q), gpu.copyOf(k), gpu.copyOf(v), dout, d.build()));
                return new float[][] {gpu.toHost(dout, a).toFloatArray(), gpu.toHost(dlse, a).toFloatArray(),
                        gpu.toHost(dprobs, a).toFloatArray()};
            }
        }
    }

    private static Tensor garbage(Tensor t) {
        t.segment().fill((byte) 0x55);
        return t;
    }

    /** The same call on the float64 oracle. */
    private static float[][] oracle(Tensor q, Tensor k, Tensor v, AttentionOptions.Builder o) {
        return run(Backend.JAVA_REFERENCE, q, k, v, o);
    }

    private static void assertMatchesOracle(Backend b, String what, float[][] want, float[][] got) {
        assertMatchesOracle(b, what, want, got, null);
    }

    /**
     * As above; with sumPAbsV (the oracle's out on |V|: Σ_j p_j·|v_j| per element) an out element may
     * also differ by 1e-6 of that sum. An fp32 sum's error scales with the magnitudes of its terms, not
     * with its result: where p·v terms of both signs cancel (an out of 4e-6 beside terms summing to
     * 0.5 in magnitude), 2e-4 of the result is less than one rounding of the terms, and whether a
     * kernel meets it depends on its summation order (OpenBLAS's Haswell sgemm did on one machine,
     * its SkylakeX kernel did not on another). 1e-6 is about 16 fp32 roundings of the terms.
     */
    private static void assertMatchesOracle(Backend b, String what, float[][] want, float[][] got, float[] sumPAbsV) {
        if (sumPAbsV == null) {
            NonFiniteTest.assertClose(b + " " + what + " out", want[0], got[0], DType.F32);
        } else {
            for (int i = 0; i < want[0].length; i++) {
                float w = want[0][i], g = got[0][i];
                boolean same = Float.isFinite(w) && Float.isFinite(g)
                        ? Math.abs((double) g - w) <= 2e-4 * Math.abs(w) + 1e-6 * sumPAbsV[i] + 1e-30
                        : Float.compare(w, g) == 0 || (Float.isNaN(w) && Float.isNaN(g));
                assertTrue(same, b + " " + what + " out[" + i + "]: got " + g + ", reference " + w
                        + " (tolerance 2e-4 of it + 1e-6 of sum p|v| = " + sumPAbsV[i] + ")");
            }
        }
        NonFiniteTest.assertClose(b + " " + what + " probabilities", want[2], got[2], DType.F32);
        // lse = max + log(sum) cancels near 0: its fp32 error is a rounding of the logits' size, not of lse's
        for (int i = 0; i < want[1].length; i++) {
            float w = want[1][i], g = got[1][i];
            boolean same = Float.isFinite(w) ? Math.abs(g - w) <= 2e-6 * Math.max(1, Math.abs(w))
                    : Float.compare(w, g) == 0 || (Float.isNaN(w) && Float.isNaN(g));
            assertTrue(same, b + " " + what + " lse[" + i + "]: got " + g + ", reference " + w);
        }
    }

    private static Tensor[] inputs(Arena a, long lq, long lk, long d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Tensor q = Tensor.allocate(a, DType.F32, B, H, lq, d);
        Tensor k = Tensor.allocate(a, DType.F32, B, KVH, lk, d);
        Tensor v = Tensor.allocate(a, DType.F32, B, KVH, lk, d);
        for (Tensor t : new Tensor[] {q, k, v}) {
            Robust.fill(t, rnd, 1);
        }
        return new Tensor[] {q, k, v};
    }

    private static int row(long b, long h, long i, long lq) {
        return (int) ((b * H + h) * lq + i);
    }

    // ------------------------------------------------------------------ finite values, awkward sizes

    static Stream<Object[]> sizes() {
        List<Object[]> list = new ArrayList<>();
        long[][] shapes = {{1, 1, 1}, {7, 13, 5}, {13, 7, 3}, {70, 33, 17}, {1, 129, 24}};
        int n = 0;
        for (Backend b : returning().toList()) {
            for (long[] s : shapes) {
                list.add(new Object[] {b, s[0], s[1], s[2], n++});
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} Lq={1} Lk={2} d={3} #{4}")
    @MethodSource("sizes")
    void probabilitiesMatchTheReferenceAndAnIndependentSoftmax(Backend b, long lq, long lk, long d, int n) {
        assumeRuns(b);
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, lq, lk, d, n);
            CausalMode causal = CausalMode.values()[n % 3];
            Tensor mask = Tensor.allocate(a, DType.F32, 1, H, lq, lk);
            Robust.fill(mask, new SplittableRandom(n + 100), 2);
            mask.set(Float.NEGATIVE_INFINITY, 0, H - 1, lq - 1, 0);
            int[] lengths = {(int) lk, (int) Math.max(1, lk / 2)};
            var o = AttentionOptions.builder().causal(causal).mask(n % 2 == 0 ? mask : null).keyLengths(lengths);
            float[][] want = oracle(qkv[0], qkv[1], qkv[2], o);
            float[][] got = run(b, qkv[0], qkv[1], qkv[2], o);
            float[] vabs = qkv[2].toFloatArray();
            for (int i = 0; i < vabs.length; i++) {
                vabs[i] = Math.abs(vabs[i]);
            }
            float[] sumPAbsV = oracle(qkv[0], qkv[1], Tensor.fromFloats(a, DType.F32, vabs, qkv[2].shape()), o)[0];
            assertMatchesOracle(b, "Lq " + lq + " Lk " + lk, want, got, sumPAbsV);
            // the oracle's probabilities, checked against the definition in float64
            float scale = (float) (1.0 / Math.sqrt(d));
            for (long bb = 0; bb < B; bb++) {
                for (long h = 0; h < H; h++) {
                    for (long i = 0; i < lq; i++) {
                        long end = Math.min(lengths[(int) bb], switch (causal) {
                            case NONE -> Long.MAX_VALUE;
                            case TOP_LEFT -> i + 1;
                            case BOTTOM_RIGHT -> i + 1 + lengths[(int) bb] - lq;
                        });
                        double[] l = new double[(int) lk];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < lk; j++) {
                            double dot = 0;
                            for (long c = 0; c < d; c++) {
                                dot += (double) qkv[0].get(bb, h, i, c) * qkv[1].get(bb, 0, j, c);
                            }
                            float m = n % 2 == 0 ? mask.get(0, h, i, j) : 0f;
                            l[j] = j >= end || m == Float.NEGATIVE_INFINITY ? Double.NEGATIVE_INFINITY : scale * dot + m;
                            max = Math.max(max, l[j]);
                        }
                        double sum = 0;
                        for (double x : l) {
                            sum += max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x - max);
                        }
                        for (int j = 0; j < lk; j++) {
                            double p = sum == 0 ? 0 : Math.exp(l[j] - max) / sum;
                            float g = want[2][(int) (row(bb, h, i, lq) * lk + j)];
                            assertEquals(p, g, 1e-6 + 1e-5 * p, "reference probabilities b" + bb + " h" + h + " i" + i + " j" + j);
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ the contract on non-finite values

    @ParameterizedTest
    @MethodSource("returning")
    void aNanDotUnderAMinusInfinityMaskEntryIsHidden(Backend b) {
        assumeRuns(b);
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, LQ, LK, D, 1);
            Tensor mask = Tensor.allocate(a, DType.F32, B, 1, LQ, LK);
            Robust.fill(mask, new SplittableRandom(2), 1);
            for (long i = 0; i < LQ; i++) {
                mask.set(Float.NEGATIVE_INFINITY, 0, 0, i, 4); // batch 0: key 4 hidden from every row
            }
            mask.set(Float.NEGATIVE_INFINITY, 1, 0, 2, 4); // batch 1: from row 2 only
            var o = AttentionOptions.builder().mask(mask);
            float[][] clean = run(b, qkv[0], qkv[1], qkv[2], o);
            for (long c = 0; c < D; c++) {
                qkv[1].set(Float.NaN, 0, 0, 4, c); // q·k of key 4 is NaN for every row
                qkv[1].set(Float.NaN, 1, 0, 4, c);
            }
            float[][] dirty = run(b, qkv[0], qkv[1], qkv[2], o);
            assertMatchesOracle(b, "NaN q·k under -inf", oracle(qkv[0], qkv[1], qkv[2], o), dirty);
            for (long h = 0; h < H; h++) {
                for (long i = 0; i < LQ; i++) {
                    assertSameRow(b, clean, dirty, 0, h, i, LQ, LK); // batch 0 never consults key 4
                    int r = row(1, h, i, LQ);
                    if (i == 2) {
                        assertSameRow(b, clean, dirty, 1, h, i, LQ, LK);
                    } else {
                        assertTrue(Float.isNaN(dirty[1][r]), b + ": lse of batch 1 row " + i + " sees key 4's NaN");
                        for (int j = 0; j < LK; j++) {
                            assertTrue(Float.isNaN(dirty[2][(int) (r * LK + j)]), b + ": probability of a seen key in a NaN row");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("returning")
    void nonFiniteKeysAndValuesOfUnseenKeysNeverLeak(Backend b) {
        assumeRuns(b);
        try (Arena a = Arena.ofConfined()) {
            long lq = 11, lk = 11;
            Tensor[] qkv = inputs(a, lq, lk, D, 3);
            Tensor mask = Tensor.allocate(a, DType.F32, 1, 1, lq, lk);
            for (long i = 0; i < lq; i++) {
                mask.set(Float.NEGATIVE_INFINITY, 0, 0, i, 1); // key 1 masked for every row
            }
            // top-left causal: row i sees keys <= i; batch 1 sees 7 keys at most
            var o = AttentionOptions.builder().causal(CausalMode.TOP_LEFT).keyLengths((int) lk, 7).mask(mask);
            float[][] clean = run(b, qkv[0], qkv[1], qkv[2], o);
            Tensor k = qkv[1], v = qkv[2];
            for (long c = 0; c < D; c++) {
                k.set(Float.NaN, 0, 0, 1, c);                 // masked
                v.set(Float.POSITIVE_INFINITY, 1, 0, 1, c);
                k.set(Float.POSITIVE_INFINITY, 1, 0, 8, c);   // past batch 1's key length
                v.set(Float.NaN, 1, 0, 9, c);
                v.set(Float.NEGATIVE_INFINITY, 1, 0, 10, c);
            }
            v.set(Float.NaN, 0, 0, 6, 2);                     // causally hidden from rows 0..5 of batch 0
            float[][] dirty = run(b, qkv[0], qkv[1], qkv[2], o);
            assertMatchesOracle(b, "unseen non-finite K/V", oracle(qkv[0], qkv[1], qkv[2], o), dirty);
            for (long h = 0; h < H; h++) {
                for (long i = 0; i < lq; i++) {
                    assertSameRow(b, clean, dirty, 1, h, i, lq, lk);
                    if (i < 6) {
                        assertSameRow(b, clean, dirty, 0, h, i, lq, lk);
                    } else {
                        // V of a weighed key reaches out, not the probabilities
                        assertTrue(Float.isNaN(dirty[0][(int) (row(0, h, i, lq) * D + 2)]), b + ": row " + i + " weighs key 6");
                        assertSameProbabilities(b, clean, dirty, 0, h, i, lq, lk);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("returning")
    void scaleZeroWithANanDotGivesNanForTheRowThatSeesIt(Backend b) {
        assumeRuns(b);
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, LQ, LK, D, 4);
            for (long c = 0; c < D; c++) {
                qkv[1].set(Float.NaN, 0, 0, 5, c); // batch 0 key 5: seen from row 5 on (top-left)
                qkv[1].set(Float.NaN, 1, 0, 9, c); // batch 1 key 9: past its key length 8
            }
            qkv[0].set(Float.NaN, 1, 2, 3, 1);     // one query row of batch 1
            var o = AttentionOptions.builder().softmaxScale(0f).causal(CausalMode.TOP_LEFT).keyLengths((int) LK, 8);
            float[][] got = run(b, qkv[0], qkv[1], qkv[2], o);
            assertMatchesOracle(b, "scale 0", oracle(qkv[0], qkv[1], qkv[2], o), got);
            for (long bb = 0; bb < B; bb++) {
                for (long h = 0; h < H; h++) {
                    for (long i = 0; i < LQ; i++) {
                        int r = row(bb, h, i, LQ);
                        long seen = Math.min(i + 1, bb == 0 ? LK : 8);
                        boolean nan = (bb == 0 && i >= 5) || (bb == 1 && h == 2 && i == 3);
                        assertEquals(nan, Float.isNaN(got[1][r]), b + ": lse of b" + bb + " h" + h + " i" + i);
                        for (int j = 0; j < LK; j++) {
                            float p = got[2][(int) (r * LK + j)];
                            float want = j >= seen ? 0f : nan ? Float.NaN : 1f / seen; // scale 0: uniform over seen keys
                            assertEquals(want, p, 1e-6f, b + ": probability b" + bb + " h" + h + " i" + i + " j" + j);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("returning")
    void rowsThatSeeNoKeyGiveZerosMinusInfinityAndZeroProbabilities(Backend b) {
        assumeRuns(b);
        try (Arena a = Arena.ofConfined()) {
            long lq = 7, lk = 5;
            Tensor[] qkv = inputs(a, lq, lk, D, 5);
            Tensor mask = Tensor.allocate(a, DType.F32, B, 1, lq, lk);
            for (long j = 0; j < lk; j++) {
                mask.set(Float.NEGATIVE_INFINITY, 1, 0, 6, j); // batch 1 row 6: every key masked
                qkv[2].set(Float.NaN, 0, 0, j, 0);             // batch 0 sees no key: its NaN V must not matter
            }
            // batch 0: key length 0; batch 1: bottom-right causal hides every key from rows 0 and 1 (Lq > Lk)
            var o = AttentionOptions.builder().keyLengths(0, (int) lk).causal(CausalMode.BOTTOM_RIGHT).mask(mask);
            float[][] got = run(b, qkv[0], qkv[1], qkv[2], o);
            assertMatchesOracle(b, "no key", oracle(qkv[0], qkv[1], qkv[2], o), got);
            for (long h = 0; h < H; h++) {
                for (long i = 0; i < lq; i++) {
                    for (long bb = 0; bb < B; bb++) {
                        boolean none = bb == 0 || i < 2 || i == 6;
                        int r = row(bb, h, i, lq);
                        if (!none) {
                            assertTrue(Float.isFinite(got[1][r]), b + ": lse of a row that sees keys");
                            continue;
                        }
                        assertEquals(Float.NEGATIVE_INFINITY, got[1][r], b + ": lse b" + bb + " h" + h + " i" + i);
                        for (int c = 0; c < D; c++) {
                            assertEquals(0f, got[0][(int) (r * D + c)], b + ": out b" + bb + " h" + h + " i" + i);
                        }
                        for (int j = 0; j < lk; j++) {
                            assertEquals(0f, got[2][(int) (r * lk + j)], b + ": probability b" + bb + " h" + h + " i" + i);
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ capability

    @Test
    void fusedBackendsDeclineAndAutoFallsThroughToOneThatReturnsThem() {
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, LQ, LK, D, 6);
            Tensor out = Tensor.allocate(a, DType.F32, qkv[0].shape());
            Tensor probs = Tensor.allocate(a, DType.F32, B, H, LQ, LK);
            AttentionOptions o = AttentionOptions.builder().probabilities(probs).build();
            for (Backend b : new Backend[] {Backend.NATIVE_CPU, Backend.JAVA_VECTOR}) {
                AttentionException e = assertThrows(AttentionException.class,
                        () -> Attention.sdpa(qkv[0], qkv[1], qkv[2], out, o.toBuilder().backend(b).build()));
                assertTrue(e.getMessage().contains("probabilities"), e::getMessage);
            }
            // host tensors: CUDA's cuBLAS path takes device tensors only (or CUDA is off here)
            assertThrows(AttentionException.class,
                    () -> Attention.sdpa(qkv[0], qkv[1], qkv[2], out, o.toBuilder().backend(Backend.CUDA).build()));
            Backend picked = Attention.select(qkv[0], qkv[1], qkv[2], out, o);
            Backend want = Robust.availableBackends().contains(Backend.BLAS) ? Backend.BLAS : Backend.JAVA_REFERENCE;
            assertEquals(want, picked);
            assertEquals(picked, Attention.sdpa(qkv[0], qkv[1], qkv[2], out, o));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Row (b, h, i) bit-identical in out, lse and probabilities. */
    private static void assertSameRow(Backend be, float[][] clean, float[][] dirty, long b, long h, long i, long lq, long lk) {
        int r = row(b, h, i, lq);
        String where = be + ": row b" + b + " h" + h + " i" + i;
        assertEquals(Float.floatToIntBits(clean[1][r]), Float.floatToIntBits(dirty[1][r]), where + " lse changed");
        for (int c = 0; c < D; c++) {
            float x = clean[0][(int) (r * D + c)], y = dirty[0][(int) (r * D + c)];
            // BLAS recomputes a row that picked up a hidden key's NaN through the P·V sgemm in scalar fp32
            boolean close = be != Backend.JAVA_REFERENCE && Float.isFinite(y) && Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(x));
            assertTrue(Float.floatToIntBits(x) == Float.floatToIntBits(y) || close, where + " out changed: " + x + " -> " + y);
        }
        assertSameProbabilities(be, clean, dirty, b, h, i, lq, lk);
    }

    private static void assertSameProbabilities(Backend be, float[][] clean, float[][] dirty, long b, long h, long i,
                                                long lq, long lk) {
        int r = row(b, h, i, lq);
        for (int j = 0; j < lk; j++) {
            int at = (int) (r * lk + j);
            assertEquals(Float.floatToIntBits(clean[2][at]), Float.floatToIntBits(dirty[2][at]),
                    be + ": probability b" + b + " h" + h + " i" + i + " j" + j + " changed");
        }
    }
}

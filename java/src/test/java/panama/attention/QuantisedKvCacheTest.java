package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static panama.attention.MultiHeadAttentionTest.assertMessage;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A KvCache whose K/V are F16, BF16 or I8 for F32 queries. Two separate claims:
 * <ul>
 *   <li>the kernel's error: NATIVE_CPU equals JAVA_REFERENCE (float64 from the same dequantised
 *       values) within the fp32 tolerance of the case table, {@link KvCacheTest#TOL};</li>
 *   <li>the storage's error: against float64 attention of the unquantised inputs, each output
 *       element stays within what the element type allows ({@link #storageBound}).</li>
 * </ul>
 */
class QuantisedKvCacheTest {
    /** One append: n new tokens, of which counts[b] go to entry b (null: n each). */
    record Step(int n, int[] counts) {
        @Override
        public String toString() {
            return n + (counts == null ? "" : java.util.Arrays.toString(counts));
        }
    }

    record Shape(int batch, int heads, int kvHeads, int d, List<Step> steps) {
        @Override
        public String toString() {
            return "b" + batch + " h" + heads + "/" + kvHeads + " d" + d + " appends " + steps;
        }
    }

    static Step step(int n, int... counts) {
        return new Step(n, counts.length == 0 ? null : counts);
    }

    static final List<Shape> SHAPES = List.of(
            new Shape(1, 2, 2, 40, List.of(step(1))),                                        // cache of 1 key
            new Shape(2, 4, 2, 72, List.of(step(5, 5, 3), step(1), step(1, 1, 0))),          // GQA, ragged: 7 and 4
            new Shape(2, 8, 2, 128, List.of(step(256, 256, 100), step(43), step(1))),         // 300 and 144, prefill of 43
            new Shape(1, 6, 3, 7, List.of(step(3), step(4), step(1))));                       // odd head dim, several appends

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (KvDtype t : new KvDtype[] {KvDtype.F16, KvDtype.BF16, KvDtype.I8}) {
            for (KvCache.Layout layout : KvCache.Layout.values()) {
                for (Shape s : SHAPES) {
                    list.add(Arguments.of(t, layout, s));
                }
            }
        }
        return list.stream();
    }

    /**
     * After every append, the new tokens' queries (BOTTOM_RIGHT: prefill for a chunk, decode for
     * one token) through NATIVE_CPU, JAVA_REFERENCE on the same cache, and JAVA_REFERENCE on an F32
     * cache of the unquantised inputs.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void nativeMatchesTheReferenceAndTheStorageErrorIsBounded(KvDtype kvDtype, KvCache.Layout layout, Shape s) {
        TestBackends.assumeRunnable(Backend.NATIVE_CPU);
        int maxSeq = s.steps().stream().mapToInt(Step::n).sum() + 2;
        try (Arena arena = Arena.ofConfined();
             KvCache stored = KvCache.create(kvDtype, s.batch(), s.kvHeads(), maxSeq, s.d(), layout);
             KvCache exact = KvCache.create(s.batch(), s.kvHeads(), maxSeq, s.d(), layout)) {
            SplittableRandom r = new SplittableRandom(kvDtype.ordinal() * 97L + layout.ordinal() * 13L + s.d());
            AttentionOptions causal = AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT).build();
            for (Step step : s.steps()) {
                Tensor k = KvCacheTest.random(arena, r, s.batch(), s.kvHeads(), step.n(), s.d());
                Tensor v = KvCacheTest.random(arena, r, s.batch(), s.kvHeads(), step.n(), s.d());
                stored.append(k, v, step.counts());
                exact.append(k, v, step.counts());
                Tensor q = KvCacheTest.random(arena, r, s.batch(), s.heads(), step.n(), s.d());
                Tensor outNative = Tensor.allocate(arena, DType.F32, s.batch(), s.heads(), step.n(), s.d());
                Tensor outReference = Tensor.allocate(arena, DType.F32, s.batch(), s.heads(), step.n(), s.d());
                Tensor outExact = Tensor.allocate(arena, DType.F32, s.batch(), s.heads(), step.n(), s.d());
                assertEquals(Backend.NATIVE_CPU, stored.attend(q, outNative, causal), "AUTO takes NATIVE_CPU");
                stored.attend(q, outReference, causal.toBuilder().backend(Backend.JAVA_REFERENCE).build());
                exact.attend(q, outExact, causal.toBuilder().backend(Backend.JAVA_REFERENCE).build());
                String at = kvDtype + " after appending " + step + ", lengths " + java.util.Arrays.toString(stored.lengths());
                KvCacheTest.check(at + ": NATIVE_CPU vs JAVA_REFERENCE on the dequantised values", outNative, outReference);
                checkStorageError(at, kvDtype, exact, q, outNative, outExact, causal.softmaxScale(s.d()));
            }
            checkStoredElements(kvDtype, stored, exact);
        }
    }

    /**
     * The bound on one output element from K and V stored with element errors {@code |Δk_jc| ≤ ek_j},
     * {@code |Δv_jc| ≤ ev_j}: a logit moves by at most {@code ε = scale·Σ_c |q_c|·max_j ek_j}; a
     * softmax weight then changes by a factor within {@code [e^-2ε, e^2ε]}, so
     * {@code |Δp_j| ≤ p_j (e^2ε - 1)}; and {@code |Δo_c| ≤ max_j ev_j + (e^2ε - 1)·max_j |v_jc|}
     * (the first term: a convex combination of V's errors; the second: the moved weights). Plus
     * the fp32 kernel's own error, the case table's 1e-5 relative.
     */
    private static void checkStorageError(String at, KvDtype kvDtype, KvCache exact, Tensor q, Tensor got, Tensor want,
                                          float scale) {
        int batch = exact.batch(), d = exact.headDim();
        int heads = (int) q.size(1), lq = (int) q.size(2), group = heads / exact.kvHeads();
        float[] g = got.toFloatArray(), w = want.toFloatArray(), qs = q.toFloatArray();
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            int len = exact.length(b);
            for (int h = 0; h < heads; h++) {
                int kvh = h / group;
                double ek = 0, ev = 0;
                double[] maxV = new double[d];
                for (int j = 0; j < len; j++) { // every cached key: a superset of what any row sees
                    ek = Math.max(ek, storageBound(kvDtype, exact, b, kvh, j, true));
                    ev = Math.max(ev, storageBound(kvDtype, exact, b, kvh, j, false));
                    for (int c = 0; c < d; c++) {
                        maxV[c] = Math.max(maxV[c], Math.abs(exact.value(b, kvh, j, c)));
                    }
                }
                for (int i = 0; i < lq; i++) {
                    int row = ((b * heads + h) * lq + i) * d;
                    double q1 = 0;
                    for (int c = 0; c < d; c++) {
                        q1 += Math.abs(qs[row + c]);
                    }
                    double grow = Math.expm1(2 * scale * q1 * ek);
                    for (int c = 0; c < d; c++) {
                        double bound = ev + grow * maxV[c] + 1e-5 * Math.max(1, maxV[c]);
                        double err = Math.abs(g[row + c] - w[row + c]);
                        worst = Math.max(worst, err / bound);
                        int bb = b, hh = h, ii = i, cc = c;
                        assertTrue(err <= bound, () -> at + ": out[" + bb + ", " + hh + ", " + ii + ", " + cc + "] = " + g[row + cc]
                                + ", float64 of the unquantised inputs " + w[row + cc] + ", error " + err + " above the bound " + bound);
                    }
                }
            }
        }
        assertTrue(worst <= 1, at + ": worst error/bound " + worst);
    }

    /**
     * The largest error of one stored element of token j: I8 rounds x / scale to an integer, so
     * at most scale / 2 = max|x| / 254 (plus an ulp of the product); F16 and BF16 round to nearest,
     * a relative 2^-11 and 2^-8 of |x| (F16's subnormals: an absolute 2^-25).
     */
    static double storageBound(KvDtype kvDtype, KvCache exact, int b, int h, int j, boolean key) {
        double max = 0;
        for (int c = 0; c < exact.headDim(); c++) {
            max = Math.max(max, Math.abs(key ? exact.key(b, h, j, c) : exact.value(b, h, j, c)));
        }
        return switch (kvDtype) {
            case I8 -> max / 254 + Math.ulp((float) max);
            case F16 -> max * 0x1p-11 + 0x1p-25;
            case BF16 -> max * 0x1p-8;
            case F32 -> 0;
        };
    }

    /** Each stored element within its bound of the input, element by element (the quantiser itself). */
    private static void checkStoredElements(KvDtype kvDtype, KvCache stored, KvCache exact) {
        for (int b = 0; b < exact.batch(); b++) {
            for (int h = 0; h < exact.kvHeads(); h++) {
                for (int j = 0; j < exact.length(b); j++) {
                    for (boolean key : new boolean[] {true, false}) {
                        for (int c = 0; c < exact.headDim(); c++) {
                            float x = key ? exact.key(b, h, j, c) : exact.value(b, h, j, c);
                            float y = key ? stored.key(b, h, j, c) : stored.value(b, h, j, c);
                            double bound = kvDtype == KvDtype.I8 ? storageBound(kvDtype, exact, b, h, j, key)
                                    : (kvDtype == KvDtype.F16 ? Math.abs(x) * 0x1p-11 + 0x1p-25 : Math.abs(x) * 0x1p-8);
                            int bb = b, hh = h, jj = j, cc = c;
                            assertTrue(Math.abs(x - y) <= bound, () -> (key ? "key" : "value") + "[" + bb + ", " + hh + ", " + jj
                                    + ", " + cc + "]: stored " + y + " for " + x + ", error above " + bound);
                        }
                    }
                }
            }
        }
    }

    @Test
    void int8UsesTheWholeRangeAndAZeroRowStoresZeros() {
        try (Arena arena = Arena.ofConfined(); KvCache cache = KvCache.create(KvDtype.I8, 1, 1, 4, 5, KvCache.Layout.BHSD)) {
            float[] x = {0.5f, -2f, 1f, 0.25f, -0.005f, 0, 0, 0, 0, 0};
            Tensor t = Tensor.fromFloats(arena, DType.F32, x, 1, 1, 2, 5);
            cache.append(t, t);
            assertEquals(-2f, cache.key(0, 0, 0, 1), 1e-6f, "max|x| is 127 · scale exactly");
            assertEquals(Math.rint(0.5 / (2 / 127.0)) * (2 / 127f), cache.key(0, 0, 0, 0), 1e-6);
            assertEquals(0f, cache.key(0, 0, 0, 4), "-0.005 / scale = -0.3175 rounds to 0");
            for (int c = 0; c < 5; c++) {
                assertEquals(0f, cache.value(0, 0, 1, c), "an all-zero row stays zero (scale 0, no NaN)");
            }
            Tensor q = Tensor.fromFloats(arena, DType.F32, new float[] {1, 1, 1, 1, 1}, 1, 1, 1, 5);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 1, 1, 5);
            cache.attend(q, out, AttentionOptions.builder().backend(Backend.JAVA_REFERENCE).build());
            for (float o : out.toFloatArray()) {
                assertTrue(Float.isFinite(o), "a zero-scale key attends like a zero key");
            }
        }
    }

    @Test
    void refusals() {
        try (Arena arena = Arena.ofConfined(); KvCache cache = KvCache.create(KvDtype.I8, 2, 2, 8, 40, KvCache.Layout.BSHD)) {
            Tensor k = KvCacheTest.random(arena, new SplittableRandom(3), 2, 2, 3, 40);
            cache.append(k, k);
            Tensor q = KvCacheTest.random(arena, new SplittableRandom(4), 2, 4, 1, 40);
            Tensor out = Tensor.allocate(arena, DType.F32, 2, 4, 1, 40);
            for (Backend b : new Backend[] {Backend.BLAS, Backend.JAVA_VECTOR, Backend.CUDA}) {
                AttentionException e = assertThrows(AttentionException.class,
                        () -> cache.attend(q, out, AttentionOptions.builder().backend(b).build()));
                assertMessage(e, b + " cannot run this call: K/V dtype I8: " + b + " reads K and V only in q's dtype");
            }
            Tensor q16 = Tensor.allocate(arena, DType.F16, 2, 4, 1, 40);
            Tensor out16 = Tensor.allocate(arena, DType.F16, 2, 4, 1, 40);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.attend(q16, out16)),
                    "q: dtype is F16, but a cache with K/V dtype I8 takes F32 queries only");
            Tensor wrongD = Tensor.allocate(arena, DType.F32, 2, 4, 1, 24);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.attend(wrongD, wrongD)),
                    "q: dimension 3 (headDim) is 24 but the cache has 40");

            Tensor bad = KvCacheTest.random(arena, new SplittableRandom(5), 2, 2, 2, 40);
            bad.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 2 * 40 + 7, Float.NaN); // [0, 1, 0, 7]
            assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.append(k.narrow(2, 0, 2), bad)),
                    "v: element [0, 1, 0, 7] is NaN; an I8 cache quantises with scale max|x| / 127");
            assertEquals(3, cache.length(0), "a refused append writes nothing");
            assertEquals(3, cache.length(1));
            assertMessage(assertThrows(UnsupportedOperationException.class, cache::keys), "no tensor dtype holds int8");
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> cache.key(0, 2, 0, 0)), "h: 2 is outside [0, 2)");
            AttentionException probs = assertThrows(AttentionException.class, () -> cache.attend(q, out,
                    AttentionOptions.builder().backend(Backend.NATIVE_CPU)
                            .probabilities(Tensor.allocate(arena, DType.F32, 2, 4, 1, 3)).build()));
            assertMessage(probs, "never materialises them");
            assertMessage(assertThrows(NullPointerException.class,
                    () -> KvCache.create((KvDtype) null, 1, 1, 1, 1, KvCache.Layout.BHSD)), "kvDtype must not be null");
            cache.close();
            assertMessage(assertThrows(IllegalStateException.class, () -> cache.key(0, 0, 0, 0)), "KvCache is closed");
            assertMessage(assertThrows(IllegalStateException.class, () -> cache.attend(q, out)), "KvCache is closed");
        }
    }

    @Test
    void halfCachesKeepTheirTensorViewsAndRunOnTheReferenceWithoutTheNativeLibrary() {
        try (Arena arena = Arena.ofConfined(); KvCache cache = KvCache.create(KvDtype.BF16, 1, 1, 4, 3, KvCache.Layout.BHSD)) {
            assertEquals(DType.BF16, cache.keys().dtype());
            assertEquals(DType.F32, cache.dtype());
            assertEquals(KvDtype.BF16, cache.kvDtype());
            Tensor t = Tensor.fromFloats(arena, DType.F32, new float[] {1, 2, 3}, 1, 1, 1, 3);
            cache.append(t, t);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 1, 1, 3);
            assertEquals(Backend.JAVA_REFERENCE,
                    cache.attend(t, out, AttentionOptions.builder().backend(Backend.JAVA_REFERENCE).build()));
            assertEquals(List.of(1f, 2f, 3f), List.of(out.toFloatArray()[0], out.toFloatArray()[1], out.toFloatArray()[2]),
                    "one key: the output is its value");
        }
    }
}

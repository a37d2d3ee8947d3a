package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link WeightPrecision#BF16}: bf16 calls may round the softmax weights to bf16 once. Every
 * element must stay within the exact path's bound (SdpaFuzzCase's) plus {@code 2^-8 · Σ_j p_j·|v_j|},
 * that sum being the oracle run on |V|; where NATIVE_CPU has a bf16 product path (AMX_BF16 or AVX512_BF16) the permission
 * must really change bits, and everywhere else (other dtypes, the Java backends) it must change
 * nothing.
 */
class WeightPrecisionTest {
    private static final AttentionOptions ROUNDED = AttentionOptions.builder().weights(WeightPrecision.BF16).build();

    @ParameterizedTest(name = "b{0} h{1}/{2} Lq{3} Lk{4} d{5} {6}")
    @CsvSource({
        "1, 2, 1, 1, 7, 3, NONE",
        "2, 4, 2, 37, 301, 59, BOTTOM_RIGHT",
        "1, 3, 3, 130, 129, 128, TOP_LEFT",
        "1, 2, 2, 257, 513, 64, NONE",
        "3, 2, 1, 7, 1, 80, BOTTOM_RIGHT",
    })
    void roundedWeightsStayWithinTheirBound(int b, int h, int kvh, int lq, int lk, int d, CausalMode causal) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(31L * lq + lk + d);
            Tensor q = random(arena, rnd, b, h, lq, d);
            Tensor k = random(arena, rnd, b, kvh, lk, d);
            Tensor v = random(arena, rnd, b, kvh, lk, d);
            float[] vf = v.toFloatArray();
            for (int i = 0; i < vf.length; i++) {
                vf[i] = Math.abs(vf[i]);
            }
            Tensor absV = Tensor.fromFloats(arena, DType.BF16, vf, v.shape());
            AttentionOptions exact = AttentionOptions.builder().causal(causal).backend(Backend.NATIVE_CPU).build();
            AttentionOptions rounded = exact.toBuilder().weights(WeightPrecision.BF16).build();
            float[] want = Robust.reference(q, k, v, exact)[0];
            float[] sumPAbsV = Robust.reference(q, k, absV, exact)[0];
            float[] got = run(arena, q, k, v, rounded);
            float[] plain = run(arena, q, k, v, exact);

            double vmax = maxAbs(v), logitError = 1.2e-7 * exact.softmaxScale(d) * maxAbs(q) * maxAbs(k) * d;
            double worst = 0, beyondExact = 0;
            for (int i = 0; i < got.length; i++) {
                double exactBound = vmax * (1e-5 + 4 * logitError) + Math.scalb(Math.abs(want[i]), -7) + 1e-30;
                double err = Math.abs((double) got[i] - want[i]);
                worst = Math.max(worst, err / (exactBound + Math.scalb((double) sumPAbsV[i], -8)));
                beyondExact = Math.max(beyondExact, err / exactBound);
            }
            assertTrue(worst <= 1, "largest error / (exact bound + 2^-8 sum p|v|) = " + worst);
            if (dotProductPath(arena)) {
                // prefill-sized calls take the dot-product path (decode's few rows keep the fp32 row
                // path); Lk 1 has one weight, exactly 1 after the row max: nothing to round
                if (lq >= 16 && lk > 1) {
                    assertFalse(Robust.sameBits(got, plain), "rounded weights change the bits where they can");
                }
                if (lq >= 16 && lk > 7) {
                    assertTrue(beyondExact > 1, "some element farther from the oracle than the exact path may be: "
                            + beyondExact);
                }
            } else {
                assertTrue(Robust.sameBits(got, plain), "without a bf16 product path the permission changes nothing");
            }
        }
    }

    @Test
    void otherDtypesAndTheJavaBackendsIgnoreIt() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(5);
            for (DType dtype : DType.values()) {
                Tensor q = random(arena, rnd, dtype, 1, 2, 33, 40);
                Tensor k = random(arena, rnd, dtype, 1, 2, 65, 40);
                Tensor v = random(arena, rnd, dtype, 1, 2, 65, 40);
                for (Backend backend : Robust.availableBackends(Backend.AUTO, Backend.CUDA)) {
                    if (backend == Backend.NATIVE_CPU && dtype == DType.BF16 || backend == Backend.BLAS && dtype != DType.F32) {
                        continue; // the one that may use it (above), and BLAS, which takes F32 only
                    }
                    AttentionOptions o = AttentionOptions.builder().backend(backend).build();
                    assertTrue(Robust.sameBits(run(arena, q, k, v, o),
                                    run(arena, q, k, v, o.toBuilder().weights(WeightPrecision.BF16).build())),
                            backend + " " + dtype + " is exact whatever the weights option");
                }
            }
        }
    }

    @Test
    void theOptionReadsBack() {
        assertEquals(WeightPrecision.FP32, AttentionOptions.defaults().weights());
        assertEquals(WeightPrecision.BF16, ROUNDED.weights());
        assertEquals(WeightPrecision.BF16, ROUNDED.toBuilder().build().weights());
        assertTrue(ROUNDED.toString().contains("weights=BF16"), ROUNDED.toString());
        assertFalse(AttentionOptions.defaults().toString().contains("weights"));
        assertThrows(NullPointerException.class, () -> AttentionOptions.builder().weights(null));
    }

    /**
     * Whether NATIVE_CPU's AUTO runs prefill-sized bf16 calls through a product path here (AMX_BF16, or
     * AVX512_BF16 where AUTO takes it): its bits then differ from those of the converting AVX512 path.
     * Without AVX-512 (forcing it is refused) there is no product path either.
     */
    private static boolean dotProductPath(Arena arena) {
        SplittableRandom rnd = new SplittableRandom(3);
        Tensor q = random(arena, rnd, 1, 2, 100, 64);
        Tensor k = random(arena, rnd, 1, 2, 100, 64);
        Tensor v = random(arena, rnd, 1, 2, 100, 64);
        AttentionOptions auto = AttentionOptions.builder().backend(Backend.NATIVE_CPU).build();
        try {
            return !Robust.sameBits(run(arena, q, k, v, auto),
                    run(arena, q, k, v, auto.toBuilder().cpuIsa(CpuIsa.AVX512).build()));
        } catch (AttentionException e) {
            return false;
        }
    }

    private static float[] run(Arena arena, Tensor q, Tensor k, Tensor v, AttentionOptions o) {
        Tensor out = Tensor.allocate(arena, q.dtype(), q.shape());
        Attention.sdpa(q, k, v, out, o);
        return out.toFloatArray();
    }

    private static Tensor random(Arena arena, SplittableRandom rnd, long... shape) {
        return random(arena, rnd, DType.BF16, shape);
    }

    private static Tensor random(Arena arena, SplittableRandom rnd, DType dtype, long... shape) {
        Tensor t = Tensor.allocate(arena, dtype, shape);
        Robust.fill(t, rnd, 1f);
        return t;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float x : t.toFloatArray()) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}

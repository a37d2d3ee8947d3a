package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.CaseInputs;
import panama.attention.testing.CaseTable;
import panama.attention.testing.Compare;

/**
 * JAVA_VECTOR's parts: both exp2 versions, the scalar fallback's arithmetic on the case table (the
 * vector path runs the table in BackendParityTest), heap segments, and the status line.
 */
class JavaVectorKernelTest {
    @Test
    void testsRunWithTheVectorApi() {
        // panattn.test.jvm.args adds the module; without it the parity tests would only cover the fallback
        assertTrue(JavaVectorKernel.vectorized(), JavaVectorKernel.describe());
        BackendStatus s = Attention.backends().stream().filter(x -> x.backend() == Backend.JAVA_VECTOR).findFirst().orElseThrow();
        assertTrue(s.available());
        assertTrue(s.toString().matches("JAVA_VECTOR: on \\(Vector API, \\d+-bit species\\)"), s.toString());
    }

    @Test
    void exp2WithinFourUlpOverTheSoftmaxRangeScalarAndVector() {
        int lanes = VectorTileMath.L;
        float[] xs = new float[lanes];
        float[] got = new float[lanes];
        float worst = 0;
        int i = 0;
        for (float x = -126f; x <= 0f; x += 7.7e-4f) {
            xs[i++] = x;
            if (i < lanes) {
                continue;
            }
            i = 0;
            VectorTileMath.exp2(FloatVector.fromArray(VectorTileMath.S, xs, 0)).intoArray(got, 0);
            for (int j = 0; j < lanes; j++) {
                float want = (float) Math.pow(2, xs[j]);
                float scalar = ScalarTileMath.exp2(xs[j]);
                assertEquals(scalar, got[j], 0f, "vector and scalar differ at " + xs[j]);
                worst = Math.max(worst, Math.abs(scalar - want) / Math.ulp(want));
            }
        }
        assertTrue(worst <= 4, "worst error " + worst + " ulp");
    }

    @Test
    void exp2Edges() {
        assertEquals(0f, ScalarTileMath.exp2(Float.NEGATIVE_INFINITY));
        assertEquals(0f, ScalarTileMath.exp2(-1000f));
        assertEquals(1f, ScalarTileMath.exp2(0f));
        assertEquals(0.5f, ScalarTileMath.exp2(-1f));
        assertTrue(Float.isNaN(ScalarTileMath.exp2(Float.NaN)));
        float[] x = new float[VectorTileMath.L];
        x[0] = Float.NEGATIVE_INFINITY;
        x[1 % x.length] = Float.NaN;
        float[] y = new float[x.length];
        VectorTileMath.exp2(FloatVector.fromArray(VectorTileMath.S, x, 0)).intoArray(y, 0);
        assertEquals(0f, y[0]);
        if (x.length > 1) {
            assertTrue(Float.isNaN(y[1]));
            assertEquals(1f, y[2 % x.length]);
        }
    }

    /** A spread of the table: every causal mode, masks, key lengths, GQA, BSHD, offsets, odd head dims, halves. */
    static Stream<AttentionCase> scalarCases() {
        List<AttentionCase> out = new ArrayList<>();
        List<AttentionCase> all = CaseTable.fp32();
        for (int i = 0; i < all.size(); i++) {
            AttentionCase c = all.get(i);
            if (!c.id().startsWith("grid-") || i % 4 == 0) {
                out.add(c);
            }
        }
        out.add(CaseTable.halfPrecision().get(0));
        out.add(CaseTable.halfPrecision().get(1));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scalarCases")
    void scalarFallbackMatchesReference(AttentionCase c) {
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, c, c.id().hashCode());
            CaseInputs exact = c.dtype() == DType.F32 ? in : in.asF32(arena);
            Tensor refOut = exact.newOut();
            Tensor refLse = exact.newLse();
            Attention.sdpa(exact.q, exact.k, exact.v, refOut, exact.options(Backend.JAVA_REFERENCE, refLse).build());
            Tensor out = in.newOut();
            Tensor lse = in.newLse();
            Problem p = Validation.check(in.q, in.k, in.v, out, in.options(Backend.JAVA_VECTOR, lse).build());
            JavaVectorKernel.run(p, new ScalarTileMath("scalar (test)"));
            float[] want = refOut.toFloatArray();
            float[] got = out.toFloatArray();
            double tol = c.dtype() == DType.F32 ? 1e-5 : 2 * Compare.roundingError(want, c.dtype()) + 1e-6;
            double err = Compare.relativeError(got, want);
            assertTrue(err <= tol, () -> c + ": relative error " + err + Compare.firstMismatches(got, want, tol, 5));
            if (lse != null) {
                float[] wl = refLse.toFloatArray();
                float[] gl = lse.toFloatArray();
                for (int i = 0; i < gl.length; i++) {
                    double lt = (c.dtype() == DType.F32 ? 1e-5 : 1e-2) * Math.max(1, Math.abs(wl[i]));
                    assertTrue(wl[i] == gl[i] || Math.abs(wl[i] - gl[i]) <= lt, c + " lse[" + i + "] " + gl[i] + " vs " + wl[i]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void heapSegmentsWork(DType dtype) {
        int b = 2, h = 4, kvh = 2, lq = 70, lk = 130, d = 24;
        SplittableRandom rnd = new SplittableRandom(7);
        Tensor q = heap(dtype, rnd, b, h, lq, d);
        Tensor k = heap(dtype, rnd, b, kvh, lk, d);
        Tensor v = heap(dtype, rnd, b, kvh, lk, d);
        Tensor out = heap(dtype, rnd, b, h, lq, d);
        Tensor lse = heap(DType.F32, rnd, b, h, lq);
        AttentionOptions o = AttentionOptions.builder().causal(CausalMode.TOP_LEFT).keyLengths(130, 77).lse(lse)
                .backend(Backend.JAVA_VECTOR).build();
        assertEquals(Backend.JAVA_VECTOR, Attention.sdpa(q, k, v, out, o));
        float[] got = out.toFloatArray();
        float[] gotLse = lse.toFloatArray();
        Attention.sdpa(q, k, v, out, o.toBuilder().backend(Backend.JAVA_REFERENCE).build());
        float[] want = out.toFloatArray();
        double tol = dtype == DType.F32 ? 1e-5 : 2 * Compare.roundingError(want, dtype) + 1e-3;
        assertTrue(Compare.relativeError(got, want) <= tol, () -> dtype + Compare.firstMismatches(got, want, tol, 5));
        float[] wantLse = lse.toFloatArray();
        for (int i = 0; i < wantLse.length; i++) {
            assertEquals(wantLse[i], gotLse[i], 1e-4 * Math.max(1, Math.abs(wantLse[i])), "lse " + i);
        }
    }

    private static Tensor heap(DType dtype, SplittableRandom rnd, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        MemorySegment seg = dtype == DType.F32 ? MemorySegment.ofArray(new float[(int) n])
                : MemorySegment.ofArray(new short[(int) n]);
        Tensor t = Tensor.contiguous(seg, dtype, shape);
        for (long i = 0; i < n; i++) {
            Elements.set(seg, dtype, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return t;
    }
}

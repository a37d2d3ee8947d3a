package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.CaseInputs;
import panama.attention.testing.CaseTable;
import panama.attention.testing.Compare;

/**
 * Every available backend (and every forceable CPU path) against JAVA_REFERENCE on the shared
 * case table. fp32 within 1e-5 relative (Frobenius); F16/BF16 within twice the error of merely
 * rounding the exact result to that precision (docs/CONVENTIONS.md item 2), plus LSE and the no-NaN rules.
 */
class BackendParityTest {
    static final double FP32_TOLERANCE = AttentionCase.FP32_TOLERANCE;

    static Stream<Arguments> fp32Cases() {
        return combine(CaseTable.fp32(), Backend.NATIVE_CPU, Backend.BLAS, Backend.JAVA_VECTOR);
    }

    /** BLAS is fp32 only (sgemm): it refuses F16/BF16, which ValidationTest checks. */
    static Stream<Arguments> halfCases() {
        return combine(CaseTable.halfPrecision(), Backend.NATIVE_CPU, Backend.JAVA_VECTOR);
    }

    /** Each case × each backend × (for NATIVE_CPU) each CPU path this machine runs. */
    static Stream<Arguments> combine(List<AttentionCase> cases, Backend... backends) {
        List<Arguments> args = new ArrayList<>();
        for (AttentionCase c : cases) {
            for (Backend b : backends) {
                if (b == Backend.NATIVE_CPU) {
                    for (CpuIsa isa : TestBackends.supportedIsas()) {
                        args.add(Arguments.of(c, b, isa));
                    }
                } else {
                    args.add(Arguments.of(c, b, CpuIsa.AUTO));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("fp32Cases")
    void fp32MatchesReference(AttentionCase c, Backend backend, CpuIsa isa) {
        check(c, backend, isa);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("halfCases")
    void halfPrecisionMatchesReference(AttentionCase c, Backend backend, CpuIsa isa) {
        check(c, backend, isa);
    }

    private static void check(AttentionCase c, Backend backend, CpuIsa isa) {
        TestBackends.assumeAvailable(backend);
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, c, c.id().hashCode());
            // The oracle, in fp32 output so it is the exact result to float precision.
            CaseInputs exact = c.dtype() == DType.F32 ? in : in.asF32(arena);
            Tensor refOut = exact.newOut();
            Tensor refLse = exact.newLse();
            Attention.sdpa(exact.q, exact.k, exact.v, refOut,
                    exact.options(Backend.JAVA_REFERENCE, refLse).build());

            Tensor out = in.newOut();
            Tensor lse = in.newLse();
            Backend ran = Attention.sdpa(in.q, in.k, in.v, out, in.options(backend, lse).cpuIsa(isa).build());
            assertEquals(backend, ran);

            float[] want = refOut.toFloatArray();
            float[] got = out.toFloatArray();
            double tol = c.tolerance(want);
            double err = Compare.relativeError(got, want);
            assertTrue(err <= tol, () -> c + " " + backend + "/" + isa + ": relative error " + err + " > " + tol
                    + Compare.firstMismatches(got, want, tol, 5));
            for (float x : got) {
                assertTrue(!Float.isNaN(x), () -> c + " " + backend + ": NaN in the output (inputs have none)");
            }
            if (lse != null) {
                float[] wantL = refLse.toFloatArray();
                float[] gotL = lse.toFloatArray();
                for (int i = 0; i < gotL.length; i++) {
                    float w = wantL[i], g = gotL[i];
                    int idx = i;
                    if (w == Float.NEGATIVE_INFINITY) {
                        assertEquals(Float.NEGATIVE_INFINITY, g, () -> c + " " + backend + ": lse[" + idx + "] of a fully masked row");
                    } else {
                        // LSE is a log: compare absolutely, scaled by its magnitude
                        double lseTol = (c.dtype() == DType.F32 ? 1e-5 : 1e-2) * Math.max(1, Math.abs(w));
                        assertTrue(Math.abs(g - w) <= lseTol, () -> c + " " + backend + ": lse[" + idx + "] got " + g + " want " + w);
                    }
                }
            }
        }
    }
}

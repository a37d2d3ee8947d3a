package panama.attention.internal;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import panama.attention.Attention;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.AttentionCase.Layout;
import panama.attention.testing.AttentionCase.MaskKind;
import panama.attention.testing.CaseInputs;
import panama.attention.testing.CaseTable;
import panama.attention.testing.Compare;

/**
 * Run by {@link JavaVectorWidthsTest} in a child JVM with {@code -Dpanattn.vector.bits=N}: JAVA_VECTOR
 * against the oracle on the whole fp32 case table, two half-precision cases and cases aimed at the
 * strip and panel tails of that width. Prints the species, the number of cases and one FAIL line
 * per case out of tolerance (the tolerances of {@link JavaVectorKernelTest}).
 */
public final class VectorWidthProbe {
    private VectorWidthProbe() {
    }

    /** Query lengths around the strip sizes (16, 32, 64 rows) and the 128-row tile, keys off whole key steps. */
    static List<AttentionCase> tailCases() {
        List<AttentionCase> out = new ArrayList<>();
        int[][] qk = {{1, 33}, {7, 65}, {17, 7}, {33, 129}, {63, 1}, {65, 97}, {127, 130}, {129, 33}, {200, 201}};
        int[] dims = {40, 72, 80, 7, 1};
        int n = 0;
        for (int[] x : qk) {
            for (CausalMode mode : CausalMode.values()) {
                int d = dims[n++ % dims.length];
                MaskKind mask = n % 3 == 0 ? MaskKind.FULL : MaskKind.NONE;
                int[] keyLengths = n % 4 == 0 ? new int[] {x[1], Math.max(1, x[1] / 2 - 1)} : null;
                out.add(new AttentionCase("tail-q" + x[0] + "-k" + x[1] + "-d" + d + "-" + mode + "-" + mask
                        + (keyLengths != null ? "-keylen" : ""), 2, 2, 1, x[0], x[1], d, mode, DType.F32,
                        n % 2 == 0 ? Layout.BSHD : Layout.BHSD, keyLengths, mask, true, 0));
            }
        }
        return out;
    }

    public static void main(String[] args) {
        System.out.println("species: " + JavaVectorKernel.describe());
        List<AttentionCase> cases = new ArrayList<>(CaseTable.fp32());
        cases.add(CaseTable.halfPrecision().get(0));
        cases.add(CaseTable.halfPrecision().get(1));
        cases.addAll(tailCases());
        int run = 0;
        for (AttentionCase c : cases) {
            try (Arena arena = Arena.ofConfined()) {
                CaseInputs in = new CaseInputs(arena, c, c.id().hashCode());
                CaseInputs exact = c.dtype() == DType.F32 ? in : in.asF32(arena);
                Tensor refOut = exact.newOut();
                Tensor refLse = exact.newLse();
                Attention.sdpa(exact.q, exact.k, exact.v, refOut, exact.options(Backend.JAVA_REFERENCE, refLse).build());
                Tensor out = in.newOut();
                Tensor lse = in.newLse();
                Attention.sdpa(in.q, in.k, in.v, out, in.options(Backend.JAVA_VECTOR, lse).build());
                float[] want = refOut.toFloatArray();
                float[] got = out.toFloatArray();
                double tol = c.dtype() == DType.F32 ? 1e-5 : 2 * Compare.roundingError(want, c.dtype()) + 1e-6;
                double err = Compare.relativeError(got, want);
                if (!(err <= tol)) {
                    System.out.println("FAIL " + c + ": relative error " + err);
                }
                if (lse != null) {
                    float[] wl = refLse.toFloatArray();
                    float[] gl = lse.toFloatArray();
                    for (int i = 0; i < gl.length; i++) {
                        double lt = (c.dtype() == DType.F32 ? 1e-5 : 1e-2) * Math.max(1, Math.abs(wl[i]));
                        if (!(wl[i] == gl[i] || Math.abs(wl[i] - gl[i]) <= lt)) {
                            System.out.println("FAIL " + c + ": lse[" + i + "] " + gl[i] + " vs " + wl[i]);
                            break;
                        }
                    }
                }
                run++;
            }
        }
        System.out.println("cases: " + run);
    }
}

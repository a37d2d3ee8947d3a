package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Numerics at the edges, for every backend and CPU path. The semantics (README,
 * "Non-finite values"):
 * <ul>
 *   <li>query row i of (b, h) <em>sees</em> key j when {@code j < visibleEnd(b, i)} (key length,
 *       causal alignment); keys it does not see are never read, K or V;</li>
 *   <li>a seen key whose mask entry is {@code -inf} is hidden: its K and V are not consulted;</li>
 *   <li>a NaN or +inf logit among the remaining keys makes the whole row NaN (out and lse);</li>
 *   <li>a NaN/inf in V reaches exactly the rows that weigh that key;</li>
 *   <li>a row left with no key gives zeros and lse {@code -inf}, never NaN.</li>
 * </ul>
 * So a NaN in q row i affects only row i; a NaN in key j only the rows that see key j; and NaN/inf
 * in K or V of keys that are excluded (beyond the key length, causally hidden, masked) never leaks.
 * Everything not affected must be bit-identical to the clean call on the same backend.
 */
class NonFiniteTest {
    /** A backend and, for NATIVE_CPU, a forced CPU path. */
    record Path(Backend backend, CpuIsa isa) {
        @Override
        public String toString() {
            return isa == CpuIsa.AUTO ? backend.toString() : backend + "/" + isa;
        }

        AttentionOptions.Builder options() {
            return AttentionOptions.builder().backend(backend).cpuIsa(isa);
        }
    }

    static Stream<Path> paths() {
        List<Path> list = new ArrayList<>();
        for (Backend b : Robust.availableBackends()) {
            if (b == Backend.NATIVE_CPU) {
                TestBackends.supportedIsas().forEach(isa -> list.add(new Path(b, isa)));
            } else {
                list.add(new Path(b, CpuIsa.AUTO));
            }
        }
        list.add(new Path(Backend.AUTO, CpuIsa.AUTO));
        return list.stream();
    }

    private static final long B = 2, H = 2, KVH = 1, L = 70, D = 16;

    /** out and lse of one call on p. */
    private static float[][] run(Path p, Tensor q, Tensor k, Tensor v, AttentionOptions.Builder o) {
        try (Arena a = Arena.ofConfined()) {
            Tensor out = Tensor.allocate(a, q.dtype(), q.shape());
            out.segment().fill((byte) 0x55);
            Tensor lse = Tensor.allocate(a, DType.F32, q.size(0), q.size(1), q.size(2));
            Attention.sdpa(q, k, v, out, o.lse(lse).build());
            return new float[][] {out.toFloatArray(), lse.toFloatArray()};
        }
    }

    private static boolean usable(Path p, DType dtype) {
        return !(p.backend() == Backend.BLAS && dtype != DType.F32);
    }

    @ParameterizedTest
    @MethodSource("paths")
    void aNanInQueryRowIStaysInRowI(Path p) {
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, DType.F32, 1);
            var o = p.options().causal(CausalMode.BOTTOM_RIGHT);
            float[][] clean = run(p, qkv[0], qkv[1], qkv[2], o);
            qkv[0].set(Float.NaN, 1, 1, 37, 5);
            float[][] dirty = run(p, qkv[0], qkv[1], qkv[2], o);
            expectRows(p, clean, dirty, (b, h, i) -> b == 1 && h == 1 && i == 37, "NaN at q[1,1,37,5]");
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void aNanInKeyJReachesOnlyTheRowsThatSeeIt(Path p) {
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, DType.F32, 2);
            // batch 0 has 15 valid keys, so its key 20 is never seen; batch 1 sees key 20 from row 20 on (top-left causal)
            var o = p.options().causal(CausalMode.TOP_LEFT).keyLengths(15, (int) L);
            float[][] clean = run(p, qkv[0], qkv[1], qkv[2], o);
            qkv[1].set(Float.NaN, 0, 0, 20, 3);
            qkv[1].set(Float.NaN, 1, 0, 20, 3);
            float[][] dirty = run(p, qkv[0], qkv[1], qkv[2], o);
            // kvHeads = 1: both query heads read it
            expectRows(p, clean, dirty, (b, h, i) -> b == 1 && i >= 20, "NaN at k[*,0,20,3]");
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void nonFiniteKeysAndValuesOfExcludedKeysNeverLeakIn(Path p) {
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, DType.F32, 3);
            Tensor mask = Tensor.allocate(a, DType.F32, 1, 1, L, L);
            Robust.fill(mask, new SplittableRandom(3), 1);
            for (long i = 0; i < L; i++) {
                mask.set(Float.NEGATIVE_INFINITY, 0, 0, i, 5); // key 5 hidden from every row
            }
            mask.set(Float.NEGATIVE_INFINITY, 0, 0, 50, 45); // key 45 hidden from row 50 only
            var o = p.options().causal(CausalMode.TOP_LEFT).keyLengths(60, 40).mask(mask);
            float[][] clean = run(p, qkv[0], qkv[1], qkv[2], o);
            Tensor k = qkv[1], v = qkv[2];
            for (long c = 0; c < D; c++) {
                // masked for every row: NaN in K and V
                k.set(Float.NaN, 0, 0, 5, c);
                v.set(Float.NaN, 0, 0, 5, c);
                v.set(Float.POSITIVE_INFINITY, 1, 0, 5, c);
                // beyond the key lengths (60 and 40)
                k.set(Float.NaN, 0, 0, 65, c);
                v.set(Float.NaN, 0, 0, 65, c);
                v.set(Float.NEGATIVE_INFINITY, 1, 0, 41, c);
                k.set(Float.POSITIVE_INFINITY, 1, 0, 41, c);
            }
            float[][] dirty = run(p, qkv[0], qkv[1], qkv[2], o);
            expectRows(p, clean, dirty, (b, h, i) -> false, "non-finite K/V of excluded keys");

            // causally hidden: V of key 45 is NaN; rows < 45 do not see it, row 50 has it masked
            for (long c = 0; c < D; c++) {
                v.set(Float.NaN, 0, 0, 45, c);
            }
            float[][] causal = run(p, qkv[0], qkv[1], qkv[2], o);
            expectRows(p, clean, causal, (b, h, i) -> b == 0 && i >= 45 && i != 50, "NaN V of key 45");
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void aNanDotUnderAMinusInfinityMaskEntryIsHidden(Path p) {
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, DType.F32, 6);
            Tensor mask = Tensor.allocate(a, DType.F32, B, 1, L, L);
            Robust.fill(mask, new SplittableRandom(6), 1);
            for (long i = 0; i < L; i++) {
                mask.set(Float.NEGATIVE_INFINITY, 0, 0, i, 7); // batch 0: key 7 hidden from every row
            }
            mask.set(Float.NEGATIVE_INFINITY, 1, 0, 10, 7); // batch 1: from row 10 only
            var o = p.options().mask(mask);
            float[][] clean = run(p, qkv[0], qkv[1], qkv[2], o);
            for (long c = 0; c < D; c++) {
                qkv[1].set(Float.NaN, 0, 0, 7, c); // q·k of key 7 is NaN for every row: the mask must win
                qkv[1].set(Float.NaN, 1, 0, 7, c);
            }
            float[][] dirty = run(p, qkv[0], qkv[1], qkv[2], o);
            expectRows(p, clean, dirty, (b, h, i) -> b == 1 && i != 10, "NaN q·k of key 7 under -inf mask entries");
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void scaleZeroKeepsTheNanOfASeenKey(Path p) {
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, DType.F32, 7);
            // top-left causal: batch 0 sees key 30 from row 30 on; batch 1 has 15 valid keys
            var o = p.options().softmaxScale(0f).causal(CausalMode.TOP_LEFT).keyLengths((int) L, 15);
            float[][] clean = run(p, qkv[0], qkv[1], qkv[2], o);
            for (long c = 0; c < D; c++) {
                qkv[1].set(Float.NaN, 0, 0, 30, c);
                qkv[1].set(Float.NaN, 1, 0, 20, c); // past batch 1's key length: never seen
            }
            qkv[0].set(Float.NaN, 1, 1, 3, 2); // 0 · NaN = NaN for row 3 of (1, 1), as in the reference
            float[][] dirty = run(p, qkv[0], qkv[1], qkv[2], o);
            expectRows(p, clean, dirty, (b, h, i) -> (b == 0 && i >= 30) || (b == 1 && h == 1 && i == 3),
                    "scale 0 with NaN in K and q");
            float[][] want = Robust.reference(qkv[0], qkv[1], qkv[2], o.build().toBuilder().lse(Tensor.allocate(a, DType.F32, B, H, L)).build());
            assertClose(p + " scale 0 out", want[0], dirty[0], DType.F32);
            assertClose(p + " scale 0 lse", want[1], dirty[1], DType.F32);
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void fullyMaskedRowsGiveZerosAndMinusInfinityLse(Path p) {
        try (Arena a = Arena.ofConfined()) {
            Tensor[] qkv = inputs(a, DType.F32, 4);
            Tensor mask = Tensor.allocate(a, DType.F32, B, 1, L, L);
            for (long j = 0; j < L; j++) {
                mask.set(Float.NEGATIVE_INFINITY, 0, 0, 9, j);
                mask.set(Float.NEGATIVE_INFINITY, 1, 0, 69, j);
                qkv[2].set(Float.NaN, 1, 0, j, 0); // and V NaN in column 0 of every key: hidden rows must not care
            }
            float[][] r = run(p, qkv[0], qkv[1], qkv[2], p.options().mask(mask));
            for (long h = 0; h < H; h++) {
                for (long[] bi : new long[][] {{0, 9}, {1, 69}}) {
                    assertEquals(Float.NEGATIVE_INFINITY, r[1][(int) ((bi[0] * H + h) * L + bi[1])], p + " lse");
                    for (long c = 0; c < D; c++) {
                        float x = r[0][(int) (((bi[0] * H + h) * L + bi[1]) * D + c)];
                        assertEquals(0f, x, p + " fully masked row b" + bi[0] + " h" + h + " i" + bi[1] + " col " + c);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void logitsOfPlusMinusTenThousandDoNotOverflow(Path p) {
        for (DType dtype : DType.values()) {
            if (!usable(p, dtype)) {
                continue;
            }
            try (Arena a = Arena.ofConfined()) {
                long lk = 130;
                Tensor q = Tensor.allocate(a, dtype, 1, 1, 3, 1);
                Tensor k = Tensor.allocate(a, dtype, 1, 1, lk, 1);
                Tensor v = Tensor.allocate(a, dtype, 1, 1, lk, 1);
                q.set(100f, 0, 0, 0, 0);
                q.set(-100f, 0, 0, 1, 0);
                q.set(100f, 0, 0, 2, 0);
                for (int j = 0; j < lk; j++) {
                    k.set(j % 3 == 0 ? 100f : -100f, 0, 0, j, 0); // logits ±1e4
                    v.set((j % 7) - 3, 0, 0, j, 0);
                }
                var o = p.options().softmaxScale(1f);
                float[][] got = run(p, q, k, v, o);
                float[][] want = Robust.reference(q, k, v, o.build().toBuilder().lse(Tensor.allocate(a, DType.F32, 1, 1, 3)).build());
                for (float x : got[0]) {
                    assertTrue(Float.isFinite(x), p + " " + dtype + ": non-finite output " + x);
                }
                assertClose(p + " " + dtype + " out", want[0], got[0], dtype);
                assertClose(p + " " + dtype + " lse", want[1], got[1], DType.F32);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void halfPrecisionInputsNearTheirLimits(Path p) {
        for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
            if (!usable(p, dtype)) {
                continue;
            }
            float big = dtype == DType.F16 ? 65504f : 3.0e38f;
            float tiny = dtype == DType.F16 ? 5.9604645e-8f : 9.2e-41f; // smallest subnormals
            try (Arena a = Arena.ofConfined()) {
                long lk = 67, d = 8;
                Tensor q = Tensor.allocate(a, dtype, 1, 1, 4, d);
                Tensor k = Tensor.allocate(a, dtype, 1, 1, lk, d);
                Tensor v = Tensor.allocate(a, dtype, 1, 1, lk, d);
                SplittableRandom rnd = new SplittableRandom(9);
                for (long j = 0; j < lk; j++) {
                    for (long c = 0; c < d; c++) {
                        k.set((float) rnd.nextDouble(-1, 1), 0, 0, j, c);
                        // one dominant key per row of q below carries the extreme values
                        v.set(j == 10 ? big * (c % 2 == 0 ? 1 : -1) : j == 11 ? tiny * (c + 1) : (float) rnd.nextDouble(-1, 1),
                                0, 0, j, c);
                    }
                }
                for (long c = 0; c < d; c++) {
                    k.set(8f, 0, 0, 10, c);
                    k.set(-8f, 0, 0, 11, c);
                    q.set(8f, 0, 0, 0, c);      // row 0: one-hot on key 10 (logit 512; V = ±big)
                    q.set(-8f, 0, 0, 1, c);     // row 1: one-hot on key 11 (V = subnormals, must not flush to 0)
                    q.set(tiny, 0, 0, 2, c);    // row 2: subnormal queries: logits ~ 0, uniform weights
                    q.set(0f, 0, 0, 3, c);
                }
                var o = p.options().softmaxScale(1f);
                float[][] got = run(p, q, k, v, o);
                float[][] want = Robust.reference(q, k, v, o.build().toBuilder().lse(Tensor.allocate(a, DType.F32, 1, 1, 4)).build());
                for (float x : got[0]) {
                    assertTrue(Float.isFinite(x), p + " " + dtype + ": non-finite output " + x);
                }
                for (long c = 0; c < d; c++) {
                    assertEquals(big * (c % 2 == 0 ? 1 : -1), got[0][(int) c], big * 1e-2, p + " " + dtype + " row 0 col " + c);
                }
                assertClose(p + " " + dtype + " out", want[0], got[0], dtype);
                assertClose(p + " " + dtype + " lse", want[1], got[1], DType.F32);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    interface Affected {
        boolean test(long b, long h, long i);
    }

    /** Rows flagged affected must be entirely NaN/inf (out) with a NaN lse or a non-finite out; all others bit-identical. */
    private static void expectRows(Path p, float[][] clean, float[][] dirty, Affected affected, String what) {
        List<String> problems = new ArrayList<>();
        for (long b = 0; b < B; b++) {
            for (long h = 0; h < H; h++) {
                for (long i = 0; i < L; i++) {
                    int row = (int) ((b * H + h) * L + i);
                    boolean hit = affected.test(b, h, i);
                    boolean anyNonFinite = false;
                    boolean same = Float.floatToIntBits(clean[1][row]) == Float.floatToIntBits(dirty[1][row]);
                    for (int c = 0; c < D; c++) {
                        float x = dirty[0][row * (int) D + c];
                        float y = clean[0][row * (int) D + c];
                        anyNonFinite |= !Float.isFinite(x);
                        same &= Float.floatToIntBits(x) == Float.floatToIntBits(y)
                                // BLAS recomputes a row that picked up a hidden key's NaN through the
                                // P·V sgemm (0·NaN) in scalar fp32: equal within rounding, not bit for bit
                                || (p.backend() == Backend.BLAS && Float.isFinite(x)
                                        && Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(y)));
                    }
                    if (hit && !anyNonFinite) {
                        problems.add("row b" + b + " h" + h + " i" + i + " should be non-finite");
                    }
                    if (!hit && !same) {
                        problems.add("row b" + b + " h" + h + " i" + i + " changed (lse " + clean[1][row] + " -> "
                                + dirty[1][row] + ", out[0] " + clean[0][row * (int) D] + " -> " + dirty[0][row * (int) D] + ")");
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(p + ", " + what + ": " + problems.size() + " rows wrong, first: "
                    + problems.subList(0, Math.min(6, problems.size())));
        }
    }

    private static Tensor[] inputs(Arena a, DType dtype, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Tensor q = Tensor.allocate(a, dtype, B, H, L, D);
        Tensor k = Tensor.allocate(a, dtype, B, KVH, L, D);
        Tensor v = Tensor.allocate(a, dtype, B, KVH, L, D);
        Robust.fill(q, rnd, 1);
        Robust.fill(k, rnd, 1);
        Robust.fill(v, rnd, 1);
        return new Tensor[] {q, k, v};
    }

    static double tolerance(DType dtype) {
        return switch (dtype) {
            case F32 -> 2e-4;
            case F16 -> 2e-3;
            case BF16 -> 1.6e-2;
        };
    }

    /** Same non-finite pattern, finite values within the dtype's tolerance (relative, with a tiny floor). */
    static void assertClose(String what, float[] want, float[] got, DType dtype) {
        double tol = tolerance(dtype);
        for (int i = 0; i < want.length; i++) {
            float w = want[i], g = got[i];
            if (!Float.isFinite(w) || !Float.isFinite(g)) {
                if (Float.compare(w, g) != 0 && !(Float.isNaN(w) && Float.isNaN(g))) {
                    fail(what + "[" + i + "]: got " + g + ", reference " + w);
                }
                continue;
            }
            // half the smallest subnormal: a kernel that flushes subnormal results to zero fails
            double floor = switch (dtype) {
                case F32 -> 1e-30;
                case F16 -> 2.9e-8;
                case BF16 -> 4.5e-41;
            };
            if (Math.abs((double) g - w) > tol * Math.abs(w) + floor) {
                fail(what + "[" + i + "]: got " + g + ", reference " + w + " (tolerance " + tol + ")");
            }
        }
    }
}

package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.AttentionCase.Layout;
import panama.attention.testing.AttentionCase.MaskKind;
import panama.attention.testing.CaseInputs;
import panama.attention.testing.Compare;

/**
 * The serving options (sliding window, logit softcap, ALiBi) on NATIVE_CPU, every CPU path this
 * machine runs, against JAVA_REFERENCE on awkward sizes; the reference itself against the same
 * window and ALiBi written as an additive mask; fully hidden rows; poisoned keys outside the
 * window; the refusals of the backends that do not implement them; and the argument checks.
 */
class ServingOptionsTest {
    static final CausalMode NONE = CausalMode.NONE, TL = CausalMode.TOP_LEFT, BR = CausalMode.BOTTOM_RIGHT;

    /** One case: the table's shape plus the options (windowed false: no window; softcap 0: off). */
    record ServingCase(AttentionCase base, boolean windowed, int left, int right, float softcap, boolean alibi) {
        @Override
        public String toString() {
            return base.id() + (windowed ? " window(" + left + "," + right + ")" : "")
                    + (softcap > 0 ? " softcap " + softcap : "") + (alibi ? " alibi" : "");
        }

        AttentionOptions.Builder apply(AttentionOptions.Builder b, Tensor slopes) {
            if (windowed) {
                b.window(left, right);
            }
            return b.softcap(softcap).alibiSlopes(alibi ? slopes : null);
        }
    }

    static AttentionCase shape(String id, int batch, int heads, int kvHeads, int lq, int lk, int d, CausalMode mode,
                               Layout layout, int[] keyLengths, MaskKind mask) {
        return new AttentionCase(id, batch, heads, kvHeads, lq, lk, d, mode, DType.F32, layout, keyLengths, mask, true, 0);
    }

    static List<ServingCase> cases() {
        List<ServingCase> cases = new ArrayList<>();
        AttentionCase[] shapes = {
                shape("q1-k1-d40", 1, 1, 1, 1, 1, 40, NONE, Layout.BHSD, null, MaskKind.NONE),
                shape("q7-k7-d80-tl", 1, 3, 3, 7, 7, 80, TL, Layout.BHSD, null, MaskKind.NONE),
                shape("q129-k300-d40-br-gqa", 1, 6, 2, 129, 300, 40, BR, Layout.BSHD, null, MaskKind.NONE),
                shape("q300-k129-d80-tl", 1, 2, 2, 300, 129, 80, TL, Layout.BHSD, null, MaskKind.NONE),
                shape("q300-k300-d64-none-mask", 1, 2, 1, 300, 300, 64, NONE, Layout.BHSD, null, MaskKind.FULL),
                shape("q3-k777-d59-br-keylen", 2, 2, 2, 3, 777, 59, BR, Layout.BHSD, new int[] {777, 200}, MaskKind.NONE),
                shape("q65-k129-d40-br-keylen", 3, 1, 1, 65, 129, 40, BR, Layout.BSHD, new int[] {129, 7, 0},
                        MaskKind.FULLY_MASKED_ROWS),
                shape("q257-k513-d16-none", 1, 1, 1, 257, 513, 16, NONE, Layout.BHSD, null, MaskKind.NONE),
        };
        int[][] windows = {{0, 0}, {7, -1}, {-1, 5}, {33, 2}, {130, 129}, {1, 0}};
        int n = 0;
        for (AttentionCase s : shapes) {
            for (int[] w : windows) {
                cases.add(new ServingCase(s, true, w[0], w[1], 0f, false));
            }
            cases.add(new ServingCase(s, false, -1, -1, 1.25f, false));
            cases.add(new ServingCase(s, false, -1, -1, 0f, true));
            int[] w = windows[n++ % windows.length];
            cases.add(new ServingCase(s, true, w[0], w[1], 3f, true));
        }
        return cases;
    }

    static Stream<Arguments> runs() {
        List<Arguments> args = new ArrayList<>();
        for (ServingCase c : cases()) {
            for (CpuIsa isa : TestBackends.supportedIsas()) {
                args.add(Arguments.of(c, isa));
            }
        }
        return args.stream();
    }

    /** Slopes that keep far keys in play over a few hundred keys: 0.04, 0.02, 0.0133, ... */
    static Tensor slopes(Arena arena, int heads) {
        Tensor t = Tensor.allocate(arena, DType.F32, heads);
        for (int h = 0; h < heads; h++) {
            t.set(0.04f / (h + 1), h);
        }
        return t;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("runs")
    void nativeMatchesReference(ServingCase c, CpuIsa isa) {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, c.base(), c.toString().hashCode());
            Tensor slopes = slopes(arena, c.base().heads());
            Tensor refOut = in.newOut(), refLse = in.newLse();
            Attention.sdpa(in.q, in.k, in.v, refOut, c.apply(in.options(Backend.JAVA_REFERENCE, refLse), slopes).build());
            Tensor out = in.newOut(), lse = in.newLse();
            Attention.sdpa(in.q, in.k, in.v, out, c.apply(in.options(Backend.NATIVE_CPU, lse), slopes).cpuIsa(isa).build());
            assertClose(c + " " + isa, refOut, refLse, out, lse, c.base().tolerance(refOut.toFloatArray()));
        }
    }

    static void assertClose(String what, Tensor wantOut, Tensor wantLse, Tensor gotOut, Tensor gotLse, double tol) {
        float[] want = wantOut.toFloatArray(), got = gotOut.toFloatArray();
        double err = Compare.relativeError(got, want);
        assertTrue(err <= tol, () -> what + ": relative error " + err + " > " + tol + Compare.firstMismatches(got, want, tol, 5));
        float[] wl = wantLse.toFloatArray(), gl = gotLse.toFloatArray();
        for (int i = 0; i < wl.length; i++) {
            float w = wl[i], g = gl[i];
            int idx = i;
            if (w == Float.NEGATIVE_INFINITY) {
                assertEquals(Float.NEGATIVE_INFINITY, g, () -> what + ": lse[" + idx + "] of a row that sees no key");
            } else {
                assertTrue(Math.abs(g - w) <= 1e-5 * Math.max(1, Math.abs(w)), () -> what + ": lse[" + idx + "] got " + g + " want " + w);
            }
        }
    }

    /**
     * The oracle against itself by another route: a window and ALiBi are an additive mask (-inf
     * outside the window, -slope·|i + offset - j| inside), which the reference has computed since
     * long before these options existed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void referenceMatchesEquivalentMask(ServingCase c) {
        if (c.softcap() > 0 || c.base().mask() != MaskKind.NONE) {
            return; // softcap is no additive mask; a case's own mask would have to be merged in
        }
        AttentionCase s = c.base();
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, s, 7);
            Tensor slopes = slopes(arena, s.heads());
            Tensor mask = Tensor.allocate(arena, DType.F32, s.batch(), s.heads(), s.seqQ(), s.seqK());
            for (int b = 0; b < s.batch(); b++) {
                long kvLen = s.keyLengths() == null ? s.seqK() : s.keyLengths()[b];
                long offset = s.causal() == BR ? kvLen - s.seqQ() : 0;
                for (int h = 0; h < s.heads(); h++) {
                    for (int i = 0; i < s.seqQ(); i++) {
                        for (int j = 0; j < s.seqK(); j++) {
                            long diag = i + offset;
                            boolean hidden = c.windowed() && ((c.left() >= 0 && j < diag - c.left())
                                    || (c.right() >= 0 && j > diag + c.right()));
                            float m = hidden ? Float.NEGATIVE_INFINITY
                                    : c.alibi() ? (float) (-(double) slopes.get(h) * Math.abs(diag - j)) : 0f;
                            mask.set(m, b, h, i, j);
                        }
                    }
                }
            }
            Tensor want = in.newOut(), wantLse = in.newLse();
            Attention.sdpa(in.q, in.k, in.v, want, in.options(Backend.JAVA_REFERENCE, wantLse).mask(mask).build());
            Tensor got = in.newOut(), gotLse = in.newLse();
            Attention.sdpa(in.q, in.k, in.v, got, c.apply(in.options(Backend.JAVA_REFERENCE, gotLse), slopes).build());
            assertClose(c + " as a mask", want, wantLse, got, gotLse, 1e-6);
        }
    }

    /** softcap in the reference: one key makes the output that key's V; two keys weigh by tanh. */
    @Test
    void referenceSoftcapWeighsByTanh() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(arena, DType.F32, 1, 1, 1, 1);
            Tensor k = Tensor.allocate(arena, DType.F32, 1, 1, 2, 1);
            Tensor v = Tensor.allocate(arena, DType.F32, 1, 1, 2, 1);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 1, 1, 1);
            q.set(1f, 0, 0, 0, 0);
            k.set(3f, 0, 0, 0, 0);
            k.set(-1f, 0, 0, 1, 0);
            v.set(1f, 0, 0, 0, 0);
            v.set(0f, 0, 0, 1, 0);
            Attention.sdpa(q, k, v, out, AttentionOptions.builder().backend(Backend.JAVA_REFERENCE).softmaxScale(1f)
                    .softcap(2f).build());
            double a = 2 * Math.tanh(3 / 2.0), b = 2 * Math.tanh(-1 / 2.0);
            double want = Math.exp(a) / (Math.exp(a) + Math.exp(b));
            assertEquals(want, out.get(0, 0, 0, 0), 1e-6);
        }
    }

    /** Rows whose window holds no key get zeros and LSE -inf on both backends. */
    @Test
    void rowsOutsideEveryKeyAreZeroWithLseMinusInfinity() {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        // no causal alignment, window (0, 0): row i sees key i only, so rows 7.. see nothing
        AttentionCase s = shape("q20-k7-d40", 1, 1, 1, 20, 7, 40, NONE, Layout.BHSD, null, MaskKind.NONE);
        for (CpuIsa isa : TestBackends.supportedIsas()) {
            for (Backend backend : new Backend[] {Backend.JAVA_REFERENCE, Backend.NATIVE_CPU}) {
                try (Arena arena = Arena.ofConfined()) {
                    CaseInputs in = new CaseInputs(arena, s, 3);
                    Tensor out = in.newOut(), lse = in.newLse();
                    Attention.sdpa(in.q, in.k, in.v, out, in.options(backend, lse).window(0, 0).cpuIsa(isa).build());
                    for (int i = 0; i < 20; i++) {
                        float l = lse.get(0, 0, i);
                        if (i < 7) {
                            assertTrue(Float.isFinite(l), backend + " " + isa + " row " + i + " lse " + l);
                            assertEquals(in.v.get(0, 0, i, 5), out.get(0, 0, i, 5), 1e-6, backend + " row " + i);
                        } else {
                            assertEquals(Float.NEGATIVE_INFINITY, l, backend + " " + isa + " row " + i);
                            for (int x = 0; x < 40; x++) {
                                assertEquals(0f, out.get(0, 0, i, x), backend + " " + isa + " row " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    /** NaN and inf in K and V outside every row's window must not reach any output. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("panama.attention.TestBackends#supportedIsas")
    void poisonOutsideTheWindowNeverLeaks(CpuIsa isa) {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        // BOTTOM_RIGHT, 129 queries over 600 keys, window (40, 0): rows see keys [i + 471 - 40, i + 471],
        // so keys [0, 431) are outside every window; poison them, and keys past the key length
        AttentionCase s = shape("q129-k600-d64-br", 1, 2, 2, 129, 600, 64, BR, Layout.BHSD, null, MaskKind.NONE);
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, s, 11);
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 431; j++) {
                    for (int x = 0; x < 64; x++) {
                        in.k.set(j % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY, 0, h, j, x);
                        in.v.set(j % 3 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY, 0, h, j, x);
                    }
                }
            }
            Tensor ref = in.newOut(), refLse = in.newLse();
            Attention.sdpa(in.q, in.k, in.v, ref, in.options(Backend.JAVA_REFERENCE, refLse).window(40, 0).build());
            Tensor out = in.newOut(), lse = in.newLse();
            Attention.sdpa(in.q, in.k, in.v, out, in.options(Backend.NATIVE_CPU, lse).window(40, 0).cpuIsa(isa).build());
            for (float f : out.toFloatArray()) {
                assertTrue(Float.isFinite(f), isa + ": a poisoned key outside the window leaked: " + f);
            }
            assertClose("poisoned " + isa, ref, refLse, out, lse, 1e-5);
        }
    }

    @Test
    void backendsWithoutTheOptionsRefuseAndAutoPassesThemOver() {
        try (Arena arena = Arena.ofConfined()) {
            AttentionCase s = shape("q7-k7-d16", 1, 1, 1, 7, 7, 16, NONE, Layout.BHSD, null, MaskKind.NONE);
            CaseInputs in = new CaseInputs(arena, s, 5);
            List<AttentionOptions.Builder> asks = List.of(
                    AttentionOptions.builder().window(2, 2),
                    AttentionOptions.builder().softcap(5f),
                    AttentionOptions.builder().alibiSlopes(slopes(arena, 1)));
            for (AttentionOptions.Builder ask : asks) {
                for (Backend b : new Backend[] {Backend.BLAS, Backend.JAVA_VECTOR}) {
                    AttentionException e = assertThrows(AttentionException.class,
                            () -> Attention.sdpa(in.q, in.k, in.v, in.newOut(), ask.backend(b).build()));
                    assertTrue(e.getMessage().contains("does not implement them"), e.getMessage());
                }
                Backend ran = Attention.sdpa(in.q, in.k, in.v, in.newOut(), ask.backend(Backend.AUTO).build());
                assertTrue(ran == Backend.NATIVE_CPU || ran == Backend.JAVA_REFERENCE, "AUTO ran " + ran);
            }
        }
    }

    @Test
    void badOptionsAreRejectedWithTheirName() {
        AttentionOptions.Builder b = AttentionOptions.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.window(-2, 0)).getMessage().contains("window"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.window(3, -5)).getMessage().contains("window"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.softcap(-1f)).getMessage().contains("softcap"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.softcap(Float.NaN)).getMessage().contains("softcap"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.softcap(Float.POSITIVE_INFINITY)).getMessage()
                .contains("softcap"));
        try (Arena arena = Arena.ofConfined()) {
            AttentionCase s = shape("q7-k7-d16-h3", 1, 3, 3, 7, 7, 16, NONE, Layout.BHSD, null, MaskKind.NONE);
            CaseInputs in = new CaseInputs(arena, s, 5);
            Tensor two = slopes(arena, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attention.sdpa(in.q, in.k,
                    in.v, in.newOut(), AttentionOptions.builder().alibiSlopes(two).build()));
            assertTrue(e.getMessage().startsWith("alibiSlopes: dimension 0 (heads) is 2"), e.getMessage());
            Tensor nan = slopes(arena, 3);
            nan.set(Float.NaN, 1);
            e = assertThrows(IllegalArgumentException.class, () -> Attention.sdpa(in.q, in.k, in.v, in.newOut(),
                    AttentionOptions.builder().alibiSlopes(nan).build()));
            assertEquals("alibiSlopes[1] = NaN must be finite", e.getMessage());
        }
    }
}

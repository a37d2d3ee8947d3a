package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.bindings.panattn_h;
import panama.attention.bindings.panattn_plan;
import panama.attention.internal.KernelParams;
import panama.attention.internal.NativeCpuKernel;
import panama.attention.internal.Problem;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.AttentionCase.Layout;
import panama.attention.testing.AttentionCase.MaskKind;
import panama.attention.testing.CaseInputs;
import panama.attention.testing.Compare;

/**
 * NATIVE_CPU's split-KV path (decode: few query rows, long caches, fewer tiles than workers)
 * against JAVA_REFERENCE, on schedulers of 2 and 4 workers so that the keys really are split
 * (checked through panattn_plan), on every CPU path this machine runs.
 */
class SplitKvTest {
    static TileScheduler two;
    static TileScheduler four;

    @BeforeAll
    static void start() {
        two = TileScheduler.create(2);
        four = TileScheduler.create(4);
    }

    @AfterAll
    static void stop() {
        two.close();
        four.close();
    }

    static List<AttentionCase> cases() {
        CausalMode none = CausalMode.NONE, br = CausalMode.BOTTOM_RIGHT, tl = CausalMode.TOP_LEFT;
        return List.of(
                new AttentionCase("q1-k5000-h2", 1, 2, 2, 1, 5000, 64, none, DType.F32, Layout.BHSD, null,
                        MaskKind.NONE, true, 0),
                new AttentionCase("q1-k4097-gqa4to1-causalBR", 1, 4, 1, 1, 4097, 128, br, DType.F32, Layout.BHSD,
                        null, MaskKind.NONE, true, 0),
                new AttentionCase("q16-k3000-causalBR-keylengths", 2, 1, 1, 16, 3000, 80, br, DType.F32,
                        Layout.BHSD, new int[] {3000, 1700}, MaskKind.NONE, true, 0),
                new AttentionCase("q5-k2000-d59-mask", 1, 2, 2, 5, 2000, 59, none, DType.F32, Layout.BSHD, null,
                        MaskKind.FULL, true, 0),
                new AttentionCase("q1-k1000-d40-causalTL-broadcastmask", 1, 1, 1, 1, 1000, 40, tl, DType.F32,
                        Layout.BHSD, null, MaskKind.BROADCAST, true, 4),
                new AttentionCase("q3-k2500-fully-masked-rows", 2, 2, 2, 3, 2500, 64, none, DType.F32, Layout.BHSD,
                        null, MaskKind.FULLY_MASKED_ROWS, true, 0),
                new AttentionCase("q1-k777-keylengths-short", 2, 1, 1, 1, 777, 128, br, DType.F32, Layout.BHSD,
                        new int[] {777, 300}, MaskKind.NONE, true, 0),
                new AttentionCase("q2-k2100-f16", 1, 2, 1, 2, 2100, 64, br, DType.F16, Layout.BHSD, null,
                        MaskKind.NONE, true, 0));
    }

    static Stream<Arguments> runs() {
        List<Arguments> args = new ArrayList<>();
        for (AttentionCase c : cases()) {
            for (int threads : new int[] {2, 4}) {
                for (CpuIsa isa : TestBackends.supportedIsas()) {
                    args.add(Arguments.of(c, threads, isa));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} on {1} workers {2}")
    @MethodSource("runs")
    void matchesReference(AttentionCase c, int threads, CpuIsa isa) {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        TileScheduler scheduler = threads == 2 ? two : four;
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, c, c.id().hashCode());
            CaseInputs exact = c.dtype() == DType.F32 ? in : in.asF32(arena);
            Tensor refOut = exact.newOut();
            Tensor refLse = exact.newLse();
            Attention.sdpa(exact.q, exact.k, exact.v, refOut, exact.options(Backend.JAVA_REFERENCE, refLse).build());

            Tensor out = in.newOut();
            Tensor lse = in.newLse();
            Attention.sdpa(in.q, in.k, in.v, out,
                    in.options(Backend.NATIVE_CPU, lse).cpuIsa(isa).scheduler(scheduler).build());

            float[] want = refOut.toFloatArray();
            float[] got = out.toFloatArray();
            double tol = c.dtype() == DType.F32 ? 1e-5 : 2 * Compare.roundingError(want, c.dtype()) + 1e-6;
            double err = Compare.relativeError(got, want);
            assertTrue(err <= tol, () -> c + " on " + threads + " workers " + isa + ": relative error " + err
                    + " > " + tol + Compare.firstMismatches(got, want, tol, 5));
            float[] wantL = refLse.toFloatArray();
            float[] gotL = lse.toFloatArray();
            for (int i = 0; i < gotL.length; i++) {
                float w = wantL[i], g = gotL[i];
                int idx = i;
                if (w == Float.NEGATIVE_INFINITY) {
                    assertEquals(Float.NEGATIVE_INFINITY, g, () -> c + ": lse[" + idx + "] of a fully masked row");
                } else {
                    assertTrue(Math.abs(g - w) <= 1e-5 * Math.max(1, Math.abs(w)),
                            () -> c + ": lse[" + idx + "] got " + g + " want " + w);
                }
            }
        }
    }

    /** The cases above must really take the split path, or they would test nothing new. */
    @Test
    void planSplitsDecodeShapes() {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        AttentionCase c = cases().get(0);
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, c, 1);
            Tensor out = in.newOut();
            for (TileScheduler s : new TileScheduler[] {two, four}) {
                Problem p = new Problem(in.q, in.k, in.v, out, null, null, null, c.batch(), c.heads(), c.kvHeads(),
                        c.seqQ(), c.seqK(), c.headDim(), 0, 0, 0, (float) (1 / Math.sqrt(c.headDim())),
                        c.causal(), c.dtype(), CpuIsa.AUTO, s);
                MemorySegment params = KernelParams.host(p, arena);
                MemorySegment plan = panattn_plan.allocate(arena);
                NativeCpuKernel.check(panattn_h.panattn_plan(params, s.threads(), plan));
                long splits = panattn_plan.splits(plan);
                long bytes = panattn_plan.workspace_bytes(plan);
                assertTrue(splits > 1, () -> c + " on " + s.threads() + " workers: " + splits + " splits");
                assertEquals(c.heads() * splits * (c.headDim() + 1) * 4L, bytes);
            }
        }
    }
}

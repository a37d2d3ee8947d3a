package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Findings of the fuzzers (SdpaFuzzTest, native/fuzz), each kept as a plain deterministic case
 * so it cannot come back unnoticed, whatever the generators turn into.
 */
class FuzzRegressionTest {
    static Stream<NonFiniteTest.Path> paths() {
        return NonFiniteTest.paths();
    }

    /**
     * NATIVE_CPU's SIMD strip path (tiles of more than a few rows) added the mask to causally
     * hidden scores too: -inf + NaN = NaN, so a NaN mask entry for a key a row cannot see made the
     * row NaN. Fixed in panattn_kernel_simd.h (mask only the keys each row sees).
     */
    @ParameterizedTest
    @MethodSource("paths")
    void aNanMaskEntryOfACausallyHiddenKeyDoesNotReachTheRow(NonFiniteTest.Path p) {
        try (Arena a = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(75093);
            Tensor q = Tensor.allocate(a, DType.F16, 2, 2, 49, 7);
            Tensor k = Tensor.allocate(a, DType.F16, 2, 2, 99, 7);
            Tensor v = Tensor.allocate(a, DType.F16, 2, 2, 99, 7);
            Robust.fill(q, rnd, 3);
            Robust.fill(k, rnd, 3);
            Robust.fill(v, rnd, 3);
            Tensor mask = Tensor.allocate(a, DType.F32, 1, 2, 49, 99);
            Robust.fill(mask, rnd, 2);
            mask.set(Float.NaN, 0, 0, 0, 5);    // key 5: hidden from rows 0..4 (top-left causal)
            mask.set(Float.NaN, 0, 1, 30, 48);  // key 48: hidden from rows 0..47
            if (p.backend() != Backend.BLAS) { // BLAS is fp32 only: the F32 case below
                check(p, q, k, v, AttentionOptions.builder().causal(CausalMode.TOP_LEFT).mask(mask));
            }
            Tensor q32 = Tensor.allocate(a, DType.F32, 2, 2, 49, 7);
            Tensor k32 = Tensor.allocate(a, DType.F32, 2, 2, 99, 7);
            Tensor v32 = Tensor.allocate(a, DType.F32, 2, 2, 99, 7);
            Robust.fill(q32, rnd, 3);
            Robust.fill(k32, rnd, 3);
            Robust.fill(v32, rnd, 3);
            check(p, q32, k32, v32, AttentionOptions.builder().causal(CausalMode.TOP_LEFT).mask(mask));
        }
    }

    private static void check(NonFiniteTest.Path p, Tensor q, Tensor k, Tensor v, AttentionOptions.Builder o) {
        try (Arena a = Arena.ofConfined()) {
            Tensor out = Tensor.allocate(a, q.dtype(), q.shape());
            Attention.sdpa(q, k, v, out, o.backend(p.backend()).cpuIsa(p.isa()).build());
            float[] want = Robust.reference(q, k, v, o.build())[0];
            float[] got = out.toFloatArray();
            // rows of (b0, h0) from 5 on and (b*, h1) row 48 on see a NaN mask entry: NaN; nothing else is
            for (int i = 0; i < got.length; i++) {
                assertEquals(Float.isNaN(want[i]), Float.isNaN(got[i]), p + ": NaN pattern differs at " + i);
            }
            NonFiniteTest.assertClose(p + " " + q.dtype(), want, got, q.dtype());
            assertTrue(!Float.isNaN(got[0]), p + ": row 0 must not see the NaN of key 5");
        }
    }

    /** An out whose elements overlap (here rows with stride 1) made the result depend on tile order. */
    @Test
    void anOutputWhoseElementsOverlapIsRefused() {
        try (Arena a = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(a, DType.F32, 1, 2, 3, 15);
            Tensor out = Tensor.of(a.allocate(4096), DType.F32, new long[] {1, 2, 3, 15}, new long[] {1, 32, 1, 1});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Attention.sdpa(q, q, q, out, AttentionOptions.defaults()));
            assertTrue(e.getMessage().startsWith("out: dimension ") && e.getMessage().contains("so elements overlap"),
                    e.getMessage());
            Tensor zero = Tensor.of(a.allocate(4096), DType.F32, new long[] {1, 2, 3, 15}, new long[] {0, 0, 15, 1});
            assertThrows(IllegalArgumentException.class, () -> Attention.sdpa(q, q, q, zero, AttentionOptions.defaults()));
            Tensor lse = Tensor.of(a.allocate(4096), DType.F32, new long[] {1, 2, 3}, new long[] {3, 0, 1});
            Tensor good = Tensor.allocate(a, DType.F32, 1, 2, 3, 15);
            assertThrows(IllegalArgumentException.class,
                    () -> Attention.sdpa(q, q, q, good, AttentionOptions.builder().lse(lse).build()));
            // overlapping INPUTS are fine (read-only): a broadcast q over heads
            Tensor qb = Tensor.of(q.segment(), DType.F32, new long[] {1, 2, 3, 15}, new long[] {45, 0, 15, 1});
            Attention.sdpa(qb, q, q, good, AttentionOptions.defaults());
        }
    }

    /**
     * BLAS passed a row stride below headDim (overlapping input rows) to sgemm as its leading
     * dimension; OpenBLAS refuses that (xerbla) and left out unwritten. Now BLAS declines such
     * calls (AUTO moves on) and a single row uses a valid leading dimension whatever its stride.
     */
    @Test
    void blasDeclinesOverlappingRowsAndHandlesSingleRowsWithAnyStride() {
        TestBackends.assumeAvailable(Backend.BLAS);
        try (Arena a = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(5);
            Tensor q = Tensor.allocate(a, DType.F32, 1, 3, 1, 39);
            Tensor k = Tensor.allocate(a, DType.F32, 1, 3, 40, 39);
            Tensor vOverlap = Tensor.of(a.allocate(4L * (2 * 13 + 39 * 30 + 39)), DType.F32, new long[] {1, 3, 40, 39},
                    new long[] {3, 13, 30, 1});
            Robust.fill(q, rnd, 1);
            Robust.fill(k, rnd, 1);
            Robust.fill(vOverlap, rnd, 1);
            Tensor out = Tensor.allocate(a, DType.F32, 1, 3, 1, 39);
            AttentionException e = assertThrows(AttentionException.class, () -> Attention.sdpa(q, k, vOverlap, out,
                    AttentionOptions.builder().backend(Backend.BLAS).build()));
            assertTrue(e.getMessage().contains("not a BLAS layout"), e.getMessage());

            // one query row whose row stride (1) is below headDim: legal, and BLAS must get it right
            Tensor q1 = Tensor.of(q.segment(), DType.F32, new long[] {1, 3, 1, 39}, new long[] {117, 39, 1, 1});
            Attention.sdpa(q1, k, k, out, AttentionOptions.builder().backend(Backend.BLAS).build());
            float[] want = Robust.reference(q1, k, k, AttentionOptions.defaults())[0];
            NonFiniteTest.assertClose("BLAS single row", want, out.toFloatArray(), DType.F32);
        }
    }

    /**
     * A huge key count over tiny memory (K and V stride 0 along the sequence): JAVA_REFERENCE sized
     * a Java array by seqK (ArithmeticException past 2^31, an 8 GB array below) and BLAS a score
     * block per worker by seqK. Now every backend either runs the keys the rows can see or declines
     * with AttentionException.
     */
    @Test
    void aHugeKeyCountOverTinyMemoryIsRunOrDeclinedNeverAllocated() {
        long seqK = 3_000_000_000L;
        try (Arena a = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(a, DType.F32, 1, 1, 2, 8);
            Robust.fill(q, new SplittableRandom(4), 1);
            Tensor row = Tensor.allocate(a, DType.F32, 1, 1, 1, 8);
            Robust.fill(row, new SplittableRandom(5), 1);
            Tensor k = Tensor.of(row.segment(), DType.F32, new long[] {1, 1, seqK, 8}, new long[] {8, 8, 0, 1});
            Tensor out = Tensor.allocate(a, DType.F32, 1, 1, 2, 8);
            List<Backend> backends = new ArrayList<>(Robust.availableBackends());
            backends.add(Backend.AUTO);
            for (Backend b : backends) {
                AttentionOptions o = AttentionOptions.builder().backend(b).keyLengths(7).build();
                try {
                    Attention.sdpa(q, k, k, out, o);
                    // every key is the same row: the output is that row
                    for (long c = 0; c < 8; c++) {
                        assertEquals(row.get(0, 0, 0, c), out.get(0, 0, 1, c), 1e-5, b + " col " + c);
                    }
                } catch (AttentionException declined) {
                    assertTrue(declined.getMessage().contains("cannot run this call"), b + ": " + declined.getMessage());
                }
            }
            for (Backend b : new Backend[] {Backend.JAVA_REFERENCE, Backend.BLAS}) {
                if (backends.contains(b)) {
                    assertThrows(AttentionException.class,
                            () -> Attention.sdpa(q, k, k, out, AttentionOptions.builder().backend(b).build()));
                }
            }
        }
    }

    /** sgemm with alpha = 0 reads neither operand: a zero scale hid q's NaN in BLAS. */
    @Test
    void aZeroScaleStillPropagatesANanQuery() {
        for (Backend b : Robust.availableBackends()) {
            try (Arena a = Arena.ofConfined()) {
                Tensor q = Tensor.allocate(a, DType.F32, 1, 1, 3, 4);
                Tensor k = Tensor.allocate(a, DType.F32, 1, 1, 5, 4);
                Robust.fill(q, new SplittableRandom(1), 1);
                Robust.fill(k, new SplittableRandom(2), 1);
                q.set(Float.NaN, 0, 0, 1, 2);
                Tensor out = Tensor.allocate(a, DType.F32, 1, 1, 3, 4);
                Attention.sdpa(q, k, k, out, AttentionOptions.builder().backend(b).softmaxScale(0f).build());
                for (long c = 0; c < 4; c++) {
                    assertTrue(Float.isNaN(out.get(0, 0, 1, c)), b + ": row 1 has a NaN query: NaN");
                    assertTrue(Float.isFinite(out.get(0, 0, 0, c)), b + ": row 0 is clean");
                }
            }
        }
    }
}

package panama.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.testing.Compare;

/**
 * Packed variable-length batches and paged keys through the public API: on NATIVE_CPU (every CPU
 * path this machine runs) a packed batch gives bitwise the rows of each sequence run alone, and
 * paged keys bitwise the contiguous result at any page size and block permutation; both match JAVA_REFERENCE, and
 * the reference's paged result equals its contiguous one bitwise. Also the refusals and checks.
 */
class VarlenPagedTest {
    static final int H = 4, KVH = 2, D = 40;

    static Tensor random(Arena arena, Random r, long... shape) {
        Tensor t = Tensor.allocate(arena, DType.F32, shape);
        long n = t.elementCount();
        for (long i = 0; i < n; i++) {
            t.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, r.nextFloat() * 2 - 1);
        }
        return t;
    }

    static float[] floats(Tensor t) {
        return t.toFloatArray();
    }

    @ParameterizedTest
    @MethodSource("panama.attention.TestBackends#supportedIsas")
    void packedBatchEqualsEachSequenceAlone(CpuIsa isa) {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        int[] lq = {7, 0, 1, 130, 33};
        int[] extra = {2, 3, 0, 0, 100};
        int[] cuQ = new int[lq.length + 1];
        int[] cuK = new int[lq.length + 1];
        for (int b = 0; b < lq.length; b++) {
            cuQ[b + 1] = cuQ[b] + lq[b];
            cuK[b + 1] = cuK[b] + lq[b] + extra[b];
        }
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(11);
            int tq = cuQ[lq.length], tk = cuK[lq.length];
            Tensor q = random(arena, r, tq, H, D);
            Tensor k = random(arena, r, tk, KVH, D);
            Tensor v = random(arena, r, tk, KVH, D);
            for (CausalMode mode : CausalMode.values()) {
                Tensor out = Tensor.allocate(arena, DType.F32, tq, H, D);
                Tensor lse = Tensor.allocate(arena, DType.F32, H, tq);
                Tensor ref = Tensor.allocate(arena, DType.F32, tq, H, D);
                AttentionOptions.Builder base = AttentionOptions.builder().causal(mode).window(20, -1).softcap(4f);
                assertEquals(Backend.NATIVE_CPU, Attention.sdpa(q, k, v, out,
                        base.varlen(cuQ, cuK).lse(lse).backend(Backend.NATIVE_CPU).cpuIsa(isa).build()));
                Attention.sdpa(q, k, v, ref, base.varlen(cuQ, cuK).lse(null).backend(Backend.JAVA_REFERENCE).build());
                assertTrue(Compare.relativeError(floats(out), floats(ref)) < 1e-5, mode + " vs reference");
                for (int b = 0; b < lq.length; b++) {
                    if (lq[b] == 0) {
                        continue;
                    }
                    // sequence b alone, as a batch of one over views of the same memory: [1, H, lq, D]
                    Tensor qb = q.narrow(0, cuQ[b], lq[b]).transpose(0, 1).view(new long[] {1, H, lq[b], D},
                            new long[] {0, D, (long) H * D, 1});
                    int lk = lq[b] + extra[b];
                    Tensor kb = k.narrow(0, cuK[b], lk).transpose(0, 1).view(new long[] {1, KVH, lk, D},
                            new long[] {0, D, (long) KVH * D, 1});
                    Tensor vb = v.narrow(0, cuK[b], lk).transpose(0, 1).view(new long[] {1, KVH, lk, D},
                            new long[] {0, D, (long) KVH * D, 1});
                    Tensor ob = Tensor.allocate(arena, DType.F32, 1, H, lq[b], D);
                    Tensor lb = Tensor.allocate(arena, DType.F32, 1, H, lq[b]);
                    Attention.sdpa(qb, kb, vb, ob, base.varlen(null, null).lse(lb).backend(Backend.NATIVE_CPU)
                            .cpuIsa(isa).build());
                    for (int h = 0; h < H; h++) {
                        for (int i = 0; i < lq[b]; i++) {
                            for (int c = 0; c < D; c++) {
                                assertEquals(Float.floatToRawIntBits(ob.get(0, h, i, c)),
                                        Float.floatToRawIntBits(out.get(cuQ[b] + i, h, c)),
                                        mode + " seq " + b + " head " + h + " row " + i);
                            }
                            assertEquals(Float.floatToRawIntBits(lb.get(0, h, i)),
                                    Float.floatToRawIntBits(lse.get(h, cuQ[b] + i)), "lse " + mode + " seq " + b);
                        }
                    }
                }
            }
        }
    }

    /**
     * Keys of 3 sequences (lengths 300, 0, 17) in pools of 1-, 7- and 16-key blocks, in order and
     * permuted; decode and prefill, head_dim 40 and 64. The kernels keep their key blocks across pages, so the fp32
     * sums group as for contiguous keys: paged is bitwise the contiguous result.
     */
    @ParameterizedTest
    @MethodSource("panama.attention.TestBackends#supportedIsas")
    void pagedKeysMatchContiguousUnderAnyPermutation(CpuIsa isa) {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        int[] lens = {300, 0, 17};
        int sk = 300, batch = lens.length;
        for (int bs : new int[] {1, 7, 16}) {
            // (query rows, head_dim); head_dim 64 at 16-key pages: decode walks a sequence's heads page by page
            for (int[] shape : new int[][] {{1, D}, {9, D}, {1, 64}, {9, 64}}) {
                int lq = shape[0], d = shape[1];
                try (Arena arena = Arena.ofConfined()) {
                    Random r = new Random(5 + lq);
                    Tensor q = random(arena, r, batch, H, lq, d);
                    Tensor kc = random(arena, r, batch, KVH, sk, d);
                    Tensor vc = random(arena, r, batch, KVH, sk, d);
                    int needed = 0;
                    for (int len : lens) {
                        needed += (len + bs - 1) / bs;
                    }
                    int numBlocks = needed + 2;
                    float[][] outs = new float[2][];
                    for (int pass = 0; pass < 2; pass++) {
                        int[] order = new int[numBlocks];
                        for (int i = 0; i < numBlocks; i++) {
                            order[i] = i;
                        }
                        if (pass == 1) {
                            for (int i = numBlocks - 1; i > 0; i--) {
                                int j = r.nextInt(i + 1);
                                int t = order[i];
                                order[i] = order[j];
                                order[j] = t;
                            }
                        }
                        Tensor kp = Tensor.allocate(arena, DType.F32, numBlocks, bs, KVH, d);
                        Tensor vp = Tensor.allocate(arena, DType.F32, numBlocks, bs, KVH, d);
                        kp.segment().fill((byte) 0xff); // NaN: a row outside every sequence must never be read
                        vp.segment().fill((byte) 0xff);
                        int[][] table = new int[batch][];
                        int next = 0;
                        for (int b = 0; b < batch; b++) {
                            table[b] = new int[(lens[b] + bs - 1) / bs];
                            for (int i = 0; i < table[b].length; i++) {
                                table[b][i] = order[next++];
                            }
                            for (int j = 0; j < lens[b]; j++) {
                                for (int h = 0; h < KVH; h++) {
                                    for (int c = 0; c < d; c++) {
                                        kp.set(kc.get(b, h, j, c), table[b][j / bs], j % bs, h, c);
                                        vp.set(vc.get(b, h, j, c), table[b][j / bs], j % bs, h, c);
                                    }
                                }
                            }
                        }
                        AttentionOptions.Builder o = AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT)
                                .keyLengths(lens).pagedKv(table, bs);
                        Tensor out = Tensor.allocate(arena, DType.F32, batch, H, lq, d);
                        Attention.sdpa(q, kp, vp, out, o.backend(Backend.NATIVE_CPU).cpuIsa(isa).build());
                        outs[pass] = floats(out);
                        Tensor refPaged = Tensor.allocate(arena, DType.F32, batch, H, lq, d);
                        Attention.sdpa(q, kp, vp, refPaged, o.backend(Backend.JAVA_REFERENCE).build());
                        Tensor refCont = Tensor.allocate(arena, DType.F32, batch, H, lq, d);
                        Attention.sdpa(q, kc, vc, refCont, AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT)
                                .keyLengths(lens).backend(Backend.JAVA_REFERENCE).build());
                        assertArrayEquals(floats(refCont), floats(refPaged), "reference: paged == contiguous, bitwise");
                        Tensor cont = Tensor.allocate(arena, DType.F32, batch, H, lq, d);
                        Attention.sdpa(q, kc, vc, cont, AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT)
                                .keyLengths(lens).backend(Backend.NATIVE_CPU).cpuIsa(isa).build());
                        assertArrayEquals(floats(cont), outs[pass], "paged == contiguous, bitwise, block size " + bs);
                        assertTrue(Compare.relativeError(outs[pass], floats(refCont)) < 1e-5, "paged vs reference");
                    }
                    assertArrayEquals(outs[0], outs[1], "a permuted block table changes no bit");
                }
            }
        }
    }

    @Test
    void otherBackendsRefuseAndAutoRunsNative() {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(3);
            Tensor q = random(arena, r, 5, H, D), k = random(arena, r, 6, KVH, D), v = random(arena, r, 6, KVH, D);
            Tensor out = Tensor.allocate(arena, DType.F32, 5, H, D);
            AttentionOptions.Builder o = AttentionOptions.builder().varlen(new int[] {0, 2, 5}, new int[] {0, 4, 6});
            for (Backend b : new Backend[] {Backend.BLAS, Backend.JAVA_VECTOR}) {
                AttentionException e = assertThrows(AttentionException.class,
                        () -> Attention.sdpa(q, k, v, out, o.backend(b).build()));
                assertTrue(e.getMessage().contains("packed variable-length sequences: " + b + " does not implement them"),
                        e.getMessage());
            }
            assertEquals(Backend.NATIVE_CPU, Attention.sdpa(q, k, v, out, o.backend(Backend.AUTO).build()));
        }
    }

    @Test
    void validationNamesTheEntry() {
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(3);
            Tensor q = random(arena, r, 5, H, D), k = random(arena, r, 6, KVH, D), v = random(arena, r, 6, KVH, D);
            Tensor out = Tensor.allocate(arena, DType.F32, 5, H, D);
            assertMessage(q, k, v, out, AttentionOptions.builder().varlen(new int[] {1, 2, 5}, new int[] {0, 4, 6}),
                    "cuSeqlensQ[0] = 1 must be 0");
            assertMessage(q, k, v, out, AttentionOptions.builder().varlen(new int[] {0, 3, 2}, new int[] {0, 4, 6}),
                    "cuSeqlensQ[2] = 2 is below cuSeqlensQ[1] = 3 (offsets must not decrease)");
            assertMessage(q, k, v, out, AttentionOptions.builder().varlen(new int[] {0, 2, 5}, new int[] {0, 4, 7}),
                    "cuSeqlensK[2] = 7 is past k's 6 rows");
            assertMessage(q, k, v, out, AttentionOptions.builder().varlen(new int[] {0, -2, 5}, new int[] {0, 4, 6}),
                    "cuSeqlensQ[1] = -2 is negative");
            assertMessage(q, k, v, out, AttentionOptions.builder().varlen(new int[] {0, 2, 5}, new int[] {0, 6}),
                    "cuSeqlensK: has 2 entries but cuSeqlensQ has 3 (both are batch + 1)");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionOptions.builder().varlen(null, new int[] {0, 1}));
            assertEquals("cuSeqlensK needs cuSeqlensQ (packed keys pair with packed queries)", e.getMessage());

            Tensor q4 = random(arena, r, 2, H, 1, D), out4 = Tensor.allocate(arena, DType.F32, 2, H, 1, D);
            Tensor pool = random(arena, r, 4, 2, KVH, D);
            int[][] table = {{0, 1}, {3}};
            assertMessage(q4, pool, pool, out4, AttentionOptions.builder().pagedKv(table, 2),
                    "keyLengths: required with pagedKv (they are the sequence lengths)");
            assertMessage(q4, pool, pool, out4, AttentionOptions.builder().pagedKv(table, 2).keyLengths(4, 3),
                    "keyLengths[1] = 3 needs 2 blocks of 2 but blockTable[1] has 1");
            assertMessage(q4, pool, pool, out4, AttentionOptions.builder().pagedKv(new int[][] {{0, 4}, {3}}, 2)
                    .keyLengths(3, 2), "blockTable[0][1] = 4 is outside [0, numBlocks = 4)");
            assertMessage(q4, pool, pool, out4, AttentionOptions.builder().pagedKv(table, 3).keyLengths(3, 2),
                    "k: dimension 1 (blockSize) is 2 but pagedKv's blockSize is 3");
        }
    }

    static void assertMessage(Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions.Builder o, String want) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attention.sdpa(q, k, v, out, o.backend(Backend.JAVA_REFERENCE).build()));
        assertEquals(want, e.getMessage());
    }
}

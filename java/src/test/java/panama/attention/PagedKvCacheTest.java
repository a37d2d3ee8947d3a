package panama.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;
import panama.attention.testing.Compare;

/**
 * PagedKvCache against KvCache: the same tokens, appended in interleaved steps (so the sequences'
 * blocks are scattered through the pool), give the same attention: bitwise on JAVA_REFERENCE, to
 * fp32 rounding on NATIVE_CPU; prefill and decode. Also the free list, overflow and close.
 */
class PagedKvCacheTest {
    static final int KVH = 2, H = 4, D = 24, BS = 5;

    @Test
    void sameTokensSameOutputAsKvCache() {
        Random r = new Random(17);
        try (Arena arena = Arena.ofConfined();
             KvCache dense = KvCache.create(DType.F32, 2, KVH, 64, D, KvCache.Layout.BHSD);
             PagedKvCache paged = PagedKvCache.create(DType.F32, KVH, D, BS, 40, 3, 13)) {
            int[] steps = {7, 1, 11, 1, 1};
            for (int step : steps) {
                for (int seq = 0; seq < 2; seq++) {
                    int n = step + seq; // different lengths per sequence
                    Tensor k = VarlenPagedTest.random(arena, r, KVH, n, D);
                    Tensor v = VarlenPagedTest.random(arena, r, KVH, n, D);
                    paged.append(seq, k, v);
                    paged.append(2, VarlenPagedTest.random(arena, r, KVH, 1, D), VarlenPagedTest.random(arena, r, KVH, 1, D));
                    int[] counts = seq == 0 ? new int[] {n, 0} : new int[] {0, n};
                    Tensor k4 = Tensor.allocate(arena, DType.F32, 2, KVH, n, D);
                    Tensor v4 = Tensor.allocate(arena, DType.F32, 2, KVH, n, D);
                    for (int h = 0; h < KVH; h++) {
                        for (int t = 0; t < n; t++) {
                            for (int c = 0; c < D; c++) {
                                k4.set(k.get(h, t, c), seq, h, t, c);
                                v4.set(v.get(h, t, c), seq, h, t, c);
                            }
                        }
                    }
                    dense.append(k4, v4, counts);
                }
                int lq = step;
                Tensor q = VarlenPagedTest.random(arena, r, 2, H, lq, D);
                for (Backend b : new Backend[] {Backend.JAVA_REFERENCE, Backend.NATIVE_CPU}) {
                    if (b == Backend.NATIVE_CPU && Attention.backends().stream()
                            .noneMatch(s -> s.backend() == Backend.NATIVE_CPU && s.available())) {
                        continue;
                    }
                    AttentionOptions o = AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT).backend(b).build();
                    Tensor outD = Tensor.allocate(arena, DType.F32, 2, H, lq, D);
                    Tensor outP = Tensor.allocate(arena, DType.F32, 2, H, lq, D);
                    dense.attend(q, outD, o);
                    assertEquals(b, paged.attend(new int[] {0, 1}, q, outP, o));
                    if (b == Backend.JAVA_REFERENCE) {
                        assertArrayEquals(outD.toFloatArray(), outP.toFloatArray(), "reference, step " + step);
                    } else {
                        double err = Compare.relativeError(outP.toFloatArray(), outD.toFloatArray());
                        assertTrue(err < 1e-5, "native, step " + step + ": " + err);
                    }
                }
            }
            assertArrayEquals(dense.lengths(), new int[] {paged.length(0), paged.length(1)});
            int[] t0 = paged.blockTable(0);
            assertEquals((paged.length(0) + BS - 1) / BS, t0.length);
        }
    }

    @Test
    void freeListOverflowAndClose() {
        Random r = new Random(2);
        try (Arena arena = Arena.ofConfined()) {
            PagedKvCache cache = PagedKvCache.create(DType.F32, KVH, D, 4, 5, 2, 3);
            cache.append(0, VarlenPagedTest.random(arena, r, KVH, 9, D), VarlenPagedTest.random(arena, r, KVH, 9, D));
            assertEquals(2, cache.freeBlockCount());
            IllegalStateException tooLong = assertThrows(IllegalStateException.class,
                    () -> cache.append(0, VarlenPagedTest.random(arena, r, KVH, 4, D), VarlenPagedTest.random(arena, r, KVH, 4, D)));
            assertEquals("sequence 0: appending 4 tokens to its 9 needs 4 blocks, more than maxBlocksPerSeq 3",
                    tooLong.getMessage());
            IllegalStateException exhausted = assertThrows(IllegalStateException.class,
                    () -> cache.append(1, VarlenPagedTest.random(arena, r, KVH, 12, D), VarlenPagedTest.random(arena, r, KVH, 12, D)));
            assertEquals("pool exhausted: sequence 1 needs 3 more blocks, 2 of 5 are free (free finished sequences first)",
                    exhausted.getMessage());
            assertEquals(0, cache.length(1), "a refused append changes nothing");
            assertEquals(2, cache.freeBlockCount());
            int[] before = cache.blockTable(0);
            cache.append(0, VarlenPagedTest.random(arena, r, KVH, 2, D), VarlenPagedTest.random(arena, r, KVH, 2, D));
            int[] after = cache.blockTable(0);
            assertArrayEquals(before, java.util.Arrays.copyOf(after, before.length), "existing blocks never move");
            cache.free(0);
            assertEquals(5, cache.freeBlockCount());
            assertEquals(0, cache.length(0));
            cache.close();
            cache.close();
            assertThrows(IllegalStateException.class, () -> cache.length(0));
            assertThrows(IllegalStateException.class, () -> cache.free(0));
        }
    }
}

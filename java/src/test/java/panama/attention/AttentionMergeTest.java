package panama.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static panama.attention.MultiHeadAttentionTest.assertMessage;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.testing.Compare;

/** Attention over 1, 2 and 7 key shards, merged, equals the unsharded call (out and lse). */
class AttentionMergeTest {
    static final double TOL = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Backend b : Backend.values()) {
            for (CausalMode c : CausalMode.values()) {
                for (int shards : new int[] {1, 2, 7}) {
                    list.add(Arguments.of(b, c, shards));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} shards={2}")
    @MethodSource("cases")
    void shardedEqualsUnsharded(Backend backend, CausalMode causal, int shards) {
        TestBackends.assumeRunnable(backend);
        // decode-like (Lq 3 over 61 keys) and prefill-like (Lq 40 over 61), with key padding and a mask
        for (int seqQ : new int[] {3, 40}) {
            for (boolean masked : new boolean[] {false, true}) {
                int batch = 2, heads = 4, kvHeads = 2, seqK = 61, d = 40;
                try (Arena arena = Arena.ofConfined()) {
                    SplittableRandom r = new SplittableRandom(seqQ * 7L + shards);
                    Tensor q = KvCacheTest.random(arena, r, batch, heads, seqQ, d);
                    Tensor k = KvCacheTest.random(arena, r, batch, kvHeads, seqK, d);
                    Tensor v = KvCacheTest.random(arena, r, batch, kvHeads, seqK, d);
                    AttentionOptions.Builder ob = AttentionOptions.builder().backend(backend).causal(causal)
                            .keyLengths(seqK, 37);
                    if (masked) {
                        ob.mask(MultiHeadAttentionTest.randomMask(arena, r, batch, 1, seqQ, seqK));
                    }
                    Tensor wantLse = Tensor.allocate(arena, DType.F32, batch, heads, seqQ);
                    Tensor want = Tensor.allocate(arena, DType.F32, batch, heads, seqQ, d);
                    Attention.sdpa(q, k, v, want, ob.lse(wantLse).build());
                    Tensor gotLse = Tensor.allocate(arena, DType.F32, batch, heads, seqQ);
                    Tensor got = Tensor.allocate(arena, DType.F32, batch, heads, seqQ, d);
                    AttentionMerge.sdpaSharded(q, k, v, got, ob.lse(gotLse).build(), shards);
                    String what = "Lq=" + seqQ + (masked ? " masked" : "");
                    KvCacheTest.check(what + " out", got, want);
                    float[] gl = gotLse.toFloatArray(), wl = wantLse.toFloatArray();
                    double err = Compare.relativeError(gl, wl);
                    assertTrue(err <= TOL, () -> what + " lse: relative error " + err + Compare.firstMismatches(gl, wl, TOL, 5));
                }
            }
        }
    }

    /** A shard's probabilities cannot be merged into the row's: the recipe refuses them by name. */
    @Test
    void probabilitiesAreRefusedAcrossShards() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(3);
            Tensor q = KvCacheTest.random(arena, r, 1, 1, 3, 8);
            Tensor k = KvCacheTest.random(arena, r, 1, 1, 6, 8);
            Tensor v = KvCacheTest.random(arena, r, 1, 1, 6, 8);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 1, 3, 8);
            Tensor probs = Tensor.allocate(arena, DType.F32, 1, 1, 3, 6);
            AttentionOptions o = AttentionOptions.builder().probabilities(probs).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionMerge.sdpaSharded(q, k, v, out, o, 2));
            assertTrue(e.getMessage().startsWith("probabilities: not supported across key shards"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AttentionMerge.shardOptions(o, 1, 3, 6, 0, 3, arena));
        }
    }

    /** The recipe by hand, as a caller spreading shards over threads or machines would write it. */
    @Test
    void shardOptionsAndMergeByHand() {
        int batch = 1, heads = 2, seqQ = 4, seqK = 30, d = 16;
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(2);
            Tensor q = KvCacheTest.random(arena, r, batch, heads, seqQ, d);
            Tensor k = KvCacheTest.random(arena, r, batch, heads, seqK, d);
            Tensor v = KvCacheTest.random(arena, r, batch, heads, seqK, d);
            AttentionOptions o = AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT).build();
            Tensor want = Attention.sdpa(q, k, v, o, arena);
            long[][] ranges = {{0, 10}, {10, 26}, {26, 30}};
            List<Tensor> outs = new ArrayList<>();
            List<Tensor> lses = new ArrayList<>();
            for (long[] range : ranges) {
                Tensor lse = Tensor.allocate(arena, DType.F32, batch, heads, seqQ);
                AttentionOptions so = AttentionMerge.shardOptions(o, batch, seqQ, seqK, range[0], range[1], arena)
                        .toBuilder().lse(lse).build();
                outs.add(Attention.sdpa(q, k.narrow(2, range[0], range[1] - range[0]),
                        v.narrow(2, range[0], range[1] - range[0]), so, arena));
                lses.add(lse);
            }
            Tensor got = Tensor.allocate(arena, DType.F32, batch, heads, seqQ, d);
            AttentionMerge.merge(outs, lses, got, null);
            KvCacheTest.check("by hand", got, want);
            // Naive sharding (each shard causal by itself) is wrong: the check above is not vacuous.
            Tensor naive = Tensor.allocate(arena, DType.F32, batch, heads, seqQ, d);
            List<Tensor> nOuts = new ArrayList<>();
            List<Tensor> nLses = new ArrayList<>();
            for (long[] range : ranges) {
                Tensor lse = Tensor.allocate(arena, DType.F32, batch, heads, seqQ);
                nOuts.add(Attention.sdpa(q, k.narrow(2, range[0], range[1] - range[0]),
                        v.narrow(2, range[0], range[1] - range[0]), o.toBuilder().lse(lse).build(), arena));
                nLses.add(lse);
            }
            AttentionMerge.merge(nOuts, nLses, naive, null);
            assertTrue(Compare.relativeError(naive.toFloatArray(), want.toFloatArray()) > 1e-2);
        }
    }

    @Test
    void emptyShardsContributeNothingAndAllEmptyGivesZeros() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.fromFloats(arena, DType.F32, new float[] {1, 2, 3, 4}, 1, 2, 1, 2);
            Tensor b = Tensor.fromFloats(arena, DType.F32, new float[] {0, 0, 5, 6}, 1, 2, 1, 2);
            float ninf = Float.NEGATIVE_INFINITY;
            Tensor la = Tensor.fromFloats(arena, DType.F32, new float[] {0.5f, ninf}, 1, 2, 1);
            Tensor lb = Tensor.fromFloats(arena, DType.F32, new float[] {ninf, ninf}, 1, 2, 1);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 2, 1, 2);
            Tensor lse = Tensor.allocate(arena, DType.F32, 1, 2, 1);
            AttentionMerge.merge(List.of(a, b), List.of(la, lb), out, lse);
            assertArrayEquals(new float[] {1, 2, 0, 0}, out.toFloatArray());
            assertArrayEquals(new float[] {0.5f, ninf}, lse.toFloatArray());
            // equal lse: the plain mean
            Tensor lc = Tensor.fromFloats(arena, DType.F32, new float[] {1, 1}, 1, 2, 1);
            AttentionMerge.merge(List.of(a, b), List.of(lc, lc), out, lse);
            assertArrayEquals(new float[] {0.5f, 1, 4, 5}, out.toFloatArray());
            assertEquals(1 + (float) Math.log(2), lse.get(0, 0, 0), 1e-6);
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> AttentionMerge.merge(List.of(a, Tensor.allocate(arena, DType.F32, 1, 2, 2, 2)), List.of(la, lb), out, null)),
                    "outs[1]: shape [1, 2, 2, 2]");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> AttentionMerge.merge(List.of(a), List.of(la, lb), out, null)), "lses: 2 tensors for 1 outs");
        }
    }
}

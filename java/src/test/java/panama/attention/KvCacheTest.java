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

/** Decoding through a KvCache equals causal attention over the whole sequence. */
class KvCacheTest {
    static final double TOL = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Backend b : Backend.values()) {
            for (KvCache.Layout layout : KvCache.Layout.values()) {
                list.add(Arguments.of(b, layout, 4)); // MHA
                list.add(Arguments.of(b, layout, 2)); // GQA
                list.add(Arguments.of(b, layout, 1)); // MQA
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} kvHeads={2}")
    @MethodSource("cases")
    void decodingTokenByTokenEqualsFullCausalAttention(Backend backend, KvCache.Layout layout, int kvHeads) {
        TestBackends.assumeRunnable(backend);
        int batch = 2, heads = 4, seq = 45, d = 64;
        try (Arena arena = Arena.ofConfined(); KvCache cache = KvCache.create(batch, kvHeads, 64, d, layout)) {
            SplittableRandom r = new SplittableRandom(kvHeads * 31L + layout.ordinal());
            Tensor q = random(arena, r, batch, heads, seq, d);
            Tensor k = random(arena, r, batch, kvHeads, seq, d);
            Tensor v = random(arena, r, batch, kvHeads, seq, d);
            AttentionOptions causal = AttentionOptions.builder().backend(backend).causal(CausalMode.BOTTOM_RIGHT).build();
            Tensor full = Tensor.allocate(arena, DType.F32, batch, heads, seq, d);
            Attention.sdpa(q, k, v, full, causal);
            Tensor oracle = Tensor.allocate(arena, DType.F32, batch, heads, seq, d);
            Attention.sdpa(q, k, v, oracle, causal.toBuilder().backend(Backend.JAVA_REFERENCE).build());

            // token by token
            Tensor stepped = Tensor.allocate(arena, DType.F32, batch, heads, seq, d);
            for (int t = 0; t < seq; t++) {
                cache.append(k.narrow(2, t, 1), v.narrow(2, t, 1));
                cache.attend(q.narrow(2, t, 1), stepped.narrow(2, t, 1), causal);
            }
            assertArrayEquals(new int[] {seq, seq}, cache.lengths());
            check("token by token vs full", stepped, full);
            check("token by token vs JAVA_REFERENCE", stepped, oracle);

            // a prompt, then chunks of 1..16 new tokens (speculative-decoding shaped steps)
            cache.reset();
            Tensor chunked = Tensor.allocate(arena, DType.F32, batch, heads, seq, d);
            int[] steps = {10, 1, 16, 3, 1, 7, 2, 5};
            int t = 0;
            for (int n : steps) {
                cache.append(k.narrow(2, t, n), v.narrow(2, t, n));
                cache.attend(q.narrow(2, t, n), chunked.narrow(2, t, n), causal);
                t += n;
            }
            assertEquals(seq, t);
            check("chunked vs full", chunked, full);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("raggedCases")
    void raggedBatchesDecodeTheirOwnSequences(Backend backend, KvCache.Layout layout) {
        TestBackends.assumeRunnable(backend);
        int heads = 6, kvHeads = 2, d = 40, gen = 6;
        int[] prompt = {5, 11};
        int maxPrompt = 11;
        try (Arena arena = Arena.ofConfined(); KvCache cache = KvCache.create(2, kvHeads, 32, d, layout)) {
            SplittableRandom r = new SplittableRandom(5);
            Tensor pk = random(arena, r, 2, kvHeads, maxPrompt, d);
            Tensor pv = random(arena, r, 2, kvHeads, maxPrompt, d);
            Tensor gq = random(arena, r, 2, heads, gen, d);
            Tensor gk = random(arena, r, 2, kvHeads, gen, d);
            Tensor gv = random(arena, r, 2, kvHeads, gen, d);
            cache.append(pk, pv, prompt);
            assertArrayEquals(prompt, cache.lengths());
            Tensor out = Tensor.allocate(arena, DType.F32, 2, heads, gen, d);
            AttentionOptions o = AttentionOptions.builder().backend(backend).causal(CausalMode.BOTTOM_RIGHT).build();
            for (int g = 0; g < gen; g++) {
                cache.append(gk.narrow(2, g, 1), gv.narrow(2, g, 1));
                cache.attend(gq.narrow(2, g, 1), out.narrow(2, g, 1), o);
            }
            for (int b = 0; b < 2; b++) {
                // batch b alone: its prompt then its generated tokens, causal over all of it
                int len = prompt[b] + gen;
                Tensor k1 = Tensor.allocate(arena, DType.F32, 1, kvHeads, len, d);
                Tensor v1 = Tensor.allocate(arena, DType.F32, 1, kvHeads, len, d);
                for (int h = 0; h < kvHeads; h++) {
                    for (int j = 0; j < len; j++) {
                        for (int c = 0; c < d; c++) {
                            boolean p = j < prompt[b];
                            k1.set(p ? pk.get(b, h, j, c) : gk.get(b, h, j - prompt[b], c), 0, h, j, c);
                            v1.set(p ? pv.get(b, h, j, c) : gv.get(b, h, j - prompt[b], c), 0, h, j, c);
                        }
                    }
                }
                Tensor want = Tensor.allocate(arena, DType.F32, 1, heads, gen, d);
                Attention.sdpa(gq.narrow(0, b, 1), k1, v1, want, o.toBuilder().backend(Backend.JAVA_REFERENCE).build());
                check("batch " + b, out.narrow(0, b, 1), want);
            }
        }
    }

    static Stream<Arguments> raggedCases() {
        List<Arguments> list = new ArrayList<>();
        for (Backend b : Backend.values()) {
            for (KvCache.Layout layout : KvCache.Layout.values()) {
                list.add(Arguments.of(b, layout));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void multiHeadAttentionDecoderStepsEqualTheFullCausalLayer(Backend backend, KvCache.Layout layout, int kvHeads) {
        TestBackends.assumeRunnable(backend);
        int batch = 2, seq = 19, hidden = 48, heads = 4, d = 16;
        MhaReference ref = new MhaReference(hidden, hidden, heads, kvHeads, d, 3, true);
        try (Arena arena = Arena.ofConfined(); MultiHeadAttention mha = ref.build(true);
             KvCache cache = KvCache.create(batch, kvHeads, seq, d, layout)) {
            float[] xs = MhaReference.random(new SplittableRandom(9), batch * seq * hidden, 1);
            Tensor x = Tensor.fromFloats(arena, DType.F32, xs, batch, seq, hidden);
            AttentionOptions o = AttentionOptions.builder().backend(backend).causal(CausalMode.BOTTOM_RIGHT).build();
            Tensor full = Tensor.allocate(arena, DType.F32, batch, seq, hidden);
            mha.forward(x, full, o);
            Tensor stepped = Tensor.allocate(arena, DType.F32, batch, seq, hidden);
            int t = 0;
            for (int n : new int[] {4, 1, 1, 9, 1, 3}) {
                mha.forward(x.narrow(1, t, n), cache, stepped.narrow(1, t, n), o);
                t += n;
            }
            check("MHA decode", stepped, full);
            float[] want = ref.forward(xs, xs, batch, seq, seq, o, null);
            double err = Compare.relativeError(full.toFloatArray(), want);
            assertTrue(err <= 2e-5, "full layer vs float64: " + err);
        }
    }

    @Test
    void badInputsAndLifecycle() {
        try (Arena arena = Arena.ofConfined()) {
            KvCache cache = KvCache.create(1, 2, 4, 8, KvCache.Layout.BSHD);
            Tensor k3 = Tensor.allocate(arena, DType.F32, 1, 2, 3, 8);
            cache.append(k3, k3);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.append(k3, k3)),
                    "k: appending 3 tokens to batch 0 (length 3) overflows maxSeq 4");
            assertEquals(3, cache.length(0), "a refused append writes nothing");
            Tensor wrongHeads = Tensor.allocate(arena, DType.F32, 1, 3, 1, 8);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.append(wrongHeads, wrongHeads)),
                    "k: dimension 1 (kvHeads) is 3 but the cache has 2");
            Tensor q = Tensor.allocate(arena, DType.F32, 1, 3, 1, 8);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 3, 1, 8);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> cache.attend(q, out)), "does not divide");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> cache.attend(q, out, AttentionOptions.builder().keyLengths(1).build())), "keyLengths");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> KvCache.create(1, 0, 4, 8, KvCache.Layout.BHSD)),
                    "kvHeads: must be at least 1");
            cache.close();
            cache.close();
            assertMessage(assertThrows(IllegalStateException.class, () -> cache.append(k3, k3)), "KvCache is closed");
            assertThrows(IllegalStateException.class, cache::lengths);
        }
    }

    @Test
    void emptyCacheGivesZeros() {
        try (Arena arena = Arena.ofConfined(); KvCache cache = KvCache.create(1, 1, 8, 4, KvCache.Layout.BHSD)) {
            Tensor q = random(arena, new SplittableRandom(1), 1, 1, 1, 4);
            Tensor out = random(arena, new SplittableRandom(2), 1, 1, 1, 4);
            cache.attend(q, out);
            assertArrayEquals(new float[4], out.toFloatArray());
        }
    }

    static Tensor random(Arena arena, SplittableRandom r, int b, int h, int s, int d) {
        return Tensor.fromFloats(arena, DType.F32, MhaReference.random(r, b * h * s * d, 1.5), b, h, s, d);
    }

    static void check(String what, Tensor got, Tensor want) {
        float[] g = got.toFloatArray(), w = want.toFloatArray();
        double err = Compare.relativeError(g, w);
        assertTrue(err <= TOL, () -> what + ": relative error " + err + Compare.firstMismatches(g, w, TOL, 5));
    }
}

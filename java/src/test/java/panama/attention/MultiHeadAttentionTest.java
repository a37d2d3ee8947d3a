package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.testing.Compare;

/** MultiHeadAttention against a float64 layer ({@link MhaReference}) on every backend. */
class MultiHeadAttentionTest {
    /** fp32 projections and attention against float64: a few ulps of the ‖·‖-relative error. */
    static final double TOL = 2e-5;
    static final int[] LENGTHS = {1, 7, 129};
    static final int[] HEAD_DIMS = {40, 64, 80};

    /** Every (Lq, Lk) pair of {1, 7, 129}, head dims 40/64/80 in turn, GQA, padding, masks and causal mixed in. */
    static Stream<Arguments> crossCases() {
        List<Arguments> list = new ArrayList<>();
        int n = 0;
        for (int lq : LENGTHS) {
            for (int lk : LENGTHS) {
                for (Backend b : Backend.values()) {
                    list.add(Arguments.of(b, lq, lk, HEAD_DIMS[n % 3], n));
                }
                n++;
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} Lq={1} Lk={2} d={3} #{4}")
    @MethodSource("crossCases")
    void crossAttentionWithKeyPaddingMatchesFloat64(Backend backend, int lq, int lk, int d, int n) {
        TestBackends.assumeRunnable(backend);
        assumeCudaHeadDim(backend, d);
        int heads = 3, kvHeads = n % 2 == 0 ? 1 : 3, batch = 2, hidden = 50, kvHidden = 37;
        MhaReference ref = new MhaReference(hidden, kvHidden, heads, kvHeads, d, 100 + n, n % 3 != 1);
        try (Arena arena = Arena.ofConfined(); MultiHeadAttention mha = ref.build(true)) {
            SplittableRandom r = new SplittableRandom(n);
            float[] xq = MhaReference.random(r, batch * lq * hidden, 1);
            float[] xkv = MhaReference.random(r, batch * lk * kvHidden, 1);
            Tensor tq = n % 4 == 3 ? strided(arena, xq, batch, lq, hidden) : Tensor.fromFloats(arena, DType.F32, xq, batch, lq, hidden);
            Tensor tkv = Tensor.fromFloats(arena, DType.F32, xkv, batch, lk, kvHidden);
            AttentionOptions.Builder ob = AttentionOptions.builder().backend(backend)
                    .keyLengths(lk, Math.max(1, (lk + 1) / 2));
            if (n % 3 == 2) {
                ob.causal(n % 2 == 0 ? CausalMode.BOTTOM_RIGHT : CausalMode.TOP_LEFT);
            }
            if (n % 4 == 1) {
                ob.mask(randomMask(arena, r, 1, heads, lq, lk));
            }
            AttentionOptions o = ob.build();
            Tensor out = Tensor.allocate(arena, DType.F32, batch, lq, hidden);
            Tensor probs = Tensor.allocate(arena, DType.F32, batch, heads, lq, lk);
            Backend used = mha.forward(tq, tkv, out, o, probs);
            if (backend != Backend.AUTO) {
                assertEquals(backend, used);
            }
            double[][][][] wantProbs = new double[batch][heads][lq][];
            float[] want = ref.forward(xq, xkv, batch, lq, lk, o, wantProbs);
            float[] got = out.toFloatArray();
            double err = Compare.relativeError(got, want);
            assertTrue(err <= TOL, () -> "out relative error " + err + Compare.firstMismatches(got, want, TOL, 5));
            float[] gotP = probs.toFloatArray();
            float[] wantP = flatten(wantProbs);
            double perr = Compare.relativeError(gotP, wantP);
            assertTrue(perr <= TOL, () -> "probs relative error " + perr + Compare.firstMismatches(gotP, wantP, TOL, 5));
            rowsSumToOneOrZero(gotP, lk);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void selfAttentionCausalGqaAndJavaProjectionsAgree(Backend backend) {
        TestBackends.assumeRunnable(backend);
        int batch = 3, seq = 33, hidden = 64, heads = 4, kvHeads = 2, d = 24;
        assumeCudaHeadDim(backend, d);
        MhaReference ref = new MhaReference(hidden, hidden, heads, kvHeads, d, 7, true);
        try (Arena arena = Arena.ofConfined(); MultiHeadAttention blas = ref.build(true);
             MultiHeadAttention java = ref.build(false)) {
            assertTrue(java.projections().startsWith("Java matmul"), java.projections());
            float[] x = MhaReference.random(new SplittableRandom(3), batch * seq * hidden, 1);
            Tensor tx = Tensor.fromFloats(arena, DType.F32, x, batch, seq, hidden);
            AttentionOptions o = AttentionOptions.builder().backend(backend).causal(CausalMode.BOTTOM_RIGHT)
                    .keyLengths(seq, 20, 1).build();
            double[][][][] wantProbs = new double[batch][heads][seq][];
            float[] want = ref.forward(x, x, batch, seq, seq, o, wantProbs);
            float[] wantP = flatten(wantProbs);
            for (MultiHeadAttention mha : new MultiHeadAttention[] {blas, java}) {
                Tensor out = Tensor.allocate(arena, DType.F32, batch, seq, hidden);
                // on the heap: probabilities go through the scratch-and-copy path
                Tensor probs = mha == java
                        ? Tensor.contiguous(MemorySegment.ofArray(new float[batch * heads * seq * seq]), DType.F32, batch, heads, seq, seq)
                        : Tensor.allocate(arena, DType.F32, batch, heads, seq, seq);
                mha.forward(tx, tx, out, o, probs);
                float[] got = out.toFloatArray();
                double err = Compare.relativeError(got, want);
                assertTrue(err <= TOL, () -> mha.projections() + ": relative error " + err);
                double perr = Compare.relativeError(probs.toFloatArray(), wantP);
                assertTrue(perr <= TOL, () -> mha.projections() + ": probs relative error " + perr);
            }
            // in place: out = x
            Tensor inPlace = Tensor.fromFloats(arena, DType.F32, x, batch, seq, hidden);
            blas.forward(inPlace, inPlace, o);
            assertTrue(Compare.relativeError(inPlace.toFloatArray(), want) <= TOL);
        }
    }

    @Test
    void lseAndTensorWeightsPassThrough() {
        int batch = 1, seq = 9, hidden = 16, heads = 2, d = 8;
        MhaReference ref = new MhaReference(hidden, hidden, heads, heads, d, 11, false);
        try (Arena arena = Arena.ofConfined()) {
            MultiHeadAttention fromTensors = MultiHeadAttention.builder(hidden, heads, d)
                    .wq(Tensor.fromFloats(arena, DType.F32, ref.wq, hidden, heads * d))
                    .wk(Tensor.fromFloats(arena, DType.F32, ref.wk, hidden, heads * d))
                    .wv(Tensor.fromFloats(arena, DType.F32, ref.wv, hidden, heads * d))
                    .wo(Tensor.fromFloats(arena, DType.F32, ref.wo, heads * d, hidden)).build();
            try (fromTensors) {
                float[] x = MhaReference.random(new SplittableRandom(1), seq * hidden, 1);
                Tensor lse = Tensor.allocate(arena, DType.F32, batch, heads, seq);
                AttentionOptions o = AttentionOptions.builder().lse(lse).build();
                Tensor out = fromTensors.forward(Tensor.fromFloats(arena, DType.F32, x, batch, seq, hidden), o, arena);
                assertTrue(Compare.relativeError(out.toFloatArray(), ref.forward(x, x, batch, seq, seq, o, null)) <= TOL);
                for (float l : lse.toFloatArray()) {
                    assertTrue(Float.isFinite(l), "lse was written");
                }
            }
        }
    }

    @Test
    void badInputsNameTheArgument() {
        MhaReference ref = new MhaReference(16, 16, 4, 2, 8, 1, true);
        try (Arena arena = Arena.ofConfined(); MultiHeadAttention mha = ref.build(true)) {
            Tensor x = Tensor.allocate(arena, DType.F32, 1, 5, 16);
            Tensor wrong = Tensor.allocate(arena, DType.F32, 1, 5, 15);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 5, 16);
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(wrong, out, AttentionOptions.defaults())), "x: dimension 2 (hidden) is 15");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, wrong, out, AttentionOptions.defaults())), "xkv: dimension 2 (kvHidden) is 15");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, x, Tensor.allocate(arena, DType.F32, 1, 4, 16), AttentionOptions.defaults())), "out:");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, x, out, AttentionOptions.defaults(), Tensor.allocate(arena, DType.F32, 1, 3, 5, 5))),
                    "probsOut: dimension 1 is 3 but must be 4");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, out, AttentionOptions.builder().keyLengths(1, 2).build())), "keyLengths");
        }
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> MultiHeadAttention.builder(16, 4, 8).kvHeads(3)), "kvHeads: 3 does not divide heads 4");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> MultiHeadAttention.builder(16, 4, 8).wq(new float[10]).wk(ref.wk).wv(ref.wv).wo(ref.wo).build()), "wq: has 10 values");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> MultiHeadAttention.builder(16, 4, 8).kvHeads(2).wq(ref.wq).wk(ref.wk).wv(ref.wv).build()), "wo: missing");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> MultiHeadAttention.builder(16, 4, 8).kvHeads(2).wq(ref.wq).wk(ref.wk).wv(ref.wv).wo(ref.wo).bo(new float[3]).build()),
                "bo: has 3 values");
        try (Arena arena = Arena.ofConfined()) {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> MultiHeadAttention.builder(16, 4, 8).wo(Tensor.allocate(arena, DType.F32, 16, 32))), "wo: shape [16, 32]");
        }
    }

    @Test
    void closedLayerThrowsAndCloseIsIdempotent() {
        MultiHeadAttention mha = new MhaReference(8, 8, 2, 2, 4, 1, false).build(true);
        mha.close();
        mha.close();
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 1, 3, 8);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> mha.forward(x, x, AttentionOptions.defaults()));
            assertMessage(e, "MultiHeadAttention is closed");
            Arena closed = Arena.ofConfined();
            Tensor dead = Tensor.allocate(closed, DType.F32, 1, 3, 8);
            closed.close();
            try (MultiHeadAttention live = new MhaReference(8, 8, 2, 2, 4, 1, false).build(true)) {
                assertMessage(assertThrows(IllegalStateException.class, () -> live.forward(dead, x, AttentionOptions.defaults())),
                        "x: its arena is closed");
            }
        }
    }

    /** Forced CUDA runs the whole layer on the GPU, whose kernels exist for some head dims only (MultiHeadAttentionCudaTest covers them). */
    static void assumeCudaHeadDim(Backend backend, int d) {
        assumeTrue(backend != Backend.CUDA || d == 32 || d == 64 || d == 80 || d == 96 || d == 128 || d == 256,
                () -> "the CUDA kernels are built for head dims 32, 64, 80, 96, 128 and 256, not " + d);
    }

    static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(part), () -> "message '" + e.getMessage() + "' lacks '" + part + "'");
    }

    /** [batch, seq, hidden] values in a padded layout (row stride hidden + 3): exercises the copy path. */
    static Tensor strided(Arena arena, float[] values, long batch, long seq, long hidden) {
        long ld = hidden + 3;
        MemorySegment s = arena.allocate(batch * seq * ld * Float.BYTES, 64);
        Tensor t = Tensor.of(s, DType.F32, new long[] {batch, seq, hidden}, new long[] {seq * ld, ld, 1});
        int i = 0;
        for (long b = 0; b < batch; b++) {
            for (long r = 0; r < seq; r++) {
                for (long c = 0; c < hidden; c++) {
                    t.set(values[i++], b, r, c);
                }
            }
        }
        return t;
    }

    static Tensor randomMask(Arena arena, SplittableRandom r, int b, int h, int lq, int lk) {
        Tensor m = Tensor.allocate(arena, DType.F32, b, h, lq, lk);
        for (int x = 0; x < b; x++) {
            for (int y = 0; y < h; y++) {
                for (int i = 0; i < lq; i++) {
                    for (int j = 0; j < lk; j++) {
                        m.set(r.nextInt(6) == 0 ? Float.NEGATIVE_INFINITY : (float) (r.nextDouble() * 2 - 1), x, y, i, j);
                    }
                }
            }
        }
        return m;
    }

    static float[] flatten(double[][][][] p) {
        List<Float> l = new ArrayList<>();
        for (double[][][] a : p) {
            for (double[][] b : a) {
                for (double[] c : b) {
                    for (double x : c) {
                        l.add((float) x);
                    }
                }
            }
        }
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    static void rowsSumToOneOrZero(float[] p, int lk) {
        for (int r = 0; r < p.length / lk; r++) {
            double s = 0;
            for (int j = 0; j < lk; j++) {
                s += p[r * lk + j];
            }
            final int row = r;
            final double sum = s;
            assertTrue(Math.abs(s - 1) < 1e-5 || s == 0, () -> "row " + row + " sums to " + sum);
        }
    }
}

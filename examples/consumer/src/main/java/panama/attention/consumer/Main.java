package panama.attention.consumer;

import java.lang.foreign.Arena;
import java.util.Random;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * Uses the installed artifact the way an application would: one {@link Attention#sdpa} call on
 * awkward sizes (odd lengths, a head dimension that is not a power of two), checked against a
 * plain float64 loop. Prints one line; exits 1 when the results disagree.
 */
public final class Main {
    static final int BATCH = 1;
    static final int HEADS = 3;
    static final int SEQ_Q = 7;
    static final int SEQ_K = 13;
    static final int HEAD_DIM = 24;
    static final double TOL = 1e-5;

    private Main() {
    }

    public static void main(String[] args) {
        Random rnd = new Random(7);
        float[] q = random(rnd, BATCH * HEADS * SEQ_Q * HEAD_DIM);
        float[] k = random(rnd, BATCH * HEADS * SEQ_K * HEAD_DIM);
        float[] v = random(rnd, BATCH * HEADS * SEQ_K * HEAD_DIM);
        float[] out;
        Backend used;
        try (Arena arena = Arena.ofConfined()) {
            Tensor tq = Tensor.fromFloats(arena, DType.F32, q, BATCH, HEADS, SEQ_Q, HEAD_DIM);
            Tensor tk = Tensor.fromFloats(arena, DType.F32, k, BATCH, HEADS, SEQ_K, HEAD_DIM);
            Tensor tv = Tensor.fromFloats(arena, DType.F32, v, BATCH, HEADS, SEQ_K, HEAD_DIM);
            Tensor to = Tensor.allocate(arena, DType.F32, BATCH, HEADS, SEQ_Q, HEAD_DIM);
            used = Attention.sdpa(tq, tk, tv, to, AttentionOptions.builder().build());
            out = to.segment().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        }
        double worst = 0;
        double scale = 1.0 / Math.sqrt(HEAD_DIM);
        for (int h = 0; h < BATCH * HEADS; h++) {
            for (int i = 0; i < SEQ_Q; i++) {
                double[] s = new double[SEQ_K];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < SEQ_K; j++) {
                    for (int d = 0; d < HEAD_DIM; d++) {
                        s[j] += (double) q[(h * SEQ_Q + i) * HEAD_DIM + d] * k[(h * SEQ_K + j) * HEAD_DIM + d];
                    }
                    s[j] *= scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < SEQ_K; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int d = 0; d < HEAD_DIM; d++) {
                    double o = 0;
                    for (int j = 0; j < SEQ_K; j++) {
                        o += s[j] / sum * v[(h * SEQ_K + j) * HEAD_DIM + d];
                    }
                    worst = Math.max(worst, Math.abs(o - out[(h * SEQ_Q + i) * HEAD_DIM + d]));
                }
            }
        }
        String where = Main.class.getModule().isNamed() ? "module path" : "class path";
        boolean ok = worst <= TOL;
        System.out.printf("consumer (%s): Attention.sdpa on %s, [%d,%d,%d,%d] vs float64 loop, max abs err %.2e %s%n",
                where, used, BATCH, HEADS, SEQ_Q, HEAD_DIM, worst, ok ? "OK" : "FAILED (tolerance " + TOL + ")");
        if (!ok) {
            System.exit(1);
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}

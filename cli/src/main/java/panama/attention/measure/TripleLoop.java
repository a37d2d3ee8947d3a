package panama.attention.measure;

import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * The baseline JAVA_VECTOR is measured against: attention as a Java programmer would first
 * write it. For each query row: a dot product with every key it may see, a softmax, a weighted sum
 * of value rows. float accumulation, one thread, plain {@code float[]} arrays (contiguous
 * {@code [batch, heads, seq, headDim]}), no blocking, no SIMD beyond what the JIT finds by itself.
 * Deliberately never optimised: the bench's {@code JAVA_TRIPLE_LOOP} row and
 * {@link TripleLoopBenchmark} time exactly this.
 */
public final class TripleLoop {
    private TripleLoop() {
    }

    /**
     * out = softmax(scale·q·kᵀ)·v.
     *
     * @param q (batch, heads, seqQ, d), contiguous
     * @param k (batch, kvHeads, seqK, d), contiguous
     * @param v (batch, kvHeads, seqK, d), contiguous
     * @param out (batch, heads, seqQ, d), contiguous
     */
    public static void attention(float[] q, float[] k, float[] v, float[] out, int batch, int heads, int kvHeads,
                                 int seqQ, int seqK, int d, float scale, CausalMode causal) {
        float[] s = new float[seqK];
        int group = heads / kvHeads;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int kvh = h / group;
                int qHead = (b * heads + h) * seqQ * d;
                int kHead = (b * kvHeads + kvh) * seqK * d;
                for (int i = 0; i < seqQ; i++) {
                    int end = switch (causal) {
                        case NONE -> seqK;
                        case TOP_LEFT -> Math.min(seqK, i + 1);
                        case BOTTOM_RIGHT -> Math.min(seqK, i + 1 + seqK - seqQ);
                    };
                    int qRow = qHead + i * d;
                    int oRow = qRow;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < end; j++) {
                        float dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += q[qRow + c] * k[kHead + j * d + c];
                        }
                        s[j] = dot * scale;
                        max = Math.max(max, s[j]);
                    }
                    float sum = 0;
                    for (int j = 0; j < end; j++) {
                        s[j] = (float) Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int c = 0; c < d; c++) {
                        out[oRow + c] = 0;
                    }
                    for (int j = 0; j < end; j++) {
                        float p = s[j] / sum;
                        for (int c = 0; c < d; c++) {
                            out[oRow + c] += p * v[kHead + j * d + c];
                        }
                    }
                }
            }
        }
    }

    /** The arrays of a problem, copied once from tensors (not part of what is timed). */
    public record Inputs(float[] q, float[] k, float[] v, float[] out, int batch, int heads, int kvHeads,
                         int seqQ, int seqK, int d, float scale, CausalMode causal) {
        /** Copies contiguous F32 tensors; the scale is 1/√d. */
        public static Inputs of(Tensor q, Tensor k, Tensor v, CausalMode causal) {
            for (Tensor t : new Tensor[] {q, k, v}) {
                if (t.dtype() != DType.F32 || !t.isContiguous()) {
                    throw new IllegalArgumentException("the triple loop takes contiguous F32 tensors, got " + t);
                }
            }
            return new Inputs(q.toFloatArray(), k.toFloatArray(), v.toFloatArray(), new float[(int) q.elementCount()],
                    (int) q.size(0), (int) q.size(1), (int) k.size(1), (int) q.size(2), (int) k.size(2), (int) q.size(3),
                    (float) (1.0 / Math.sqrt(q.size(3))), causal);
        }

        public void run() {
            attention(q, k, v, out, batch, heads, kvHeads, seqQ, seqK, d, scale, causal);
        }

        /** Writes the last result into a contiguous F32 tensor of out's shape. */
        public void copyOutTo(Tensor t) {
            java.lang.foreign.MemorySegment.copy(out, 0, t.segment(), java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED,
                    0, out.length);
        }
    }
}

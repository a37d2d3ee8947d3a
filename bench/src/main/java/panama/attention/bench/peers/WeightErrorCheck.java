package panama.attention.bench.peers;

import panama.attention.CausalMode;
import panama.attention.Tensor;

/**
 * How close a BF16 result computed with the softmax weights rounded to bf16 stays to its stated
 * bound: for sampled query rows of every head, the largest {@code |out - exact| / bound} over
 * their elements, where exact is the float64 attention of the same (bf16) inputs and
 * {@code bound = max|v| · 1e-5 + 2^-7 · |exact| + 2^-8 · Σ_j p_j·|v_j|} (the exact path's fp32 error and
 * output rounding, plus the weights' rounding). At most 1 keeps the promise of
 * {@link panama.attention.WeightPrecision#BF16}.
 */
final class WeightErrorCheck {
    private WeightErrorCheck() {
    }

    /** q, k, v, out: [1, heads, n, d] (Lq = Lk = n); rows: query rows sampled per head, spread over n. */
    static double worstShareOfBound(Tensor q, Tensor k, Tensor v, Tensor out, CausalMode causal, int rows) {
        int heads = (int) q.size(1), n = (int) q.size(2), d = (int) q.size(3);
        float[] qf = q.toFloatArray(), kf = k.toFloatArray(), vf = v.toFloatArray(), of = out.toFloatArray();
        double vmax = 0;
        for (float x : vf) {
            vmax = Math.max(vmax, Math.abs(x));
        }
        double scale = 1 / Math.sqrt(d), worst = 0;
        double[] logit = new double[n], o = new double[d], s = new double[d];
        for (int h = 0; h < heads; h++) {
            long base = (long) h * n * d;
            for (int t = 0; t < rows; t++) {
                int i = (int) ((long) t * (n - 1) / Math.max(1, rows - 1));
                int seen = causal == CausalMode.NONE ? n : i + 1; // Lq = Lk: both alignments see j <= i
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < seen; j++) {
                    double dot = 0;
                    for (int x = 0; x < d; x++) {
                        dot += (double) qf[(int) (base + (long) i * d + x)] * kf[(int) (base + (long) j * d + x)];
                    }
                    logit[j] = dot * scale;
                    max = Math.max(max, logit[j]);
                }
                double sum = 0;
                for (int j = 0; j < seen; j++) {
                    logit[j] = Math.exp(logit[j] - max);
                    sum += logit[j];
                }
                java.util.Arrays.fill(o, 0);
                java.util.Arrays.fill(s, 0);
                for (int j = 0; j < seen; j++) {
                    double w = logit[j] / sum;
                    for (int x = 0; x < d; x++) {
                        float vx = vf[(int) (base + (long) j * d + x)];
                        o[x] += w * vx;
                        s[x] += w * Math.abs(vx);
                    }
                }
                for (int x = 0; x < d; x++) {
                    double bound = vmax * 1e-5 + Math.scalb(Math.abs(o[x]), -7) + Math.scalb(s[x], -8);
                    worst = Math.max(worst, Math.abs(of[(int) (base + (long) i * d + x)] - o[x]) / bound);
                }
            }
        }
        return worst;
    }
}

package panama.attention;

import java.util.SplittableRandom;

/**
 * A float64 multi-head attention for tests: projections in double, then the attention of
 * {@link panama.attention.internal.ReferenceKernel} (same visibility, mask and empty-row rules),
 * then the output projection. Weights are [in, out] row-major, as MultiHeadAttention takes them.
 */
final class MhaReference {
    final int hidden, kvHidden, heads, kvHeads, d;
    final float[] wq, wk, wv, wo, bq, bk, bv, bo;

    MhaReference(int hidden, int kvHidden, int heads, int kvHeads, int d, long seed, boolean biases) {
        this.hidden = hidden;
        this.kvHidden = kvHidden;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.d = d;
        SplittableRandom r = new SplittableRandom(seed);
        wq = random(r, hidden * heads * d, 1.5 / Math.sqrt(hidden));
        wk = random(r, kvHidden * kvHeads * d, 1.5 / Math.sqrt(kvHidden));
        wv = random(r, kvHidden * kvHeads * d, 1.0 / Math.sqrt(kvHidden));
        wo = random(r, heads * d * hidden, 1.0 / Math.sqrt(heads * d));
        bq = biases ? random(r, heads * d, 0.2) : null;
        bk = biases ? random(r, kvHeads * d, 0.2) : null;
        bv = biases ? random(r, kvHeads * d, 0.2) : null;
        bo = biases ? random(r, hidden, 0.2) : null;
    }

    static float[] random(SplittableRandom r, int n, double amplitude) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * amplitude);
        }
        return a;
    }

    MultiHeadAttention build(boolean blas) {
        return MultiHeadAttention.builder(hidden, heads, d).kvHeads(kvHeads).kvHidden(kvHidden)
                .wq(wq).wk(wk).wv(wv).wo(wo).bq(bq).bk(bk).bv(bv).bo(bo).useBlas(blas).build();
    }

    /** rows (n, in) · W (in, out) + bias, in double. */
    static double[][] project(float[] x, int n, int in, float[] w, float[] bias, int out) {
        double[][] y = new double[n][out];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < out; j++) {
                double s = bias == null ? 0 : bias[j];
                for (int i = 0; i < in; i++) {
                    s += (double) x[r * in + i] * w[i * out + j];
                }
                y[r][j] = s;
            }
        }
        return y;
    }

    /** Output of the layer and (when probs != null, [b][h][i][j]) the probabilities. */
    float[] forward(float[] xq, float[] xkv, int batch, int seqQ, int seqK, AttentionOptions o, double[][][][] probs) {
        double[][] q = project(xq, batch * seqQ, hidden, wq, bq, heads * d);
        double[][] k = project(xkv, batch * seqK, kvHidden, wk, bk, kvHeads * d);
        double[][] v = project(xkv, batch * seqK, kvHidden, wv, bv, kvHeads * d);
        double scale = o.softmaxScale(d);
        int[] kl = o.keyLengths();
        Tensor mask = o.mask();
        double[] a = new double[batch * seqQ * heads * d];
        int group = heads / kvHeads;
        for (int b = 0; b < batch; b++) {
            int kvLen = kl == null ? seqK : kl[b];
            for (int h = 0; h < heads; h++) {
                int kh = h / group;
                for (int i = 0; i < seqQ; i++) {
                    long end = switch (o.causal()) {
                        case NONE -> kvLen;
                        case TOP_LEFT -> Math.min(kvLen, i + 1);
                        case BOTTOM_RIGHT -> Math.min(kvLen, i + 1 + kvLen - seqQ);
                    };
                    double[] s = new double[seqK];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < seqK; j++) {
                        if (j >= end) {
                            s[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += q[b * seqQ + i][h * d + c] * k[b * seqK + j][kh * d + c];
                        }
                        s[j] = scale * dot;
                        if (mask != null) {
                            s[j] += mask.get(mask.size(0) == 1 ? 0 : b, mask.size(1) == 1 ? 0 : h, i, j);
                        }
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    double[] p = new double[seqK];
                    if (max != Double.NEGATIVE_INFINITY) {
                        for (int j = 0; j < seqK; j++) {
                            p[j] = s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
                            sum += p[j];
                        }
                        for (int j = 0; j < seqK; j++) {
                            p[j] /= sum;
                        }
                    }
                    if (probs != null) {
                        probs[b][h][i] = p;
                    }
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j < seqK; j++) {
                            acc += p[j] * v[b * seqK + j][kh * d + c];
                        }
                        a[((b * seqQ + i) * heads + h) * d + c] = acc;
                    }
                }
            }
        }
        float[] out = new float[batch * seqQ * hidden];
        int hd = heads * d;
        for (int r = 0; r < batch * seqQ; r++) {
            for (int j = 0; j < hidden; j++) {
                double s = bo == null ? 0 : bo[j];
                for (int i = 0; i < hd; i++) {
                    s += a[r * hd + i] * wo[i * hidden + j];
                }
                out[r * hidden + j] = (float) s;
            }
        }
        return out;
    }
}

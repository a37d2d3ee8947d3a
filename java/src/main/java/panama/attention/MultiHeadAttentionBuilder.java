package panama.attention;

import java.util.Arrays;
import panama.attention.internal.Validation;

/**
 * Collects the weights of a {@link MultiHeadAttention} (copied when given: the sources may be
 * freed afterwards) and builds the layer; start with {@link MultiHeadAttention#builder}.
 * {@code wq}, {@code wk}, {@code wv} and {@code wo} are required, biases optional. Every weight
 * is {@code [in, out]} row-major, used as {@code x·W}.
 */
public final class MultiHeadAttentionBuilder {
    final int hidden;
    final int heads;
    final int headDim;
    int kvHeads;
    int kvHidden;
    /** wq, wk, wv, wo, bq, bk, bv, bo, in {@link MultiHeadAttentionWeights}' order. */
    final float[][] values = new float[8][];
    boolean useBlas = true;

    MultiHeadAttentionBuilder(int hidden, int heads, int headDim) {
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden: must be at least 1, got " + hidden);
        }
        if (heads < 1) {
            throw new IllegalArgumentException("heads: must be at least 1, got " + heads);
        }
        if (headDim < 1 || headDim > Validation.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("headDim: must be in [1, " + Validation.MAX_HEAD_DIM + "], got " + headDim);
        }
        this.hidden = hidden;
        this.heads = heads;
        this.headDim = headDim;
        this.kvHeads = heads;
        this.kvHidden = hidden;
    }

    /** Key/value heads (grouped-query attention); must divide heads. Default: heads. */
    public MultiHeadAttentionBuilder kvHeads(int kvHeads) {
        if (kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("kvHeads: " + kvHeads + " does not divide heads " + heads
                    + " (grouped-query attention needs heads % kvHeads == 0)");
        }
        this.kvHeads = kvHeads;
        return this;
    }

    /** Width of the key/value input for cross-attention. Default: hidden. */
    public MultiHeadAttentionBuilder kvHidden(int kvHidden) {
        if (kvHidden < 1) {
            throw new IllegalArgumentException("kvHidden: must be at least 1, got " + kvHidden);
        }
        this.kvHidden = kvHidden;
        return this;
    }

    /** False forces the plain Java matmul for projections (tests; BLAS-free comparisons). */
    public MultiHeadAttentionBuilder useBlas(boolean useBlas) {
        this.useBlas = useBlas;
        return this;
    }

    /** Wq (hidden, heads·headDim), row-major. */
    public MultiHeadAttentionBuilder wq(float[] w) {
        return put(0, w);
    }

    /** Wk (kvHidden, kvHeads·headDim), row-major. */
    public MultiHeadAttentionBuilder wk(float[] w) {
        return put(1, w);
    }

    /** Wv (kvHidden, kvHeads·headDim), row-major. */
    public MultiHeadAttentionBuilder wv(float[] w) {
        return put(2, w);
    }

    /** Wo (heads·headDim, hidden), row-major. */
    public MultiHeadAttentionBuilder wo(float[] w) {
        return put(3, w);
    }

    public MultiHeadAttentionBuilder bq(float[] b) {
        return put(4, b);
    }

    public MultiHeadAttentionBuilder bk(float[] b) {
        return put(5, b);
    }

    public MultiHeadAttentionBuilder bv(float[] b) {
        return put(6, b);
    }

    public MultiHeadAttentionBuilder bo(float[] b) {
        return put(7, b);
    }

    /** Wq as a tensor (hidden, heads·headDim), any dtype and strides; copied now. */
    public MultiHeadAttentionBuilder wq(Tensor w) {
        values[0] = matrix(w, "wq", hidden, (long) heads * headDim, "[hidden, heads·headDim]");
        return this;
    }

    /** Wk as a tensor (kvHidden, kvHeads·headDim); copied now. Set kvHeads/kvHidden first. */
    public MultiHeadAttentionBuilder wk(Tensor w) {
        values[1] = matrix(w, "wk", kvHidden, (long) kvHeads * headDim, "[kvHidden, kvHeads·headDim]");
        return this;
    }

    /** Wv as a tensor (kvHidden, kvHeads·headDim); copied now. Set kvHeads/kvHidden first. */
    public MultiHeadAttentionBuilder wv(Tensor w) {
        values[2] = matrix(w, "wv", kvHidden, (long) kvHeads * headDim, "[kvHidden, kvHeads·headDim]");
        return this;
    }

    /** Wo as a tensor (heads·headDim, hidden); copied now. */
    public MultiHeadAttentionBuilder wo(Tensor w) {
        values[3] = matrix(w, "wo", (long) heads * headDim, hidden, "[heads·headDim, hidden]");
        return this;
    }

    public MultiHeadAttentionBuilder bq(Tensor b) {
        values[4] = vector(b, "bq");
        return this;
    }

    public MultiHeadAttentionBuilder bk(Tensor b) {
        values[5] = vector(b, "bk");
        return this;
    }

    public MultiHeadAttentionBuilder bv(Tensor b) {
        values[6] = vector(b, "bv");
        return this;
    }

    public MultiHeadAttentionBuilder bo(Tensor b) {
        values[7] = vector(b, "bo");
        return this;
    }

    public MultiHeadAttention build() {
        long q = (long) heads * headDim, kv = (long) kvHeads * headDim;
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("kvHeads: " + kvHeads + " does not divide heads " + heads);
        }
        requireLength(values[0], "wq", hidden, q, "[hidden, heads·headDim]", true);
        requireLength(values[1], "wk", kvHidden, kv, "[kvHidden, kvHeads·headDim]", true);
        requireLength(values[2], "wv", kvHidden, kv, "[kvHidden, kvHeads·headDim]", true);
        requireLength(values[3], "wo", q, hidden, "[heads·headDim, hidden]", true);
        requireLength(values[4], "bq", 1, q, "[heads·headDim]", false);
        requireLength(values[5], "bk", 1, kv, "[kvHeads·headDim]", false);
        requireLength(values[6], "bv", 1, kv, "[kvHeads·headDim]", false);
        requireLength(values[7], "bo", 1, hidden, "[hidden]", false);
        return new MultiHeadAttention(this);
    }

    private MultiHeadAttentionBuilder put(int slot, float[] v) {
        values[slot] = v == null ? null : v.clone();
        return this;
    }

    private static float[] matrix(Tensor w, String name, long rows, long cols, String shapeName) {
        if (w == null) {
            return null;
        }
        if (w.rank() != 2 || w.size(0) != rows || w.size(1) != cols) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(w.shape()) + " but must be "
                    + shapeName + " = [" + rows + ", " + cols + "] (weights are stored [in, out], used as x·W)");
        }
        Validation.requireUsable(w, name);
        return w.toFloatArray();
    }

    private static float[] vector(Tensor b, String name) {
        if (b == null) {
            return null;
        }
        if (b.rank() != 1) {
            throw new IllegalArgumentException(name + ": rank is " + b.rank() + " but a bias must be rank 1");
        }
        Validation.requireUsable(b, name);
        return b.toFloatArray();
    }

    private static void requireLength(float[] values, String name, long rows, long cols, String shapeName, boolean required) {
        if (values == null) {
            if (required) {
                throw new IllegalArgumentException(name + ": missing; it must be " + shapeName + " = [" + rows + ", " + cols + "]");
            }
            return;
        }
        if (values.length != rows * cols) {
            String shape = rows == 1 ? "[" + cols + "]" : "[" + rows + ", " + cols + "] = " + rows * cols + " values";
            throw new IllegalArgumentException(name + ": has " + values.length + " values but must be " + shapeName
                    + " = " + shape);
        }
    }
}

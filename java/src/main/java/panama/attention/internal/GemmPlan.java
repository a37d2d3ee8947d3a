package panama.attention.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one {@code cublasSgemmStridedBatched} call, exactly as cuBLAS reads them
 * (column-major, {@code C_p = alpha·op(A_p)·op(B_p) + beta·C_p} with {@code X_p = X + p·strideX}),
 * and the mapping of a row-major projection {@code y = x·W + b} onto them. Pure Java, no native
 * calls: {@code GemmPlanTest} replays the plans with a column-major reference sgemm on the CPU,
 * so the mapping is checked on machines without a GPU; {@link DeviceLinear} runs them.
 *
 * <p>Row-major X (rows × cols, row stride ld) is column-major Xᵀ (cols × rows, leading dimension
 * ld). So {@code y[rows × out] = x[rows × in]·W[in × out]} is computed as
 * {@code yᵀ (out × rows) = Wᵀ (out × in) · xᵀ (in × rows)}: A = W with lda = out, B = x with
 * ldb = x's row stride, both {@code N}, m = out, n = rows, k = in (the operands swap, as in
 * {@link CublasAttention}). The bias, when there is one, is a rank-1 product written first with
 * beta = 0: {@code yᵀ = b (out × 1) · onesᵀ (1 × rows)}; the main product then adds with beta = 1.
 * No extra kernel, and beta = 0 means the first call never reads what y held (NaN-safe).
 *
 * @param transA op(A) = Aᵀ (cuBLAS {@code CUBLAS_OP_T}) when true, else {@code CUBLAS_OP_N}
 * @param a which buffer A is
 * @param b which buffer B is
 * @param alpha always 1 here; kept so the record is the whole call
 */
public record GemmPlan(Operand a, Operand b, boolean transA, boolean transB, int m, int n, int k, float alpha,
        int lda, long strideA, int ldb, long strideB, float beta, int ldc, long strideC, int batchCount) {

    /** The buffers a projection's calls read; C is always the output y. */
    public enum Operand {
        /** W, [in, out] row-major, contiguous. */
        WEIGHT,
        /** x, as its {@link Layout} says. */
        INPUT,
        /** b, [out], contiguous. */
        BIAS,
        /** A vector of {@link #onesNeeded} ones, contiguous. */
        ONES
    }

    /**
     * Where the rows of a {@code [batch, seq, width]} F32 tensor lie, in elements: element
     * {@code (i, s, c)} is at {@code i·batchStride + s·rowStride + c} (the last dimension is
     * contiguous).
     */
    public record Layout(long batch, long seq, long width, long batchStride, long rowStride) {
        /**
         * The layout of a {@code [batch, seq, width]} tensor with strides {@code s0, s1, s2}, or an
         * IllegalArgumentException naming it when cuBLAS cannot address it: the last dimension must
         * be contiguous, rows that are read must not overlap within a batch entry (cuBLAS needs
         * ld ≥ width), and the rows of an output must all be distinct.
         */
        public static Layout of(String name, long batch, long seq, long width, long s0, long s1, long s2, boolean output) {
            if (batch < 1 || seq < 1 || width < 1) {
                throw new IllegalArgumentException(name + ": batch, seq and width must be at least 1");
            }
            if (s2 != 1 && width > 1) {
                throw new IllegalArgumentException(name + ": dimension 2 must be contiguous (stride 1) for cuBLAS, has stride " + s2);
            }
            if (seq > 1 && s1 < width) {
                throw new IllegalArgumentException(name + ": row stride " + s1 + " is below the width " + width
                        + " (rows overlap); cuBLAS needs a leading dimension of at least the width");
            }
            if (output) {
                // distinct elements: ordered by stride, each dimension's stride exceeds the span of those inside it
                long[][] dims = {{seq, s1}, {batch, s0}};
                if (s0 < s1) {
                    dims = new long[][] {{batch, s0}, {seq, s1}};
                }
                long span = width - 1;
                for (long[] d : dims) {
                    if (d[0] <= 1) {
                        continue;
                    }
                    if (d[1] <= span) {
                        throw new IllegalArgumentException(name + ": strides " + s0 + ", " + s1 + ", " + s2
                                + " make two elements share memory; an output needs distinct elements");
                    }
                    span += (d[0] - 1) * d[1];
                }
            }
            return new Layout(batch, seq, width, s0, s1);
        }

        /** A contiguous {@code [rows, width]} matrix. */
        public static Layout contiguous(long rows, long width) {
            return new Layout(1, rows, width, rows * width, width);
        }

        /**
         * The row stride when all {@code batch·seq} rows are evenly spaced and at least a width
         * apart (one GEMM over every row), else -1 (one GEMM per batch entry, batched).
         */
        long uniformStride() {
            if (batch == 1 && seq == 1) {
                return width;
            }
            if (seq == 1) {
                return batchStride >= width ? batchStride : -1;
            }
            return batch == 1 || batchStride == seq * rowStride ? rowStride : -1;
        }
    }

    /**
     * The calls for {@code y = x·W (+ b)}: {@code [bias, main]} with a bias, {@code [main]} without.
     *
     * @param x layout of x (batch, seq, in)
     * @param in input width = rows of W
     * @param out output width = columns of W
     * @param y layout of y (batch, seq, out); same batch and seq as x
     * @param bias whether a bias is added
     * @throws IllegalArgumentException when a size or leading dimension does not fit cuBLAS's 32-bit ints
     */
    public static List<GemmPlan> linear(Layout x, long in, long out, Layout y, boolean bias) {
        if (x.batch() != y.batch() || x.seq() != y.seq() || x.width() != in || y.width() != out) {
            throw new IllegalArgumentException("x " + x + " and y " + y + " do not match in " + in + ", out " + out);
        }
        long xs = x.uniformStride(), ys = y.uniformStride();
        boolean single = xs > 0 && ys > 0;
        long n = single ? x.batch() * x.seq() : x.seq();
        long ldx = single ? xs : (x.seq() == 1 ? in : x.rowStride());
        long ldy = single ? ys : (y.seq() == 1 ? out : y.rowStride());
        long sx = single ? 0 : x.batchStride();
        long sy = single ? 0 : y.batchStride();
        int count = single ? 1 : fit(x.batch(), "batch");
        List<GemmPlan> calls = new ArrayList<>(2);
        if (bias) {
            // yᵀ (out × n) = b (out × 1) · onesᵀ (1 × n); ones shared by every batch entry
            calls.add(new GemmPlan(Operand.BIAS, Operand.ONES, false, false, fit(out, "out"), fit(n, "rows"), 1, 1f,
                    fit(out, "out"), 0, 1, 0, 0f, fit(ldy, "y's row stride"), sy, count));
        }
        // yᵀ (out × n) = Wᵀ (out × in, ld out) · xᵀ (in × n, ld = x's row stride)
        calls.add(new GemmPlan(Operand.WEIGHT, Operand.INPUT, false, false, fit(out, "out"), fit(n, "rows"), fit(in, "in"), 1f,
                fit(out, "out"), 0, fit(ldx, "x's row stride"), sx, bias ? 1f : 0f, fit(ldy, "y's row stride"), sy, count));
        return calls;
    }

    /** How many ones the {@link Operand#ONES} vector needs to hold for this call (0 when unused). */
    public long onesNeeded() {
        return b == Operand.ONES ? n : 0;
    }

    private static int fit(long v, String what) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + v + " does not fit cuBLAS's 32-bit int arguments");
        }
        return (int) v;
    }
}

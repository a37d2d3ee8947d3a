package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.TileScheduler;

/**
 * Dense projections {@code C = A·W + bias} in fp32 over all rows at once, the way ONNX
 * {@code MatMul} stores its initializers: {@code W} is {@code [in, out]} row-major, so a row of A
 * times W is a row of C. Through OpenBLAS sgemm when it loads, else a plain Java loop (same
 * results to fp32 rounding, much slower). Work is split into row × column blocks on the
 * {@link TileScheduler} (OpenBLAS itself runs single-threaded here, see {@link OpenBlas}).
 *
 * <p>All memory is passed as raw addresses: worker threads may not touch a caller's confined
 * segments, and the caller keeps the memory alive until the call returns.
 */
public final class Linear {
    /** Rows per tile: 64 rows × up to {@code out} columns keeps an sgemm call large enough to reach its peak. */
    static final int BLOCK_ROWS = 64;

    private Linear() {
    }

    /** Null when projections run through BLAS, else why they fall back to Java. */
    public static String blasError() {
        return OpenBlas.error();
    }

    /**
     * {@code c[r, :] = a[r, :]·w + bias} for {@code r < rows}.
     *
     * @param a address of A (rows, in), row stride {@code lda} floats
     * @param w W (in, out), row-major, contiguous
     * @param bias (out) or null
     * @param c address of C (rows, out), row stride {@code ldc} floats; must not overlap A
     */
    public static void matmul(boolean blas, long a, long lda, long rows, long in, MemorySegment w,
                              MemorySegment bias, long c, long ldc, long out, TileScheduler scheduler) {
        if (rows == 0 || out == 0) {
            return;
        }
        long rowBlocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        // Few rows (decoding): split columns too, so every worker has a share of W to stream.
        long want = 2L * scheduler.threads();
        long colBlocks = rowBlocks >= want ? 1 : Math.min((want + rowBlocks - 1) / rowBlocks, Math.max(1, out / 64));
        long colBlock = ((out + colBlocks - 1) / colBlocks + 15) / 16 * 16;
        long cb = (out + colBlock - 1) / colBlock;
        long wAddr = w.address();
        long bAddr = bias == null ? 0 : bias.address();
        float[] wJava = blas ? null : w.toArray(ValueLayout.JAVA_FLOAT);
        float[] bJava = blas || bias == null ? null : bias.toArray(ValueLayout.JAVA_FLOAT);
        scheduler.run(rowBlocks * cb, (begin, end) -> {
            for (long t = begin; t < end; t++) {
                long r0 = (t / cb) * BLOCK_ROWS;
                long m = Math.min(BLOCK_ROWS, rows - r0);
                long j0 = (t % cb) * colBlock;
                long n = Math.min(colBlock, out - j0);
                if (blas) {
                    blasTile(a, lda, in, wAddr, bAddr, c, ldc, out, r0, m, j0, n);
                } else {
                    javaTile(a, lda, in, wJava, bJava, c, ldc, out, r0, m, j0, n);
                }
            }
        });
    }

    private static void blasTile(long a, long lda, long in, long w, long bias, long c, long ldc, long out,
                                 long r0, long m, long j0, long n) {
        long cTile = c + (r0 * ldc + j0) * Float.BYTES;
        float beta = 0f;
        if (bias != 0) {
            MemorySegment src = MemorySegment.ofAddress(bias + j0 * Float.BYTES).reinterpret(n * Float.BYTES);
            for (long r = 0; r < m; r++) {
                MemorySegment.copy(src, 0, MemorySegment.ofAddress(cTile + r * ldc * Float.BYTES).reinterpret(n * Float.BYTES),
                        0, n * Float.BYTES);
            }
            beta = 1f;
        }
        if (in == 0) {
            if (bias == 0) {
                for (long r = 0; r < m; r++) {
                    MemorySegment.ofAddress(cTile + r * ldc * Float.BYTES).reinterpret(n * Float.BYTES).fill((byte) 0);
                }
            }
            return;
        }
        OpenBlas.sgemm(false, false, m, n, in, 1f,
                MemorySegment.ofAddress(a + r0 * lda * Float.BYTES), lda,
                MemorySegment.ofAddress(w + j0 * Float.BYTES), out, beta,
                MemorySegment.ofAddress(cTile), ldc);
    }

    private static void javaTile(long a, long lda, long in, float[] w, float[] bias, long c, long ldc, long out,
                                 long r0, long m, long j0, long n) {
        int k = (int) in;
        int cols = (int) n;
        int jo = (int) j0;
        int o = (int) out;
        float[] row = new float[k];
        float[] acc = new float[cols];
        for (long r = r0; r < r0 + m; r++) {
            MemorySegment.copy(MemorySegment.ofAddress(a + r * lda * Float.BYTES).reinterpret((long) k * Float.BYTES),
                    ValueLayout.JAVA_FLOAT, 0, row, 0, k);
            if (bias == null) {
                java.util.Arrays.fill(acc, 0f);
            } else {
                System.arraycopy(bias, jo, acc, 0, cols);
            }
            for (int i = 0; i < k; i++) {
                float x = row[i];
                int base = i * o + jo;
                for (int j = 0; j < cols; j++) {
                    acc[j] += x * w[base + j];
                }
            }
            MemorySegment.copy(acc, 0, MemorySegment.ofAddress(c + (r * ldc + j0) * Float.BYTES)
                    .reinterpret((long) cols * Float.BYTES), ValueLayout.JAVA_FLOAT, 0, cols);
        }
    }
}

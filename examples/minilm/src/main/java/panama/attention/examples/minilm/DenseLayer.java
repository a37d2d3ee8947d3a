package panama.attention.examples.minilm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.bindings.cblas_h;

/**
 * A dense layer {@code y = x·W + b} with W stored {@code [in, out]} row-major (as ONNX MatMul keeps
 * its initializers), its weights off-heap so that OpenBLAS's sgemm reads them in place. The same
 * OpenBLAS the library loads for {@code MultiHeadAttention}'s projections serves it (the library
 * runs it single-threaded; callers parallelise over row blocks); without OpenBLAS a plain Java loop
 * gives the same results to fp32 rounding.
 */
final class DenseLayer {
    final int in;
    final int out;
    private final MemorySegment weight;
    private final MemorySegment bias;
    private final boolean blas;
    /** Heap copies for the Java loop, kept only when OpenBLAS is missing. */
    private final float[] weightJava;
    private final float[] biasJava;

    DenseLayer(float[] w, float[] b, int in, int out, Arena arena, boolean blas) {
        if (w.length != (long) in * out) {
            throw new IllegalArgumentException("weight has " + w.length + " values, expected " + in + "x" + out);
        }
        if (b != null && b.length != out) {
            throw new IllegalArgumentException("bias has " + b.length + " values, expected " + out);
        }
        this.in = in;
        this.out = out;
        this.weight = arena.allocateFrom(ValueLayout.JAVA_FLOAT, w);
        this.bias = b == null ? null : arena.allocateFrom(ValueLayout.JAVA_FLOAT, b);
        this.blas = blas;
        this.weightJava = blas ? null : w;
        this.biasJava = blas ? null : b;
    }

    /**
     * {@code y[r] = x[r]·W + b} for rows {@code [r0, r0 + m)}; x has {@code in} floats a row and y
     * {@code out}, both contiguous.
     */
    void forward(MemorySegment x, MemorySegment y, long r0, long m) {
        if (m == 0) {
            return;
        }
        long yRow = (long) out * Float.BYTES;
        for (long r = r0; r < r0 + m; r++) {
            if (bias != null) {
                MemorySegment.copy(bias, 0, y, r * yRow, yRow);
            } else {
                y.asSlice(r * yRow, yRow).fill((byte) 0);
            }
        }
        if (blas) {
            cblas_h.cblas_sgemm(cblas_h.CblasRowMajor(), cblas_h.CblasNoTrans(), cblas_h.CblasNoTrans(),
                    Math.toIntExact(m), out, in, 1f,
                    x.asSlice(r0 * in * Float.BYTES), in, weight, out, 1f,
                    y.asSlice(r0 * yRow), out);
        } else {
            javaForward(x, y, r0, m);
        }
    }

    private void javaForward(MemorySegment x, MemorySegment y, long r0, long m) {
        float[] row = new float[in];
        float[] acc = new float[out];
        for (long r = r0; r < r0 + m; r++) {
            MemorySegment.copy(x, ValueLayout.JAVA_FLOAT, r * in * Float.BYTES, row, 0, in);
            if (biasJava == null) {
                java.util.Arrays.fill(acc, 0f);
            } else {
                System.arraycopy(biasJava, 0, acc, 0, out);
            }
            for (int i = 0; i < in; i++) {
                float a = row[i];
                int wo = i * out;
                for (int j = 0; j < out; j++) {
                    acc[j] += a * weightJava[wo + j];
                }
            }
            MemorySegment.copy(acc, 0, y, ValueLayout.JAVA_FLOAT, r * out * Float.BYTES, out);
        }
    }
}

package panama.attention.examples.minilm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.bindings.cblas_h;
import panama.attention.internal.PackedLinear;

/**
 * A dense layer {@code y = x·W + b}, optionally followed by GELU, with W stored {@code [in, out]}
 * row-major (as ONNX MatMul keeps its initializers). Three ways, best first:
 * <ol>
 *   <li>libpanattn's packed matrix product ({@link PackedLinear}): W packed once, AVX-512 where
 *       the CPU has it whatever {@code OPENBLAS_CORETYPE} says, GELU fused into the product;</li>
 *   <li>OpenBLAS sgemm (the one the library loads for {@code MultiHeadAttention}), then
 *       {@link Gelu};</li>
 *   <li>a plain Java loop, then {@link Gelu}.</li>
 * </ol>
 * All give the same results to fp32 rounding. Callers parallelise over row blocks.
 */
final class DenseLayer {
    final int in;
    final int out;
    /** The packed product, or null when libpanattn is off. */
    private final PackedLinear packed;
    /** sgemm's operands, kept only when the packed product is off and OpenBLAS is on. */
    private final MemorySegment weight;
    private final MemorySegment bias;
    /** Heap copies for the Java loop, kept only when neither native path is on. */
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
        this.packed = PackedLinear.error() == null ? new PackedLinear(w, b, in, out, arena) : null;
        boolean useBlas = packed == null && blas;
        this.weight = useBlas ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, w) : null;
        this.bias = useBlas && b != null ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, b) : null;
        boolean java = packed == null && !blas;
        this.weightJava = java ? w : null;
        this.biasJava = java ? b : null;
    }

    /** Which path runs: for the model's description. */
    String path() {
        return packed != null ? "libpanattn packed" : weight != null ? "OpenBLAS" : "Java";
    }

    /**
     * {@code y[r] = x[r]·W + b} (then GELU when {@code gelu}) for rows {@code [r0, r0 + m)}; x has
     * {@code in} floats a row and y {@code out}, both contiguous.
     */
    void forward(MemorySegment x, MemorySegment y, long r0, long m, boolean gelu) {
        if (m == 0) {
            return;
        }
        if (packed != null) {
            packed.forward(x, y, r0, m, gelu ? PackedLinear.Activation.GELU_ERF : PackedLinear.Activation.NONE);
            return;
        }
        if (weight != null) {
            blasForward(x, y, r0, m);
        } else {
            javaForward(x, y, r0, m);
        }
        if (gelu) {
            Gelu.apply(y, r0 * out, m * out);
        }
    }

    private void blasForward(MemorySegment x, MemorySegment y, long r0, long m) {
        long yRow = (long) out * Float.BYTES;
        for (long r = r0; r < r0 + m; r++) {
            if (bias != null) {
                MemorySegment.copy(bias, 0, y, r * yRow, yRow);
            } else {
                y.asSlice(r * yRow, yRow).fill((byte) 0);
            }
        }
        cblas_h.cblas_sgemm(cblas_h.CblasRowMajor(), cblas_h.CblasNoTrans(), cblas_h.CblasNoTrans(),
                Math.toIntExact(m), out, in, 1f,
                x.asSlice(r0 * in * Float.BYTES), in, weight, out, 1f,
                y.asSlice(r0 * yRow), out);
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

package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.bindings.panattn_h;

/**
 * A dense layer {@code y = act(x·W + b)} on libpanattn's packed matrix product
 * ({@code panattn_linear}): W ({@code [in, out]} row-major, as ONNX MatMul stores it) is packed once
 * into the given arena, in the column panels the AVX-512 / AVX2 / portable micro-kernels read, and
 * every call computes a range of rows of y on the calling thread. Unlike OpenBLAS under a
 * {@code OPENBLAS_CORETYPE} that caps it at AVX2, it uses the widest vectors the CPU has, and it
 * can fuse BERT's exact-erf GELU into the product so the activations are written once.
 *
 * <p>Immutable after construction; any number of threads may call {@link #forward} at once on
 * disjoint rows of y. The arena must outlive the layer.
 */
public final class PackedLinear {
    /** What is applied to every output element after the bias. */
    public enum Activation {
        NONE,
        /** {@code 0.5·x·(1 + erf(x/√2))}, BERT's exact GELU. */
        GELU_ERF
    }

    private final int in;
    private final int out;
    private final MemorySegment packed;
    private final MemorySegment bias;

    /**
     * Packs {@code w} ({@code in × out}, row-major) and copies {@code b} ({@code out}, or null) into
     * {@code arena}.
     *
     * @throws AttentionException when libpanattn is not available (see {@link #error()})
     */
    public PackedLinear(float[] w, float[] b, int in, int out, Arena arena) {
        Natives.requireCpu();
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("in and out must be positive, got " + in + " and " + out);
        }
        if (w.length != (long) in * out) {
            throw new IllegalArgumentException("weight has " + w.length + " values, expected " + in + "x" + out);
        }
        if (b != null && b.length != out) {
            throw new IllegalArgumentException("bias has " + b.length + " values, expected " + out);
        }
        this.in = in;
        this.out = out;
        long bytes;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment size = call.allocate(ValueLayout.JAVA_LONG);
            check(panattn_h.panattn_linear_packed_bytes(in, out, size), "panattn_linear_packed_bytes");
            bytes = size.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment weights = call.allocateFrom(ValueLayout.JAVA_FLOAT, w);
            this.packed = arena.allocate(bytes, 64);
            check(panattn_h.panattn_linear_pack(weights, in, out, out, packed, bytes), "panattn_linear_pack");
        }
        this.bias = b == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_FLOAT, b);
    }

    /** Null when libpanattn is loaded (and this class works), else why not. */
    public static String error() {
        return Natives.cpuError();
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /**
     * {@code y[r] = act(x[r]·W + b)} for rows {@code [r0, r0 + m)}, x with {@code in} floats a row
     * and y with {@code out}, both contiguous from row 0. x and y must be native segments (the
     * worker threads of a shared arena may call) and must not overlap.
     */
    public void forward(MemorySegment x, MemorySegment y, long r0, long m, Activation activation) {
        if (r0 < 0 || m < 0) {
            throw new IllegalArgumentException("rows [" + r0 + ", " + r0 + " + " + m + ") are negative");
        }
        if (m == 0) {
            return;
        }
        long end = r0 + m;
        // The native side cannot see segment bounds: check that both cover the rows asked for.
        if (x.byteSize() < end * in * Float.BYTES) {
            throw new IllegalArgumentException("x holds " + x.byteSize() + " bytes, rows up to " + end + " of " + in
                    + " floats need " + end * in * Float.BYTES);
        }
        if (y.byteSize() < end * out * Float.BYTES) {
            throw new IllegalArgumentException("y holds " + y.byteSize() + " bytes, rows up to " + end + " of " + out
                    + " floats need " + end * out * Float.BYTES);
        }
        int act = activation == Activation.GELU_ERF ? panattn_h.PANATTN_ACT_GELU_ERF() : panattn_h.PANATTN_ACT_NONE();
        check(panattn_h.panattn_linear(x, in, packed, in, out, bias, act, y, out, r0, end, panattn_h.PANATTN_ISA_AUTO()),
                "panattn_linear");
    }

    private static void check(int status, String call) {
        if (status != panattn_h.PANATTN_OK()) {
            String msg = panattn_h.panattn_last_error().getString(0);
            throw new AttentionException(status, call + " failed (" + NativeStatus.name(status) + "): " + msg);
        }
    }
}

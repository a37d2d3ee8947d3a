package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.bindings.cublas_h;
import panama.attention.bindings.panattn_cuda_h;

/**
 * Projections {@code y = x·W + b} on one CUDA device with cuBLAS fp32 sgemm, for the calls of one
 * thread: a cuBLAS handle on the calling thread's stream (cudaStreamPerThread, the stream our
 * kernels use), and a device vector of ones for the rank-1 bias product. The argument mapping is
 * {@link GemmPlan}'s; this class only hands the plans to {@code cublasSgemmStridedBatched}.
 * Default math mode: true fp32 products (no TF32), as {@link Linear} computes them on the CPU.
 *
 * <p>Not thread-safe (a cuBLAS handle must not be shared by threads at once); open one per call.
 * Every status is checked and turned into an {@link AttentionException} with the error name.
 */
public final class DeviceLinear implements AutoCloseable {
    private final int device;
    private final long ones;
    private final long onesCount;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment alphaOne;
    private final MemorySegment betaZero;
    private final MemorySegment betaOne;
    private CuBlas.Handle handle;

    /**
     * @param device the CUDA ordinal every pointer passed to {@link #project} lives on
     * @param maxRows the most rows (batch·seq) a biased projection will cover
     */
    public DeviceLinear(int device, long maxRows) {
        String err = CuBlas.error();
        if (err != null) {
            throw new AttentionException(panama.attention.bindings.panattn_h.PANATTN_ERR_UNSUPPORTED(),
                    "cuBLAS projections on cuda:" + device + ": " + err);
        }
        this.device = device;
        this.onesCount = Math.max(1, maxRows);
        alphaOne = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        betaZero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
        betaOne = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        long o = 0;
        try {
            // the allocation also makes `device` current, so the handle is created on it
            o = Cuda.malloc(device, onesCount * Float.BYTES);
            MemorySegment host = arena.allocate(onesCount * Float.BYTES, 64);
            host.fill((byte) 0);
            for (long i = 0; i < onesCount; i++) {
                host.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f);
            }
            Cuda.memcpy(device, o, host.address(), host.byteSize(), Cuda.THREAD_STREAM);
            handle = new CuBlas.Handle();
        } catch (RuntimeException e) {
            if (o != 0) {
                try {
                    Cuda.free(device, o);
                } catch (RuntimeException f) {
                    e.addSuppressed(f);
                }
            }
            arena.close();
            throw e;
        }
        this.ones = o;
    }

    /**
     * {@code y = x·W + b} with device addresses; queued on the thread's stream, not waited for.
     *
     * @param x device address of x, laid out as {@code xl} says (batch, seq, in)
     * @param w device address of W (in, out), row-major, contiguous
     * @param bias device address of b (out), or 0 for none
     * @param y device address of y, laid out as {@code yl} says (batch, seq, out); must not overlap x or W
     * @param what names the projection in error messages ("Q projection")
     */
    public void project(long x, GemmPlan.Layout xl, long w, long bias, long y, GemmPlan.Layout yl, String what) {
        for (GemmPlan p : GemmPlan.linear(xl, xl.width(), yl.width(), yl, bias != 0)) {
            if (p.onesNeeded() > onesCount) {
                throw new IllegalStateException(what + ": needs " + p.onesNeeded() + " ones, this DeviceLinear holds " + onesCount);
            }
            long a = address(p.a(), x, w, bias);
            long b = address(p.b(), x, w, bias);
            CuBlas.check(cublas_h.cublasSgemmStridedBatched(handle.handle,
                    p.transA() ? cublas_h.CUBLAS_OP_T() : cublas_h.CUBLAS_OP_N(),
                    p.transB() ? cublas_h.CUBLAS_OP_T() : cublas_h.CUBLAS_OP_N(),
                    p.m(), p.n(), p.k(), alphaOne,
                    MemorySegment.ofAddress(a), p.lda(), p.strideA(),
                    MemorySegment.ofAddress(b), p.ldb(), p.strideB(),
                    p.beta() == 0f ? betaZero : betaOne,
                    MemorySegment.ofAddress(y), p.ldc(), p.strideC(), p.batchCount()),
                    "cublasSgemmStridedBatched (" + what + (p.a() == GemmPlan.Operand.BIAS ? " bias" : "") + ")");
        }
    }

    private long address(GemmPlan.Operand op, long x, long w, long bias) {
        return switch (op) {
            case INPUT -> x;
            case WEIGHT -> w;
            case BIAS -> bias;
            case ONES -> ones;
        };
    }

    /** Waits for everything queued on the calling thread's stream. */
    public void synchronize() {
        Cuda.check(panattn_cuda_h.panattn_cuda_stream_synchronize(device, Cuda.THREAD_STREAM), "cudaStreamSynchronize");
    }

    /** Waits for the stream (so nothing queued still reads the ones), then frees the ones and the handle. */
    @Override
    public void close() {
        RuntimeException first = null;
        try {
            synchronize();
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            handle.close();
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            Cuda.free(device, ones);
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        arena.close();
        if (first != null) {
            throw first;
        }
    }
}

package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.bindings.cublas_h;
import panama.attention.bindings.panattn_cuda_h;

/**
 * The unfused GPU path: for each (batch b, kv head) group of {@code heads / kvHeads} query heads,
 * {@code S = Q·Kᵀ} with one strided-batched cuBLAS gemm (fp32 scores; K's batch stride 0 shares
 * it across the group), our masked-softmax kernel ({@code panattn_cuda_masked_softmax}: scale,
 * mask, causal, key lengths, LSE; P in place in fp32 plus a copy in the input dtype), then
 * {@code O = P·V} with a second gemm over the batch entry's valid keys only (the V of keys past
 * its key length is never read: 0 · NaN would leak). Materialises group × Lq × Lk scores; hands
 * back the probabilities when {@link Problem#probabilities()} is set. Device tensors only.
 * {@link Backends} runs it for {@link panama.attention.Backend#CUDA} calls that ask for
 * probabilities.
 *
 * <p>Row-major X is column-major Xᵀ, so with lda = the row stride: S (Lq×Lk) is computed as
 * Sᵀ = K·Qᵀ (op(A) = T on K, op(B) = N on Q), O (Lq×d) as Oᵀ = Vᵀ·Pᵀ (both N).
 */
public final class CublasAttention {
    private CublasAttention() {
    }

    /** Null when the unfused path can run p here, else why not. */
    public static String unsupported(Problem p) {
        String why = CudaKernel.unsupported(p);
        if (why != null) {
            return why;
        }
        if (!CudaKernel.anyOnDevice(p)) {
            return "the unfused cuBLAS path (the one that returns probabilities) takes device tensors only "
                    + "(allocate them with a DeviceArena)";
        }
        why = CuBlas.error();
        if (why != null) {
            return "cuBLAS is not available: " + why;
        }
        if (p.seqQ() > Integer.MAX_VALUE || p.seqK() > Integer.MAX_VALUE
                || p.q().stride(2) > Integer.MAX_VALUE || p.k().stride(2) > Integer.MAX_VALUE
                || p.v().stride(2) > Integer.MAX_VALUE || p.out().stride(2) > Integer.MAX_VALUE) {
            return "sizes or row strides do not fit cuBLAS's 32-bit ints";
        }
        Tensor probs = p.probabilities();
        if (probs != null) {
            if (!probs.isOnDevice() || !probs.device().equals(p.q().device())) {
                return "probabilities live on " + probs.device() + " but q on " + p.q().device()
                        + "; put them on the same device";
            }
            if (!probs.isContiguous()) {
                // the softmax kernel writes whole [seqQ, seqK] blocks of (batch, head)
                return "probabilities must be a contiguous device tensor [batch, heads, seqQ, seqK], got " + probs;
            }
        }
        return null;
    }

    public static void run(Problem p) {
        Cuda.requirePlatformThread("attention through cuBLAS (probabilities on CUDA)");
        String why = unsupported(p);
        if (why != null) {
            throw new AttentionException(panama.attention.bindings.panattn_h.PANATTN_ERR_UNSUPPORTED(),
                    "CUDA (cuBLAS, unfused) cannot run this call: " + why);
        }
        final long probs = p.probabilities() == null ? 0 : p.probabilities().segment().address();
        final int dev = p.q().device().ordinal();
        final int g = (int) (p.heads() / p.kvHeads());
        final long lq = p.seqQ(), lk = p.seqK(), d = p.headDim();
        final long groupScores = g * lq * lk;
        final int es = p.dtype().byteSize();
        long scratch = 0, keyLengths = 0;
        try (Arena arena = Arena.ofConfined(); CuBlas.Handle h = new CuBlas.Handle()) {
            if (p.keyLengths() != null) {
                MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_INT, p.keyLengths());
                keyLengths = Cuda.malloc(dev, host.byteSize());
                Cuda.memcpy(dev, keyLengths, host.address(), host.byteSize(), Cuda.THREAD_STREAM);
            }
            MemorySegment params = KernelParams.fill(p, arena, MemorySegment.ofAddress(keyLengths));
            // scratch: fp32 scores (when no probs buffer is given) + P in the input dtype (F16/BF16)
            long scoreBytes = probs == 0 ? groupScores * 4 : 0;
            long lowpBytes = p.dtype() == DType.F32 ? 0 : groupScores * es;
            if (scoreBytes + lowpBytes > 0) {
                scratch = Cuda.malloc(dev, scoreBytes + lowpBytes);
            }
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
            MemorySegment zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
            int type = switch (p.dtype()) {
                case F32 -> cublas_h.CUDA_R_32F();
                case F16 -> cublas_h.CUDA_R_16F();
                case BF16 -> cublas_h.CUDA_R_16BF();
            };
            Tensor q = p.q(), k = p.k(), v = p.v(), o = p.out();
            for (long b = 0; b < p.batch(); b++) {
                // P·V reads the keys of [0, keyLength): beyond, P is 0 but V may hold NaN/inf
                long keys = p.keyLength(b);
                for (long hk = 0; hk < p.kvHeads(); hk++) {
                    long h0 = hk * g;
                    long s = probs != 0 ? probs + ((b * p.heads() + h0) * lq * lk) * 4 : scratch;
                    long lowp = p.dtype() == DType.F32 ? 0 : scratch + scoreBytes;
                    long qp = q.segment().address() + (b * q.stride(0) + h0 * q.stride(1)) * es;
                    long kp = k.segment().address() + (b * k.stride(0) + hk * k.stride(1)) * es;
                    long vp = v.segment().address() + (b * v.stride(0) + hk * v.stride(1)) * es;
                    long op = o.segment().address() + (b * o.stride(0) + h0 * o.stride(1)) * es;
                    // S^T (Lk x Lq, ld Lk) = K (op T) . Q^T, batched over the g heads (K shared: stride 0)
                    CuBlas.check(cublas_h.cublasGemmStridedBatchedEx(h.handle, cublas_h.CUBLAS_OP_T(), cublas_h.CUBLAS_OP_N(),
                            (int) lk, (int) lq, (int) d, one,
                            MemorySegment.ofAddress(kp), type, (int) k.stride(2), 0L,
                            MemorySegment.ofAddress(qp), type, (int) q.stride(2), q.stride(1),
                            zero, MemorySegment.ofAddress(s), cublas_h.CUDA_R_32F(), (int) lk, lq * lk,
                            g, cublas_h.CUBLAS_COMPUTE_32F(), cublas_h.CUBLAS_GEMM_DEFAULT()), "cublasGemmStridedBatchedEx (Q.K^T)");
                    Cuda.check(panattn_cuda_h.panattn_cuda_masked_softmax(params, dev, MemorySegment.ofAddress(s),
                            lowp == 0 ? MemorySegment.NULL : MemorySegment.ofAddress(lowp), b, 1, h0, g, Cuda.THREAD_STREAM),
                            "panattn_cuda_masked_softmax");
                    long pp = lowp == 0 ? s : lowp;
                    if (keys == 0) {
                        zeroRows(dev, o, op, g, lq, d, es); // rows that see no key
                        continue;
                    }
                    // O^T (d x Lq, ld = out row stride) = V^T (first `keys` keys) . P^T
                    CuBlas.check(cublas_h.cublasGemmStridedBatchedEx(h.handle, cublas_h.CUBLAS_OP_N(), cublas_h.CUBLAS_OP_N(),
                            (int) d, (int) lq, (int) keys, one,
                            MemorySegment.ofAddress(vp), type, (int) v.stride(2), 0L,
                            MemorySegment.ofAddress(pp), type, (int) lk, lq * lk,
                            zero, MemorySegment.ofAddress(op), type, (int) o.stride(2), o.stride(1),
                            g, cublas_h.CUBLAS_COMPUTE_32F(), cublas_h.CUBLAS_GEMM_DEFAULT()), "cublasGemmStridedBatchedEx (P.V)");
                }
            }
            Cuda.check(panattn_cuda_h.panattn_cuda_stream_synchronize(dev, Cuda.THREAD_STREAM), "cudaStreamSynchronize");
        } finally {
            if (scratch != 0) {
                Cuda.free(dev, scratch);
            }
            if (keyLengths != 0) {
                Cuda.free(dev, keyLengths);
            }
        }
    }

    /**
     * Zeros the out rows of g heads from device address {@code op}: one memset per head when its
     * rows are packed, else per row (only batch entries with key length 0 come here).
     */
    private static void zeroRows(int dev, Tensor o, long op, int g, long lq, long d, int es) {
        for (long hh = 0; hh < g; hh++) {
            long head = op + hh * o.stride(1) * es;
            if (o.stride(2) == d || lq == 1) {
                Cuda.memset(dev, head, 0, lq * d * es, Cuda.THREAD_STREAM);
                continue;
            }
            for (long i = 0; i < lq; i++) {
                Cuda.memset(dev, head + i * o.stride(2) * es, 0, d * es, Cuda.THREAD_STREAM);
            }
        }
    }

    /** "libcublas.so.12 at …" or why cuBLAS is off. */
    public static String describe() {
        String err = CuBlas.error();
        return err == null ? "cuBLAS " + CuBlas.path() : err;
    }
}

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
 * {@code O = P·V} with a second gemm. Materialises group × Lq × Lk scores; can hand back the
 * probabilities. Device tensors only.
 *
 * <p>Row-major X is column-major Xᵀ, so with lda = the row stride: S (Lq×Lk) is computed as
 * Sᵀ = K·Qᵀ (op(A) = T on K, op(B) = N on Q), O (Lq×d) as Oᵀ = Vᵀ·Pᵀ (both N).
 */
public final class CublasAttention {
    private CublasAttention() {
    }

    /**
     * @param probs null, or the device address of an F32 (batch, heads, seqQ, seqK) contiguous buffer
     *     that receives the attention probabilities
     */
    public static void run(Problem p, long probs) {
        String why = CudaKernel.unsupported(p);
        if (why == null && !CudaKernel.anyOnDevice(p)) {
            why = "the unfused cuBLAS path takes device tensors only (allocate them with a DeviceArena)";
        }
        if (why == null) {
            why = CuBlas.error();
        }
        if (why == null && (p.seqQ() > Integer.MAX_VALUE || p.seqK() > Integer.MAX_VALUE
                || p.q().stride(2) > Integer.MAX_VALUE || p.k().stride(2) > Integer.MAX_VALUE
                || p.v().stride(2) > Integer.MAX_VALUE || p.out().stride(2) > Integer.MAX_VALUE)) {
            why = "sizes or row strides do not fit cuBLAS's 32-bit ints";
        }
        if (why != null) {
            throw new AttentionException("CUDA (cuBLAS, unfused) cannot run this call: " + why);
        }
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
                    // O^T (d x Lq, ld = out row stride) = V^T . P^T
                    CuBlas.check(cublas_h.cublasGemmStridedBatchedEx(h.handle, cublas_h.CUBLAS_OP_N(), cublas_h.CUBLAS_OP_N(),
                            (int) d, (int) lq, (int) lk, one,
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

    /** "libcublas.so.12 at …" or why cuBLAS is off. */
    public static String describe() {
        String err = CuBlas.error();
        return err == null ? "cuBLAS " + CuBlas.path() : err;
    }
}

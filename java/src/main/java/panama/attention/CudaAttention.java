package panama.attention;

import panama.attention.internal.CublasAttention;
import panama.attention.internal.Cuda;
import panama.attention.internal.CuBlas;
import panama.attention.internal.Problem;
import panama.attention.internal.Validation;

/**
 * GPU-only entry points beyond {@link Attention#sdpa}: the unfused cuBLAS path, which also returns
 * the attention probabilities (for inspection, or an exact comparison with the fused kernels).
 * cuBLAS is loaded at run time ({@code $PANATTN_CUBLAS_PATH}, the CUDA toolkit folders, or
 * PyTorch's {@code nvidia/cublas/lib}); nothing here is needed by {@link Backend#CUDA}.
 */
public final class CudaAttention {
    private CudaAttention() {
    }

    /**
     * {@code out = softmax(scale·Q·Kᵀ + mask)·V} through cuBLAS gemms and our masked-softmax kernel,
     * with every option of {@link AttentionOptions} (its backend field is ignored).
     *
     * @param probs null, or an F32 contiguous device tensor {@code [batch, heads, seqQ, seqK]} that
     *     receives the probabilities (rows that see no key are all 0)
     * @throws AttentionException when CUDA or cuBLAS is unavailable (with the reason) or the tensors
     *     are not all on one device
     * @throws IllegalStateException on a virtual thread (its calls share the OS thread's CUDA stream)
     */
    public static void unfused(Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions options, Tensor probs) {
        DeviceArena.requirePlatformThread("CudaAttention.unfused");
        Problem p = Validation.check(q, k, v, out, options);
        long probsAddress = 0;
        if (probs != null) {
            long[] want = {p.batch(), p.heads(), p.seqQ(), p.seqK()};
            if (!probs.isOnDevice() || !probs.device().equals(q.device()) || probs.dtype() != DType.F32
                    || !java.util.Arrays.equals(probs.shape(), want) || !probs.isContiguous()) {
                throw new IllegalArgumentException("probs: must be a contiguous F32 device tensor of shape "
                        + java.util.Arrays.toString(want) + " on " + q.device() + ", got " + probs);
            }
            Validation.requireUsable(probs, "probs");
            probsAddress = probs.segment().address();
        }
        try (DeviceArena.Pin pin = DeviceArena.pin(q, k, v, out, options.lse(), options.mask(), probs)) {
            CublasAttention.run(p, probsAddress);
        }
    }

    /** Null when the unfused path can run here (CUDA and cuBLAS loaded), else why not. */
    public static String unfusedUnavailable() {
        String err = Cuda.error();
        return err != null ? err : CuBlas.error();
    }
}

package panama.attention;

import panama.attention.internal.CublasAttention;
import panama.attention.internal.Cuda;
import panama.attention.internal.CuBlas;
import panama.attention.internal.Problem;
import panama.attention.internal.Validation;

/**
 * GPU-only entry points beyond {@link Attention#sdpa}: the unfused cuBLAS path, which also returns
 * the attention probabilities (for inspection, or an exact comparison with the fused kernels).
 * {@link Attention#sdpa} takes the same path for {@link Backend#CUDA} when
 * {@link AttentionOptions#probabilities()} is set; {@link #unfused} also runs it without them.
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
        if (options == null) {
            throw new NullPointerException("options must not be null (use AttentionOptions.defaults())");
        }
        if (probs != null && q != null && (!probs.isOnDevice() || !probs.device().equals(q.device())
                || !probs.isContiguous())) {
            throw new IllegalArgumentException("probs: must be a contiguous F32 device tensor [batch, heads, seqQ, seqK] on "
                    + q.device() + ", got " + probs);
        }
        // the same call as Attention.sdpa with the probabilities option on CUDA, whose cuBLAS path this is
        Problem p = Validation.check(q, k, v, out, options.toBuilder().probabilities(probs).build());
        try (DeviceArena.Pin pin = DeviceArena.pin(q, k, v, out, options.lse(), options.mask(), probs)) {
            CublasAttention.run(p);
        }
    }

    /** Null when the unfused path can run here (CUDA and cuBLAS loaded), else why not. */
    public static String unfusedUnavailable() {
        String err = Cuda.error();
        return err != null ? err : CuBlas.error();
    }
}

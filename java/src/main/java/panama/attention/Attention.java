package panama.attention;

import java.lang.foreign.Arena;
import java.util.List;
import panama.attention.internal.Backends;
import panama.attention.internal.Problem;
import panama.attention.internal.Validation;

/**
 * Scaled dot-product attention, {@code out = softmax(scale·Q·Kᵀ + mask)·V}, on off-heap tensors.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined()) {
 *     Tensor q = Tensor.allocate(arena, DType.F32, 1, 8, 1024, 64);   // [batch, heads, seq, headDim]
 *     Tensor k = Tensor.allocate(arena, DType.F32, 1, 8, 1024, 64);
 *     Tensor v = Tensor.allocate(arena, DType.F32, 1, 8, 1024, 64);
 *     Tensor out = Tensor.allocate(arena, DType.F32, 1, 8, 1024, 64);
 *     Attention.sdpa(q, k, v, out, AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT).build());
 * }
 * }</pre>
 *
 * <p>Every argument is validated before any native call; a bad one throws
 * {@link IllegalArgumentException} naming the tensor and dimension (or {@link IllegalStateException}
 * for a closed arena or another thread's confined memory). Backend failures throw
 * {@link AttentionException}. Thread-safe: any number of threads may call at once; CPU backends
 * share the workers of the {@link TileScheduler}.
 */
public final class Attention {
    private Attention() {
    }

    /**
     * Computes attention into {@code out} (and the log-sum-exp into {@code options.lse()}, the
     * probabilities into {@code options.probabilities()}, when set).
     *
     * @param q (batch, heads, Lq, headDim)
     * @param k (batch, kvHeads, Lk, headDim); kvHeads divides heads (grouped-query attention)
     * @param v (batch, kvHeads, Lk, headDim)
     * @param out (batch, heads, Lq, headDim), same dtype as q, not overlapping the inputs
     * @return the backend that ran the call
     */
    public static Backend sdpa(Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions options) {
        Problem p = Validation.check(q, k, v, out, options);
        Backend b = Backends.resolve(options.backend(), p);
        // device tensors: their DeviceArenas refuse to close until the kernels are done
        try (DeviceArena.Pin pin = DeviceArena.pin(q, k, v, out, options.lse(), options.mask(), options.probabilities())) {
            Backends.run(b, p);
        }
        return b;
    }

    /** Like {@link #sdpa(Tensor, Tensor, Tensor, Tensor, AttentionOptions)}, allocating out in arena. */
    public static Tensor sdpa(Tensor q, Tensor k, Tensor v, AttentionOptions options, Arena arena) {
        if (q == null) {
            throw new NullPointerException("q must not be null");
        }
        Tensor out = Tensor.allocate(arena, q.dtype(), q.shape());
        sdpa(q, k, v, out, options);
        return out;
    }

    /** The backend AUTO (or the forced one) would use for this call, without running it. */
    public static Backend select(Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions options) {
        return Backends.resolve(options.backend(), Validation.check(q, k, v, out, options));
    }

    /** Every backend, whether it is available here and, when it is not, why. */
    public static List<BackendStatus> backends() {
        return Backends.statuses();
    }

    /** FLOPs of the two matrix products of a call: {@code 4·B·H·Lq·Lk·d}, halved for causal. */
    public static double flops(long batch, long heads, long seqQ, long seqK, long headDim, CausalMode causal) {
        double f = 4.0 * batch * heads * seqQ * seqK * headDim;
        return causal == CausalMode.NONE ? f : f / 2;
    }
}

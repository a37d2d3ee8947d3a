package panama.attention;

/**
 * Where one forward call of a {@link MultiHeadAttention} runs: its memory, its projections
 * {@code y = x·W + b}, and the copies between the caller's tensors and that memory. The layer's
 * forward is written once against this: {@link MultiHeadAttentionHost} (host memory, OpenBLAS
 * sgemm or a Java matmul) and {@link MultiHeadAttentionGpu} (one CUDA device, cuBLAS sgemm).
 * Tensors are F32 {@code [batch, seq, width]}; one instance serves one call on one thread.
 */
interface MultiHeadAttentionProjections extends AutoCloseable {
    /** The four projections of the layer. */
    enum Weight {
        Q, K, V, O
    }

    /** A caller's input as this side reads it: itself, or a copy (strided on the host, host memory on a GPU). */
    Tensor input(Tensor x, String name);

    /** Where the result for the caller's {@code out} is written: itself, or a staging copied back by {@link #finish()}. */
    Tensor output(Tensor out, String name);

    /** The call's options with the mask, LSE and probabilities ({@code probs}, may be null) on this side. */
    AttentionOptions options(AttentionOptions options, Tensor probs);

    /** Uninitialised contiguous {@code [batch, seq, width]} scratch, freed by {@link #close()}. */
    Tensor scratch(long batch, long seq, long width);

    /** {@code y = x·W + b} with the layer's weight w; x and y come from this side's methods above. */
    void project(Tensor x, Weight w, Tensor y, String what);

    /** Waits for the work and copies staged outputs (out, LSE, probabilities) back to the caller's tensors. */
    void finish();

    /** Frees the scratch; never throws for work that {@link #finish()} already waited for. */
    @Override
    void close();
}

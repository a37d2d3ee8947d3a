package panama.attention;

/**
 * The ways attention can be computed. {@link #AUTO} takes the first available backend, in the
 * order NATIVE_CPU, JAVA_VECTOR, BLAS, JAVA_REFERENCE, that supports the call; any backend can be
 * forced. A call that asks for {@link AttentionOptions#probabilities()} needs a backend that
 * materialises them: BLAS, JAVA_REFERENCE, or CUDA on device tensors (its cuBLAS path).
 */
public enum Backend {
    /** The fastest available backend that supports the call. */
    AUTO,
    /**
     * Scalar Java with float64 accumulation: the oracle every other backend is tested against.
     * Returns probabilities.
     */
    JAVA_REFERENCE,
    /** The fused C kernel (online softmax, no N×N buffer), parallel over tiles on a Java executor. */
    NATIVE_CPU,
    /**
     * The classic path through OpenBLAS: sgemm, masked softmax, sgemm (materialises rows × Lk).
     * Returns probabilities.
     */
    BLAS,
    /**
     * NATIVE_CPU's tile algorithm in pure Java on the Vector API (jdk.incubator.vector; run with
     * {@code --add-modules jdk.incubator.vector}), or the same algorithm in scalar Java without it.
     */
    JAVA_VECTOR,
    /**
     * Fused CUDA kernels (tensor cores for F16/BF16, SIMT for F32, split-KV decode). AUTO takes it
     * first for tensors of a {@link DeviceArena}; for host tensors it copies in and out (the slow
     * path), so AUTO uses it then only with {@code -Dpanattn.cuda.auto=true}. A call that asks for
     * probabilities runs the unfused cuBLAS path instead ({@link CudaAttention#unfused}), device
     * tensors only.
     */
    CUDA;

    /** Parses a backend name as written in this enum, case-insensitively. */
    public static Backend parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + name + "'; known: "
                    + java.util.Arrays.toString(values()));
        }
    }
}

package panama.attention;

import java.util.Arrays;

/**
 * Everything about an attention call besides q, k, v and out. Immutable; build with
 * {@link #builder()}. Names follow FlashAttention's meanings.
 *
 * <ul>
 *   <li>{@code softmaxScale}: logits are {@code softmaxScale · q·k + mask}; default {@code 1/√headDim}.</li>
 *   <li>{@code causal}: {@link CausalMode}; default {@link CausalMode#NONE}.</li>
 *   <li>{@code keyLengths}: per batch, keys {@code [0, keyLengths[b])} are valid (key padding).</li>
 *   <li>{@code mask}: additive F32 tensor broadcastable as {@code [batch|1, heads|1, Lq, Lk]};
 *       {@code -inf} hides a key.</li>
 *   <li>{@code lse}: F32 {@code [batch, heads, Lq]} that receives the natural-log log-sum-exp of
 *       each row's logits ({@code -inf} for a row that sees no key).</li>
 *   <li>{@code probabilities}: F32 {@code [batch, heads, Lq, Lk]} that receives
 *       {@code softmax(scale·q·k + mask)} per row: 0 for every key the row does not see (past its
 *       key length, causally hidden, or with a {@code -inf} mask entry), all 0 for a row that sees
 *       no key, NaN for the seen keys of a row whose logits hold a NaN or {@code +inf}. Only
 *       backends that materialise the scores return them ({@link Backend#BLAS},
 *       {@link Backend#JAVA_REFERENCE}, and {@link Backend#CUDA} on device tensors through the
 *       cuBLAS path); the fused ones decline, and AUTO passes them over.</li>
 *   <li>{@code backend}, {@code scheduler}, {@code cpuIsa}: where and how it runs.</li>
 * </ul>
 */
public final class AttentionOptions {
    private static final AttentionOptions DEFAULTS = builder().build();

    private final float softmaxScale;
    private final CausalMode causal;
    private final int[] keyLengths;
    private final Tensor mask;
    private final Tensor lse;
    private final Tensor probabilities;
    private final Backend backend;
    private final TileScheduler scheduler;
    private final CpuIsa cpuIsa;

    private AttentionOptions(Builder b) {
        this.softmaxScale = b.softmaxScale;
        this.causal = b.causal;
        this.keyLengths = b.keyLengths == null ? null : b.keyLengths.clone();
        this.mask = b.mask;
        this.lse = b.lse;
        this.probabilities = b.probabilities;
        this.backend = b.backend;
        this.scheduler = b.scheduler;
        this.cpuIsa = b.cpuIsa;
    }

    /** No mask, not causal, default scale, {@link Backend#AUTO}. */
    public static AttentionOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.softmaxScale = softmaxScale;
        b.causal = causal;
        b.keyLengths = keyLengths;
        b.mask = mask;
        b.lse = lse;
        b.probabilities = probabilities;
        b.backend = backend;
        b.scheduler = scheduler;
        b.cpuIsa = cpuIsa;
        return b;
    }

    /** The scale, or NaN for the default {@code 1/√headDim}. */
    public float softmaxScale() {
        return softmaxScale;
    }

    /** The scale this call uses for the given head dimension. */
    public float softmaxScale(long headDim) {
        return Float.isNaN(softmaxScale) ? (float) (1.0 / Math.sqrt(headDim)) : softmaxScale;
    }

    public CausalMode causal() {
        return causal;
    }

    /** A copy of the key lengths, or null. */
    public int[] keyLengths() {
        return keyLengths == null ? null : keyLengths.clone();
    }

    public Tensor mask() {
        return mask;
    }

    public Tensor lse() {
        return lse;
    }

    /** The tensor that receives the attention probabilities, or null. */
    public Tensor probabilities() {
        return probabilities;
    }

    public Backend backend() {
        return backend;
    }

    /** The scheduler for CPU backends; null means {@link TileScheduler#shared()}. */
    public TileScheduler scheduler() {
        return scheduler;
    }

    public CpuIsa cpuIsa() {
        return cpuIsa;
    }

    @Override
    public String toString() {
        return "AttentionOptions[scale=" + (Float.isNaN(softmaxScale) ? "1/sqrt(d)" : softmaxScale)
                + ", causal=" + causal + ", keyLengths=" + Arrays.toString(keyLengths)
                + ", mask=" + mask + ", lse=" + lse
                + (probabilities == null ? "" : ", probabilities=" + probabilities) + ", backend=" + backend + ", isa=" + cpuIsa + "]";
    }

    /** Builds {@link AttentionOptions}. */
    public static final class Builder {
        private float softmaxScale = Float.NaN;
        private CausalMode causal = CausalMode.NONE;
        private int[] keyLengths;
        private Tensor mask;
        private Tensor lse;
        private Tensor probabilities;
        private Backend backend = Backend.AUTO;
        private TileScheduler scheduler;
        private CpuIsa cpuIsa = CpuIsa.AUTO;

        private Builder() {
        }

        /** A finite scale; NaN restores the default {@code 1/√headDim}. */
        public Builder softmaxScale(float scale) {
            if (Float.isInfinite(scale)) {
                throw new IllegalArgumentException("softmaxScale must be finite, got " + scale);
            }
            this.softmaxScale = scale;
            return this;
        }

        public Builder causal(CausalMode mode) {
            this.causal = java.util.Objects.requireNonNull(mode, "causal");
            return this;
        }

        /** {@code true} means {@link CausalMode#BOTTOM_RIGHT}, FlashAttention's convention. */
        public Builder causal(boolean causal) {
            return causal(causal ? CausalMode.BOTTOM_RIGHT : CausalMode.NONE);
        }

        /** Valid keys per batch (copied); null for none. */
        public Builder keyLengths(int... lengths) {
            this.keyLengths = lengths == null ? null : lengths.clone();
            return this;
        }

        public Builder mask(Tensor mask) {
            this.mask = mask;
            return this;
        }

        public Builder lse(Tensor lse) {
            this.lse = lse;
            return this;
        }

        /** F32 {@code [batch, heads, Lq, Lk]} for the probabilities; null for none. */
        public Builder probabilities(Tensor probabilities) {
            this.probabilities = probabilities;
            return this;
        }

        public Builder backend(Backend backend) {
            this.backend = java.util.Objects.requireNonNull(backend, "backend");
            return this;
        }

        public Builder scheduler(TileScheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder cpuIsa(CpuIsa isa) {
            this.cpuIsa = java.util.Objects.requireNonNull(isa, "cpuIsa");
            return this;
        }

        public AttentionOptions build() {
            return new AttentionOptions(this);
        }
    }
}

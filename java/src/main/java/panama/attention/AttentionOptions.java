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
 *   <li>{@code window(left, right)}: a sliding window (FlashAttention's {@code window_size}), centred on
 *       the causal mode's diagonal: query row {@code i} sees key {@code j} only when
 *       {@code j >= i + offset - left} and {@code j <= i + offset + right}, where {@code offset} is
 *       {@code kvLen - Lq} for {@link CausalMode#BOTTOM_RIGHT} and 0 otherwise; -1 leaves a side
 *       unbounded, and causal masking caps {@code right} at 0. Keys outside are hidden like causally
 *       hidden ones (never read into a logit).</li>
 *   <li>{@code softcap(c)}: {@code c > 0} caps the logits, {@code c · tanh(scale·q·k / c)} (Gemma 2);
 *       0 (the default) is off.</li>
 *   <li>{@code alibiSlopes}: F32 {@code [heads]}; adds {@code -slope_h · |i + offset - j|} (ALiBi).</li>
 *   <li>The logits are {@code softcap(scale·q·k) + alibi + mask}; then keys hidden by causal masking,
 *       the window or key lengths are excluded. A row that sees no key gives zeros and LSE
 *       {@code -inf}. The window, softcap and ALiBi run on {@link Backend#NATIVE_CPU} and
 *       {@link Backend#JAVA_REFERENCE}; the other backends decline them and AUTO passes them over.</li>
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
    private final boolean windowed;
    private final int windowLeft;
    private final int windowRight;
    private final float softcap;
    private final Tensor alibiSlopes;

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
        this.windowed = b.windowed;
        this.windowLeft = b.windowLeft;
        this.windowRight = b.windowRight;
        this.softcap = b.softcap;
        this.alibiSlopes = b.alibiSlopes;
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
        b.windowed = windowed;
        b.windowLeft = windowLeft;
        b.windowRight = windowRight;
        b.softcap = softcap;
        b.alibiSlopes = alibiSlopes;
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

    /** True when a sliding window was set. */
    public boolean windowed() {
        return windowed;
    }

    /** The window's left extent (-1: unbounded); -1 when no window was set. */
    public int windowLeft() {
        return windowLeft;
    }

    /** The window's right extent (-1: unbounded); -1 when no window was set. */
    public int windowRight() {
        return windowRight;
    }

    /** The logit softcap, 0 when off. */
    public float softcap() {
        return softcap;
    }

    /** The ALiBi slopes, F32 {@code [heads]}, or null. */
    public Tensor alibiSlopes() {
        return alibiSlopes;
    }

    @Override
    public String toString() {
        return "AttentionOptions[scale=" + (Float.isNaN(softmaxScale) ? "1/sqrt(d)" : softmaxScale)
                + ", causal=" + causal + ", keyLengths=" + Arrays.toString(keyLengths)
                + ", mask=" + mask + ", lse=" + lse
                + (probabilities == null ? "" : ", probabilities=" + probabilities)
                + (windowed ? ", window=(" + windowLeft + ", " + windowRight + ")" : "")
                + (softcap > 0 ? ", softcap=" + softcap : "")
                + (alibiSlopes == null ? "" : ", alibiSlopes=" + alibiSlopes)
                + ", backend=" + backend + ", isa=" + cpuIsa + "]";
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
        private boolean windowed;
        private int windowLeft = -1;
        private int windowRight = -1;
        private float softcap;
        private Tensor alibiSlopes;

        private Builder() {
        }

        /**
         * A sliding window: row i sees keys {@code [i + offset - left, i + offset + right]}; -1 leaves
         * a side unbounded ({@code window(-1, -1)} hides nothing).
         */
        public Builder window(int left, int right) {
            if (left < -1 || right < -1) {
                throw new IllegalArgumentException("window (" + left + ", " + right
                        + ") must have left and right >= -1 (-1: unbounded)");
            }
            this.windowed = true;
            this.windowLeft = left;
            this.windowRight = right;
            return this;
        }

        /** Removes the sliding window. */
        public Builder noWindow() {
            this.windowed = false;
            this.windowLeft = -1;
            this.windowRight = -1;
            return this;
        }

        /** A finite logit softcap {@code c > 0}, or 0 for none. */
        public Builder softcap(float c) {
            if (!(c >= 0) || Float.isInfinite(c)) {
                throw new IllegalArgumentException("softcap must be finite and >= 0 (0: off), got " + c);
            }
            this.softcap = c;
            return this;
        }

        /** F32 {@code [heads]} ALiBi slopes; null for none. */
        public Builder alibiSlopes(Tensor slopes) {
            this.alibiSlopes = slopes;
            return this;
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

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
 *   <li>{@code varlen(cuSeqlensQ, cuSeqlensK)}: a packed batch of variable-length sequences, as
 *       FlashAttention's {@code flash_attn_varlen_func}. q and out are {@code [totalQ, heads, headDim]},
 *       k and v {@code [totalK, kvHeads, headDim]}; sequence {@code b}'s queries are rows
 *       {@code cuSeqlensQ[b] .. cuSeqlensQ[b+1]-1}, its keys rows {@code cuSeqlensK[b] .. cuSeqlensK[b+1]-1}
 *       (both {@code batch + 1} long, starting at 0, non-decreasing; rows past the last offset are
 *       neither read nor written). Every option applies per sequence (BOTTOM_RIGHT's offset is the
 *       sequence's {@code kvLen - Lq}); lse is {@code [heads, totalQ]} as in FlashAttention. No
 *       padding is computed. {@code cuSeqlensK} may be null when the keys are paged ({@code pagedKv})
 *       or batched {@code [batch, kvHeads, seqK, headDim]}.</li>
 *   <li>{@code pagedKv(blockTable, blockSize)}: keys and values in a paged cache, as vLLM's
 *       PagedAttention and FlashAttention's {@code block_table}: k and v are pools
 *       {@code [numBlocks, blockSize, kvHeads, headDim]} (any strides, head dim contiguous), key {@code j}
 *       of sequence {@code b} is row {@code j % blockSize} of block {@code blockTable[b][j / blockSize]};
 *       {@code keyLengths} (required) are the sequence lengths ({@code cache_seqlens}).
 *       {@link PagedKvCache} manages such pools.</li>
 *   <li>Packed and paged calls run on {@link Backend#NATIVE_CPU} and {@link Backend#JAVA_REFERENCE};
 *       they take no mask and return no probabilities.</li>
 *   <li>{@code weights}: {@link WeightPrecision#FP32} (default) keeps the softmax weights at fp32
 *       accuracy in {@code P·V}; {@link WeightPrecision#BF16} lets bf16 calls on the bf16 product paths
 *       ({@link CpuIsa#AMX_BF16}, {@link CpuIsa#AVX512_BF16}) round them to bf16 once, for speed, at the
 *       error that enum states.</li>
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
    private final int[] cuSeqlensQ;
    private final int[] cuSeqlensK;
    private final int[][] blockTable;
    private final int blockSize;
    private final WeightPrecision weights;

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
        this.cuSeqlensQ = b.cuSeqlensQ;
        this.cuSeqlensK = b.cuSeqlensK;
        this.blockTable = b.blockTable;
        this.blockSize = b.blockSize;
        this.weights = b.weights;
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
        b.cuSeqlensQ = cuSeqlensQ;
        b.cuSeqlensK = cuSeqlensK;
        b.blockTable = blockTable;
        b.blockSize = blockSize;
        b.weights = weights;
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

    /** A copy of the packed queries' cumulative offsets ({@code batch + 1}), or null when not packed. */
    public int[] cuSeqlensQ() {
        return cuSeqlensQ == null ? null : cuSeqlensQ.clone();
    }

    /** A copy of the packed keys' cumulative offsets ({@code batch + 1}), or null when not packed. */
    public int[] cuSeqlensK() {
        return cuSeqlensK == null ? null : cuSeqlensK.clone();
    }

    /** A deep copy of the block table (one row of block ids per sequence), or null when keys are not paged. */
    public int[][] blockTable() {
        if (blockTable == null) {
            return null;
        }
        int[][] copy = new int[blockTable.length][];
        for (int b = 0; b < copy.length; b++) {
            copy[b] = blockTable[b].clone();
        }
        return copy;
    }

    /** Keys per block of a paged cache, 0 when keys are not paged. */
    public int blockSize() {
        return blockSize;
    }

    /** How the softmax weights enter P·V; {@link WeightPrecision#FP32} unless set. */
    public WeightPrecision weights() {
        return weights;
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
                + (cuSeqlensQ == null ? "" : ", cuSeqlensQ=" + Arrays.toString(cuSeqlensQ))
                + (cuSeqlensK == null ? "" : ", cuSeqlensK=" + Arrays.toString(cuSeqlensK))
                + (blockTable == null ? "" : ", pagedKv=(" + blockTable.length + " sequences, blockSize " + blockSize + ")")
                + (weights == WeightPrecision.FP32 ? "" : ", weights=" + weights)
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
        private WeightPrecision weights = WeightPrecision.FP32;
        private int[] cuSeqlensQ;
        private int[] cuSeqlensK;
        private int[][] blockTable;
        private int blockSize;

        private Builder() {
        }

        /**
         * A packed batch of variable-length sequences (copied): q and out {@code [totalQ, heads, headDim]},
         * k and v {@code [totalK, kvHeads, headDim]} with {@code cuSeqlensK}, or paged/batched keys when it
         * is null. {@code varlen(null, null)} removes it. The offsets are checked when the call is.
         */
        public Builder varlen(int[] cuSeqlensQ, int[] cuSeqlensK) {
            if (cuSeqlensQ == null && cuSeqlensK != null) {
                throw new IllegalArgumentException("cuSeqlensK needs cuSeqlensQ (packed keys pair with packed queries)");
            }
            this.cuSeqlensQ = cuSeqlensQ == null ? null : cuSeqlensQ.clone();
            this.cuSeqlensK = cuSeqlensK == null ? null : cuSeqlensK.clone();
            return this;
        }

        /**
         * Paged keys and values (copied): one row of block ids per sequence (rows may differ in
         * length; each must reach its sequence's key length), {@code blockSize} keys per block;
         * {@code pagedKv(null, 0)} removes it. Set {@link #keyLengths} to the sequence lengths.
         */
        public Builder pagedKv(int[][] blockTable, int blockSize) {
            if (blockTable == null) {
                this.blockTable = null;
                this.blockSize = 0;
                return this;
            }
            if (blockSize < 1) {
                throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
            }
            int[][] copy = new int[blockTable.length][];
            for (int b = 0; b < copy.length; b++) {
                if (blockTable[b] == null) {
                    throw new NullPointerException("blockTable[" + b + "] must not be null");
                }
                copy[b] = blockTable[b].clone();
            }
            this.blockTable = copy;
            this.blockSize = blockSize;
            return this;
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

        /** How the softmax weights enter P·V (see {@link WeightPrecision}); default FP32. */
        public Builder weights(WeightPrecision precision) {
            this.weights = java.util.Objects.requireNonNull(precision, "weights");
            return this;
        }

        public AttentionOptions build() {
            return new AttentionOptions(this);
        }
    }
}

package panama.attention;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Objects;
import panama.attention.MultiHeadAttentionProjections.Weight;
import panama.attention.internal.Backends;
import panama.attention.internal.CuBlas;
import panama.attention.internal.Linear;
import panama.attention.internal.Validation;

/**
 * A multi-head attention layer: input projections, {@link Attention#sdpa scaled dot-product
 * attention} per head, output projection.
 *
 * <pre>
 * Q = xq·Wq + bq      xq  (batch, Lq, hidden)      Wq (hidden,   heads·headDim)
 * K = xkv·Wk + bk     xkv (batch, Lk, kvHidden)    Wk (kvHidden, kvHeads·headDim)
 * V = xkv·Wv + bv                                  Wv (kvHidden, kvHeads·headDim)
 * out = sdpa(Q, K, V)·Wo + bo                      Wo (heads·headDim, hidden)
 * </pre>
 *
 * <p><b>Weight storage.</b> Every weight is {@code [in, out]}, row-major, used as {@code x·W}: this
 * is what ONNX {@code MatMul} initializers hold (and {@code nn.Linear.weight.T} in PyTorch, whose
 * own {@code weight} is {@code [out, in]}). Column {@code h·headDim + c} of {@code Wq} is
 * component {@code c} of head {@code h}. Biases are optional ({@code [out]}).
 *
 * <p><b>Memory.</b> The layer copies its weights into an arena it owns ({@link #close()} frees it;
 * closing twice is harmless; any use after close throws {@link IllegalStateException}; close waits
 * for forward calls in flight). Inputs and outputs are caller-owned F32 tensors
 * {@code [batch, seq, hidden]} with any strides (a contiguous row layout is used in place, others
 * are copied); {@code out} may be {@code xq} itself. Projections run over all {@code batch·seq}
 * rows at once through OpenBLAS sgemm, split in row blocks over the {@link TileScheduler}; without
 * OpenBLAS they fall back to a plain Java matmul ({@link #projections()} says which and why).
 * Heads are split and joined as strided views of {@code [batch, seq, heads·headDim]} scratch
 * (as {@link Tensor#bshd} makes them), never copied.
 *
 * <p><b>Options.</b> {@link AttentionOptions} pass straight through to {@link Attention#sdpa}:
 * causal mode, per-batch key lengths (key padding), an additive mask
 * {@code [batch|1, heads|1, Lq, Lk]}, the log-sum-exp output {@code [batch, heads, Lq]}, backend
 * and scheduler. Grouped-query and multi-query attention ({@code kvHeads} dividing {@code heads})
 * read each K/V head for its group of query heads; nothing is duplicated.
 *
 * <p><b>Probabilities.</b> When a caller asks for them
 * ({@link #forward(Tensor, Tensor, Tensor, AttentionOptions, Tensor)} with a {@code probsOut}
 * tensor {@code [batch, heads, Lq, Lk]}), they come from {@link Attention#sdpa} itself through
 * {@link AttentionOptions#probabilities()}, with exactly its visibility rules (keys a row does not
 * see get 0; rows that see no key are all zeros). AUTO then picks a backend that returns them
 * (BLAS, the reference, or CUDA's cuBLAS path); a forced fused backend, which never materialises
 * them, computes the output and a second call on AUTO the probabilities.
 *
 * <p><b>On a GPU.</b> When {@code xq}, {@code xkv} and {@code out} are device tensors (made by a
 * {@link DeviceArena}), the whole layer runs on their device with nothing copied: the four
 * projections are cuBLAS fp32 sgemms (cuBLAS is loaded at run time, see {@link CudaAttention}),
 * the bias is added by a rank-1 sgemm ({@code ones·b}) before each product, attention runs on
 * {@code [b, s, h, d]} views of device scratch through {@link Attention#sdpa} on
 * {@link Backend#CUDA} (its unfused cuBLAS path when {@code probsOut} is given, which must then be
 * a contiguous device tensor). The mask and the LSE output, when set, must be device tensors too;
 * inputs may have any row strides with a contiguous last dimension, written as strided as they
 * are given. The weights are uploaded to a device
 * once, on the layer's first call there, and freed by {@link #close()}. Scratch (Q, K, V and the
 * attention output, {@code 4·batch·seq·heads·headDim} floats at most) is allocated per call and
 * freed before it returns. Everything runs on the calling thread's stream and the call waits for
 * it. {@link #projections(Device)} says whether cuBLAS is available and which library it uses;
 * without CUDA or cuBLAS the call throws {@link AttentionException} with the reason.
 *
 * <p><b>The slow path.</b> Host tensors with {@link AttentionOptions#backend()} {@link Backend#CUDA}
 * run the same GPU layer on device 0: {@code xq}, {@code xkv} and the mask are copied in, and
 * {@code out}, the LSE and the probabilities are copied back; worth it only when the layer is
 * large enough to hide two host–device copies. The decoder step with a {@link KvCache} always
 * projects on the host (the cache is host memory); {@link Backend#CUDA} then only moves its
 * attention to the GPU, through the copying path of {@link Attention#sdpa}.
 *
 * <p>Thread-safe: any number of threads may call forward at once.
 */
public final class MultiHeadAttention implements AutoCloseable {
    private final int hidden;
    private final int kvHidden;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final MultiHeadAttentionWeights weights;
    private final boolean blas;
    private final String projections;

    MultiHeadAttention(MultiHeadAttentionBuilder b) {
        this.hidden = b.hidden;
        this.kvHidden = b.kvHidden;
        this.heads = b.heads;
        this.kvHeads = b.kvHeads;
        this.headDim = b.headDim;
        String blasError = Linear.blasError();
        this.blas = b.useBlas && blasError == null;
        this.projections = !b.useBlas ? "Java matmul (BLAS disabled by the builder)"
                : blasError == null ? "OpenBLAS sgemm" : "Java matmul (BLAS unavailable: " + blasError + ")";
        this.weights = new MultiHeadAttentionWeights(b.values);
    }

    /**
     * A builder for a layer with {@code heads} heads of {@code headDim} over inputs of width
     * {@code hidden}; by default {@code kvHeads = heads} and {@code kvHidden = hidden}.
     */
    public static MultiHeadAttentionBuilder builder(int hidden, int heads, int headDim) {
        return new MultiHeadAttentionBuilder(hidden, heads, headDim);
    }

    public int hidden() {
        return hidden;
    }

    /** Width of the key/value input (the memory in cross-attention). */
    public int kvHidden() {
        return kvHidden;
    }

    public int heads() {
        return heads;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    /** How projections of host tensors run: "OpenBLAS sgemm", or "Java matmul (...)" with the reason. */
    public String projections() {
        return projections;
    }

    /**
     * How projections run for tensors on {@code device}: {@link #projections()} for
     * {@link Device#CPU}; for a CUDA device "cuBLAS sgemm on cuda:N (path of libcublas)", or
     * "unavailable on cuda:N: " and the reason.
     */
    public String projections(Device device) {
        Objects.requireNonNull(device, "device must not be null");
        if (!device.isCuda()) {
            return projections;
        }
        String off = MultiHeadAttentionGpu.unavailable();
        return off == null ? "cuBLAS sgemm on " + device + " (" + CuBlas.path() + ")" : "unavailable on " + device + ": " + off;
    }

    /** Self-attention: {@code forward(x, x, out, options)}. */
    public Backend forward(Tensor x, Tensor out, AttentionOptions options) {
        return forward(x, x, out, options, null);
    }

    /** Self-attention with the output allocated in {@code arena}. */
    public Tensor forward(Tensor x, AttentionOptions options, Arena arena) {
        return forward(x, x, options, arena);
    }

    /** Cross-attention with the output {@code [batch, Lq, hidden]} allocated in {@code arena}. */
    public Tensor forward(Tensor xq, Tensor xkv, AttentionOptions options, Arena arena) {
        Objects.requireNonNull(xq, "xq must not be null");
        Objects.requireNonNull(arena, "arena must not be null");
        if (xq.rank() != 3) {
            throw new IllegalArgumentException("xq: rank is " + xq.rank() + " but must be 3 [batch, seq, hidden]");
        }
        Tensor out = Tensor.allocate(arena, DType.F32, xq.size(0), xq.size(1), hidden);
        forward(xq, xkv, out, options, null);
        return out;
    }

    /** Cross-attention: queries from {@code xq}, keys and values from {@code xkv} ({@code Lq ≠ Lk} allowed). */
    public Backend forward(Tensor xq, Tensor xkv, Tensor out, AttentionOptions options) {
        return forward(xq, xkv, out, options, null);
    }

    /**
     * Cross- (or self-, with {@code xkv == xq}) attention, optionally writing the attention
     * probabilities.
     *
     * @param xq F32 (batch, Lq, hidden)
     * @param xkv F32 (batch, Lk, kvHidden)
     * @param out F32 (batch, Lq, hidden); may be xq
     * @param options passed through to {@link Attention#sdpa}
     * @param probsOut null, or F32 (batch, heads, Lq, Lk) that receives {@code softmax(scale·QKᵀ + mask)}
     * @return the backend that ran the attention
     */
    public Backend forward(Tensor xq, Tensor xkv, Tensor out, AttentionOptions options, Tensor probsOut) {
        return run(xq, xkv, null, out, options, probsOut);
    }

    /**
     * One decoder step with a cache: projects {@code x} (the new tokens), appends their keys and
     * values to {@code cache}, and attends the new queries to everything cached, through
     * {@link KvCache#attend(Tensor, Tensor, AttentionOptions)} (so causal alignment is the
     * options' own; use {@link CausalMode#BOTTOM_RIGHT} for decoding). Arguments are checked
     * before anything is appended; should the attention call itself fail afterwards, the new
     * tokens stay in the cache ({@link KvCache#truncate} rolls them back).
     *
     * @param x F32 (batch, newTokens, hidden), with {@code kvHidden == hidden}
     * @param cache F32, [batch, kvHeads, maxSeq, headDim] of this layer
     * @param out F32 (batch, newTokens, hidden)
     */
    public Backend forward(Tensor x, KvCache cache, Tensor out, AttentionOptions options) {
        Objects.requireNonNull(cache, "cache must not be null");
        return run(x, x, cache, out, options, null);
    }

    private Backend run(Tensor xq, Tensor xkv, KvCache cache, Tensor out, AttentionOptions options, Tensor probs) {
        Objects.requireNonNull(xq, "xq must not be null");
        Objects.requireNonNull(xkv, "xkv must not be null");
        Objects.requireNonNull(out, "out must not be null");
        if (options == null) {
            throw new NullPointerException("options must not be null (use AttentionOptions.defaults())");
        }
        weights.enter();
        try {
            long[] sizes = checkArguments(xq, xkv, cache, out, probs);
            boolean onDevice = xq.isOnDevice() || xkv.isOnDevice() || out.isOnDevice();
            if (cache != null && onDevice) {
                throw new IllegalArgumentException((xq.isOnDevice() ? "x" : "out") + ": lives on "
                        + (xq.isOnDevice() ? xq : out).device() + " but a KvCache holds host memory; pass host tensors");
            }
            // the decoder step always projects on the host (the cache is host memory); with CUDA
            // only its attention moves to the GPU, through the copying path of Attention.sdpa
            boolean gpu = cache == null && (onDevice || options.backend() == Backend.CUDA);
            try (DeviceArena.Pin pin = DeviceArena.pin(xq, xkv, out, probs, options.mask(), options.lse());
                 MultiHeadAttentionProjections side = gpu
                         ? MultiHeadAttentionGpu.open(weights, xq, xkv, out, probs, options, sizes[0] * Math.max(sizes[1], sizes[2]))
                         : new MultiHeadAttentionHost(weights, blas, options.scheduler() == null ? TileScheduler.shared()
                                 : options.scheduler())) {
                return forward(side, xq, xkv, cache, out, options, probs, sizes[0], sizes[1], sizes[2]);
            }
        } finally {
            weights.exit();
        }
    }

    /** The layer, once, over either side's memory and projections. */
    private Backend forward(MultiHeadAttentionProjections side, Tensor xq, Tensor xkv, KvCache cache, Tensor out,
                            AttentionOptions options, Tensor probs, long batch, long seqQ, long seqK) {
        Tensor x = side.input(xq, xq == xkv ? "x" : "xq");
        Tensor xk = xkv == xq ? x : side.input(xkv, "xkv");
        Tensor o = side.output(out, "out");
        AttentionOptions withProbs = side.options(options, probs);
        long qCols = (long) heads * headDim, kvCols = (long) kvHeads * headDim;
        // [batch, seq, heads·d] storage viewed as [batch, heads, seq, d]: no copies
        Tensor q = side.scratch(batch, seqQ, qCols), a = side.scratch(batch, seqQ, qCols);
        Tensor k = side.scratch(batch, seqK, kvCols), v = side.scratch(batch, seqK, kvCols);
        Tensor qh = headsView(q, heads), kh = headsView(k, kvHeads), vh = headsView(v, kvHeads), ah = headsView(a, heads);
        // A forced fused backend returns no probabilities: it computes the output, and a second
        // call on AUTO (a backend that materialises the scores) the probabilities.
        boolean second = probs != null && options.backend() != Backend.AUTO
                && Backends.unsupported(options.backend(), Validation.check(qh, kh, vh, ah, withProbs)) != null;
        AttentionOptions main = second ? withProbs.toBuilder().probabilities(null).build() : withProbs;
        if (cache == null) {
            Attention.select(qh, kh, vh, ah, main); // every check of the attention call before any work
        }
        side.project(x, Weight.Q, q, "Q projection");
        side.project(xk, Weight.K, k, "K projection");
        side.project(xk, Weight.V, v, "V projection");
        Backend used;
        if (cache != null) {
            cache.append(kh, vh);
            used = cache.attend(qh, ah, main);
        } else {
            used = Attention.sdpa(qh, kh, vh, ah, main);
            if (second) {
                Tensor unused = headsView(side.scratch(batch, seqQ, qCols), heads);
                Attention.sdpa(qh, kh, vh, unused, withProbs.toBuilder().backend(Backend.AUTO).lse(null).build());
            }
        }
        side.project(a, Weight.O, o, "output projection");
        side.finish();
        return used;
    }

    /** A [batch, seq, h·headDim] tensor viewed as [batch, h, seq, headDim]. */
    private Tensor headsView(Tensor t, long h) {
        long seq = t.size(1);
        return t.view(new long[] {t.size(0), h, seq, headDim}, new long[] {seq * h * headDim, headDim, h * headDim, 1});
    }

    /** Checks shapes, dtypes and the cache before any work; returns {batch, seqQ, seqK}. */
    private long[] checkArguments(Tensor xq, Tensor xkv, KvCache cache, Tensor out, Tensor probs) {
        checkInput(xq, xq == xkv ? "x" : "xq", hidden, "hidden");
        long batch = xq.size(0), seqQ = xq.size(1), seqK = seqQ;
        if (xkv != xq) {
            checkInput(xkv, "xkv", kvHidden, "kvHidden");
            if (xkv.size(0) != batch) {
                throw new IllegalArgumentException("xkv: dimension 0 (batch) is " + xkv.size(0) + " but xq has " + batch);
            }
            seqK = xkv.size(1);
        } else if (kvHidden != hidden) {
            throw new IllegalArgumentException("x: self-attention needs kvHidden == hidden, but the layer has kvHidden "
                    + kvHidden + " and hidden " + hidden + "; call forward(xq, xkv, ...)");
        }
        checkTensor(out, "out", new long[] {batch, seqQ, hidden}, "[batch, Lq, hidden]");
        if (cache != null && (cache.dtype() != DType.F32 || cache.kvHeads() != kvHeads || cache.headDim() != headDim
                || cache.batch() != batch)) {
            throw new IllegalArgumentException("cache: is " + cache + " but this layer needs F32, batch " + batch
                    + ", kvHeads " + kvHeads + ", headDim " + headDim);
        }
        if (probs != null) {
            checkTensor(probs, "probsOut", new long[] {batch, heads, seqQ, seqK}, "[batch, heads, Lq, Lk]");
        }
        return new long[] {batch, seqQ, seqK};
    }

    private static void checkInput(Tensor t, String name, long width, String widthName) {
        if (t.rank() != 3) {
            throw new IllegalArgumentException(name + ": rank is " + t.rank() + " but must be 3 [batch, seq, " + widthName
                    + "]; shape " + Arrays.toString(t.shape()));
        }
        Validation.requireUsable(t, name);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + ": dtype is " + t.dtype() + ", must be F32");
        }
        if (t.size(2) != width) {
            throw new IllegalArgumentException(name + ": dimension 2 (" + widthName + ") is " + t.size(2)
                    + " but the layer's " + widthName + " is " + width);
        }
        if (t.size(0) < 1 || t.size(1) < 1) {
            throw new IllegalArgumentException(name + ": batch and seq must be at least 1; shape " + Arrays.toString(t.shape()));
        }
    }

    /** An output: rank, shape, F32, usable and writable. */
    private static void checkTensor(Tensor t, String name, long[] want, String shapeName) {
        if (t.rank() != want.length) {
            throw new IllegalArgumentException(name + ": rank is " + t.rank() + " but must be " + want.length + " "
                    + shapeName + "; shape " + Arrays.toString(t.shape()));
        }
        Validation.requireUsable(t, name);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + ": dtype is " + t.dtype() + ", must be F32");
        }
        for (int d = 0; d < want.length; d++) {
            if (t.size(d) != want[d]) {
                throw new IllegalArgumentException(name + ": dimension " + d + " is " + t.size(d) + " but must be " + want[d]
                        + " (shape must be " + shapeName + " = " + Arrays.toString(want) + ")");
            }
        }
        if (t.segment().isReadOnly()) {
            throw new IllegalArgumentException(name + ": segment is read-only");
        }
    }

    /**
     * Frees the weights, on the host and on every GPU they were uploaded to; waits for forward
     * calls in flight; safe to call twice.
     *
     * @throws AttentionException when CUDA reports an error freeing device weights (the layer is closed anyway)
     */
    @Override
    public void close() {
        weights.close();
    }

    @Override
    public String toString() {
        return "MultiHeadAttention[hidden=" + hidden + ", kvHidden=" + kvHidden + ", heads=" + heads + ", kvHeads="
                + kvHeads + ", headDim=" + headDim + ", " + projections + (weights.isClosed() ? ", closed" : "") + "]";
    }
}

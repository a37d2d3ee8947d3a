package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import panama.attention.internal.CuBlas;
import panama.attention.internal.Cuda;
import panama.attention.internal.DeviceLinear;
import panama.attention.internal.GemmPlan;
import panama.attention.internal.Linear;
import panama.attention.internal.OpenBlas;
import panama.attention.internal.OwnedArena;
import panama.attention.internal.Problem;
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
 * Heads are split and joined as strided views ({@link Tensor#bshd}), never copied.
 *
 * <p><b>Options.</b> {@link AttentionOptions} pass straight through to {@link Attention#sdpa}:
 * causal mode, per-batch key lengths (key padding), an additive mask
 * {@code [batch|1, heads|1, Lq, Lk]}, the log-sum-exp output {@code [batch, heads, Lq]}, backend
 * and scheduler. Grouped-query and multi-query attention ({@code kvHeads} dividing {@code heads})
 * read each K/V head for its group of query heads; nothing is duplicated.
 *
 * <p><b>Probabilities.</b> The fused kernels never materialise {@code softmax(scale·QKᵀ + mask)}.
 * When a caller asks for them ({@link #forward(Tensor, Tensor, Tensor, AttentionOptions, Tensor)}
 * with a {@code probsOut} tensor {@code [batch, heads, Lq, Lk]}), a separate pass computes them
 * from the same Q and K: one sgemm per (batch, head), then a float64 masked softmax per row with
 * exactly the visibility rules of {@link Attention#sdpa} (rows that see no key are all zeros).
 *
 * <p><b>On a GPU.</b> When {@code xq}, {@code xkv} and {@code out} are device tensors (made by a
 * {@link DeviceArena}), the whole layer runs on their device with nothing copied: the four
 * projections are cuBLAS fp32 sgemms (cuBLAS is loaded at run time, see {@link CudaAttention}),
 * the bias is added by a rank-1 sgemm ({@code ones·b}) before each product, attention runs on
 * {@code [b, s, h, d]} views of device scratch through {@link Attention#sdpa} on
 * {@link Backend#CUDA} (or the unfused cuBLAS path of {@link CudaAttention#unfused} when
 * {@code probsOut} is given, which must then be a contiguous device tensor). The mask and the LSE
 * output, when set, must be device tensors too; inputs may have any row strides with a contiguous
 * last dimension, written as strided as they are given. The weights are uploaded to a device
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
    private final OwnedArena owned;
    private final MemorySegment wq, wk, wv, wo;
    private final MemorySegment bq, bk, bv, bo;
    private final boolean blas;
    private final String projections;
    /** Weights uploaded to each CUDA device on its first use there, by ordinal; freed by close. */
    private final Map<Integer, DeviceWeights> deviceWeights = new HashMap<>();

    private MultiHeadAttention(Builder b) {
        this.hidden = b.hidden;
        this.kvHidden = b.kvHidden;
        this.heads = b.heads;
        this.kvHeads = b.kvHeads;
        this.headDim = b.headDim;
        String blasError = Linear.blasError();
        this.blas = b.useBlas && blasError == null;
        this.projections = !b.useBlas ? "Java matmul (BLAS disabled by the builder)"
                : blasError == null ? "OpenBLAS sgemm" : "Java matmul (BLAS unavailable: " + blasError + ")";
        this.owned = new OwnedArena("MultiHeadAttention");
        Arena a = owned.arena();
        wq = copy(a, b.wq);
        wk = copy(a, b.wk);
        wv = copy(a, b.wv);
        wo = copy(a, b.wo);
        bq = copy(a, b.bq);
        bk = copy(a, b.bk);
        bv = copy(a, b.bv);
        bo = copy(a, b.bo);
    }

    private static MemorySegment copy(Arena arena, float[] values) {
        if (values == null) {
            return null;
        }
        MemorySegment s = arena.allocate(Math.max(1, (long) values.length * Float.BYTES), 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    /**
     * A builder for a layer with {@code heads} heads of {@code headDim} over inputs of width
     * {@code hidden}; by default {@code kvHeads = heads} and {@code kvHidden = hidden}.
     */
    public static Builder builder(int hidden, int heads, int headDim) {
        return new Builder(hidden, heads, headDim);
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
        String off = gpuUnavailable();
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
        owned.enter();
        try {
            String qName = xq == xkv ? "x" : "xq";
            checkInput(xq, qName, hidden, "hidden");
            long batch = xq.size(0), seqQ = xq.size(1);
            long seqK;
            if (xkv != xq) {
                checkInput(xkv, "xkv", kvHidden, "kvHidden");
                if (xkv.size(0) != batch) {
                    throw new IllegalArgumentException("xkv: dimension 0 (batch) is " + xkv.size(0) + " but xq has " + batch);
                }
                seqK = xkv.size(1);
            } else {
                if (kvHidden != hidden) {
                    throw new IllegalArgumentException("x: self-attention needs kvHidden == hidden, but the layer has kvHidden "
                            + kvHidden + " and hidden " + hidden + "; call forward(xq, xkv, ...)");
                }
                seqK = seqQ;
            }
            checkTensor(out, "out", new long[] {batch, seqQ, hidden}, "[batch, Lq, hidden]");
            if (out.segment().isReadOnly()) {
                throw new IllegalArgumentException("out: segment is read-only");
            }
            if (cache != null) {
                if (cache.dtype() != DType.F32 || cache.kvHeads() != kvHeads || cache.headDim() != headDim
                        || cache.batch() != batch) {
                    throw new IllegalArgumentException("cache: is " + cache + " but this layer needs F32, batch " + batch
                            + ", kvHeads " + kvHeads + ", headDim " + headDim);
                }
            }
            if (probs != null) {
                checkTensor(probs, "probsOut", new long[] {batch, heads, seqQ, seqK}, "[batch, heads, Lq, Lk]");
                if (probs.segment().isReadOnly()) {
                    throw new IllegalArgumentException("probsOut: segment is read-only");
                }
            }
            boolean onDevice = xq.isOnDevice() || xkv.isOnDevice() || out.isOnDevice();
            if (cache != null && onDevice) {
                throw new IllegalArgumentException((xq.isOnDevice() ? "x" : "out") + ": lives on "
                        + (xq.isOnDevice() ? xq : out).device() + " but a KvCache holds host memory; pass host tensors");
            }
            if (cache == null && (onDevice || options.backend() == Backend.CUDA)) {
                return runOnGpu(xq, xkv, out, options, probs, batch, seqQ, seqK);
            }
            TileScheduler scheduler = options.scheduler() == null ? TileScheduler.shared() : options.scheduler();
            long qCols = (long) heads * headDim, kvCols = (long) kvHeads * headDim;
            try (Arena scratch = Arena.ofConfined()) {
                Rows x = Rows.in(xq, scratch);
                Rows xk = xkv == xq ? x : Rows.in(xkv, scratch);
                MemorySegment q = scratch.allocate(batch * seqQ * qCols * Float.BYTES, 64);
                MemorySegment k = scratch.allocate(batch * seqK * kvCols * Float.BYTES, 64);
                MemorySegment v = scratch.allocate(batch * seqK * kvCols * Float.BYTES, 64);
                MemorySegment a = scratch.allocate(batch * seqQ * qCols * Float.BYTES, 64);
                Linear.matmul(blas, x.address, x.ld, batch * seqQ, hidden, wq, bq, q.address(), qCols, qCols, scheduler);
                Linear.matmul(blas, xk.address, xk.ld, batch * seqK, kvHidden, wk, bk, k.address(), kvCols, kvCols, scheduler);
                Linear.matmul(blas, xk.address, xk.ld, batch * seqK, kvHidden, wv, bv, v.address(), kvCols, kvCols, scheduler);
                // [batch, seq, heads, d] storage viewed as [batch, heads, seq, d]: no copies
                Tensor qv = Tensor.bshd(q, DType.F32, batch, seqQ, heads, headDim);
                Tensor kv = Tensor.bshd(k, DType.F32, batch, seqK, kvHeads, headDim);
                Tensor vv = Tensor.bshd(v, DType.F32, batch, seqK, kvHeads, headDim);
                Tensor av = Tensor.bshd(a, DType.F32, batch, seqQ, heads, headDim);
                Backend used;
                if (cache == null) {
                    used = Attention.sdpa(qv, kv, vv, av, options);
                    if (probs != null) {
                        probabilities(qv, kv, vv, av, options, probs, scheduler, scratch);
                    }
                } else {
                    cache.append(kv, vv);
                    used = cache.attend(qv, av, options);
                }
                Rows o = Rows.out(out, scratch);
                Linear.matmul(blas, a.address(), qCols, batch * seqQ, qCols, wo, bo, o.address, o.ld, hidden, scheduler);
                o.copyBack(out);
                return used;
            }
        } finally {
            owned.exit();
        }
    }

    /**
     * The whole layer on one CUDA device: device inputs in place, or host inputs copied in and the
     * results copied out (the slow path). Projections with cuBLAS ({@link DeviceLinear}), attention
     * through {@link Attention#sdpa} (or the unfused cuBLAS path when probabilities are asked for)
     * on {@code [b, s, h, d]} views of device scratch, all on the calling thread's stream; waits for
     * it before returning.
     */
    private Backend runOnGpu(Tensor xq, Tensor xkv, Tensor out, AttentionOptions options, Tensor probs,
                             long batch, long seqQ, long seqK) {
        DeviceArena.requirePlatformThread("MultiHeadAttention on a GPU");
        boolean host = !xq.isOnDevice();
        Device device = xq.device();
        for (Tensor t : new Tensor[] {xkv, out, probs}) {
            if (t != null && !t.device().equals(device)) {
                String name = t == xkv ? "xkv" : t == out ? "out" : "probsOut";
                throw new IllegalArgumentException(name + ": lives on " + t.device() + " but " + (xq == xkv ? "x" : "xq")
                        + " on " + device + "; put xq, xkv, out (and probsOut) all on one device or all on the host");
            }
        }
        Backend forced = options.backend();
        if (!host && forced != Backend.AUTO && forced != Backend.CUDA) {
            throw new AttentionException(forced + " cannot run this call: the inputs live on " + device
                    + " (a DeviceArena); only the CUDA backend runs on device memory");
        }
        long qCols = (long) heads * headDim, kvCols = (long) kvHeads * headDim;
        GemmPlan.Layout xqRows = null, xkvRows = null, outRows = null;
        if (!host) { // host inputs are packed by the copy; device ones are used where they lie
            xqRows = rows(xq, xq == xkv ? "x" : "xq", false);
            xkvRows = xkv == xq ? xqRows : rows(xkv, "xkv", false);
            outRows = rows(out, "out", true);
            if (probs != null && !probs.isContiguous()) {
                throw new IllegalArgumentException("probsOut: on a device it must be contiguous [batch, heads, Lq, Lk], got " + probs);
            }
        }
        String off = gpuUnavailable();
        if (off != null) {
            throw new AttentionException(panama.attention.bindings.panattn_h.PANATTN_ERR_UNSUPPORTED(),
                    "MultiHeadAttention cannot run on " + (host ? "CUDA" : device.toString()) + ": " + off);
        }
        int ordinal = host ? 0 : device.ordinal();
        DeviceWeights w = weightsOn(ordinal);
        try (DeviceArena.Pin pin = DeviceArena.pin(xq, xkv, out, probs, options.mask(), options.lse());
             DeviceArena gpu = DeviceArena.open(ordinal)) {
            Tensor dxq = xq, dxkv = xkv, dout = out, dprobs = probs;
            AttentionOptions o = options;
            if (host) {
                dxq = gpu.copyOf(xq);
                dxkv = xkv == xq ? dxq : gpu.copyOf(xkv);
                dout = gpu.allocate(DType.F32, batch, seqQ, hidden);
                dprobs = probs == null ? null : gpu.allocate(DType.F32, probs.shape());
                AttentionOptions.Builder ob = options.toBuilder();
                if (options.mask() != null) {
                    ob.mask(gpu.copyOf(options.mask()));
                }
                if (options.lse() != null) {
                    ob.lse(gpu.allocate(options.lse().dtype(), options.lse().shape()));
                }
                o = ob.build();
                xqRows = GemmPlan.Layout.contiguous(batch * seqQ, hidden);
                xkvRows = xkv == xq ? xqRows : GemmPlan.Layout.contiguous(batch * seqK, kvHidden);
                outRows = GemmPlan.Layout.contiguous(batch * seqQ, hidden);
            }
            // scratch [batch, seq, heads, d], viewed as [batch, heads, seq, d]: no copies
            Tensor q = gpu.allocate(DType.F32, batch * seqQ * qCols);
            Tensor k = gpu.allocate(DType.F32, batch * seqK * kvCols);
            Tensor v = gpu.allocate(DType.F32, batch * seqK * kvCols);
            Tensor a = gpu.allocate(DType.F32, batch * seqQ * qCols);
            Tensor qv = bshd(q, batch, seqQ, heads), kv = bshd(k, batch, seqK, kvHeads);
            Tensor vv = bshd(v, batch, seqK, kvHeads), av = bshd(a, batch, seqQ, heads);
            // every check of the attention call (head dim, mask, lse, key lengths) before any work
            Backend used = Attention.select(qv, kv, vv, av, o);
            GemmPlan.Layout qRows = GemmPlan.Layout.contiguous(batch * seqQ, qCols);
            GemmPlan.Layout kvOut = GemmPlan.Layout.contiguous(batch * seqK, kvCols);
            try (DeviceLinear linear = new DeviceLinear(ordinal, batch * Math.max(seqQ, seqK))) {
                long xqAddr = dxq.segment().address(), xkvAddr = dxkv.segment().address();
                linear.project(xqAddr, xqRows, w.wq, w.bq, address(q), qRows, "Q projection");
                linear.project(xkvAddr, xkvRows, w.wk, w.bk, address(k), kvOut, "K projection");
                linear.project(xkvAddr, xkvRows, w.wv, w.bv, address(v), kvOut, "V projection");
                if (dprobs == null) {
                    used = Attention.sdpa(qv, kv, vv, av, o);
                } else {
                    CudaAttention.unfused(qv, kv, vv, av, o, dprobs);
                }
                linear.project(address(a), qRows, w.wo, w.bo, dout.segment().address(), outRows, "output projection");
                linear.synchronize();
            }
            if (host) {
                gpu.copy(dout, out);
                if (options.lse() != null) {
                    gpu.copy(o.lse(), options.lse());
                }
                if (probs != null) {
                    gpu.copy(dprobs, probs);
                }
            }
            return used;
        }
    }

    private Tensor bshd(Tensor flat, long batch, long seq, long h) {
        return flat.view(new long[] {batch, h, seq, headDim}, new long[] {seq * h * headDim, headDim, h * headDim, 1});
    }

    private static long address(Tensor deviceTensor) {
        return deviceTensor.segment().address();
    }

    private static GemmPlan.Layout rows(Tensor t, String name, boolean output) {
        return GemmPlan.Layout.of(name, t.size(0), t.size(1), t.size(2), t.stride(0), t.stride(1), t.stride(2), output);
    }

    /** Null when the layer can run on a GPU here (CUDA and cuBLAS load), else why not. */
    private static String gpuUnavailable() {
        String err = Cuda.error();
        if (err != null) {
            return "CUDA is not available: " + err;
        }
        err = CuBlas.error();
        return err == null ? null : "cuBLAS is not available: " + err;
    }

    /** This layer's weights on CUDA device {@code ordinal}, uploaded on first use (callers hold {@code owned}). */
    private DeviceWeights weightsOn(int ordinal) {
        synchronized (deviceWeights) {
            DeviceWeights w = deviceWeights.get(ordinal);
            if (w == null) {
                w = new DeviceWeights(ordinal, new MemorySegment[] {wq, wk, wv, wo, bq, bk, bv, bo});
                deviceWeights.put(ordinal, w);
            }
            return w;
        }
    }

    /**
     * The eight weights and biases in one cudaMalloc, each at a 256-byte aligned offset (cuBLAS
     * wants at least 16); addresses of absent biases are 0.
     */
    private static final class DeviceWeights {
        final int ordinal;
        final long base;
        final long wq, wk, wv, wo, bq, bk, bv, bo;

        DeviceWeights(int ordinal, MemorySegment[] parts) {
            long[] offsets = new long[parts.length];
            long total = 0;
            for (int i = 0; i < parts.length; i++) {
                offsets[i] = -1;
                if (parts[i] != null) {
                    offsets[i] = total;
                    total += (parts[i].byteSize() + 255) / 256 * 256;
                }
            }
            this.ordinal = ordinal;
            this.base = Cuda.malloc(ordinal, total);
            try {
                for (int i = 0; i < parts.length; i++) {
                    if (parts[i] != null) {
                        Cuda.memcpy(ordinal, base + offsets[i], parts[i].address(), parts[i].byteSize(), Cuda.THREAD_STREAM);
                    }
                }
            } catch (RuntimeException e) {
                try {
                    Cuda.free(ordinal, base);
                } catch (RuntimeException f) {
                    e.addSuppressed(f);
                }
                throw e;
            }
            long[] at = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                at[i] = offsets[i] < 0 ? 0 : base + offsets[i];
            }
            wq = at[0];
            wk = at[1];
            wv = at[2];
            wo = at[3];
            bq = at[4];
            bk = at[5];
            bv = at[6];
            bo = at[7];
        }
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
    }

    /** A [batch, seq, width] tensor as rows at one address with one row stride, or a contiguous copy. */
    private static final class Rows {
        final long address;
        final long ld;
        final boolean direct;

        private Rows(long address, long ld, boolean direct) {
            this.address = address;
            this.ld = ld;
            this.direct = direct;
        }

        /** Row stride when rows b·seq + s are evenly spaced, else -1. */
        private static long uniformStride(Tensor t) {
            long b = t.size(0), s = t.size(1), w = t.size(2);
            if (!t.segment().isNative() || (t.stride(2) != 1 && w > 1)) {
                return -1;
            }
            long ld;
            if (s == 1) {
                ld = b == 1 ? w : t.stride(0);
            } else if (b == 1 || t.stride(0) == s * t.stride(1)) {
                ld = t.stride(1);
            } else {
                return -1;
            }
            return ld >= w ? ld : -1;
        }

        static Rows in(Tensor t, Arena scratch) {
            long ld = uniformStride(t);
            if (ld > 0) {
                return new Rows(t.segment().address(), ld, true);
            }
            float[] values = t.toFloatArray();
            MemorySegment s = scratch.allocate(Math.max(1, (long) values.length * Float.BYTES), 64);
            MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
            return new Rows(s.address(), t.size(2), false);
        }

        static Rows out(Tensor t, Arena scratch) {
            long ld = uniformStride(t);
            if (ld > 0) {
                return new Rows(t.segment().address(), ld, true);
            }
            MemorySegment s = scratch.allocate(Math.max(1, t.elementCount() * Float.BYTES), 64);
            return new Rows(s.address(), t.size(2), false);
        }

        void copyBack(Tensor t) {
            if (direct) {
                return;
            }
            long b = t.size(0), s = t.size(1), w = t.size(2);
            MemorySegment src = MemorySegment.ofAddress(address).reinterpret(b * s * w * Float.BYTES);
            long i = 0;
            for (long x = 0; x < b; x++) {
                for (long y = 0; y < s; y++) {
                    for (long z = 0; z < w; z++) {
                        t.set(src.getAtIndex(ValueLayout.JAVA_FLOAT, i++), x, y, z);
                    }
                }
            }
        }
    }

    /**
     * The explicit probabilities pass: per (batch, head) one sgemm {@code S = scale·Q·Kᵀ} written
     * into probs' rows (or a scratch copy when probs is not laid out for it), then the masked
     * softmax of each row in float64, with the visibility of {@link Problem#visibleEnd}.
     */
    private void probabilities(Tensor q, Tensor k, Tensor v, Tensor a, AttentionOptions options, Tensor probs,
                               TileScheduler scheduler, Arena scratch) {
        Problem p = Validation.check(q, k, v, a, options);
        int seqQ = Math.toIntExact(p.seqQ()), seqK = Math.toIntExact(p.seqK());
        boolean direct = probs.segment().isNative() && (probs.stride(3) == 1 || seqK == 1)
                && (seqQ == 1 || probs.stride(2) >= seqK);
        long ps0, ps1, ps2, pBase;
        MemorySegment tmp = null;
        if (direct) {
            ps0 = probs.stride(0);
            ps1 = probs.stride(1);
            ps2 = seqQ == 1 ? Math.max(seqK, probs.stride(2)) : probs.stride(2);
            pBase = probs.segment().address();
        } else {
            tmp = scratch.allocate(Math.max(1, p.batch() * p.heads() * seqQ * (long) seqK * Float.BYTES), 64);
            ps2 = seqK;
            ps1 = (long) seqQ * seqK;
            ps0 = p.heads() * ps1;
            pBase = tmp.address();
        }
        long mBase = p.mask() == null ? 0 : p.mask().segment().address();
        long qBase = q.segment().address(), kBase = k.segment().address();
        float scale = p.softmaxScale();
        int d = headDim;
        scheduler.run(p.batch() * p.heads(), (begin, end) -> {
            float[] row = new float[seqK];
            float[] qRow = blas ? null : new float[d];
            float[] kRows = blas ? null : new float[seqK * d];
            for (long t = begin; t < end; t++) {
                long b = t / p.heads(), h = t % p.heads(), kvh = p.kvHead(h);
                long qAddr = qBase + (b * q.stride(0) + h * q.stride(1)) * Float.BYTES;
                long kAddr = kBase + (b * k.stride(0) + kvh * k.stride(1)) * Float.BYTES;
                long out = pBase + (b * ps0 + h * ps1) * Float.BYTES;
                if (blas) {
                    OpenBlas.sgemm(false, true, seqQ, seqK, d, scale, MemorySegment.ofAddress(qAddr), q.stride(2),
                            MemorySegment.ofAddress(kAddr), k.stride(2), 0f, MemorySegment.ofAddress(out), ps2);
                } else {
                    for (int j = 0; j < seqK; j++) {
                        MemorySegment.copy(raw(kAddr + j * k.stride(2) * Float.BYTES, d), ValueLayout.JAVA_FLOAT, 0,
                                kRows, j * d, d);
                    }
                }
                for (int i = 0; i < seqQ; i++) {
                    MemorySegment dst = raw(out + i * ps2 * Float.BYTES, seqK);
                    if (blas) {
                        MemorySegment.copy(dst, ValueLayout.JAVA_FLOAT, 0, row, 0, seqK);
                    } else {
                        MemorySegment.copy(raw(qAddr + i * q.stride(2) * Float.BYTES, d), ValueLayout.JAVA_FLOAT, 0, qRow, 0, d);
                        for (int j = 0; j < seqK; j++) {
                            float dot = 0;
                            for (int c = 0; c < d; c++) {
                                dot += qRow[c] * kRows[j * d + c];
                            }
                            row[j] = scale * dot;
                        }
                    }
                    int visible = (int) Math.max(0, Math.min(seqK, p.visibleEnd(b, i)));
                    if (mBase != 0 && visible > 0) {
                        MemorySegment m = raw(mBase + (b * p.maskBatchStride() + h * p.maskHeadStride()
                                + i * p.maskRowStride()) * Float.BYTES, visible);
                        for (int j = 0; j < visible; j++) {
                            row[j] += m.getAtIndex(ValueLayout.JAVA_FLOAT, j);
                        }
                    }
                    softmax(row, visible);
                    MemorySegment.copy(row, 0, dst, ValueLayout.JAVA_FLOAT, 0, seqK);
                }
            }
        });
        if (!direct) {
            MemorySegment src = tmp;
            long i = 0;
            for (long b = 0; b < p.batch(); b++) {
                for (long h = 0; h < p.heads(); h++) {
                    for (long r = 0; r < seqQ; r++) {
                        for (long j = 0; j < seqK; j++) {
                            probs.set(src.getAtIndex(ValueLayout.JAVA_FLOAT, i++), b, h, r, j);
                        }
                    }
                }
            }
        }
    }

    private static MemorySegment raw(long address, long floats) {
        return MemorySegment.ofAddress(address).reinterpret(floats * Float.BYTES);
    }

    /**
     * Softmax of {@code row[0, visible)} in float64, zeros after; the same rules as
     * {@link panama.attention.internal.ReferenceKernel}: {@code -inf} logits drop out, a row with
     * none left is all zeros, a NaN (or {@code +inf}) logit makes the row NaN.
     */
    static void softmax(float[] row, int visible) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int j = 0; j < visible; j++) {
            nan |= Float.isNaN(row[j]);
            max = Math.max(max, row[j]);
        }
        Arrays.fill(row, visible, row.length, 0f);
        if (nan || max == Double.POSITIVE_INFINITY) {
            Arrays.fill(row, 0, visible, Float.NaN);
            return;
        }
        if (max == Double.NEGATIVE_INFINITY) {
            Arrays.fill(row, 0, visible, 0f);
            return;
        }
        double sum = 0;
        double[] e = new double[visible];
        for (int j = 0; j < visible; j++) {
            e[j] = row[j] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(row[j] - max);
            sum += e[j];
        }
        for (int j = 0; j < visible; j++) {
            row[j] = (float) (e[j] / sum);
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
        owned.close(); // from here no call is in flight and none can start
        AttentionException first = null;
        synchronized (deviceWeights) {
            for (DeviceWeights w : deviceWeights.values()) {
                try {
                    Cuda.free(w.ordinal, w.base);
                } catch (AttentionException e) {
                    first = first == null ? e : first;
                }
            }
            deviceWeights.clear();
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "MultiHeadAttention[hidden=" + hidden + ", kvHidden=" + kvHidden + ", heads=" + heads + ", kvHeads="
                + kvHeads + ", headDim=" + headDim + ", " + projections + (owned.isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Collects the weights (copied when given: the sources may be freed afterwards) and builds the
     * layer. {@code wq}, {@code wk}, {@code wv} and {@code wo} are required, biases optional.
     */
    public static final class Builder {
        private final int hidden;
        private final int heads;
        private final int headDim;
        private int kvHeads;
        private int kvHidden;
        private float[] wq, wk, wv, wo, bq, bk, bv, bo;
        private boolean useBlas = true;

        private Builder(int hidden, int heads, int headDim) {
            if (hidden < 1) {
                throw new IllegalArgumentException("hidden: must be at least 1, got " + hidden);
            }
            if (heads < 1) {
                throw new IllegalArgumentException("heads: must be at least 1, got " + heads);
            }
            if (headDim < 1 || headDim > Validation.MAX_HEAD_DIM) {
                throw new IllegalArgumentException("headDim: must be in [1, " + Validation.MAX_HEAD_DIM + "], got " + headDim);
            }
            this.hidden = hidden;
            this.heads = heads;
            this.headDim = headDim;
            this.kvHeads = heads;
            this.kvHidden = hidden;
        }

        /** Key/value heads (grouped-query attention); must divide heads. Default: heads. */
        public Builder kvHeads(int kvHeads) {
            if (kvHeads < 1 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("kvHeads: " + kvHeads + " does not divide heads " + heads
                        + " (grouped-query attention needs heads % kvHeads == 0)");
            }
            this.kvHeads = kvHeads;
            return this;
        }

        /** Width of the key/value input for cross-attention. Default: hidden. */
        public Builder kvHidden(int kvHidden) {
            if (kvHidden < 1) {
                throw new IllegalArgumentException("kvHidden: must be at least 1, got " + kvHidden);
            }
            this.kvHidden = kvHidden;
            return this;
        }

        /** False forces the plain Java matmul for projections (tests; BLAS-free comparisons). */
        public Builder useBlas(boolean useBlas) {
            this.useBlas = useBlas;
            return this;
        }

        /** Wq (hidden, heads·headDim), row-major. */
        public Builder wq(float[] w) {
            this.wq = w == null ? null : w.clone();
            return this;
        }

        /** Wk (kvHidden, kvHeads·headDim), row-major. */
        public Builder wk(float[] w) {
            this.wk = w == null ? null : w.clone();
            return this;
        }

        /** Wv (kvHidden, kvHeads·headDim), row-major. */
        public Builder wv(float[] w) {
            this.wv = w == null ? null : w.clone();
            return this;
        }

        /** Wo (heads·headDim, hidden), row-major. */
        public Builder wo(float[] w) {
            this.wo = w == null ? null : w.clone();
            return this;
        }

        public Builder bq(float[] b) {
            this.bq = b == null ? null : b.clone();
            return this;
        }

        public Builder bk(float[] b) {
            this.bk = b == null ? null : b.clone();
            return this;
        }

        public Builder bv(float[] b) {
            this.bv = b == null ? null : b.clone();
            return this;
        }

        public Builder bo(float[] b) {
            this.bo = b == null ? null : b.clone();
            return this;
        }

        /** Wq as a tensor (hidden, heads·headDim), any dtype and strides; copied now. */
        public Builder wq(Tensor w) {
            this.wq = matrix(w, "wq", hidden, (long) heads * headDim, "[hidden, heads·headDim]");
            return this;
        }

        /** Wk as a tensor (kvHidden, kvHeads·headDim); copied now. Set kvHeads/kvHidden first. */
        public Builder wk(Tensor w) {
            this.wk = matrix(w, "wk", kvHidden, (long) kvHeads * headDim, "[kvHidden, kvHeads·headDim]");
            return this;
        }

        /** Wv as a tensor (kvHidden, kvHeads·headDim); copied now. Set kvHeads/kvHidden first. */
        public Builder wv(Tensor w) {
            this.wv = matrix(w, "wv", kvHidden, (long) kvHeads * headDim, "[kvHidden, kvHeads·headDim]");
            return this;
        }

        /** Wo as a tensor (heads·headDim, hidden); copied now. */
        public Builder wo(Tensor w) {
            this.wo = matrix(w, "wo", (long) heads * headDim, hidden, "[heads·headDim, hidden]");
            return this;
        }

        public Builder bq(Tensor b) {
            this.bq = vector(b, "bq");
            return this;
        }

        public Builder bk(Tensor b) {
            this.bk = vector(b, "bk");
            return this;
        }

        public Builder bv(Tensor b) {
            this.bv = vector(b, "bv");
            return this;
        }

        public Builder bo(Tensor b) {
            this.bo = vector(b, "bo");
            return this;
        }

        private static float[] matrix(Tensor w, String name, long rows, long cols, String shapeName) {
            if (w == null) {
                return null;
            }
            if (w.rank() != 2 || w.size(0) != rows || w.size(1) != cols) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(w.shape()) + " but must be "
                        + shapeName + " = [" + rows + ", " + cols + "] (weights are stored [in, out], used as x·W)");
            }
            Validation.requireUsable(w, name);
            return w.toFloatArray();
        }

        private static float[] vector(Tensor b, String name) {
            if (b == null) {
                return null;
            }
            if (b.rank() != 1) {
                throw new IllegalArgumentException(name + ": rank is " + b.rank() + " but a bias must be rank 1");
            }
            Validation.requireUsable(b, name);
            return b.toFloatArray();
        }

        private static void requireLength(float[] values, String name, long rows, long cols, String shapeName, boolean required) {
            if (values == null) {
                if (required) {
                    throw new IllegalArgumentException(name + ": missing; it must be " + shapeName + " = [" + rows + ", " + cols + "]");
                }
                return;
            }
            if (values.length != rows * cols) {
                String shape = rows == 1 ? "[" + cols + "]" : "[" + rows + ", " + cols + "] = " + rows * cols + " values";
                throw new IllegalArgumentException(name + ": has " + values.length + " values but must be " + shapeName
                        + " = " + shape);
            }
        }

        public MultiHeadAttention build() {
            long q = (long) heads * headDim, kv = (long) kvHeads * headDim;
            if (heads % kvHeads != 0) {
                throw new IllegalArgumentException("kvHeads: " + kvHeads + " does not divide heads " + heads);
            }
            requireLength(wq, "wq", hidden, q, "[hidden, heads·headDim]", true);
            requireLength(wk, "wk", kvHidden, kv, "[kvHidden, kvHeads·headDim]", true);
            requireLength(wv, "wv", kvHidden, kv, "[kvHidden, kvHeads·headDim]", true);
            requireLength(wo, "wo", q, hidden, "[heads·headDim, hidden]", true);
            requireLength(bq, "bq", 1, q, "[heads·headDim]", false);
            requireLength(bk, "bk", 1, kv, "[kvHeads·headDim]", false);
            requireLength(bv, "bv", 1, kv, "[kvHeads·headDim]", false);
            requireLength(bo, "bo", 1, hidden, "[hidden]", false);
            return new MultiHeadAttention(this);
        }
    }
}

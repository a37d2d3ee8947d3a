package panama.attention;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import panama.attention.internal.Backends;
import panama.attention.internal.Elements;
import panama.attention.internal.OwnedArena;
import panama.attention.internal.Problem;
import panama.attention.internal.QuantisedKv;
import panama.attention.internal.Validation;

/**
 * The key/value cache of one attention layer for incremental decoding: keys and values of up to
 * {@code maxSeq} tokens per batch entry, preallocated at construction in an arena the cache owns.
 *
 * <pre>{@code
 * try (KvCache cache = KvCache.create(DType.F32, batch, kvHeads, 4096, headDim, KvCache.Layout.BHSD)) {
 *     cache.append(promptK, promptV);                 // (batch, kvHeads, promptLen, d)
 *     cache.attend(promptQ, promptOut);               // causal prefill
 *     for (...) {
 *         cache.append(k1, v1);                       // (batch, kvHeads, 1, d)
 *         cache.attend(q1, out1);                     // (batch, heads, 1, d) against everything cached
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #append} writes new tokens after each batch entry's current length (the lengths may
 * differ per entry: see {@link #append(Tensor, Tensor, int...)}). {@link #attend} runs
 * {@link Attention#sdpa} on the cached prefix with {@code keyLengths} = the current lengths, so
 * each entry sees exactly its own tokens; by default with {@link CausalMode#BOTTOM_RIGHT}: the
 * {@code Lq} new queries are the last {@code Lq} tokens of the sequence, query {@code i} sees the
 * keys up to its own position. Long caches are split across threads by the native kernel itself.
 *
 * <p>Storage, chosen at construction: {@link Layout#BHSD} {@code [batch, kvHeads, maxSeq, d]}
 * (each head's keys contiguous: the fastest to stream) or {@link Layout#BSHD}
 * {@code [batch, maxSeq, kvHeads, d]} (one token's heads together, as projections produce them).
 * {@link #keys()} and {@link #values()} view either as {@code [batch, kvHeads, maxSeq, d]}.
 *
 * <p>K/V element type ({@link #create(KvDtype, int, int, int, int, Layout)}): a cache for F32
 * queries may store keys and values as {@link KvDtype#F16}, {@link KvDtype#BF16} or
 * {@link KvDtype#I8} (quantised on {@link #append} per token and kv head, scale
 * {@code max|x| / 127}; NaN and infinities are refused there, since no scale represents them). Such
 * a cache runs on NATIVE_CPU, which widens K/V per key block, and on JAVA_REFERENCE, which computes
 * in float64 from the same dequantised values; the other backends refuse it, so AUTO takes
 * NATIVE_CPU when its library is loaded.
 *
 * <p>Not thread-safe: one thread appends and attends at a time. {@link #close()} frees the
 * memory (waiting for a call in flight); closing twice is harmless; use after close throws
 * {@link IllegalStateException}.
 */
public final class KvCache implements AutoCloseable {
    /** How keys and values are stored. */
    public enum Layout {
        /** {@code [batch, kvHeads, maxSeq, headDim]}. */
        BHSD,
        /** {@code [batch, maxSeq, kvHeads, headDim]} (interleaved heads). */
        BSHD
    }

    private final DType dtype;
    private final KvDtype kvDtype;
    private final int batch;
    private final int kvHeads;
    private final int maxSeq;
    private final int headDim;
    private final Layout layout;
    private final OwnedArena owned;
    /** K and V as tensors (null for I8, which no tensor dtype holds). */
    private final Tensor keys;
    private final Tensor values;
    /** K and V storage; for I8 one byte per element. */
    private final MemorySegment keyData;
    private final MemorySegment valueData;
    /** I8 only (else null): fp32 scales {@code [batch, kvHeads, maxSeq]}. */
    private final MemorySegment keyScales;
    private final MemorySegment valueScales;
    private final int[] lengths;

    private KvCache(DType dtype, KvDtype kvDtype, int batch, int kvHeads, int maxSeq, int headDim, Layout layout) {
        this.dtype = dtype;
        this.kvDtype = kvDtype;
        this.batch = batch;
        this.kvHeads = kvHeads;
        this.maxSeq = maxSeq;
        this.headDim = headDim;
        this.layout = layout;
        this.owned = new OwnedArena("KvCache");
        long elements = (long) batch * kvHeads * maxSeq * headDim;
        int elementBytes = kvDtype == KvDtype.F32 ? dtype.byteSize() : kvDtype.byteSize();
        this.keyData = CacheMemory.allocate(owned.arena(), elements * elementBytes);
        this.valueData = CacheMemory.allocate(owned.arena(), elements * elementBytes);
        DType tensorDtype = kvDtype == KvDtype.F32 ? dtype : kvDtype.tensorDtype();
        this.keys = tensorDtype == null ? null : view(keyData, tensorDtype);
        this.values = tensorDtype == null ? null : view(valueData, tensorDtype);
        boolean scaled = kvDtype == KvDtype.I8;
        long scales = (long) batch * kvHeads * maxSeq * Float.BYTES;
        this.keyScales = scaled ? owned.arena().allocate(scales, 64) : null;
        this.valueScales = scaled ? owned.arena().allocate(scales, 64) : null;
        this.lengths = new int[batch];
    }

    private Tensor view(MemorySegment s, DType t) {
        return layout == Layout.BHSD
                ? Tensor.contiguous(s, t, batch, kvHeads, maxSeq, headDim)
                : Tensor.bshd(s, t, batch, maxSeq, kvHeads, headDim);
    }

    /** Batch, head and row strides of the K/V storage in elements (the element stride is 1). */
    private long[] storageStrides() {
        long d = headDim;
        return layout == Layout.BHSD
                ? new long[] {(long) kvHeads * maxSeq * d, (long) maxSeq * d, d}
                : new long[] {(long) maxSeq * kvHeads * d, d, (long) kvHeads * d};
    }

    /** Batch, head and row strides of the I8 scales {@code [batch, kvHeads, maxSeq]} in floats. */
    private long[] scaleStrides() {
        return new long[] {(long) kvHeads * maxSeq, maxSeq, 1};
    }

    /** An F32 cache. */
    public static KvCache create(int batch, int kvHeads, int maxSeq, int headDim, Layout layout) {
        return create(DType.F32, batch, kvHeads, maxSeq, headDim, layout);
    }

    /**
     * A cache of {@code maxSeq} tokens per batch entry, all lengths 0.
     *
     * @throws IllegalArgumentException naming the argument that is not positive or too large
     */
    public static KvCache create(DType dtype, int batch, int kvHeads, int maxSeq, int headDim, Layout layout) {
        Objects.requireNonNull(dtype, "dtype must not be null");
        Objects.requireNonNull(layout, "layout must not be null");
        checkShape(batch, kvHeads, maxSeq, headDim);
        return new KvCache(dtype, KvDtype.F32, batch, kvHeads, maxSeq, headDim, layout);
    }

    /**
     * A cache for F32 queries whose keys and values are stored as {@code kvDtype}: F16 and BF16
     * halve the bytes a decode reads, I8 quarters them (plus one fp32 scale per token and kv head
     * for K and V each). {@link KvDtype#F32} is the plain F32 cache.
     *
     * @throws IllegalArgumentException naming the argument that is not positive or too large
     */
    public static KvCache create(KvDtype kvDtype, int batch, int kvHeads, int maxSeq, int headDim, Layout layout) {
        Objects.requireNonNull(kvDtype, "kvDtype must not be null");
        Objects.requireNonNull(layout, "layout must not be null");
        checkShape(batch, kvHeads, maxSeq, headDim);
        return new KvCache(DType.F32, kvDtype, batch, kvHeads, maxSeq, headDim, layout);
    }

    private static void checkShape(int batch, int kvHeads, int maxSeq, int headDim) {
        positive(batch, "batch");
        positive(kvHeads, "kvHeads");
        positive(maxSeq, "maxSeq");
        positive(headDim, "headDim");
        if (headDim > Validation.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("headDim: " + headDim + " is above the supported " + Validation.MAX_HEAD_DIM);
        }
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": must be at least 1, got " + value);
        }
    }

    /** The queries' and outputs' dtype (F32 whenever {@link #kvDtype()} is not F32). */
    public DType dtype() {
        return dtype;
    }

    /** How keys and values are stored: {@link KvDtype#F32} for a cache in the queries' dtype. */
    public KvDtype kvDtype() {
        return kvDtype;
    }

    public int batch() {
        return batch;
    }

    public int kvHeads() {
        return kvHeads;
    }

    /** Capacity in tokens per batch entry. */
    public int maxSeq() {
        return maxSeq;
    }

    public int headDim() {
        return headDim;
    }

    public Layout layout() {
        return layout;
    }

    /** Tokens cached for batch entry b. */
    public int length(int b) {
        owned.requireOpen();
        Objects.checkIndex(b, batch);
        return lengths[b];
    }

    /** A copy of the per-batch lengths. */
    public int[] lengths() {
        owned.requireOpen();
        return lengths.clone();
    }

    /** The longest cached sequence. */
    public int maxLength() {
        owned.requireOpen();
        return Arrays.stream(lengths).max().orElse(0);
    }

    /**
     * The whole key storage viewed as {@code [batch, kvHeads, maxSeq, d]} (entries past a length are
     * stale), in the storage dtype (F16/BF16 for such a cache).
     *
     * @throws UnsupportedOperationException for an I8 cache: no tensor dtype holds int8 (read
     *     elements with {@link #key})
     */
    public Tensor keys() {
        owned.requireOpen();
        return requireTensor(keys, "keys");
    }

    /** The whole value storage viewed as {@code [batch, kvHeads, maxSeq, d]}; see {@link #keys()}. */
    public Tensor values() {
        owned.requireOpen();
        return requireTensor(values, "values");
    }

    private Tensor requireTensor(Tensor t, String name) {
        if (t == null) {
            throw new UnsupportedOperationException(name + ": an " + kvDtype + " cache has no tensor view (no tensor dtype"
                    + " holds int8); read elements with key(...) and value(...)");
        }
        return t;
    }

    /**
     * Key element (b, h, t, c) as the kernels read it: widened to float and, for I8, multiplied
     * by its token's scale. Any {@code t < maxSeq} (past the length the entry is stale).
     */
    public float key(int b, int h, int t, int c) {
        owned.enter();
        try {
            return storage().key(index(b, batch, "b"), index(h, kvHeads, "h"), index(t, maxSeq, "t"), index(c, headDim, "c"));
        } finally {
            owned.exit();
        }
    }

    /** Value element (b, h, t, c) as the kernels read it; see {@link #key}. */
    public float value(int b, int h, int t, int c) {
        owned.enter();
        try {
            return storage().value(index(b, batch, "b"), index(h, kvHeads, "h"), index(t, maxSeq, "t"),
                    index(c, headDim, "c"));
        } finally {
            owned.exit();
        }
    }

    private long index(int i, int size, String name) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(name + ": " + i + " is outside [0, " + size + ")");
        }
        return i;
    }

    /** The whole storage as the kernels read it ({@code seqK} keys of it per entry). */
    private QuantisedKv storage(long seqK) {
        return new QuantisedKv(kvDtype == KvDtype.F32 ? fromTensor(dtype) : kvDtype, batch, kvHeads, seqK, headDim,
                keyData, valueData, storageStrides(), storageStrides(), keyScales, valueScales, scaleStrides());
    }

    private QuantisedKv storage() {
        return storage(maxSeq);
    }

    private static KvDtype fromTensor(DType t) {
        return switch (t) {
            case F32 -> KvDtype.F32;
            case F16 -> KvDtype.F16;
            case BF16 -> KvDtype.BF16;
        };
    }

    /** Forgets every cached token (lengths back to 0); the memory is kept. */
    public void reset() {
        owned.requireOpen();
        Arrays.fill(lengths, 0);
    }

    /** Shortens batch entry b to {@code length} tokens (e.g. to roll back rejected draft tokens). */
    public void truncate(int b, int length) {
        owned.requireOpen();
        Objects.checkIndex(b, batch);
        if (length < 0 || length > lengths[b]) {
            throw new IllegalArgumentException("length: " + length + " is outside [0, " + lengths[b]
                    + "] (the current length of batch " + b + ")");
        }
        lengths[b] = length;
    }

    /** Appends {@code n} new tokens to every batch entry: k and v are {@code (batch, kvHeads, n, d)}. */
    public void append(Tensor k, Tensor v) {
        Objects.requireNonNull(k, "k must not be null");
        append(k, v, null);
    }

    /**
     * Appends the first {@code counts[b] ≤ n} tokens of k and v to batch entry b (ragged batches:
     * the rest of each entry's rows are padding and are ignored).
     *
     * @param k (batch, kvHeads, n, headDim), any strides and float dtype (converted to the cache's)
     * @param v (batch, kvHeads, n, headDim)
     * @param counts per batch entry, or null for n each
     * @throws IllegalArgumentException naming the argument, e.g. when an entry would exceed maxSeq,
     *     or naming the element when an I8 cache is given NaN or an infinity; nothing is written then
     */
    public void append(Tensor k, Tensor v, int... counts) {
        Objects.requireNonNull(k, "k must not be null");
        Objects.requireNonNull(v, "v must not be null");
        owned.enter();
        try {
            checkNew(k, "k");
            checkNew(v, "v");
            long n = k.size(2);
            if (v.size(2) != n) {
                throw new IllegalArgumentException("v: dimension 2 (seq) is " + v.size(2) + " but k has " + n + " new tokens");
            }
            if (counts != null && counts.length != batch) {
                throw new IllegalArgumentException("counts: has " + counts.length + " entries but batch is " + batch);
            }
            int[] c = new int[batch];
            for (int b = 0; b < batch; b++) {
                long add = counts == null ? n : counts[b];
                if (add < 0 || add > n) {
                    throw new IllegalArgumentException("counts[" + b + "] = " + add + " is outside [0, " + n + "]");
                }
                if (lengths[b] + add > maxSeq) {
                    throw new IllegalArgumentException("k: appending " + add + " tokens to batch " + b + " (length "
                            + lengths[b] + ") overflows maxSeq " + maxSeq);
                }
                c[b] = (int) add;
            }
            if (kvDtype == KvDtype.I8) {
                requireFinite(k, "k", c);
                requireFinite(v, "v", c);
            }
            for (int b = 0; b < batch; b++) {
                if (kvDtype == KvDtype.I8) {
                    quantiseRows(k, keyData, keyScales, b, c[b]);
                    quantiseRows(v, valueData, valueScales, b, c[b]);
                } else {
                    copyRows(k, keys, b, c[b]);
                    copyRows(v, values, b, c[b]);
                }
                lengths[b] += c[b];
            }
        } finally {
            owned.exit();
        }
    }

    private void checkNew(Tensor t, String name) {
        if (t.rank() != 4) {
            throw new IllegalArgumentException(name + ": rank is " + t.rank() + " but must be 4 [batch, kvHeads, n, headDim]; shape "
                    + Arrays.toString(t.shape()));
        }
        Validation.requireUsable(t, name);
        long[] want = {batch, kvHeads, -1, headDim};
        String[] dims = {"batch", "kvHeads", "seq", "headDim"};
        for (int d = 0; d < 4; d++) {
            if (want[d] >= 0 && t.size(d) != want[d]) {
                throw new IllegalArgumentException(name + ": dimension " + d + " (" + dims[d] + ") is " + t.size(d)
                        + " but the cache has " + want[d]);
            }
        }
    }

    /** NaN and infinities have no int8 scale: refused before anything is written. */
    private void requireFinite(Tensor src, String name, int[] counts) {
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < kvHeads; h++) {
                for (int t = 0; t < counts[b]; t++) {
                    long so = b * src.stride(0) + h * src.stride(1) + t * src.stride(2);
                    for (int c = 0; c < headDim; c++) {
                        float x = Elements.get(src.segment(), src.dtype(), so + (long) c * src.stride(3));
                        if (!Float.isFinite(x)) {
                            throw new IllegalArgumentException(name + ": element [" + b + ", " + h + ", " + t + ", " + c + "] is " + x
                                    + "; an I8 cache quantises with scale max|x| / 127 and cannot hold NaN or infinities");
                        }
                    }
                }
            }
        }
    }

    /**
     * Symmetric int8 per token and kv head: {@code scale = max|x| / 127}, each element
     * {@code round(x / scale)} (so off by at most scale / 2); an all-zero row (or one so small that
     * the scale underflows to 0) stores zeros with scale 0.
     */
    private void quantiseRows(Tensor src, MemorySegment data, MemorySegment scales, int b, int count) {
        long[] strides = storageStrides();
        long[] scaleStrides = scaleStrides();
        float[] row = new float[headDim];
        for (int h = 0; h < kvHeads; h++) {
            for (int t = 0; t < count; t++) {
                long so = b * src.stride(0) + h * src.stride(1) + t * src.stride(2);
                float max = 0;
                for (int c = 0; c < headDim; c++) {
                    row[c] = Elements.get(src.segment(), src.dtype(), so + (long) c * src.stride(3));
                    max = Math.max(max, Math.abs(row[c]));
                }
                float scale = max / 127f;
                long token = lengths[b] + t;
                long dOff = b * strides[0] + h * strides[1] + token * strides[2];
                for (int c = 0; c < headDim; c++) {
                    // the clamp only catches x / scale rounding just past ±127
                    int q = scale == 0 ? 0 : (int) Math.max(-127, Math.min(127, Math.rint(row[c] / scale)));
                    data.set(ValueLayout.JAVA_BYTE, dOff + c, (byte) q);
                }
                scales.setAtIndex(ValueLayout.JAVA_FLOAT, b * scaleStrides[0] + h * scaleStrides[1] + token * scaleStrides[2], scale);
            }
        }
    }

    private void copyRows(Tensor src, Tensor dst, int b, int count) {
        MemorySegment s = src.segment(), d = dst.segment();
        DType dtype = dst.dtype();
        boolean fast = src.dtype() == dtype && (src.stride(3) == 1 || headDim == 1);
        long rowBytes = (long) headDim * dtype.byteSize();
        for (int h = 0; h < kvHeads; h++) {
            for (int t = 0; t < count; t++) {
                long so = b * src.stride(0) + h * src.stride(1) + t * src.stride(2);
                long dOff = b * dst.stride(0) + h * dst.stride(1) + (long) (lengths[b] + t) * dst.stride(2);
                if (fast) {
                    MemorySegment.copy(s, so * dtype.byteSize(), d, dOff * dtype.byteSize(), rowBytes);
                } else {
                    for (int c = 0; c < headDim; c++) {
                        Elements.set(d, dtype, dOff + c, Elements.get(s, src.dtype(), so + (long) c * src.stride(3)));
                    }
                }
            }
        }
    }

    /** {@link #attend(Tensor, Tensor, AttentionOptions)} with {@link CausalMode#BOTTOM_RIGHT} and defaults. */
    public Backend attend(Tensor q, Tensor out) {
        return attend(q, out, AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT).build());
    }

    /**
     * The new queries against everything cached: {@link Attention#sdpa} over the keys
     * {@code [0, maxLength())} with {@code keyLengths} = {@link #lengths()}. The options' causal
     * mode is used as given (build them with {@code causal(CausalMode.BOTTOM_RIGHT)} for decoding;
     * with a single query token NONE and BOTTOM_RIGHT agree). A mask must be
     * {@code [batch|1, heads|1, Lq, maxLength()]}; the options must not set keyLengths (the cache
     * supplies them). The lse output, backend and scheduler pass through.
     *
     * @param q (batch, heads, Lq, headDim), heads a multiple of kvHeads; typically Lq = 1..16
     * @param out (batch, heads, Lq, headDim)
     * @return the backend that ran
     */
    public Backend attend(Tensor q, Tensor out, AttentionOptions options) {
        Objects.requireNonNull(q, "q must not be null");
        if (options == null) {
            throw new NullPointerException("options must not be null");
        }
        if (options.keyLengths() != null) {
            throw new IllegalArgumentException("keyLengths: the cache supplies the key lengths (its current lengths); "
                    + "leave options.keyLengths unset");
        }
        owned.enter();
        try {
            if (q.rank() == 4 && q.size(0) != batch) {
                throw new IllegalArgumentException("q: dimension 0 (batch) is " + q.size(0) + " but the cache has " + batch);
            }
            int seqK = Math.max(1, Arrays.stream(lengths).max().orElse(0));
            AttentionOptions withLengths = options.toBuilder().keyLengths(lengths).build();
            if (kvDtype != KvDtype.F32) {
                return attendStored(q, out, withLengths, seqK);
            }
            Tensor k = keys.narrow(2, 0, seqK);
            Tensor v = values.narrow(2, 0, seqK);
            return Attention.sdpa(q, k, v, out, withLengths);
        } finally {
            owned.exit();
        }
    }

    /** Like {@link Attention#sdpa} for K/V in another type than q: validated, resolved and run here. */
    private Backend attendStored(Tensor q, Tensor out, AttentionOptions options, int seqK) {
        Problem p = Validation.checkQuantised(q, storage(seqK), out, options);
        Backend b = Backends.resolve(options.backend(), p);
        // device tensors: their DeviceArenas refuse to close until the kernels are done
        try (DeviceArena.Pin pin = DeviceArena.pin(q, out, options.lse(), options.mask(), options.probabilities())) {
            Backends.run(b, p);
        }
        return b;
    }

    /** Frees the cache; safe to call twice. */
    @Override
    public void close() {
        owned.close();
    }

    @Override
    public String toString() {
        return "KvCache[" + (kvDtype == KvDtype.F32 ? dtype : dtype + " queries, " + kvDtype + " K/V") + " batch=" + batch + " kvHeads=" + kvHeads + " maxSeq=" + maxSeq + " headDim="
                + headDim + " " + layout + (owned.isClosed() ? ", closed" : ", lengths=" + Arrays.toString(lengths)) + "]";
    }
}

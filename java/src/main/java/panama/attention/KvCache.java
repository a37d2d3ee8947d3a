package panama.attention;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import panama.attention.internal.Elements;
import panama.attention.internal.OwnedArena;
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
    private final int batch;
    private final int kvHeads;
    private final int maxSeq;
    private final int headDim;
    private final Layout layout;
    private final OwnedArena owned;
    private final Tensor keys;
    private final Tensor values;
    private final int[] lengths;

    private KvCache(DType dtype, int batch, int kvHeads, int maxSeq, int headDim, Layout layout) {
        this.dtype = dtype;
        this.batch = batch;
        this.kvHeads = kvHeads;
        this.maxSeq = maxSeq;
        this.headDim = headDim;
        this.layout = layout;
        this.owned = new OwnedArena("KvCache");
        this.keys = allocate();
        this.values = allocate();
        this.lengths = new int[batch];
    }

    private Tensor allocate() {
        long bytes = (long) batch * kvHeads * maxSeq * headDim * dtype.byteSize();
        MemorySegment s = owned.arena().allocate(bytes, 64);
        return layout == Layout.BHSD
                ? Tensor.contiguous(s, dtype, batch, kvHeads, maxSeq, headDim)
                : Tensor.bshd(s, dtype, batch, maxSeq, kvHeads, headDim);
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
        positive(batch, "batch");
        positive(kvHeads, "kvHeads");
        positive(maxSeq, "maxSeq");
        positive(headDim, "headDim");
        if (headDim > Validation.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("headDim: " + headDim + " is above the supported " + Validation.MAX_HEAD_DIM);
        }
        return new KvCache(dtype, batch, kvHeads, maxSeq, headDim, layout);
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": must be at least 1, got " + value);
        }
    }

    public DType dtype() {
        return dtype;
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

    /** The whole key storage viewed as {@code [batch, kvHeads, maxSeq, d]} (entries past a length are stale). */
    public Tensor keys() {
        owned.requireOpen();
        return keys;
    }

    /** The whole value storage viewed as {@code [batch, kvHeads, maxSeq, d]}. */
    public Tensor values() {
        owned.requireOpen();
        return values;
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
     * @throws IllegalArgumentException naming the argument, e.g. when an entry would exceed maxSeq;
     *     nothing is written then
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
            for (int b = 0; b < batch; b++) {
                copyRows(k, keys, b, c[b]);
                copyRows(v, values, b, c[b]);
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

    private void copyRows(Tensor src, Tensor dst, int b, int count) {
        MemorySegment s = src.segment(), d = dst.segment();
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
            Tensor k = keys.narrow(2, 0, seqK);
            Tensor v = values.narrow(2, 0, seqK);
            return Attention.sdpa(q, k, v, out, options.toBuilder().keyLengths(lengths).build());
        } finally {
            owned.exit();
        }
    }

    /** Frees the cache; safe to call twice. */
    @Override
    public void close() {
        owned.close();
    }

    @Override
    public String toString() {
        return "KvCache[" + dtype + " batch=" + batch + " kvHeads=" + kvHeads + " maxSeq=" + maxSeq + " headDim="
                + headDim + " " + layout + (owned.isClosed() ? ", closed" : ", lengths=" + Arrays.toString(lengths)) + "]";
    }
}

package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import panama.attention.AttentionOptions;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;

/**
 * Checks every argument of an attention call before any backend sees it, with messages that
 * name the tensor and the dimension. Nothing here touches native code.
 */
public final class Validation {
    private static final String[] DIMS = {"batch", "heads", "seq", "headDim"};
    /** Head dims above this are refused by every backend (the native kernel's own limit). */
    public static final long MAX_HEAD_DIM = 1024;

    private Validation() {
    }

    public static Problem check(Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions o) {
        requireNonNull(k, "k");
        requireNonNull(v, "v");
        return check(q, k, v, null, out, o);
    }

    /**
     * A call whose keys and values are stored in another type than the F32 queries (a quantised
     * {@link panama.attention.KvCache}): the Problem's k and v are null, {@link Problem#quantisedKv}
     * describes them. The cache made kv, so only its agreement with q is checked here.
     */
    public static Problem checkQuantised(Tensor q, QuantisedKv kv, Tensor out, AttentionOptions o) {
        if (kv == null) {
            throw new NullPointerException("kv must not be null");
        }
        return check(q, null, null, kv, out, o);
    }

    /** k and v, or kv (then k and v are null). */
    private static Problem check(Tensor q, Tensor k, Tensor v, QuantisedKv kv, Tensor out, AttentionOptions o) {
        requireNonNull(q, "q");
        requireNonNull(out, "out");
        if (o == null) {
            throw new NullPointerException("options must not be null (use AttentionOptions.defaults())");
        }
        if (o.cuSeqlensQ() != null || o.blockTable() != null) {
            return LayoutValidation.check(q, k, v, out, o);
        }
        Object[][] checked = kv == null ? new Object[][] {{q, "q"}, {k, "k"}, {v, "v"}, {out, "out"}}
                : new Object[][] {{q, "q"}, {out, "out"}};
        for (Object[] t : checked) {
            requireRank((Tensor) t[0], (String) t[1], 4, "[batch, heads, seq, headDim]");
            requireUsable((Tensor) t[0], (String) t[1]);
            requireUnitLastStride((Tensor) t[0], (String) t[1]);
        }
        DType dtype = q.dtype();
        if (kv == null) {
            requireDtype(k, "k", dtype, "q");
            requireDtype(v, "v", dtype, "q");
        } else if (dtype != DType.F32) {
            throw new IllegalArgumentException("q: dtype is " + dtype + ", but a cache with K/V dtype " + kv.dtype()
                    + " takes F32 queries only (the kernels widen " + kv.dtype() + " K/V to fp32)");
        }
        requireDtype(out, "out", dtype, "q");
        if (out.segment().isReadOnly()) {
            throw new IllegalArgumentException("out: segment is read-only");
        }

        long batch = q.size(0), heads = q.size(1), seqQ = q.size(2), headDim = q.size(3);
        long kvHeads = kv == null ? k.size(1) : kv.kvHeads();
        long seqK = kv == null ? k.size(2) : kv.seqK();
        for (int d = 0; d < 4; d++) {
            requirePositive(q, "q", d);
            if (kv == null) {
                requirePositive(k, "k", d);
            }
        }
        if (headDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("q: dimension 3 (headDim) is " + headDim + ", above the supported " + MAX_HEAD_DIM);
        }
        if (kv == null) {
            requireSize(k, "k", 0, batch, "q");
            requireSize(k, "k", 3, headDim, "q");
            requireSize(v, "v", 0, batch, "q");
            requireSize(v, "v", 1, kvHeads, "k");
            requireSize(v, "v", 2, seqK, "k");
            requireSize(v, "v", 3, headDim, "q");
        } else {
            if (kv.batch() != batch) {
                throw new IllegalArgumentException("q: dimension 0 (batch) is " + batch + " but the cache has " + kv.batch());
            }
            if (kv.headDim() != headDim) {
                throw new IllegalArgumentException("q: dimension 3 (headDim) is " + headDim + " but the cache has " + kv.headDim());
            }
            if (kvHeads < 1 || seqK < 1) {
                throw new IllegalArgumentException("kv: kvHeads and seqK must be at least 1, got " + kvHeads + " and " + seqK);
            }
        }
        requireSize(out, "out", 0, batch, "q");
        requireSize(out, "out", 1, heads, "q");
        requireSize(out, "out", 2, seqQ, "q");
        requireSize(out, "out", 3, headDim, "q");
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("k: dimension 1 (heads) is " + kvHeads
                    + ", which does not divide q's " + heads + " heads (grouped-query attention needs heads % kvHeads == 0)");
        }
        requireDistinctElements(out, "out");
        rejectOverlap(out, "out", new Tensor[] {q, k, v}, new String[] {"q", "k", "v"});

        Tensor lse = o.lse();
        if (lse != null) {
            requireRank(lse, "lse", 3, "[batch, heads, seqQ]");
            requireUsable(lse, "lse");
            if (lse.dtype() != DType.F32) {
                throw new IllegalArgumentException("lse: dtype is " + lse.dtype() + ", must be F32");
            }
            if (lse.segment().isReadOnly()) {
                throw new IllegalArgumentException("lse: segment is read-only");
            }
            long[] want = {batch, heads, seqQ};
            for (int d = 0; d < 3; d++) {
                if (lse.size(d) != want[d]) {
                    throw new IllegalArgumentException("lse: dimension " + d + " is " + lse.size(d) + " but must be "
                            + want[d] + " (shape must be [batch, heads, seqQ] = " + Arrays.toString(want) + ")");
                }
            }
            if (lse.stride(2) != 1) {
                throw new IllegalArgumentException("lse: dimension 2 (seqQ) must have stride 1, has " + lse.stride(2));
            }
            requireDistinctElements(lse, "lse");
        }

        Tensor mask = o.mask();
        long mbs = 0, mhs = 0, mrs = 0;
        if (mask != null) {
            requireRank(mask, "mask", 4, "[batch|1, heads|1, seqQ, seqK]");
            requireUsable(mask, "mask");
            if (mask.dtype() != DType.F32) {
                throw new IllegalArgumentException("mask: dtype is " + mask.dtype() + ", must be F32 (additive)");
            }
            mbs = broadcastStride(mask, 0, batch, "batch");
            mhs = broadcastStride(mask, 1, heads, "heads");
            if (mask.size(2) != seqQ) {
                throw new IllegalArgumentException("mask: dimension 2 (seqQ) is " + mask.size(2) + " but q has " + seqQ + " queries");
            }
            if (mask.size(3) != seqK) {
                throw new IllegalArgumentException("mask: dimension 3 (seqK) is " + mask.size(3) + " but k has " + seqK + " keys");
            }
            if (mask.stride(3) != 1 && seqK > 1) {
                throw new IllegalArgumentException("mask: dimension 3 (seqK) must have stride 1, has " + mask.stride(3));
            }
            mrs = mask.stride(2);
        }

        Tensor probs = o.probabilities();
        if (probs != null) {
            checkProbabilities(probs, new long[] {batch, heads, seqQ, seqK});
            rejectOverlap(probs, "probabilities", new Tensor[] {q, k, v, out, lse, mask},
                    new String[] {"q", "k", "v", "out", "lse", "mask"});
        }

        int[] keyLengths = o.keyLengths();
        if (keyLengths != null) {
            if (keyLengths.length != batch) {
                throw new IllegalArgumentException("keyLengths: has " + keyLengths.length + " entries but batch is " + batch);
            }
            for (int b = 0; b < keyLengths.length; b++) {
                if (keyLengths[b] < 0 || keyLengths[b] > seqK) {
                    throw new IllegalArgumentException("keyLengths[" + b + "] = " + keyLengths[b]
                            + " is outside [0, seqK = " + seqK + "]");
                }
            }
        }
        float scale = o.softmaxScale(headDim);
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("softmaxScale must be finite, got " + scale);
        }
        TileScheduler scheduler = o.scheduler() == null ? TileScheduler.shared() : o.scheduler();
        Problem.Serving serving = serving(o, heads);
        return new Problem(q, k, v, out, lse, mask, keyLengths, batch, heads, kvHeads, seqQ, seqK, headDim,
                mbs, mhs, mrs, scale, o.causal(), dtype, o.cpuIsa(), scheduler, probs, serving, Problem.Layout.DENSE, kv,
                o.weights());
    }

    /** The window, softcap and ALiBi slopes of o (the builder already checked the window and softcap). */
    static Problem.Serving serving(AttentionOptions o, long heads) {
        Tensor slopes = o.alibiSlopes();
        if (slopes != null) {
            requireRank(slopes, "alibiSlopes", 1, "[heads]");
            requireUsable(slopes, "alibiSlopes");
            if (slopes.dtype() != DType.F32) {
                throw new IllegalArgumentException("alibiSlopes: dtype is " + slopes.dtype() + ", must be F32");
            }
            if (slopes.size(0) != heads) {
                throw new IllegalArgumentException("alibiSlopes: dimension 0 (heads) is " + slopes.size(0)
                        + " but q has " + heads + " heads");
            }
            if (slopes.isOnDevice()) {
                throw new IllegalArgumentException("alibiSlopes: must be a host tensor, is on " + slopes.device());
            }
            for (long h = 0; h < heads; h++) {
                float slope = Elements.get(slopes.segment(), DType.F32, h * slopes.stride(0));
                if (!Float.isFinite(slope)) {
                    throw new IllegalArgumentException("alibiSlopes[" + h + "] = " + slope + " must be finite");
                }
            }
        }
        if (!o.windowed() && o.softcap() == 0 && slopes == null) {
            return Problem.Serving.NONE;
        }
        return new Problem.Serving(o.windowed(), o.windowLeft(), o.windowRight(), o.softcap(), slopes);
    }

    /** The probabilities output: F32, exactly [batch, heads, seqQ, seqK], rows contiguous, writable, distinct. */
    private static void checkProbabilities(Tensor probs, long[] want) {
        String shape = "[batch, heads, seqQ, seqK]";
        requireRank(probs, "probabilities", 4, shape);
        requireUsable(probs, "probabilities");
        if (probs.dtype() != DType.F32) {
            throw new IllegalArgumentException("probabilities: dtype is " + probs.dtype() + ", must be F32");
        }
        if (probs.segment().isReadOnly()) {
            throw new IllegalArgumentException("probabilities: segment is read-only");
        }
        String[] names = {"batch", "heads", "seqQ", "seqK"};
        for (int d = 0; d < 4; d++) {
            if (probs.size(d) != want[d]) {
                throw new IllegalArgumentException("probabilities: dimension " + d + " (" + names[d] + ") is " + probs.size(d)
                        + " but must be " + want[d] + " (shape must be " + shape + " = " + Arrays.toString(want) + ")");
            }
        }
        if (probs.stride(3) != 1 && want[3] > 1) {
            throw new IllegalArgumentException("probabilities: dimension 3 (seqK) must be contiguous (stride 1), has stride "
                    + probs.stride(3));
        }
        requireDistinctElements(probs, "probabilities");
    }

    private static long broadcastStride(Tensor mask, int dim, long size, String name) {
        long m = mask.size(dim);
        if (m == size) {
            return size == 1 ? 0 : mask.stride(dim);
        }
        if (m == 1) {
            return 0;
        }
        throw new IllegalArgumentException("mask: dimension " + dim + " (" + name + ") is " + m
                + " but must be 1 (broadcast) or " + size);
    }

    private static void requireNonNull(Tensor t, String name) {
        if (t == null) {
            throw new NullPointerException(name + " must not be null");
        }
    }

    static void requireRank(Tensor t, String name, int rank, String shape) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(name + ": rank is " + t.rank() + " but must be " + rank + " " + shape
                    + "; shape " + Arrays.toString(t.shape()));
        }
    }

    /** Alive, and readable from this thread. */
    public static void requireUsable(Tensor t, String name) {
        MemorySegment s = t.segment();
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(name + ": its arena is closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": its segment belongs to a confined arena of another thread");
        }
    }

    private static void requireUnitLastStride(Tensor t, String name) {
        if (t.stride(3) != 1 && t.size(3) > 1) {
            throw new IllegalArgumentException(name + ": dimension 3 (headDim) must be contiguous (stride 1), has stride "
                    + t.stride(3));
        }
    }

    static void requireDtype(Tensor t, String name, DType want, String other) {
        if (t.dtype() != want) {
            throw new IllegalArgumentException(name + ": dtype is " + t.dtype() + " but " + other + " is " + want);
        }
    }

    static void requirePositive(Tensor t, String name, int d) {
        if (t.size(d) < 1) {
            throw new IllegalArgumentException(name + ": dimension " + d + " (" + DIMS[d] + ") is " + t.size(d)
                    + ", must be at least 1");
        }
    }

    private static void requireSize(Tensor t, String name, int d, long want, String other) {
        if (t.size(d) != want) {
            throw new IllegalArgumentException(name + ": dimension " + d + " (" + DIMS[d] + ") is " + t.size(d)
                    + " but " + other + " has " + want);
        }
    }

    /**
     * A tensor that is written must not address one element twice (a stride of 0, or rows that
     * overlap): the result would depend on which tile wrote last. Sufficient check: with the
     * dimensions of size > 1 ordered by stride, each stride exceeds the span of those inside it.
     */
    static void requireDistinctElements(Tensor t, String name) {
        int rank = t.rank();
        Integer[] dims = new Integer[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = i;
        }
        Arrays.sort(dims, (a, b) -> Long.compare(t.stride(a), t.stride(b)));
        long span = 0; // elements spanned by the dimensions inside the current one, minus one
        for (int i : dims) {
            if (t.size(i) <= 1) {
                continue;
            }
            if (t.stride(i) <= span) {
                throw new IllegalArgumentException(name + ": dimension " + i + " has stride " + t.stride(i)
                        + ", so elements overlap (shape " + Arrays.toString(t.shape()) + ", strides "
                        + Arrays.toString(t.strides()) + "); an output needs distinct memory for every element");
            }
            span += (t.size(i) - 1) * t.stride(i);
        }
    }

    /** Bytes from the tensor's first element to one past its last (its strides can leave gaps). */
    static long extentBytes(Tensor t) {
        long extent = 1;
        for (int d = 0; d < t.rank(); d++) {
            extent += (t.size(d) - 1) * t.stride(d);
        }
        return extent * t.dtype().byteSize();
    }

    /**
     * An output that shares memory with another tensor of the call (an input, or another output)
     * would make results depend on the order tiles run in.
     */
    static void rejectOverlap(Tensor written, String name, Tensor[] others, String[] otherNames) {
        MemorySegment w = written.segment();
        long wStart = w.address();
        long wEnd = wStart + extentBytes(written);
        for (int i = 0; i < others.length; i++) {
            if (others[i] == null) {
                continue;
            }
            MemorySegment s = others[i].segment();
            if (s.isNative() != w.isNative()) {
                continue;
            }
            if (!s.isNative() && s.heapBase().orElse(null) != w.heapBase().orElse(null)) {
                continue;
            }
            long start = s.address();
            long end = start + extentBytes(others[i]);
            if (start < wEnd && wStart < end) {
                throw new IllegalArgumentException(name + ": its memory overlaps " + otherNames[i]
                        + "'s; write the output to separate memory");
            }
        }
    }
}

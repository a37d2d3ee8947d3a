package panama.attention.internal;

import java.util.Arrays;
import panama.attention.AttentionOptions;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;

/**
 * {@link Validation} for packed variable-length batches and paged keys: the shapes those layouts
 * take, their offsets and block tables, with messages that name the array and the entry. It
 * returns a {@link Problem} whose tensors are views the kernels address through
 * {@link Problem#queryOffset} and {@link Problem#keyOffset}.
 */
final class LayoutValidation {
    private LayoutValidation() {
    }

    static Problem check(Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions o) {
        int[] cuQ = o.cuSeqlensQ();
        int[] cuK = o.cuSeqlensK();
        int[][] table = o.blockTable();
        String what = cuQ != null ? "packed sequences (varlen)" : "paged keys";
        if (o.mask() != null) {
            throw new IllegalArgumentException("mask: not supported with " + what
                    + "; use causal modes, windows or key lengths");
        }
        if (o.probabilities() != null) {
            throw new IllegalArgumentException("probabilities: not returned with " + what);
        }
        DType dtype = q.dtype();
        Validation.requireDtype(k, "k", dtype, "q");
        Validation.requireDtype(v, "v", dtype, "q");
        Validation.requireDtype(out, "out", dtype, "q");
        if (out.segment().isReadOnly()) {
            throw new IllegalArgumentException("out: segment is read-only");
        }

        // queries: packed [totalQ, heads, d] seen as [1, heads, totalQ, d], or batched
        Tensor qv;
        Tensor outv;
        long batch;
        if (cuQ != null) {
            requireShape(q, "q", 3, "[totalQ, heads, headDim] (packed sequences)");
            requireShape(out, "out", 3, "[totalQ, heads, headDim] (packed sequences)");
            sameShape(out, "out", q, "q");
            if (cuQ.length < 2) {
                throw new IllegalArgumentException("cuSeqlensQ: has " + cuQ.length
                        + " entries, needs batch + 1 >= 2");
            }
            batch = cuQ.length - 1;
            checkOffsets("cuSeqlensQ", cuQ, q.size(0), "q");
            qv = packedView(q);
            outv = packedView(out);
        } else {
            requireShape(q, "q", 4, "[batch, heads, seqQ, headDim]");
            requireShape(out, "out", 4, "[batch, heads, seqQ, headDim]");
            sameShape(out, "out", q, "q");
            batch = q.size(0);
            qv = q;
            outv = out;
        }
        long heads = qv.size(1);
        long seqQ = qv.size(2);
        long headDim = qv.size(3);
        if (headDim > Validation.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("q: headDim is " + headDim + ", above the supported "
                    + Validation.MAX_HEAD_DIM);
        }

        // keys: packed [totalK, kvHeads, d], a pool [numBlocks, blockSize, kvHeads, d], or batched
        int[] keyLengths = o.keyLengths();
        Tensor kv;
        Tensor vv;
        long seqK;
        Problem.Layout layout;
        if (cuK != null) {
            requireShape(k, "k", 3, "[totalK, kvHeads, headDim] (packed sequences)");
            requireShape(v, "v", 3, "[totalK, kvHeads, headDim] (packed sequences)");
            sameShape(v, "v", k, "k");
            if (cuK.length != cuQ.length) {
                throw new IllegalArgumentException("cuSeqlensK: has " + cuK.length + " entries but cuSeqlensQ has "
                        + cuQ.length + " (both are batch + 1)");
            }
            if (keyLengths != null) {
                throw new IllegalArgumentException("keyLengths: not with cuSeqlensK (a packed sequence has "
                        + "cuSeqlensK[b + 1] - cuSeqlensK[b] keys)");
            }
            checkOffsets("cuSeqlensK", cuK, k.size(0), "k");
            kv = packedView(k);
            vv = packedView(v);
            seqK = k.size(0);
            layout = new Problem.Layout(cuQ, cuK, null, 0, 0, 0);
        } else if (table != null) {
            requireShape(k, "k", 4, "[numBlocks, blockSize, kvHeads, headDim] (paged pool)");
            requireShape(v, "v", 4, "[numBlocks, blockSize, kvHeads, headDim] (paged pool)");
            sameShape(v, "v", k, "k");
            int blockSize = o.blockSize();
            if (k.size(1) != blockSize) {
                throw new IllegalArgumentException("k: dimension 1 (blockSize) is " + k.size(1)
                        + " but pagedKv's blockSize is " + blockSize);
            }
            if (keyLengths == null) {
                throw new IllegalArgumentException("keyLengths: required with pagedKv (they are the sequence lengths)");
            }
            if (table.length != batch) {
                throw new IllegalArgumentException("blockTable: has " + table.length + " rows but batch is " + batch);
            }
            if (keyLengths.length != batch) {
                throw new IllegalArgumentException("keyLengths: has " + keyLengths.length + " entries but batch is " + batch);
            }
            long numBlocks = k.size(0);
            int maxBlocks = 1;
            long longest = 1;
            for (int b = 0; b < batch; b++) {
                maxBlocks = Math.max(maxBlocks, table[b].length);
                if (keyLengths[b] < 0) {
                    throw new IllegalArgumentException("keyLengths[" + b + "] = " + keyLengths[b] + " is negative");
                }
                long reached = (keyLengths[b] + (long) blockSize - 1) / blockSize;
                if (reached > table[b].length) {
                    throw new IllegalArgumentException("keyLengths[" + b + "] = " + keyLengths[b] + " needs " + reached
                            + " blocks of " + blockSize + " but blockTable[" + b + "] has " + table[b].length);
                }
                for (int i = 0; i < reached; i++) {
                    if (table[b][i] < 0 || table[b][i] >= numBlocks) {
                        throw new IllegalArgumentException("blockTable[" + b + "][" + i + "] = " + table[b][i]
                                + " is outside [0, numBlocks = " + numBlocks + ")");
                    }
                }
                longest = Math.max(longest, keyLengths[b]);
            }
            int[] flat = new int[Math.multiplyExact(Math.toIntExact(batch), maxBlocks)];
            Arrays.fill(flat, -1); // never read: past every sequence's length
            for (int b = 0; b < batch; b++) {
                System.arraycopy(table[b], 0, flat, b * maxBlocks, table[b].length);
            }
            kv = k.transpose(1, 2);
            vv = v.transpose(1, 2);
            seqK = longest;
            layout = new Problem.Layout(cuQ, null, flat, maxBlocks, blockSize, numBlocks);
        } else {
            requireShape(k, "k", 4, "[batch, kvHeads, seqK, headDim]");
            requireShape(v, "v", 4, "[batch, kvHeads, seqK, headDim]");
            sameShape(v, "v", k, "k");
            if (k.size(0) != batch) {
                throw new IllegalArgumentException("k: dimension 0 (batch) is " + k.size(0) + " but there are " + batch
                        + " sequences");
            }
            kv = k;
            vv = v;
            seqK = k.size(2);
            if (keyLengths != null) {
                if (keyLengths.length != batch) {
                    throw new IllegalArgumentException("keyLengths: has " + keyLengths.length + " entries but batch is " + batch);
                }
                for (int b = 0; b < batch; b++) {
                    if (keyLengths[b] < 0 || keyLengths[b] > seqK) {
                        throw new IllegalArgumentException("keyLengths[" + b + "] = " + keyLengths[b]
                                + " is outside [0, seqK = " + seqK + "]");
                    }
                }
            }
            layout = new Problem.Layout(cuQ, null, null, 0, 0, 0);
        }
        long kvHeads = kv.size(1);
        if (kv.size(3) != headDim) {
            throw new IllegalArgumentException("k: headDim is " + kv.size(3) + " but q has " + headDim);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("k: kvHeads is " + kvHeads + ", which does not divide q's " + heads
                    + " heads (grouped-query attention needs heads % kvHeads == 0)");
        }
        Validation.requireDistinctElements(out, "out");
        Validation.rejectOverlap(out, "out", new Tensor[] {q, k, v}, new String[] {"q", "k", "v"});

        Tensor lse = o.lse();
        Tensor lsev = null;
        if (lse != null) {
            lsev = checkLse(lse, cuQ != null, batch, heads, seqQ);
            Validation.rejectOverlap(lse, "lse", new Tensor[] {q, k, v, out}, new String[] {"q", "k", "v", "out"});
        }
        float scale = o.softmaxScale(headDim);
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("softmaxScale must be finite, got " + scale);
        }
        TileScheduler scheduler = o.scheduler() == null ? TileScheduler.shared() : o.scheduler();
        Problem.Serving serving = Validation.serving(o, heads);
        return new Problem(qv, kv, vv, outv, lsev, null, keyLengths, batch, heads, kvHeads, seqQ, seqK, headDim,
                0, 0, 0, scale, o.causal(), dtype, o.cpuIsa(), scheduler, null, serving, layout, null,
                o.weights());
    }

    /** lse: packed {@code [heads, totalQ]} (FlashAttention's varlen layout), seen as {@code [1, heads, totalQ]}; else {@code [batch, heads, seqQ]}. */
    private static Tensor checkLse(Tensor lse, boolean packed, long batch, long heads, long seqQ) {
        String shape = packed ? "[heads, totalQ]" : "[batch, heads, seqQ]";
        long[] want = packed ? new long[] {heads, seqQ} : new long[] {batch, heads, seqQ};
        Validation.requireRank(lse, "lse", want.length, shape);
        Validation.requireUsable(lse, "lse");
        if (lse.dtype() != DType.F32) {
            throw new IllegalArgumentException("lse: dtype is " + lse.dtype() + ", must be F32");
        }
        if (lse.segment().isReadOnly()) {
            throw new IllegalArgumentException("lse: segment is read-only");
        }
        if (!Arrays.equals(lse.shape(), want)) {
            throw new IllegalArgumentException("lse: shape is " + Arrays.toString(lse.shape()) + " but must be " + shape
                    + " = " + Arrays.toString(want));
        }
        int last = want.length - 1;
        if (lse.stride(last) != 1 && want[last] > 1) {
            throw new IllegalArgumentException("lse: its last dimension must have stride 1, has " + lse.stride(last));
        }
        Validation.requireDistinctElements(lse, "lse");
        return packed ? lse.view(new long[] {1, heads, seqQ}, new long[] {0, lse.stride(0), lse.stride(1)}) : lse;
    }

    /** Cumulative offsets: 0 first, non-decreasing, none past the tensor's rows. */
    private static void checkOffsets(String name, int[] cu, long rows, String tensor) {
        for (int b = 0; b < cu.length; b++) {
            if (cu[b] < 0) {
                throw new IllegalArgumentException(name + "[" + b + "] = " + cu[b] + " is negative");
            }
            if (b == 0 && cu[0] != 0) {
                throw new IllegalArgumentException(name + "[0] = " + cu[0] + " must be 0");
            }
            if (b > 0 && cu[b] < cu[b - 1]) {
                throw new IllegalArgumentException(name + "[" + b + "] = " + cu[b] + " is below " + name + "[" + (b - 1)
                        + "] = " + cu[b - 1] + " (offsets must not decrease)");
            }
            if (cu[b] > rows) {
                throw new IllegalArgumentException(name + "[" + b + "] = " + cu[b] + " is past " + tensor + "'s " + rows
                        + " rows");
            }
        }
    }

    /** Rank, alive and readable, sizes >= 1, head dim (the last) contiguous. */
    private static void requireShape(Tensor t, String name, int rank, String shape) {
        Validation.requireRank(t, name, rank, shape);
        Validation.requireUsable(t, name);
        for (int d = 0; d < rank; d++) {
            if (t.size(d) < 1) {
                throw new IllegalArgumentException(name + ": dimension " + d + " is " + t.size(d) + ", must be at least 1 "
                        + shape);
            }
        }
        if (t.stride(rank - 1) != 1 && t.size(rank - 1) > 1) {
            throw new IllegalArgumentException(name + ": dimension " + (rank - 1)
                    + " (headDim) must be contiguous (stride 1), has stride " + t.stride(rank - 1));
        }
    }

    private static void sameShape(Tensor t, String name, Tensor ref, String refName) {
        if (!Arrays.equals(t.shape(), ref.shape())) {
            throw new IllegalArgumentException(name + ": shape is " + Arrays.toString(t.shape()) + " but " + refName + "'s is "
                    + Arrays.toString(ref.shape()));
        }
    }

    /** A packed {@code [tokens, heads, d]} tensor as {@code [1, heads, tokens, d]}. */
    private static Tensor packedView(Tensor t) {
        return t.view(new long[] {1, t.size(1), t.size(0), t.size(2)},
                new long[] {0, t.stride(1), t.stride(0), t.stride(2)});
    }
}

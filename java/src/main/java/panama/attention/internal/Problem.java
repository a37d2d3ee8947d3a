package panama.attention.internal;

import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.WeightPrecision;

/**
 * One validated attention call: every shape, stride and option has been checked by
 * {@link Validation}, so backends may trust it. Strides are in elements; mask strides are 0
 * along broadcast dimensions.
 *
 * @param q (batch, heads, seqQ, headDim)
 * @param k (batch, kvHeads, seqK, headDim)
 * @param v (batch, kvHeads, seqK, headDim)
 * @param out (batch, heads, seqQ, headDim)
 * @param lse optional F32 (batch, heads, seqQ)
 * @param mask optional F32 additive, broadcast over batch/heads through maskBatchStride/maskHeadStride
 * @param keyLengths optional, (batch)
 * @param probabilities optional F32 (batch, heads, seqQ, seqK), unit stride along seqK
 * @param serving sliding window, logit softcap and ALiBi slopes ({@link Serving#NONE} for none)
 * @param layout packed sequences and paged keys ({@link Layout#DENSE} for none). Packed q and out
 *     are views {@code [1, heads, totalQ, headDim]} (batch is then the number of sequences), packed
 *     k and v {@code [1, kvHeads, totalK, headDim]}, paged k and v pool views
 *     {@code [numBlocks, kvHeads, blockSize, headDim]}, packed lse {@code [1, heads, totalQ]}; the
 *     offset methods below address them.
 * @param quantisedKv keys and values stored in another type than q (a quantised KV cache): then
 *     k and v are null and only the backends that read it (NATIVE_CPU, JAVA_REFERENCE) accept
 *     the call; null for K and V as tensors in q's dtype
 * @param weights how the softmax weights may enter P·V ({@link WeightPrecision#FP32}: exactly)
 */
public record Problem(
        Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor mask, int[] keyLengths,
        long batch, long heads, long kvHeads, long seqQ, long seqK, long headDim,
        long maskBatchStride, long maskHeadStride, long maskRowStride,
        float softmaxScale, CausalMode causal, DType dtype, CpuIsa cpuIsa, TileScheduler scheduler,
        Tensor probabilities, Serving serving, Layout layout, QuantisedKv quantisedKv, WeightPrecision weights) {

    /**
     * Packed sequences and paged keys, validated: cumulative offsets of packed queries and keys
     * ({@code batch + 1}, or null), and a paged cache's block table, flat
     * {@code [batch, maxBlocksPerSeq]} (null when not paged; entries a sequence does not reach are
     * -1), with its block size and pool size.
     */
    public record Layout(int[] cuSeqlensQ, int[] cuSeqlensK, int[] blockTable, long maxBlocksPerSeq, long blockSize,
                         long numBlocks) {
        public static final Layout DENSE = new Layout(null, null, null, 0, 0, 0);

        /** True when queries are packed or keys are packed or paged. */
        public boolean any() {
            return cuSeqlensQ != null || blockTable != null;
        }

        /** The layouts in use, as the words a refusal names. */
        public String describe() {
            java.util.List<String> on = new java.util.ArrayList<>();
            if (cuSeqlensQ != null) {
                on.add("packed variable-length sequences");
            }
            if (blockTable != null) {
                on.add("paged keys and values");
            }
            return String.join(", ", on);
        }
    }

    /** A call with the serving options, the dense layout and K and V as tensors in q's dtype. */
    public Problem(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor mask, int[] keyLengths,
                   long batch, long heads, long kvHeads, long seqQ, long seqK, long headDim,
                   long maskBatchStride, long maskHeadStride, long maskRowStride,
                   float softmaxScale, CausalMode causal, DType dtype, CpuIsa cpuIsa, TileScheduler scheduler,
                   Tensor probabilities, Serving serving) {
        this(q, k, v, out, lse, mask, keyLengths, batch, heads, kvHeads, seqQ, seqK, headDim, maskBatchStride,
                maskHeadStride, maskRowStride, softmaxScale, causal, dtype, cpuIsa, scheduler, probabilities,
                serving, Layout.DENSE, null, WeightPrecision.FP32);
    }

    /** Key element (b, h, j, c) as a float, from k or from the quantised storage (dequantised). */
    public float keyAt(long b, long h, long j, long c) {
        return quantisedKv != null ? quantisedKv.key(b, h, j, c) : Elements.get(k.segment(), k.dtype(), offset(k, b, h, j, c));
    }

    /** Value element (b, h, j, c) as a float. */
    public float valueAt(long b, long h, long j, long c) {
        return quantisedKv != null ? quantisedKv.value(b, h, j, c) : Elements.get(v.segment(), v.dtype(), offset(v, b, h, j, c));
    }

    private static long offset(Tensor t, long b, long h, long j, long c) {
        return b * t.stride(0) + h * t.stride(1) + j * t.stride(2) + c;
    }

    /**
     * The serving options of a call, validated: a sliding window {@code (windowLeft, windowRight)}
     * (-1 = unbounded on that side; {@code windowed} false: no window at all), a logit softcap
     * ({@code 0}: off) and ALiBi slopes (F32 {@code [heads]}, contiguous; null for none).
     */
    public record Serving(boolean windowed, long windowLeft, long windowRight, float softcap, Tensor alibiSlopes) {
        public static final Serving NONE = new Serving(false, -1, -1, 0f, null);

        /** True when any of the options is on. */
        public boolean any() {
            return windowed || softcap > 0 || alibiSlopes != null;
        }

        /** The options that are on, as the words a refusal names. */
        public String describe() {
            java.util.List<String> on = new java.util.ArrayList<>();
            if (windowed) {
                on.add("sliding window");
            }
            if (softcap > 0) {
                on.add("logit softcap");
            }
            if (alibiSlopes != null) {
                on.add("ALiBi slopes");
            }
            return String.join(", ", on);
        }
    }

    /** A call with probabilities and none of the serving options. */
    public Problem(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor mask, int[] keyLengths,
                   long batch, long heads, long kvHeads, long seqQ, long seqK, long headDim,
                   long maskBatchStride, long maskHeadStride, long maskRowStride,
                   float softmaxScale, CausalMode causal, DType dtype, CpuIsa cpuIsa, TileScheduler scheduler,
                   Tensor probabilities) {
        this(q, k, v, out, lse, mask, keyLengths, batch, heads, kvHeads, seqQ, seqK, headDim, maskBatchStride,
                maskHeadStride, maskRowStride, softmaxScale, causal, dtype, cpuIsa, scheduler, probabilities,
                Serving.NONE);
    }

    /** A call that returns no probabilities (what the fused backends run). */
    public Problem(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor mask, int[] keyLengths,
                   long batch, long heads, long kvHeads, long seqQ, long seqK, long headDim,
                   long maskBatchStride, long maskHeadStride, long maskRowStride,
                   float softmaxScale, CausalMode causal, DType dtype, CpuIsa cpuIsa, TileScheduler scheduler) {
        this(q, k, v, out, lse, mask, keyLengths, batch, heads, kvHeads, seqQ, seqK, headDim, maskBatchStride,
                maskHeadStride, maskRowStride, softmaxScale, causal, dtype, cpuIsa, scheduler, null, Serving.NONE);
    }

    /** Valid keys of batch b (sequence b of a packed batch). */
    public long keyLength(long b) {
        if (layout.cuSeqlensK() != null) {
            return layout.cuSeqlensK()[(int) b + 1] - layout.cuSeqlensK()[(int) b];
        }
        return keyLengths == null ? seqK : keyLengths[(int) b];
    }

    /** Query rows of batch b (sequence b of a packed batch). */
    public long queryLength(long b) {
        int[] cu = layout.cuSeqlensQ();
        return cu == null ? seqQ : cu[(int) b + 1] - cu[(int) b];
    }

    /** Element offset of query row i of (b, h) in t (q or out: the same layout). */
    public long queryOffset(Tensor t, long b, long h, long i) {
        int[] cu = layout.cuSeqlensQ();
        return cu == null ? b * t.stride(0) + h * t.stride(1) + i * t.stride(2)
                : h * t.stride(1) + (cu[(int) b] + i) * t.stride(2);
    }

    /** Element offset of the LSE entry of query row i of (b, h). */
    public long lseOffset(long b, long h, long i) {
        int[] cu = layout.cuSeqlensQ();
        return cu == null ? b * lse.stride(0) + h * lse.stride(1) + i : h * lse.stride(1) + cu[(int) b] + i;
    }

    /** Element offset of key row j of (b, kv head kvh) in t (k or v: the same layout). */
    public long keyOffset(Tensor t, long b, long kvh, long j) {
        if (layout.blockTable() != null) {
            long block = layout.blockTable()[(int) (b * layout.maxBlocksPerSeq() + j / layout.blockSize())];
            return block * t.stride(0) + kvh * t.stride(1) + (j % layout.blockSize()) * t.stride(2);
        }
        if (layout.cuSeqlensK() != null) {
            return kvh * t.stride(1) + (layout.cuSeqlensK()[(int) b] + j) * t.stride(2);
        }
        return b * t.stride(0) + kvh * t.stride(1) + j * t.stride(2);
    }

    /**
     * Largest key index + 1 that query row i of batch b may see under causal masking and key
     * lengths (may be ≤ 0: none); the sliding window narrows it further ({@link #visibleStart},
     * {@link #windowEnd}).
     */
    public long visibleEnd(long b, long i) {
        long kvLen = keyLength(b);
        return switch (causal) {
            case NONE -> kvLen;
            case TOP_LEFT -> Math.min(kvLen, i + 1);
            case BOTTOM_RIGHT -> Math.min(kvLen, i + 1 + kvLen - queryLength(b));
        };
    }

    /** The causal alignment's offset for batch b: row i's diagonal is key i + offset. */
    public long diagonalOffset(long b) {
        return causal == CausalMode.BOTTOM_RIGHT ? keyLength(b) - queryLength(b) : 0;
    }

    /** First key row i of batch b may see: the window's left edge, else 0 (may exceed the end). */
    public long visibleStart(long b, long i) {
        if (!serving.windowed() || serving.windowLeft() < 0) {
            return 0;
        }
        return Math.max(0, i + diagonalOffset(b) - serving.windowLeft());
    }

    /** Key index + 1 past what row i of batch b may see: causal, key lengths and the window's right edge. */
    public long windowEnd(long b, long i) {
        long end = visibleEnd(b, i);
        if (serving.windowed() && serving.windowRight() >= 0) {
            end = Math.min(end, i + diagonalOffset(b) + serving.windowRight() + 1);
        }
        return end;
    }

    /** The kv head that query head h reads (grouped-query attention). */
    public long kvHead(long h) {
        return h / (heads / kvHeads);
    }

    /** FLOPs of the two matrix products: 4·B·H·Lq·Lk·d, halved for causal; per sequence when packed or paged. */
    public double flops() {
        if (!layout.any()) {
            return panama.attention.Attention.flops(batch, heads, seqQ, seqK, headDim, causal);
        }
        double sum = 0;
        for (long b = 0; b < batch; b++) {
            sum += panama.attention.Attention.flops(1, heads, queryLength(b), keyLength(b), headDim, causal);
        }
        return sum;
    }
}

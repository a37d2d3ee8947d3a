package panama.attention.internal;

import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;

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
 */
public record Problem(
        Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor mask, int[] keyLengths,
        long batch, long heads, long kvHeads, long seqQ, long seqK, long headDim,
        long maskBatchStride, long maskHeadStride, long maskRowStride,
        float softmaxScale, CausalMode causal, DType dtype, CpuIsa cpuIsa, TileScheduler scheduler,
        Tensor probabilities) {

    /** A call that returns no probabilities (what the fused backends run). */
    public Problem(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor mask, int[] keyLengths,
                   long batch, long heads, long kvHeads, long seqQ, long seqK, long headDim,
                   long maskBatchStride, long maskHeadStride, long maskRowStride,
                   float softmaxScale, CausalMode causal, DType dtype, CpuIsa cpuIsa, TileScheduler scheduler) {
        this(q, k, v, out, lse, mask, keyLengths, batch, heads, kvHeads, seqQ, seqK, headDim, maskBatchStride,
                maskHeadStride, maskRowStride, softmaxScale, causal, dtype, cpuIsa, scheduler, null);
    }

    /** Valid keys of batch b. */
    public long keyLength(long b) {
        return keyLengths == null ? seqK : keyLengths[(int) b];
    }

    /** Largest key index + 1 that query row i of batch b may see (may be ≤ 0: none). */
    public long visibleEnd(long b, long i) {
        long kvLen = keyLength(b);
        return switch (causal) {
            case NONE -> kvLen;
            case TOP_LEFT -> Math.min(kvLen, i + 1);
            case BOTTOM_RIGHT -> Math.min(kvLen, i + 1 + kvLen - seqQ);
        };
    }

    /** The kv head that query head h reads (grouped-query attention). */
    public long kvHead(long h) {
        return h / (heads / kvHeads);
    }

    /** FLOPs of the two matrix products: 4·B·H·Lq·Lk·d, halved for causal. */
    public double flops() {
        return panama.attention.Attention.flops(batch, heads, seqQ, seqK, headDim, causal);
    }
}

package panama.attention.testing;

import panama.attention.CausalMode;
import panama.attention.DType;

/**
 * One row of the shared case table: used by the parity tests and by the JMH benchmarks.
 *
 * @param id short name that says what the case exercises
 * @param layout BHSD (contiguous [batch, heads, seq, d]) or BSHD (interleaved, viewed by strides)
 * @param keyLengths per-batch valid keys, or null
 * @param mask what additive mask to build
 * @param offset bytes of padding before each tensor's first element (a non-zero segment offset)
 */
public record AttentionCase(
        String id, int batch, int heads, int kvHeads, int seqQ, int seqK, int headDim,
        CausalMode causal, DType dtype, Layout layout, int[] keyLengths, MaskKind mask,
        boolean lse, long offset) {

    public enum Layout { BHSD, BSHD }

    public enum MaskKind {
        NONE,
        /** a distinct mask for every batch and head */
        FULL,
        /** [1, 1, Lq, Lk] broadcast over batch and heads */
        BROADCAST,
        /** [batch, 1, Lq, Lk] broadcast over heads, with some rows entirely -inf */
        FULLY_MASKED_ROWS
    }

    /** FLOPs of the two products: 4·B·H·Lq·Lk·d, halved for causal. */
    public double flops() {
        double f = 4.0 * batch * heads * seqQ * seqK * headDim;
        return causal == CausalMode.NONE ? f : f / 2;
    }

    public AttentionCase withDtype(DType d) {
        return new AttentionCase(id + "-" + d.name().toLowerCase(java.util.Locale.ROOT), batch, heads, kvHeads,
                seqQ, seqK, headDim, causal, d, layout, keyLengths, mask, lse, offset);
    }

    @Override
    public String toString() {
        return id;
    }
}

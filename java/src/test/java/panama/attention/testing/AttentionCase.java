package panama.attention.testing;

import panama.attention.Attention;
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
        return Attention.flops(batch, heads, seqQ, seqK, headDim, causal);
    }

    /**
     * The relative error a correct backend reaches on this case against the float64 reference,
     * given the reference output: fp32 1e-5; fp16/bf16 twice the error of rounding the exact result
     * to that precision (docs/CONVENTIONS.md item 2), plus a floor.
     */
    public double tolerance(float[] reference) {
        return dtype == DType.F32 ? FP32_TOLERANCE : 2 * Compare.roundingError(reference, dtype) + 1e-6;
    }

    /** The fp32 tolerance of every case (and of the fuzzer's bound, scaled by its logits' error). */
    public static final double FP32_TOLERANCE = 1e-5;

    public AttentionCase withDtype(DType d) {
        return new AttentionCase(id + "-" + d.name().toLowerCase(java.util.Locale.ROOT), batch, heads, kvHeads,
                seqQ, seqK, headDim, causal, d, layout, keyLengths, mask, lse, offset);
    }

    @Override
    public String toString() {
        return id;
    }
}

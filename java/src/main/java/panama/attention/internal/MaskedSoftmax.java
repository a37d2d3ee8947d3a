package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The masked softmax of one row of materialised scores, in fp32: the one copy the unfused CPU
 * path uses, with the visibility rules of {@link ReferenceKernel} (the float64 oracle).
 *
 * <ul>
 *   <li>The logit of a seen key is {@code scale · (q·k) + mask}. The scale is applied here rather
 *       than as sgemm's alpha: with alpha = 0 BLAS reads neither operand, so a NaN q·k would
 *       vanish at scale 0, where the reference gives {@code 0 · NaN = NaN}.</li>
 *   <li>A {@code -inf} mask entry hides its key: the logit is set to {@code -inf}, never added
 *       to, so a NaN q·k (NaN/inf in that key's K) has no say.</li>
 *   <li>A NaN or {@code +inf} logit makes the row NaN; a row left with no key is all 0 with
 *       log-sum-exp {@code -inf}.</li>
 *   <li>Keys the row does not see (past {@code end}, or hidden by the mask) get probability 0,
 *       in a NaN row too: they are not part of the row at all.</li>
 * </ul>
 */
public final class MaskedSoftmax {
    private MaskedSoftmax() {
    }

    /**
     * Replaces {@code row[0, n)}, the unscaled products {@code q_i·k_j} of keys {@code [0, n)},
     * by the row's probabilities.
     *
     * @param end the row sees keys {@code [0, end)} (key length, causal mode); {@code 0 ≤ end ≤ n}
     * @param mask the mask's memory, or null for none
     * @param maskOffset byte offset in {@code mask} of this row's entry for key 0
     * @return the natural-log log-sum-exp of the row's logits ({@code -inf}: sees no key; NaN: NaN row)
     */
    public static float apply(float[] row, int end, int n, float scale, MemorySegment mask, long maskOffset) {
        float max = Float.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int j = 0; j < end; j++) {
            float x = scale * row[j];
            if (mask != null) {
                float m = mask.get(ValueLayout.JAVA_FLOAT_UNALIGNED, maskOffset + (long) j * Float.BYTES);
                x = m == Float.NEGATIVE_INFINITY ? Float.NEGATIVE_INFINITY : x + m;
            }
            row[j] = x;
            nan |= x != x;
            max = Math.max(max, x);
        }
        Arrays.fill(row, end, n, 0f);
        if (nan || max == Float.POSITIVE_INFINITY) {
            for (int j = 0; j < end; j++) {
                row[j] = hiddenByMask(mask, maskOffset, j) ? 0f : Float.NaN;
            }
            return Float.NaN;
        }
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(row, 0, end, 0f);
            return Float.NEGATIVE_INFINITY;
        }
        float sum = 0;
        for (int j = 0; j < end; j++) {
            float e = FastExp.exp(row[j] - max); // -inf (hidden) gives exactly 0
            row[j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < end; j++) {
            row[j] *= inv;
        }
        return max + (float) Math.log(sum);
    }

    /** True when the mask hides key j of the row at {@code maskOffset}. */
    public static boolean hiddenByMask(MemorySegment mask, long maskOffset, int j) {
        return mask != null
                && mask.get(ValueLayout.JAVA_FLOAT_UNALIGNED, maskOffset + (long) j * Float.BYTES) == Float.NEGATIVE_INFINITY;
    }

    /** Byte offset of the mask entry (b, h, i, key 0) of p. */
    public static long maskOffset(Problem p, long b, long h, long i) {
        return (b * p.maskBatchStride() + h * p.maskHeadStride() + i * p.maskRowStride()) * Float.BYTES;
    }
}

package panama.attention.testing;

import java.util.ArrayList;
import java.util.List;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.testing.AttentionCase.Layout;
import panama.attention.testing.AttentionCase.MaskKind;

/**
 * The one table of cases every backend must pass (docs/CONVENTIONS.md item 3: awkward sizes on purpose).
 * Covers every (Lq, Lk) pair of {1, 7, 64, 129, 300}, head dims {16, 40, 64, 80, 128} (plus odd
 * ones), batch and heads in {1, 3}, GQA and MQA, every causal mode with Lq ≠ Lk, key lengths,
 * masks, fully masked rows, both layouts and non-zero offsets.
 */
public final class CaseTable {
    public static final int[] LENGTHS = {1, 7, 64, 129, 300};
    public static final int[] HEAD_DIMS = {16, 40, 64, 80, 128};

    private CaseTable() {
    }

    /** The fp32 table. */
    public static List<AttentionCase> fp32() {
        List<AttentionCase> cases = new ArrayList<>();
        int n = 0;
        for (int lq : LENGTHS) {
            for (int lk : LENGTHS) {
                int d = HEAD_DIMS[n % HEAD_DIMS.length];
                int batch = (n % 2 == 0) ? 1 : 3;
                int heads = (n / 2 % 2 == 0) ? 3 : 1;
                Layout layout = n % 3 == 0 ? Layout.BSHD : Layout.BHSD;
                cases.add(c("grid-q" + lq + "-k" + lk + "-d" + d + "-b" + batch + "h" + heads + "-" + layout,
                        batch, heads, heads, lq, lk, d, CausalMode.NONE, layout, null, MaskKind.NONE, n % 4 == 0, 0));
                n++;
            }
        }
        for (CausalMode mode : new CausalMode[] {CausalMode.TOP_LEFT, CausalMode.BOTTOM_RIGHT}) {
            String m = mode == CausalMode.TOP_LEFT ? "tl" : "br";
            cases.add(c("causal-" + m + "-q7-k300", 1, 3, 3, 7, 300, 64, mode, Layout.BHSD, null, MaskKind.NONE, true, 0));
            cases.add(c("causal-" + m + "-q300-k7", 3, 1, 1, 300, 7, 40, mode, Layout.BHSD, null, MaskKind.NONE, true, 0));
            cases.add(c("causal-" + m + "-q129-k64", 1, 3, 1, 129, 64, 80, mode, Layout.BSHD, null, MaskKind.NONE, true, 0));
            cases.add(c("causal-" + m + "-q64-k129", 3, 3, 3, 64, 129, 16, mode, Layout.BHSD, null, MaskKind.NONE, false, 0));
            cases.add(c("causal-" + m + "-q300-k300", 1, 3, 3, 300, 300, 128, mode, Layout.BHSD, null, MaskKind.NONE, true, 0));
            cases.add(c("causal-" + m + "-q1-k129", 3, 3, 3, 1, 129, 64, mode, Layout.BHSD, null, MaskKind.NONE, true, 0));
            cases.add(c("causal-" + m + "-keylen-q64-k129", 3, 3, 3, 64, 129, 40, mode, Layout.BHSD,
                    new int[] {129, 50, 0}, MaskKind.NONE, true, 0));
        }
        cases.add(c("gqa-6over2-q129-k300", 1, 6, 2, 129, 300, 64, CausalMode.NONE, Layout.BHSD, null, MaskKind.NONE, true, 0));
        cases.add(c("gqa-6over2-causal-bshd", 3, 6, 2, 64, 129, 40, CausalMode.BOTTOM_RIGHT, Layout.BSHD, null, MaskKind.NONE, true, 0));
        cases.add(c("mqa-3over1-q7-k64", 3, 3, 1, 7, 64, 80, CausalMode.NONE, Layout.BHSD, null, MaskKind.NONE, false, 0));
        cases.add(c("keylen-q64-k300", 3, 3, 3, 64, 300, 64, CausalMode.NONE, Layout.BHSD, new int[] {300, 1, 0}, MaskKind.NONE, true, 0));
        cases.add(c("keylen-q1-k129", 3, 1, 1, 1, 129, 128, CausalMode.NONE, Layout.BSHD, new int[] {7, 129, 64}, MaskKind.NONE, true, 0));
        cases.add(c("mask-full-q64-k129", 3, 3, 3, 64, 129, 40, CausalMode.NONE, Layout.BHSD, null, MaskKind.FULL, true, 0));
        cases.add(c("mask-broadcast-q129-k7", 3, 3, 3, 129, 7, 16, CausalMode.NONE, Layout.BSHD, null, MaskKind.BROADCAST, true, 0));
        cases.add(c("mask-masked-rows-q64-k64", 3, 3, 3, 64, 64, 64, CausalMode.NONE, Layout.BHSD, null, MaskKind.FULLY_MASKED_ROWS, true, 0));
        cases.add(c("mask-causal-keylen", 3, 6, 2, 129, 300, 80, CausalMode.TOP_LEFT, Layout.BHSD, new int[] {300, 17, 129}, MaskKind.FULL, true, 0));
        cases.add(c("offset-bhsd-q7-k129", 1, 3, 3, 7, 129, 64, CausalMode.NONE, Layout.BHSD, null, MaskKind.NONE, true, 100));
        cases.add(c("offset-bshd-causal", 3, 3, 1, 129, 129, 40, CausalMode.BOTTOM_RIGHT, Layout.BSHD, null, MaskKind.BROADCAST, true, 12));
        cases.add(c("odd-d1-q7-k7", 1, 1, 1, 7, 7, 1, CausalMode.NONE, Layout.BHSD, null, MaskKind.NONE, true, 0));
        cases.add(c("odd-d59-q97-k129", 1, 3, 3, 97, 129, 59, CausalMode.NONE, Layout.BHSD, null, MaskKind.NONE, true, 0));
        cases.add(c("odd-d111-q65-k300", 1, 1, 1, 65, 300, 111, CausalMode.BOTTOM_RIGHT, Layout.BSHD, null, MaskKind.NONE, true, 0));
        cases.add(c("big-d256-q129-k129", 1, 1, 1, 129, 129, 256, CausalMode.NONE, Layout.BHSD, null, MaskKind.NONE, true, 0));
        return cases;
    }

    /** A reduced table in F16 and BF16 (precision is checked relative to rounding). */
    public static List<AttentionCase> halfPrecision() {
        List<AttentionCase> out = new ArrayList<>();
        List<AttentionCase> all = fp32();
        for (AttentionCase c : all) {
            if (c.id().startsWith("causal-") || c.id().startsWith("mask-") || c.id().startsWith("gqa")
                    || c.id().startsWith("odd-") || c.id().startsWith("offset")) {
                out.add(c.withDtype(DType.F16));
                out.add(c.withDtype(DType.BF16));
            }
        }
        return out;
    }

    private static AttentionCase c(String id, int batch, int heads, int kvHeads, int lq, int lk, int d,
                                   CausalMode causal, Layout layout, int[] keyLengths, MaskKind mask,
                                   boolean lse, long offset) {
        return new AttentionCase(id, batch, heads, kvHeads, lq, lk, d, causal, DType.F32, layout, keyLengths, mask, lse, offset);
    }
}

package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import panama.attention.AttentionException;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * The oracle: scalar Java with float64 accumulation, written to be obviously right rather than
 * fast, and never optimised. Every other backend is tested against it.
 *
 * <p>Semantics (shared with the C kernel): logits {@code s_ij = softcap(scale·q_i·k_j) + alibi_ij +
 * mask_ij} over the keys row i may see ({@link Problem#visibleStart} to {@link Problem#windowEnd}:
 * causal, window, key lengths); softcap is {@code c·tanh(x/c)}, ALiBi {@code -slope_h·|i + offset - j|};
 * keys whose logit is {@code -inf} are left out,
 * and a {@code -inf} mask entry hides its key outright (a NaN {@code q_i·k_j} included: a hidden
 * key has no say). A row with no key left gives 0 and LSE {@code -inf}; a NaN or {@code +inf}
 * logit makes the row NaN; a NaN/inf in V reaches exactly the rows that weigh that key.
 *
 * <p>Packed sequences and paged keys are read through {@link Problem}'s offset methods: each
 * sequence is its own call, with its own query and key lengths.
 *
 * <p>It also fills the probabilities when asked: {@code exp(s_ij - lse_i)} for the keys row i
 * weighs, 0 for every key it does not see (past its visible end, or hidden by the mask), NaN for
 * the seen keys of a NaN row, all 0 for a row that sees no key.
 *
 * <p>Keys and values stored in another type (a quantised KV cache) are read as the kernels read
 * them, dequantised: the reference then measures a kernel's error apart from the quantisation's.
 */
public final class ReferenceKernel {
    private ReferenceKernel() {
    }

    public static void run(Problem p) {
        long keys = 0; // the most keys any row can see: a huge seqK behind small key lengths costs nothing
        for (long b = 0; b < p.batch(); b++) {
            keys = Math.max(keys, p.keyLength(b));
        }
        if (keys > Integer.MAX_VALUE - 8) {
            throw new AttentionException("JAVA_REFERENCE keeps a row's logits in a Java array: " + keys
                    + " keys do not fit one");
        }
        int d = Math.toIntExact(p.headDim());
        double[] logits = new double[(int) keys];
        double[] acc = new double[d];
        for (long b = 0; b < p.batch(); b++) {
            for (long h = 0; h < p.heads(); h++) {
                long kvh = p.kvHead(h);
                for (long i = 0; i < p.queryLength(b); i++) {
                    row(p, b, h, kvh, i, logits, acc);
                }
            }
        }
    }

    private static void row(Problem p, long b, long h, long kvh, long i, double[] logits, double[] acc) {
        int d = acc.length;
        long end = Math.max(0, p.windowEnd(b, i));
        int start = (int) Math.min(end, p.visibleStart(b, i));
        Problem.Serving serving = p.serving();
        double cap = serving.softcap();
        double slope = serving.alibiSlopes() == null ? 0
                : Elements.get(serving.alibiSlopes().segment(), DType.F32, h * serving.alibiSlopes().stride(0));
        long diagonal = i + p.diagonalOffset(b);
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        long qRow = p.queryOffset(p.q(), b, h, i);
        boolean quantised = p.quantisedKv() != null; // then k and v are null: read through the cache
        for (int j = start; j < end; j++) {
            double dot = 0;
            long kRow = quantised ? 0 : p.keyOffset(p.k(), b, kvh, j);
            for (int c = 0; c < d; c++) {
                dot += (double) at(p.q(), qRow + c) * (quantised ? p.keyAt(b, kvh, j, c) : at(p.k(), kRow + c));
            }
            double s = (double) p.softmaxScale() * dot;
            if (cap > 0) {
                s = cap * Math.tanh(s / cap);
            }
            if (serving.alibiSlopes() != null) {
                s -= slope * Math.abs(diagonal - j);
            }
            if (p.mask() != null) {
                float m = maskAt(p, b, h, i, j);
                s = m == Float.NEGATIVE_INFINITY ? Double.NEGATIVE_INFINITY : s + m;
            }
            logits[j] = s;
            nan |= Double.isNaN(s);
            max = Math.max(max, s);
        }
        java.util.Arrays.fill(acc, 0);
        double lse;
        if (nan || max == Double.POSITIVE_INFINITY) {
            java.util.Arrays.fill(acc, Double.NaN);
            lse = Double.NaN;
        } else if (max == Double.NEGATIVE_INFINITY) {
            lse = Double.NEGATIVE_INFINITY; // sees no key: zeros, never NaN
        } else {
            double sum = 0;
            for (int j = start; j < end; j++) {
                if (logits[j] == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                double w = Math.exp(logits[j] - max);
                sum += w;
                long vRow = quantised ? 0 : p.keyOffset(p.v(), b, kvh, j);
                for (int c = 0; c < d; c++) {
                    acc[c] += w * (quantised ? p.valueAt(b, kvh, j, c) : at(p.v(), vRow + c));
                }
            }
            for (int c = 0; c < d; c++) {
                acc[c] /= sum;
            }
            lse = max + Math.log(sum);
        }
        Tensor out = p.out();
        long base = p.queryOffset(out, b, h, i);
        for (int c = 0; c < d; c++) {
            Elements.set(out.segment(), out.dtype(), base + c, (float) acc[c]);
        }
        if (p.lse() != null) {
            Tensor l = p.lse();
            Elements.set(l.segment(), DType.F32, p.lseOffset(b, h, i), (float) lse);
        }
        if (p.probabilities() != null) {
            probabilities(p, b, h, i, logits, start, (int) end, lse);
        }
    }

    /** Row (b, h, i) of the probabilities from the row's logits [start, end) and its log-sum-exp. */
    private static void probabilities(Problem p, long b, long h, long i, double[] logits, int start, int end,
                                      double lse) {
        Tensor t = p.probabilities();
        long base = b * t.stride(0) + h * t.stride(1) + i * t.stride(2);
        for (long j = 0; j < p.seqK(); j++) {
            double w;
            if (j < start || j >= end || (p.mask() != null && maskAt(p, b, h, i, j) == Float.NEGATIVE_INFINITY)) {
                w = 0; // not seen: no part of the row, whatever else it holds
            } else if (Double.isNaN(lse)) {
                w = Double.NaN;
            } else if (lse == Double.NEGATIVE_INFINITY) {
                w = 0;
            } else {
                w = Math.exp(logits[(int) j] - lse);
            }
            Elements.set(t.segment(), DType.F32, base + j * t.stride(3), (float) w);
        }
    }

    private static float at(Tensor t, long offset) {
        return Elements.get(t.segment(), t.dtype(), offset);
    }

    private static float maskAt(Problem p, long b, long h, long i, long j) {
        MemorySegment m = p.mask().segment();
        return Elements.get(m, DType.F32, b * p.maskBatchStride() + h * p.maskHeadStride() + i * p.maskRowStride() + j);
    }
}

package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import panama.attention.internal.Elements;
import panama.attention.internal.Validation;

/**
 * Exact combination of attention computed over disjoint shards of the keys (split-KV decoding,
 * keys spread over threads, machines or pages).
 *
 * <p>If shard {@code s} produced {@code out_s} and {@code lse_s} with {@link Attention#sdpa} over
 * its keys, the attention over all keys is
 * <pre>
 * lse = log Σ_s exp(lse_s)          out = Σ_s exp(lse_s − lse) · out_s
 * </pre>
 * because each {@code out_s} is its shard's softmax-weighted mean and {@code exp(lse_s)} its
 * softmax denominator. A shard whose row saw no key ({@code lse_s = −∞}) contributes nothing; a
 * row that no shard saw yields zeros and {@code −∞}.
 *
 * <h2>Sharding correctly</h2>
 * Shard {@code s} gets the keys {@code [from, to)}: {@code k.narrow(2, from, to − from)} and the
 * same for v, the same q, and options that say which of <em>its</em> keys each query row may see.
 * Those are not the caller's options: key lengths must be shifted by {@code from} and clamped,
 * an additive mask narrowed to the shard's columns, and causal alignment is relative to the
 * whole sequence, which a shard cannot express by itself (for {@link CausalMode#BOTTOM_RIGHT}
 * over {@code Lk} keys, query {@code i} sees key {@code j < i + 1 + Lk − Lq}; a shard that ends
 * before {@code Lk} would align to its own end instead and see too much). {@link #shardOptions}
 * does this: it keeps a native causal mode where that is exact (TOP_LEFT for the shard that
 * starts at 0, BOTTOM_RIGHT for the shard that ends at Lk) and otherwise builds a 0/−∞ mask for
 * the shard, combined with the caller's mask. {@link #sdpaSharded} runs the whole recipe; with
 * it, any number of shards gives the unsharded result to fp32 rounding (see AttentionMergeTest).
 */
public final class AttentionMerge {
    private AttentionMerge() {
    }

    /**
     * Combines shard results into {@code out} (and {@code lse} when not null). {@code out} may be
     * one of the {@code outs}.
     *
     * @param outs per shard (batch, heads, Lq, headDim), any float dtype and strides
     * @param lses per shard F32 (batch, heads, Lq), natural-log LSE as {@link AttentionOptions#lse()} writes it
     * @param out (batch, heads, Lq, headDim)
     * @param lse null, or F32 (batch, heads, Lq)
     */
    public static void merge(List<Tensor> outs, List<Tensor> lses, Tensor out, Tensor lse) {
        Objects.requireNonNull(outs, "outs must not be null");
        Objects.requireNonNull(lses, "lses must not be null");
        Objects.requireNonNull(out, "out must not be null");
        if (outs.isEmpty()) {
            throw new IllegalArgumentException("outs: no shards to merge");
        }
        if (outs.size() != lses.size()) {
            throw new IllegalArgumentException("lses: " + lses.size() + " tensors for " + outs.size() + " outs");
        }
        if (out.rank() != 4) {
            throw new IllegalArgumentException("out: rank is " + out.rank() + " but must be 4 [batch, heads, Lq, headDim]");
        }
        Validation.requireUsable(out, "out");
        if (out.segment().isReadOnly()) {
            throw new IllegalArgumentException("out: segment is read-only");
        }
        long[] shape = out.shape();
        long[] lseShape = {shape[0], shape[1], shape[2]};
        for (int s = 0; s < outs.size(); s++) {
            requireShape(outs.get(s), "outs[" + s + "]", shape);
            requireShape(lses.get(s), "lses[" + s + "]", lseShape);
            if (lses.get(s).dtype() != DType.F32) {
                throw new IllegalArgumentException("lses[" + s + "]: dtype is " + lses.get(s).dtype() + ", must be F32");
            }
        }
        if (lse != null) {
            requireShape(lse, "lse", lseShape);
            if (lse.dtype() != DType.F32 || lse.segment().isReadOnly()) {
                throw new IllegalArgumentException("lse: must be writable F32");
            }
        }
        int n = outs.size();
        int d = (int) shape[3];
        double[] w = new double[n];
        double[] acc = new double[d];
        for (long b = 0; b < shape[0]; b++) {
            for (long h = 0; h < shape[1]; h++) {
                for (long i = 0; i < shape[2]; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int s = 0; s < n; s++) {
                        w[s] = lses.get(s).get(b, h, i);
                        nan |= Double.isNaN(w[s]);
                        max = Math.max(max, w[s]);
                    }
                    double total;
                    Arrays.fill(acc, 0);
                    if (nan || max == Double.POSITIVE_INFINITY) {
                        Arrays.fill(acc, Double.NaN);
                        total = Double.NaN;
                    } else if (max == Double.NEGATIVE_INFINITY) {
                        total = Double.NEGATIVE_INFINITY; // no shard saw a key: zeros
                    } else {
                        double sum = 0;
                        for (int s = 0; s < n; s++) {
                            w[s] = w[s] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(w[s] - max);
                            sum += w[s];
                        }
                        for (int s = 0; s < n; s++) {
                            if (w[s] == 0) {
                                continue;
                            }
                            Tensor o = outs.get(s);
                            double f = w[s] / sum;
                            long base = b * o.stride(0) + h * o.stride(1) + i * o.stride(2);
                            for (int c = 0; c < d; c++) {
                                acc[c] += f * Elements.get(o.segment(), o.dtype(), base + c * o.stride(3));
                            }
                        }
                        total = max + Math.log(sum);
                    }
                    long base = b * out.stride(0) + h * out.stride(1) + i * out.stride(2);
                    for (int c = 0; c < d; c++) {
                        Elements.set(out.segment(), out.dtype(), base + c * out.stride(3), (float) acc[c]);
                    }
                    if (lse != null) {
                        lse.set((float) total, b, h, i);
                    }
                }
            }
        }
    }

    private static void requireShape(Tensor t, String name, long[] want) {
        Objects.requireNonNull(t, name + " must not be null");
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(t.shape()) + " but must be "
                    + Arrays.toString(want) + " (as out)");
        }
        Validation.requireUsable(t, name);
    }

    /**
     * The options under which {@link Attention#sdpa} over the keys {@code [keyFrom, keyTo)} of a
     * call computes exactly that shard's part of the unsharded call with {@code options}.
     * Scale, backend, scheduler and ISA are kept; the lse output is cleared (give each shard its
     * own with {@code toBuilder().lse(...)}); key lengths are shifted and clamped; the mask is
     * narrowed to the shard's columns (a view) or, when causal masking must be expressed as a
     * mask, replaced by a combined 0/−∞ mask allocated in {@code arena}.
     *
     * @param batch the call's batch size
     * @param seqQ the call's query length
     * @param seqK the call's key length (all shards together)
     * @param arena where a combined mask is allocated when one is needed
     */
    public static AttentionOptions shardOptions(AttentionOptions options, long batch, long seqQ, long seqK,
                                                long keyFrom, long keyTo, Arena arena) {
        Objects.requireNonNull(options, "options must not be null");
        if (options.probabilities() != null) {
            // A shard's probabilities are normalised over its own keys only; rescaling them into the
            // whole row's needs every shard's LSE, which this recipe does not keep.
            throw new IllegalArgumentException("probabilities: not supported across key shards; "
                    + "compute them with one unsharded Attention.sdpa call");
        }
        if (keyFrom < 0 || keyTo > seqK || keyFrom >= keyTo) {
            throw new IllegalArgumentException("keyFrom/keyTo: [" + keyFrom + ", " + keyTo + ") is not a non-empty range of [0, "
                    + seqK + ")");
        }
        long len = keyTo - keyFrom;
        int[] kl = options.keyLengths();
        if (kl != null && kl.length != batch) {
            throw new IllegalArgumentException("keyLengths: has " + kl.length + " entries but batch is " + batch);
        }
        int[] shardKl = null;
        if (kl != null) {
            shardKl = new int[kl.length];
            for (int b = 0; b < kl.length; b++) {
                shardKl[b] = (int) Math.max(0, Math.min(len, kl[b] - keyFrom));
            }
        }
        Tensor mask = options.mask();
        if (mask != null && (mask.rank() != 4 || mask.size(3) != seqK)) {
            throw new IllegalArgumentException("mask: shape " + Arrays.toString(mask.shape()) + " must end in seqK " + seqK);
        }
        CausalMode causal = options.causal();
        AttentionOptions.Builder b = options.toBuilder().lse(null).keyLengths(shardKl);
        boolean nativeExact = switch (causal) {
            case NONE -> true;
            case TOP_LEFT -> keyFrom == 0;
            case BOTTOM_RIGHT -> keyTo == seqK;
        };
        if (nativeExact) {
            return b.causal(causal).mask(mask == null ? null : mask.narrow(3, keyFrom, len)).build();
        }
        Objects.requireNonNull(arena, "arena must not be null (this shard needs a mask)");
        long mb = (kl != null || (mask != null && mask.size(0) > 1)) ? batch : 1;
        long mh = mask == null ? 1 : mask.size(1);
        Tensor shardMask = Tensor.allocate(arena, DType.F32, mb, mh, seqQ, len);
        for (long x = 0; x < mb; x++) {
            long kvLen = kl == null ? seqK : kl[(int) x];
            for (long h = 0; h < mh; h++) {
                for (long i = 0; i < seqQ; i++) {
                    long end = causal == CausalMode.TOP_LEFT ? Math.min(kvLen, i + 1)
                            : Math.min(kvLen, i + 1 + kvLen - seqQ);
                    for (long j = 0; j < len; j++) {
                        float m;
                        if (keyFrom + j >= end) {
                            m = Float.NEGATIVE_INFINITY;
                        } else if (mask != null) {
                            m = mask.get(mask.size(0) == 1 ? 0 : x, h, i, keyFrom + j);
                        } else {
                            m = 0f;
                        }
                        shardMask.set(m, x, h, i, j);
                    }
                }
            }
        }
        return b.causal(CausalMode.NONE).mask(shardMask).build();
    }

    /**
     * Attention computed over {@code shards} contiguous key shards (sizes differing by at most
     * one) and merged: equal to {@code Attention.sdpa(q, k, v, out, options)} up to fp32
     * rounding, including the lse output when {@code options.lse()} is set. Shards run one after
     * another (each call is itself parallel); this is the reference recipe for sharding.
     *
     * @return the backend of the last shard
     */
    public static Backend sdpaSharded(Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions options, int shards) {
        Objects.requireNonNull(q, "q must not be null");
        Objects.requireNonNull(k, "k must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Validation.check(q, k, v, out, options); // the unsharded call must be valid
        long seqK = k.size(2);
        if (shards < 1 || shards > seqK) {
            throw new IllegalArgumentException("shards: " + shards + " is outside [1, seqK = " + seqK + "]");
        }
        long batch = q.size(0), heads = q.size(1), seqQ = q.size(2);
        Backend used = null;
        try (Arena arena = Arena.ofConfined()) {
            List<Tensor> outs = new ArrayList<>();
            List<Tensor> lses = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                long from = seqK * s / shards, to = seqK * (s + 1) / shards;
                Tensor o = Tensor.allocate(arena, out.dtype(), out.shape());
                Tensor l = Tensor.allocate(arena, DType.F32, batch, heads, seqQ);
                AttentionOptions so = shardOptions(options, batch, seqQ, seqK, from, to, arena).toBuilder().lse(l).build();
                used = Attention.sdpa(q, k.narrow(2, from, to - from), v.narrow(2, from, to - from), o, so);
                outs.add(o);
                lses.add(l);
            }
            merge(outs, lses, out, options.lse());
        }
        return used;
    }
}

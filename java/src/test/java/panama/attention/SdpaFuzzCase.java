package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import panama.attention.testing.Compare;

/**
 * One hostile call through the public facade, built from a stream of choices (fuzzer bytes or a
 * seeded random generator): random shapes (zero, mismatched, GQA that does not divide, head dims
 * past the limit), strides (contiguous, interleaved, padded, zero, negative, overlapping), byte
 * offsets (aligned or not), segments too small, heap, read-only or from a closed arena, out
 * aliasing an input, masks (broadcast or wrong, with -inf and NaN), key lengths (in range or not),
 * scales, lse tensors (right or wrong), causal modes, backends, CPU paths and schedulers.
 *
 * <p>The contract checked: the call either throws one of the documented exceptions
 * ({@link IllegalArgumentException}, {@link IllegalStateException}, {@link AttentionException},
 * {@link IndexOutOfBoundsException}, {@link NullPointerException}), or it returns and then
 * <ul>
 *   <li>out and lse match JAVA_REFERENCE's for the same inputs (BackendParityTest's tolerances:
 *       relative error 1e-5 for F32, twice the dtype's rounding error for F16/BF16; the same
 *       NaN/inf pattern);</li>
 *   <li>no byte of out's or lse's memory outside the view changed (padding, guard bytes);</li>
 *   <li>no byte of q, k, v or the mask changed.</li>
 * </ul>
 * Anything else (another exception type, a mismatch, a corrupted byte, a JVM crash) is a finding.
 */
final class SdpaFuzzCase {
    /** Where the choices come from. */
    interface Source {
        /** A value in [lo, hi]. */
        int intIn(int lo, int hi);

        boolean bool();

        long seed();
    }

    /** Choices from a seeded generator (the fallback random fuzzer and the long runs). */
    static Source random(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Source() {
            @Override
            public int intIn(int lo, int hi) {
                return lo + r.nextInt(hi - lo + 1);
            }

            @Override
            public boolean bool() {
                return r.nextBoolean();
            }

            @Override
            public long seed() {
                return r.nextLong();
            }
        };
    }

    /** What happened, for statistics. */
    enum Outcome { MATCHED, REFUSED }

    private static final TileScheduler[] SCHEDULERS = {TileScheduler.create(1), TileScheduler.create(3)};
    private static final byte GUARD = (byte) 0xA5;

    private final Source src;
    private final List<Runnable> closers = new ArrayList<>();
    private final StringBuilder log = new StringBuilder();

    private SdpaFuzzCase(Source src) {
        this.src = src;
    }

    /** Builds and checks one case; throws AssertionError on a finding. */
    static Outcome run(Source src) {
        SdpaFuzzCase c = new SdpaFuzzCase(src);
        try (Arena arena = Arena.ofConfined()) {
            return c.check(arena);
        } finally {
            c.closers.forEach(Runnable::run);
        }
    }

    private int pick(int n) {
        return src.intIn(0, n - 1);
    }

    /**
     * A 1-in-n choice. The rare branch is the LAST value, so that an exhausted fuzzer input
     * (Jazzer then answers the lowest value) takes the everyday path.
     */
    private boolean rare(int n) {
        return pick(n) == n - 1;
    }

    /** Mostly small sizes; sometimes 0 or a size past a limit. */
    private long size(int typicalMax) {
        return switch (pick(12)) {
            case 11 -> 0;
            case 10 -> 1;
            default -> src.intIn(1, typicalMax);
        };
    }

    private Outcome check(Arena arena) {
        DType dtype = DType.values()[pick(3)];
        long batch = size(3);
        long kvHeads = src.intIn(1, 3);
        long heads = rare(8) ? src.intIn(1, 4) : kvHeads * src.intIn(1, 2);
        long seqQ = rare(5) ? src.intIn(1, 3) : size(70);
        long seqK = rare(6) ? src.intIn(256, 700) : size(140);
        long d = rare(40) ? 1025 : size(48);
        log.append(dtype).append(" B").append(batch).append(" H").append(heads).append("/").append(kvHeads)
                .append(" Lq").append(seqQ).append(" Lk").append(seqK).append(" d").append(d);

        SplittableRandom values = new SplittableRandom(src.seed());
        float range = rare(10) ? 100f : 3f; // 100: logits up to ~1e4 · scale
        Tensor q = tensor(arena, "q", mutate(dtype), batch, heads, seqQ, d, values, range);
        Tensor k = tensor(arena, "k", mutate(dtype), batch, kvHeads, mutate(seqK), mutate(d), values, range);
        Tensor v = tensor(arena, "v", mutate(dtype), batch, kvHeads, seqK, d, values, 3f);
        Tensor out = rare(25) && q != null ? q : tensor(arena, "out", mutate(dtype), batch, heads, seqQ, mutate(d), null, 0);
        if (out != null && rare(30)) {
            out = Tensor.of(out.segment().asReadOnly(), out.dtype(), out.shape(), out.strides());
            log.append(" out-read-only");
        }
        AttentionOptions.Builder o;
        try {
            o = options(arena, batch, heads, seqQ, seqK, values);
        } catch (IllegalArgumentException | NullPointerException e) {
            return Outcome.REFUSED; // the builder refused (e.g. an infinite scale)
        }
        AttentionOptions options = o.build();
        log.append(" ").append(options);

        byte[][] inputsBefore = snapshot(q, k, v, options.mask());
        byte[] outBefore = out == null ? null : bytes(out.segment());
        byte[] lseBefore = options.lse() == null ? null : bytes(options.lse().segment());
        Backend ran;
        try {
            ran = Attention.sdpa(q, k, v, out, options);
        } catch (IllegalArgumentException | IllegalStateException | AttentionException | IndexOutOfBoundsException
                 | NullPointerException documented) {
            requireUnchanged("inputs after a refused call", inputsBefore, snapshot(q, k, v, options.mask()));
            return Outcome.REFUSED;
        } catch (Throwable other) {
            throw new AssertionError("undocumented " + other.getClass().getName() + " for " + log, other);
        }
        requireUnchanged("inputs", inputsBefore, snapshot(q, k, v, options.mask()));
        requireOnlyViewWritten("out", out, outBefore);
        if (options.lse() != null) {
            requireOnlyViewWritten("lse", options.lse(), lseBefore);
        }
        compareWithReference(ran, q, k, v, out, options);
        return Outcome.MATCHED;
    }

    private DType mutate(DType dtype) {
        return rare(40) ? DType.values()[pick(3)] : dtype;
    }

    private long mutate(long size) {
        return rare(40) ? size + 1 : size;
    }

    /**
     * A [b, h, s, d] view in a fresh allocation: contiguous, interleaved (bshd), padded, or odd
     * strides; at an element or a byte offset; sometimes too small, on the heap or closed.
     */
    private Tensor tensor(Arena arena, String name, DType dt, long b, long h, long s, long d, SplittableRandom values,
                          float range) {
        long es = dt.byteSize();
        long[] shape = {b, h, s, d};
        long[] strides;
        int layout = pick(16);
        switch (layout) {
            case 0, 1, 2, 3, 4, 5, 15 -> strides = rowMajor(shape);
            case 6, 7, 8 -> strides = new long[] {s * h * d, d, h * d, 1}; // bshd
            case 9, 10, 11, 12 -> {
                long row = d + src.intIn(0, 5);
                long head = Math.max(1, s) * row + src.intIn(0, 7);
                strides = new long[] {Math.max(1, h) * head + src.intIn(0, 3), head, row, 1};
            }
            case 13 -> strides = new long[] {src.intIn(0, 3), src.intIn(0, 50), src.intIn(0, 70), rare(6) ? 0 : 1};
            default -> strides = new long[] {src.intIn(-2, 2), 1, d, rare(4) ? -1 : 1};
        }
        long extent = 1;
        boolean empty = false;
        for (int i = 0; i < 4; i++) {
            empty |= shape[i] == 0;
            extent += Math.max(0, shape[i] - 1) * Math.max(0, strides[i]);
        }
        long offsetBytes = rare(6) ? src.intIn(0, 8) * es + (rare(8) ? 1 : 0) : 0;
        long bytes = (empty ? 0 : extent * es) + offsetBytes + (rare(25) ? -1 : 0) + 8;
        long guard = 8; // guard bytes after the view (and offsetBytes before it)
        MemorySegment seg;
        int where = pick(40);
        if (where == 39) {
            seg = MemorySegment.ofArray(new byte[(int) Math.max(0, bytes + guard)]);
            log.append(" ").append(name).append("-heap");
        } else if (where == 38) {
            Arena closed = Arena.ofConfined();
            seg = closed.allocate(Math.max(1, bytes + guard), 64);
            closed.close();
            log.append(" ").append(name).append("-closed");
        } else if (where == 37) {
            Arena shared = Arena.ofShared();
            closers.add(shared::close);
            seg = shared.allocate(Math.max(1, bytes + guard), 64);
        } else {
            seg = arena.allocate(Math.max(1, bytes + guard), 64);
        }
        if (seg.scope().isAlive()) {
            seg.fill(GUARD);
        }
        Tensor t;
        try {
            MemorySegment view = seg.asSlice(Math.min(offsetBytes, seg.byteSize()), Math.max(0, Math.min(seg.byteSize()
                    - Math.min(offsetBytes, seg.byteSize()), bytes - offsetBytes)));
            t = Tensor.of(view, dt, shape, strides);
        } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
            log.append(" ").append(name).append("-refused(").append(e.getClass().getSimpleName()).append(")");
            return rare(2) ? null : Tensor.allocate(arena, dt, Math.max(0, b), h, s, d);
        }
        log.append(" ").append(name).append(Arrays.toString(strides)).append("+").append(offsetBytes);
        if (values != null && t.segment().scope().isAlive() && !empty) {
            long n = t.elementCount();
            long[] idx = new long[4];
            for (long e = 0; e < n; e++) {
                t.set((float) ((values.nextDouble() * 2 - 1) * range), idx);
                for (int x = 3; x >= 0; x--) {
                    if (++idx[x] < shape[x]) {
                        break;
                    }
                    idx[x] = 0;
                }
            }
            // NaN only in q: it poisons exactly its row on every backend (NonFiniteTest covers K and V)
            if (name.equals("q") && rare(20)) {
                t.set(Float.NaN, values.nextLong(b), values.nextLong(h), values.nextLong(s), values.nextLong(d));
                log.append(" q-NaN");
            }
        }
        return t;
    }

    private AttentionOptions.Builder options(Arena arena, long batch, long heads, long seqQ, long seqK,
                                             SplittableRandom values) {
        AttentionOptions.Builder o = AttentionOptions.builder();
        // every backend, the everyday ones more often
        int b = pick(Backend.values().length + 4);
        o.backend(b < Backend.values().length ? Backend.values()[b]
                : new Backend[] {Backend.AUTO, Backend.NATIVE_CPU, Backend.AUTO, Backend.JAVA_VECTOR}[b - Backend.values().length]);
        o.causal(CausalMode.values()[pick(CausalMode.values().length)]);
        if (rare(4)) {
            o.cpuIsa(CpuIsa.values()[pick(CpuIsa.values().length)]);
        }
        switch (pick(8)) {
            case 7 -> o.softmaxScale(0f);
            case 6 -> o.softmaxScale((float) values.nextDouble(-3, 3));
            case 5 -> o.softmaxScale(rare(2) ? Float.POSITIVE_INFINITY : 1e30f);
            default -> { }
        }
        if (rare(3)) {
            int n = rare(10) ? (int) batch + 1 : (int) batch;
            int[] kl = new int[Math.max(0, n)];
            for (int i = 0; i < kl.length; i++) {
                kl[i] = rare(15) ? src.intIn(-2, (int) seqK + 2) : src.intIn(0, (int) Math.max(0, seqK));
            }
            o.keyLengths(kl);
        }
        if (rare(3)) {
            long mb = rare(2) ? 1 : batch;
            long mh = rare(2) ? 1 : heads;
            long mq = rare(20) ? seqQ + 1 : seqQ;
            long mk = rare(20) ? seqK + 1 : seqK;
            Tensor mask = tensor(arena, "mask", rare(30) ? DType.F16 : DType.F32, mb, mh, mq, mk, values, 2f);
            if (mask != null && mask.segment().scope().isAlive() && mask.elementCount() > 0 && mask.dtype() == DType.F32) {
                int specials = src.intIn(0, 6);
                for (int x = 0; x < specials; x++) {
                    long[] at = {values.nextLong(mb), values.nextLong(mh), values.nextLong(Math.max(1, mq)),
                        values.nextLong(Math.max(1, mk))};
                    if (at[2] < mask.size(2) && at[3] < mask.size(3)) {
                        mask.set(rare(8) ? Float.NaN : Float.NEGATIVE_INFINITY, at);
                    }
                }
                if (rare(6) && mask.size(2) > 0) { // a fully masked row
                    long row = values.nextLong(mask.size(2));
                    for (long j = 0; j < mask.size(3); j++) {
                        mask.set(Float.NEGATIVE_INFINITY, 0, 0, row, j);
                    }
                }
            }
            o.mask(mask);
        }
        if (rare(3)) {
            long lb = rare(20) ? batch + 1 : batch;
            int kind = pick(12);
            Tensor lse;
            if (kind == 11) {
                lse = Tensor.allocate(arena, DType.F16, Math.max(0, lb), heads, seqQ);
            } else if (kind == 10) {
                lse = Tensor.allocate(arena, DType.F32, Math.max(0, lb), heads, seqQ, 1);
            } else {
                long rowPad = src.intIn(0, 3);
                long lqStride = rare(15) ? 2 : 1;
                long hs = Math.max(1, seqQ) * lqStride + rowPad;
                long[] shape = {Math.max(0, lb), heads, seqQ};
                long[] strides = {Math.max(1, heads) * hs, hs, lqStride};
                long extent = 1;
                for (int i = 0; i < 3; i++) {
                    extent += Math.max(0, shape[i] - 1) * strides[i];
                }
                MemorySegment s = arena.allocate(extent * 4 + 16, 64);
                s.fill(GUARD);
                lse = Tensor.of(s.asSlice(8), DType.F32, shape, strides);
            }
            o.lse(lse);
        }
        if (rare(3)) {
            o.scheduler(SCHEDULERS[pick(SCHEDULERS.length)]);
        }
        return o;
    }

    private static long[] rowMajor(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    // ------------------------------------------------------------------ the checks

    /**
     * Element by element: the same NaN/inf pattern, and finite values within
     * {@code max|v| · (1e-5 + 4·logitError) + one ulp of the output dtype}, where logitError =
     * 1.2e-7 · |scale| · max|q| · max|k| · headDim bounds the fp32 error of a logit against the
     * float64 oracle. With inputs of a few units that is BackendParityTest's 1e-5; logits of 1e4
     * (large inputs) carry an absolute fp32 error of about 1e-3 whatever the kernel, and the
     * tolerance grows with it.
     */
    private void compareWithReference(Backend ran, Tensor q, Tensor k, Tensor v, Tensor out, AttentionOptions o) {
        float[][] want = Robust.reference(q, k, v, o);
        float[] got = out.toFloatArray();
        DType dt = out.dtype();
        double logitError = 1.2e-7 * Math.abs(o.softmaxScale(q.size(3))) * maxAbs(q) * maxAbs(k) * q.size(3);
        double vmax = maxAbs(v);
        // one ulp of the output dtype (relative bound): an fp32 result a rounding error away from
        // the oracle's may round to the neighbouring half-precision value
        double ulp = switch (dt) {
            case F32 -> 0;
            case F16 -> Math.scalb(1.0, -10);
            case BF16 -> Math.scalb(1.0, -7);
        };
        for (int i = 0; i < got.length; i++) {
            float g = got[i], w = want[0][i];
            double tol = vmax * (BackendParityTest.FP32_TOLERANCE + 4 * logitError) + ulp * Math.abs(w) + 1e-30;
            if (!same(g, w, tol)) {
                throw new AssertionError(ran + ": out[" + i + "] = " + g + ", reference " + w + " (tolerance " + tol
                        + ") for " + log + Compare.firstMismatches(got, want[0], 1e-5, 5));
            }
        }
        if (o.lse() != null) {
            float[] gl = o.lse().toFloatArray();
            for (int i = 0; i < gl.length; i++) {
                float g = gl[i], w = want[1][i];
                if (!same(g, w, 1e-5 * Math.max(1, Math.abs(w)) + 2 * logitError)) {
                    throw new AssertionError(ran + ": lse[" + i + "] = " + g + ", reference " + w + " for " + log);
                }
            }
        }
    }

    private static boolean same(float g, float w, double tol) {
        if (Float.isNaN(g) || Float.isNaN(w)) {
            return Float.isNaN(g) && Float.isNaN(w);
        }
        if (Float.isInfinite(g) || Float.isInfinite(w)) {
            return g == w;
        }
        return Math.abs((double) g - w) <= tol;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float x : t.toFloatArray()) {
            if (Float.isFinite(x)) {
                m = Math.max(m, Math.abs(x));
            }
        }
        return m;
    }

    private byte[][] snapshot(Tensor... ts) {
        byte[][] s = new byte[ts.length][];
        for (int i = 0; i < ts.length; i++) {
            s[i] = ts[i] == null || !ts[i].segment().scope().isAlive() ? null : bytes(ts[i].segment());
        }
        return s;
    }

    private static byte[] bytes(MemorySegment s) {
        if (!s.scope().isAlive() || s.byteSize() > Integer.MAX_VALUE - 8) {
            return null;
        }
        return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private void requireUnchanged(String what, byte[][] before, byte[][] after) {
        for (int i = 0; i < before.length; i++) {
            if (before[i] != null && after[i] != null && !Arrays.equals(before[i], after[i])) {
                throw new AssertionError(what + ": input " + "qkvm".charAt(i) + " was modified by " + log);
            }
        }
    }

    /** Every byte of t's segment that is not one of its elements is as before the call. */
    private void requireOnlyViewWritten(String what, Tensor t, byte[] before) {
        if (before == null) {
            return;
        }
        byte[] after = bytes(t.segment());
        boolean[] mine = new boolean[after.length];
        long[] shape = t.shape();
        long n = t.elementCount();
        long[] idx = new long[shape.length];
        int es = t.dtype().byteSize();
        for (long e = 0; e < n; e++) {
            long off = 0;
            for (int x = 0; x < shape.length; x++) {
                off += idx[x] * t.stride(x);
            }
            for (int b = 0; b < es; b++) {
                mine[(int) (off * es + b)] = true;
            }
            for (int x = shape.length - 1; x >= 0; x--) {
                if (++idx[x] < shape[x]) {
                    break;
                }
                idx[x] = 0;
            }
        }
        for (int i = 0; i < after.length; i++) {
            if (!mine[i] && after[i] != before[i]) {
                throw new AssertionError(what + ": byte " + i + " outside the view changed (" + before[i] + " -> "
                        + after[i] + ") for " + log);
            }
        }
    }

    @Override
    public String toString() {
        return log.toString();
    }
}

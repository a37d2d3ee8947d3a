package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import panama.attention.AttentionException;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * JAVA_VECTOR: the NATIVE_CPU tile algorithm in pure Java. Same tiles, numbered the same way
 * (tile t is query block {@code nqb−1 − t/(B·H)} of head {@code t % (B·H)}, heaviest first) and
 * run on the same {@link panama.attention.TileScheduler}; within a tile ({@link #ROWS} rows), key
 * blocks of {@link #BLOCK_K} keys stream through an online softmax, so nothing larger than one
 * strip's {@code stripRows × BLOCK_K} block of scores ever exists.
 *
 * <p>Per tile: Q is packed transposed strip by strip and pre-scaled by {@code scale·log2(e)} (so
 * the softmax is in base 2, FlashAttention's {@code scale_apply_exp2}); per key block K rows and
 * V panels are packed as float once (F16/BF16 converted here), then for each strip of the tile
 * {@link TileMath} computes scores, the online softmax and P·V. A strip stops at the keys its
 * last row sees (the causal diagonal). Masks (causal, key lengths, additive) are applied between
 * scores and softmax, and only on strips that need them. The arithmetic is {@code VectorTileMath} when
 * jdk.incubator.vector is in the boot layer, else {@link ScalarTileMath} (logged once).
 *
 * <p>Memory: workers never touch a caller's (possibly confined) native segments; they read
 * global-scope views of the same addresses ({@code MemorySegment.ofAddress(a).reinterpret(n)},
 * as {@link BlasKernel} does). That is safe because the caller blocks until every tile is done.
 * Heap segments are used as they are: any thread may access them.
 */
public final class JavaVectorKernel {
    /** Keys per block: a strip's scores (64 keys × at most 64 rows, 16 KiB) stay in L1, K and V blocks in L2. */
    static final int BLOCK_K = TileMath.BLOCK_K;
    static final int ROWS = TileMath.ROWS;
    private static final float LOG2E = 1.44269504088896341f;
    private static final double LN2 = 0.6931471805599453;
    static final String MODULE = "jdk.incubator.vector";

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private JavaVectorKernel() {
    }

    /** The arithmetic this JVM runs, chosen (and a fallback logged) once. */
    private static final class Selected {
        static final TileMath MATH = select();
    }

    private static TileMath select() {
        String why = null;
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            why = MODULE + " not in the boot layer; add --add-modules " + MODULE;
        } else {
            try {
                // Reflection keeps the Vector API classes out of this class's linkage.
                Class<?> c = Class.forName("panama.attention.internal.VectorTileMath", true,
                        JavaVectorKernel.class.getClassLoader());
                return (TileMath) c.getDeclaredField("INSTANCE").get(null);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
                why = "the Vector API could not be used: " + cause;
            }
        }
        System.getLogger("panama.attention").log(System.Logger.Level.INFO,
                "JAVA_VECTOR runs its scalar fallback: " + why);
        return new ScalarTileMath("scalar fallback: " + why);
    }

    /** "Vector API, 256-bit species" or "scalar fallback: why". */
    public static String describe() {
        return Selected.MATH.describe();
    }

    /** True when the Vector API path runs (not the scalar fallback). */
    public static boolean vectorized() {
        return !(Selected.MATH instanceof ScalarTileMath);
    }

    /** Null: pure Java runs every dtype, layout, option and heap or native segment. */
    public static String unsupported(Problem p) {
        return null;
    }

    public static void run(Problem p) {
        run(p, Selected.MATH);
    }

    /** Runs p with the given arithmetic (tests force the scalar path through this). */
    static void run(Problem p, TileMath math) {
        if (p.headDim() > Integer.MAX_VALUE / (ROWS * 2) || p.seqK() > Integer.MAX_VALUE) {
            throw new AttentionException("JAVA_VECTOR cannot run this call: head dim or key length too large");
        }
        Io io = new Io(view(p.q()), view(p.k()), view(p.v()), view(p.out()), view(p.lse()), view(p.mask()));
        long nqb = (p.seqQ() + ROWS - 1) / ROWS;
        long bh = p.batch() * p.heads();
        float qScale = p.softmaxScale() * LOG2E;
        int d = (int) p.headDim();
        p.scheduler().run(nqb * bh, (begin, end) -> {
            Scratch s = Scratch.take(d);
            try {
                for (long t = begin; t < end; t++) {
                    long qb = nqb - 1 - t / bh; // heaviest first, as panattn_forward numbers them
                    long x = t % bh;
                    tile(p, io, math, s, x / p.heads(), x % p.heads(), qb, qScale);
                }
            } finally {
                Scratch.give(s);
            }
        });
    }

    /** Segments workers may read and write: global-scope views of native memory, heap segments as they are. */
    private record Io(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                      MemorySegment mask) {
    }

    private static MemorySegment view(Tensor t) {
        if (t == null) {
            return null;
        }
        MemorySegment s = t.segment();
        return s.isNative() ? MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize()) : s;
    }

    /**
     * One tile range's scratch, reused across ranges and calls: taken from a free list and given
     * back, so there are only as many as ranges ever ran at once (callers run ranges too, and a
     * per-thread copy would stay with every service thread that ever called).
     */
    static final class Scratch {
        private static final ConcurrentLinkedQueue<Scratch> FREE = new ConcurrentLinkedQueue<>();

        final int d;
        final float[] qt;    // [ROWS / stripRows][d][stripRows]
        final float[] ot;    // [dPad][ROWS]
        final float[] st = new float[(BLOCK_K + 1) * ROWS]; // one strip's [BLOCK_K + 1][stripRows]: see TileMath
        final float[] kb;    // [BLOCK_K][d]
        final float[] vb;    // [BLOCK_K][d], V rows before they go into panels
        final float[] vp;    // [dPad / 4][BLOCK_K][4]
        final float[] m = new float[ROWS];
        final float[] l = new float[ROWS];
        final float[] alpha = new float[ROWS];
        final int[] end = new int[ROWS];
        final float[] row;
        final float[] maskRow = new float[BLOCK_K];
        final short[] half;
        // keys of the current block whose V row holds NaN/inf, those rows, and which strip rows
        // may not see each of them (see setAsideNonFiniteV)
        final int[] badKeys = new int[BLOCK_K];
        final float[] badV;
        final boolean[] hidden = new boolean[BLOCK_K * ROWS];

        private Scratch(int d) {
            this.d = d;
            int dPad = padded(d);
            qt = new float[d * ROWS];
            ot = new float[dPad * ROWS];
            kb = new float[BLOCK_K * d];
            vb = new float[BLOCK_K * d];
            vp = new float[dPad * BLOCK_K];
            row = new float[dPad];
            half = new short[d];
            badV = new float[BLOCK_K * d];
        }

        /** A free scratch for head dim d (one too small for it is dropped), or a new one. */
        static Scratch take(int d) {
            Scratch s = FREE.poll();
            return s != null && s.d >= d ? s : new Scratch(d);
        }

        static void give(Scratch s) {
            FREE.offer(s);
        }
    }

    /** The head dim rounded up to whole V panels (4 columns). */
    static int padded(int d) {
        return (d + 3) & ~3;
    }

    private static void tile(Problem p, Io io, TileMath math, Scratch s, long b, long h, long qb, float qScale) {
        Tensor q = p.q(), k = p.k(), v = p.v(), out = p.out();
        DType dt = p.dtype();
        int d = (int) p.headDim();
        int dPad = padded(d);
        long i0 = qb * ROWS;
        int m = (int) Math.min(ROWS, p.seqQ() - i0);
        int step = math.rowMultiple();
        int sw = math.stripRows();
        int rowsAll = (m + step - 1) / step * step;
        long kvh = p.kvHead(h);
        int[] end = s.end;
        for (int r = 0; r < m; r++) {
            end[r] = (int) Math.max(0, Math.min(p.seqK(), p.visibleEnd(b, i0 + r)));
        }
        int nEnd = end[m - 1]; // rows see more keys further down (causal) or the same

        // Qᵀ per strip, pre-scaled; rows past the tile's end are zero
        float[] qt = s.qt;
        for (int r = 0; r < rowsAll; r++) {
            int i = r % sw;
            int at = (r - i) * d + i;
            if (r < m) {
                readRow(io.q(), dt, b * q.stride(0) + h * q.stride(1) + (i0 + r) * q.stride(2), s.row, 0, d, s.half);
                for (int c = 0; c < d; c++) {
                    qt[at + c * sw] = s.row[c] * qScale;
                }
            } else {
                for (int c = 0; c < d; c++) {
                    qt[at + c * sw] = 0f;
                }
            }
        }
        Arrays.fill(s.ot, 0, dPad * ROWS, 0f);
        Arrays.fill(s.m, Float.NEGATIVE_INFINITY);
        Arrays.fill(s.l, 0f);

        long kBase = b * k.stride(0) + kvh * k.stride(1);
        long vBase = b * v.stride(0) + kvh * v.stride(1);
        for (int j0 = 0; j0 < nEnd; j0 += BLOCK_K) {
            int nk = Math.min(BLOCK_K, nEnd - j0);
            readRows(io.k(), dt, kBase + j0 * k.stride(2), k.stride(2), nk, d, s.kb, s.half);
            int nkp = (nk + TileMath.KEY_STEP - 1) / TileMath.KEY_STEP * TileMath.KEY_STEP;
            Arrays.fill(s.kb, nk * d, nkp * d, 0f); // the scores micro-kernel's whole key steps
            readRows(io.v(), dt, vBase + j0 * v.stride(2), v.stride(2), nk, d, s.vb, s.half);
            int bad = 0;
            if (!math.panels(s.vb, nk, d, s.vp)) {
                for (int jj = 0; jj < nk; jj++) {
                    if (!allFinite(s.vb, jj * d, d)) {
                        s.badKeys[bad++] = jj;
                    }
                }
                setAsideNonFiniteV(s, bad, d);
            }
            for (int r0 = 0; r0 < m; r0 += sw) {
                int sRows = Math.min(sw, m - r0);
                int sEnd = end[r0 + sRows - 1];
                if (sEnd <= j0) {
                    continue; // the whole strip sees none of this block (causal diagonal)
                }
                int snk = Math.min(nk, sEnd - j0);
                int rows = (sRows + step - 1) / step * step;
                math.scores(qt, r0, d, s.kb, snk, s.st, rows);
                if (io.mask() != null || j0 + snk > end[r0]) {
                    mask(p, io, s, sw, b, h, i0, r0, sRows, j0, snk);
                }
                if (bad > 0) {
                    markHidden(s, sw, bad, snk, sRows);
                }
                math.softmax(s.st, snk, s.m, s.l, s.alpha, r0, rows);
                math.accumulate(s.st, snk, s.vp, dPad, s.ot, s.alpha, r0, rows);
                if (bad > 0) {
                    addNonFiniteV(s, sw, bad, d, snk, r0, sRows);
                }
            }
        }

        long oBase = b * out.stride(0) + h * out.stride(1);
        for (int r = 0; r < m; r++) {
            float l = s.l[r];
            float inv = l == 0f ? 0f : 1f / l; // a row that sees no key: zeros, never NaN
            for (int c = 0; c < d; c++) {
                s.row[c] = s.ot[c * ROWS + r] * inv;
            }
            writeRow(io.out(), dt, oBase + (i0 + r) * out.stride(2), s.row, d, s.half);
            if (io.lse() != null) {
                Tensor lt = p.lse();
                float lse = l == 0f ? Float.NEGATIVE_INFINITY : (float) (s.m[r] * LN2 + Math.log(l));
                io.lse().set(F32, (b * lt.stride(0) + h * lt.stride(1) + i0 + r) * Float.BYTES, lse);
            }
        }
    }

    /** n rows of d elements, {@code stride} elements apart from element {@code index}, as float into dst[0..n·d). */
    private static void readRows(MemorySegment seg, DType dt, long index, long stride, int n, int d, float[] dst,
                                 short[] tmp) {
        if (dt == DType.F32 && stride == d) {
            MemorySegment.copy(seg, F32, index * Float.BYTES, dst, 0, n * d); // one copy for the whole block
            return;
        }
        for (int jj = 0; jj < n; jj++) {
            readRow(seg, dt, index + jj * stride, dst, jj * d, d, tmp);
        }
    }

    /**
     * A NaN/inf in the V row of a key some query row may not see must not reach that row: the
     * P·V product would give it weight 0, and 0·NaN is NaN (the reference never reads hidden keys).
     * So such V rows leave the block product (zeroed in the panels) and are added back, after it,
     * only to the rows that see them; a key hidden by causality, key length or a −inf mask has
     * logit −∞ before the softmax.
     */
    private static void setAsideNonFiniteV(Scratch s, int bad, int d) {
        for (int x = 0; x < bad; x++) {
            int jj = s.badKeys[x];
            System.arraycopy(s.vb, jj * d, s.badV, x * d, d);
            for (int c = 0; c < d; c++) {
                s.vp[(c >> 2) * 4 * BLOCK_K + 4 * jj + (c & 3)] = 0f;
            }
        }
    }

    /** Before the softmax: which strip rows do not see each set-aside key (logit −∞, or past the strip's keys). */
    private static void markHidden(Scratch s, int sw, int bad, int snk, int sRows) {
        for (int x = 0; x < bad; x++) {
            int jj = s.badKeys[x];
            for (int i = 0; i < sRows; i++) {
                s.hidden[x * ROWS + i] = jj >= snk || s.st[jj * sw + i] == Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Adds the set-aside V rows with their weights (after softmax) to the strip rows that see them. */
    private static void addNonFiniteV(Scratch s, int sw, int bad, int d, int snk, int r0, int sRows) {
        for (int x = 0; x < bad; x++) {
            int jj = s.badKeys[x];
            if (jj >= snk) {
                continue;
            }
            for (int i = 0; i < sRows; i++) {
                if (s.hidden[x * ROWS + i]) {
                    continue;
                }
                float w = s.st[jj * sw + i];
                for (int c = 0; c < d; c++) {
                    s.ot[c * ROWS + r0 + i] += w * s.badV[x * d + c];
                }
            }
        }
    }

    static boolean allFinite(float[] a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    /** Hides keys past each strip row's visible end (−∞) and adds the additive mask (in log2 units). */
    private static void mask(Problem p, Io io, Scratch s, int sw, long b, long h, long i0, int r0, int sRows, int j0,
                             int nk) {
        float[] st = s.st;
        for (int i = 0; i < sRows; i++) {
            int r = r0 + i;
            int visible = Math.max(0, Math.min(nk, s.end[r] - j0));
            for (int jj = visible; jj < nk; jj++) {
                st[jj * sw + i] = Float.NEGATIVE_INFINITY;
            }
            if (io.mask() != null && visible > 0) {
                long off = b * p.maskBatchStride() + h * p.maskHeadStride() + (i0 + r) * p.maskRowStride() + j0;
                MemorySegment.copy(io.mask(), F32, off * Float.BYTES, s.maskRow, 0, visible);
                for (int jj = 0; jj < visible; jj++) {
                    float mv = s.maskRow[jj];
                    // −∞ hides the key whatever q·k is, even NaN (as the reference does)
                    st[jj * sw + i] = mv == Float.NEGATIVE_INFINITY ? mv : st[jj * sw + i] + mv * LOG2E;
                }
            }
        }
    }

    /** n elements from element {@code index} of seg, as float, into dst[at..]. */
    static void readRow(MemorySegment seg, DType dt, long index, float[] dst, int at, int n, short[] tmp) {
        switch (dt) {
            case F32 -> MemorySegment.copy(seg, F32, index * Float.BYTES, dst, at, n);
            case F16 -> {
                MemorySegment.copy(seg, U16, index * 2, tmp, 0, n);
                for (int c = 0; c < n; c++) {
                    dst[at + c] = Float.float16ToFloat(tmp[c]);
                }
            }
            case BF16 -> {
                MemorySegment.copy(seg, U16, index * 2, tmp, 0, n);
                for (int c = 0; c < n; c++) {
                    dst[at + c] = Float.intBitsToFloat(tmp[c] << 16);
                }
            }
        }
    }

    /** src[0..n) rounded to dt, to element {@code index} of seg. */
    static void writeRow(MemorySegment seg, DType dt, long index, float[] src, int n, short[] tmp) {
        switch (dt) {
            case F32 -> MemorySegment.copy(src, 0, seg, F32, index * Float.BYTES, n);
            case F16 -> {
                for (int c = 0; c < n; c++) {
                    tmp[c] = Float.floatToFloat16(src[c]);
                }
                MemorySegment.copy(tmp, 0, seg, U16, index * 2, n);
            }
            case BF16 -> {
                for (int c = 0; c < n; c++) {
                    tmp[c] = Elements.floatToBf16(src[c]);
                }
                MemorySegment.copy(tmp, 0, seg, U16, index * 2, n);
            }
        }
    }
}

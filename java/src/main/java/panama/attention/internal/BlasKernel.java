package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;

/**
 * BLAS: the classic unfused path. For each tile (b, h, block of {@link #BLOCK_Q} query rows):
 * {@code S = Q·Kᵀ} with one sgemm, the {@link MaskedSoftmax} of each row of S in Java (scale,
 * mask, the row's log-sum-exp; copied to the probabilities when asked for), then
 * {@code out = P·V} with a second sgemm written straight into out's rows.
 * It materialises BLOCK_Q × Lk scores per worker (not N×N), and only up to the last key any row
 * of the block may see, so causal blocks do less work.
 */
public final class BlasKernel {
    static final int BLOCK_Q = 128;
    /** One worker's score block at most (256 MiB, Lk = 512K keys at 128 rows): beyond it BLAS declines. */
    static final long MAX_SCRATCH_BYTES = 256L << 20;

    private BlasKernel() {
    }

    public static String unsupported(Problem p) {
        String err = OpenBlas.error();
        if (err != null) {
            return err;
        }
        if (p.dtype() != DType.F32) {
            return "BLAS runs fp32 only (sgemm); got " + p.dtype();
        }
        for (Tensor t : new Tensor[] {p.q(), p.k(), p.v(), p.out(), p.lse(), p.mask(), p.probabilities()}) {
            if (t != null && !t.segment().isNative()) {
                return "tensors must be off-heap (allocate them with an Arena); a heap segment cannot be passed to native code";
            }
        }
        if (p.seqK() > Integer.MAX_VALUE / BLOCK_Q || p.headDim() > Integer.MAX_VALUE) {
            return "sequence too long for 32-bit BLAS indices";
        }
        long scratch = Math.min(BLOCK_Q, p.seqQ()) * p.seqK() * Float.BYTES;
        if (scratch > MAX_SCRATCH_BYTES) {
            // a hostile or simply huge Lk (K and V may be stride-0 views of tiny memory) must not
            // make every worker allocate gigabytes
            return "it materialises " + Math.min(BLOCK_Q, p.seqQ()) + " x Lk scores per worker: " + scratch
                    + " bytes for Lk = " + p.seqK() + " is over " + MAX_SCRATCH_BYTES;
        }
        for (Tensor t : new Tensor[] {p.q(), p.k(), p.v(), p.out()}) {
            if (t.stride(2) > Integer.MAX_VALUE) {
                return "row stride too large for 32-bit BLAS leading dimensions";
            }
            if (t.size(2) > 1 && t.stride(2) < p.headDim()) {
                // sgemm needs a leading dimension >= the row length; OpenBLAS would refuse the call
                // (xerbla) and leave out unwritten
                return "rows overlap (row stride " + t.stride(2) + " < headDim " + p.headDim() + "), not a BLAS layout";
            }
        }
        return null;
    }

    public static void run(Problem p) {
        String why = unsupported(p);
        if (why != null) {
            throw new AttentionException("BLAS cannot run this call: " + why);
        }
        long qBlocks = (p.seqQ() + BLOCK_Q - 1) / BLOCK_Q;
        long bh = p.batch() * p.heads();
        Raw raw = raw(p);
        TileScheduler.TileTask tiles = (begin, end) -> {
            try (Arena scratch = Arena.ofConfined()) {
                int rows = (int) Math.min(BLOCK_Q, p.seqQ());
                MemorySegment s = scratch.allocate((long) rows * p.seqK() * Float.BYTES, 64);
                float[] row = new float[(int) p.seqK()];
                for (long t = begin; t < end; t++) {
                    // heaviest first: the last query blocks see the most keys under causal masks
                    long qb = qBlocks - 1 - t / bh;
                    long b = (t % bh) / p.heads();
                    long h = (t % bh) % p.heads();
                    tile(p, b, h, qb, s, row, raw);
                }
            }
        };
        if (NativeHold.error() == null) {
            // Global-scope views of the caller's memory: workers may not touch a caller's confined
            // segments (see NativeCpuKernel); NativeHold keeps that memory alive until they finish.
            NativeHold.run(p, () -> p.scheduler().run(qBlocks * bh, tiles));
        } else {
            // Without libpanattn.so nothing can hold a shared arena open for the workers: run on
            // this thread through the caller's own segments, so a concurrent close makes the next
            // access throw instead of reading freed memory.
            try {
                tiles.run(0, qBlocks * bh);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new AttentionException("BLAS tile failed: " + e, e);
            }
        }
    }

    /** The caller's memory: global-scope views that worker threads may touch, or on this thread the segments. */
    private record Raw(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment mask,
                       MemorySegment lse, MemorySegment probs) {
    }

    private static Raw raw(Problem p) {
        return new Raw(unconfined(p.q()), unconfined(p.k()), unconfined(p.v()), unconfined(p.out()),
                unconfined(p.mask()), unconfined(p.lse()), unconfined(p.probabilities()));
    }

    private static MemorySegment unconfined(Tensor t) {
        if (t == null) {
            return null;
        }
        MemorySegment s = t.segment();
        if (NativeHold.error() != null) {
            return s; // run on the caller's thread, unheld: keep the segment's lifetime checks
        }
        return MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize());
    }

    private static void tile(Problem p, long b, long h, long qb, MemorySegment s, float[] row, Raw raw) {
        long i0 = qb * BLOCK_Q;
        int m = (int) Math.min(BLOCK_Q, p.seqQ() - i0);
        long kvh = p.kvHead(h);
        long d = p.headDim();
        // Keys any row of this block may see: [0, n)
        int n = (int) Math.max(0, Math.min(p.seqK(), p.visibleEnd(b, i0 + m - 1)));
        Tensor q = p.q(), k = p.k(), v = p.v(), out = p.out();
        MemorySegment qPtr = at(raw.q(), q, b, h, i0);
        MemorySegment kPtr = at(raw.k(), k, b, kvh, 0);
        MemorySegment vPtr = at(raw.v(), v, b, kvh, 0);
        MemorySegment oPtr = at(raw.out(), out, b, h, i0);
        // unscaled: MaskedSoftmax applies the scale (alpha = 0 would read neither operand and lose a NaN)
        if (n > 0) {
            OpenBlas.sgemm(false, true, m, n, d, 1f, qPtr, ld(q, d), kPtr, ld(k, d), 0f, s, n);
        }
        boolean hides = raw.mask() != null; // some key of [0, n) is hidden from some row of the block
        for (int r = 0; r < m; r++) {
            long i = i0 + r;
            int end = (int) Math.max(0, Math.min(n, p.visibleEnd(b, i)));
            hides |= end < n;
            if (n > 0) {
                MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, (long) r * n * Float.BYTES, row, 0, n);
            }
            float lse = MaskedSoftmax.apply(row, end, n, p.softmaxScale(), raw.mask(), MaskedSoftmax.maskOffset(p, b, h, i));
            if (n > 0) {
                MemorySegment.copy(row, 0, s, ValueLayout.JAVA_FLOAT, (long) r * n * Float.BYTES, n);
            }
            if (raw.lse() != null) {
                Tensor l = p.lse();
                raw.lse().set(ValueLayout.JAVA_FLOAT_UNALIGNED,
                        (b * l.stride(0) + h * l.stride(1) + i) * Float.BYTES, lse);
            }
            if (raw.probs() != null) {
                writeProbabilities(p, raw.probs(), b, h, i, row, n);
            }
        }
        if (n > 0) {
            OpenBlas.sgemm(false, false, m, d, n, 1f, s, n, vPtr, ld(v, d), 0f, oPtr, ld(out, d));
            if (hides) {
                repairHiddenLeaks(p, raw, b, h, i0, m, n, s, vPtr, oPtr);
            }
        } else {
            // no row of the block sees any key: zeros
            for (int r = 0; r < m; r++) {
                oPtr.asSlice((long) r * out.stride(2) * Float.BYTES, d * Float.BYTES).fill((byte) 0);
            }
        }
    }

    /**
     * The P·V sgemm multiplies every key of [0, n) into every row, hidden keys with weight 0, and
     * 0 · NaN (or 0 · inf) is NaN: a non-finite V of a key hidden from a row (causally, or by a
     * −inf mask entry) would leak into it. Only a row that came out non-finite can have leaked; such
     * a row is recomputed here over exactly the keys it sees (in fp32, key order), so it is NaN/inf
     * only when a key it weighs says so, as in the reference.
     */
    private static void repairHiddenLeaks(Problem p, Raw raw, long b, long h, long i0, int m, int n, MemorySegment s,
                                          MemorySegment vPtr, MemorySegment oPtr) {
        long d = p.headDim();
        long ld = p.out().stride(2), vld = p.v().stride(2);
        float[] acc = null;
        for (int r = 0; r < m; r++) {
            boolean finite = true;
            for (long c = 0; c < d && finite; c++) {
                finite = Float.isFinite(oPtr.get(ValueLayout.JAVA_FLOAT_UNALIGNED, (r * ld + c) * Float.BYTES));
            }
            if (finite) {
                continue;
            }
            acc = acc == null ? new float[(int) d] : acc;
            java.util.Arrays.fill(acc, 0f);
            long i = i0 + r;
            int end = (int) Math.max(0, Math.min(n, p.visibleEnd(b, i)));
            long maskBase = MaskedSoftmax.maskOffset(p, b, h, i);
            for (int j = 0; j < end; j++) {
                if (MaskedSoftmax.hiddenByMask(raw.mask(), maskBase, j)) {
                    continue;
                }
                float w = s.getAtIndex(ValueLayout.JAVA_FLOAT, (long) r * n + j);
                for (int c = 0; c < d; c++) {
                    acc[c] += w * vPtr.get(ValueLayout.JAVA_FLOAT_UNALIGNED, (j * vld + c) * Float.BYTES);
                }
            }
            for (int c = 0; c < d; c++) {
                oPtr.set(ValueLayout.JAVA_FLOAT_UNALIGNED, (r * ld + c) * Float.BYTES, acc[c]);
            }
        }
    }

    /** Row (b, h, i) of the probabilities: the block's n computed keys, then 0 for keys no row of the block sees. */
    private static void writeProbabilities(Problem p, MemorySegment probs, long b, long h, long i, float[] row, int n) {
        Tensor t = p.probabilities();
        long at = (b * t.stride(0) + h * t.stride(1) + i * t.stride(2)) * Float.BYTES;
        MemorySegment.copy(row, 0, probs, ValueLayout.JAVA_FLOAT_UNALIGNED, at, n);
        long rest = p.seqK() - n;
        if (rest > 0) {
            probs.asSlice(at + (long) n * Float.BYTES, rest * Float.BYTES).fill((byte) 0);
        }
    }

    /** The sgemm leading dimension of t's rows: its row stride, or any valid one when it has a single row. */
    private static long ld(Tensor t, long d) {
        return t.size(2) <= 1 ? Math.max(t.stride(2), Math.max(1, d)) : t.stride(2);
    }

    private static MemorySegment at(MemorySegment base, Tensor t, long b, long h, long row) {
        long elems = b * t.stride(0) + h * t.stride(1) + row * t.stride(2);
        return base.asSlice(elems * t.dtype().byteSize());
    }
}

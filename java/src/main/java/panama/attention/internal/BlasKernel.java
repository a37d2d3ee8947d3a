package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * BLAS: the classic unfused path. For each tile (b, h, block of {@link #BLOCK_Q} query rows):
 * {@code S = scale·Q·Kᵀ} with one sgemm, the masked softmax of S in Java (with the row's
 * log-sum-exp), then {@code out = P·V} with a second sgemm written straight into out's rows.
 * It materialises BLOCK_Q × Lk scores per worker (not N×N), and only up to the last key any row
 * of the block may see, so causal blocks do less work.
 */
public final class BlasKernel {
    static final int BLOCK_Q = 128;

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
        for (Tensor t : new Tensor[] {p.q(), p.k(), p.v(), p.out(), p.lse(), p.mask()}) {
            if (t != null && !t.segment().isNative()) {
                return "tensors must be off-heap (allocate them with an Arena); a heap segment cannot be passed to native code";
            }
        }
        if (p.seqK() > Integer.MAX_VALUE / BLOCK_Q || p.headDim() > Integer.MAX_VALUE) {
            return "sequence too long for 32-bit BLAS indices";
        }
        for (Tensor t : new Tensor[] {p.q(), p.k(), p.v(), p.out()}) {
            if (t.stride(2) > Integer.MAX_VALUE) {
                return "row stride too large for 32-bit BLAS leading dimensions";
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
        // Raw addresses: workers may not touch a caller's confined segments (see NativeCpuKernel).
        Raw raw = new Raw(p.q().segment().address(), p.k().segment().address(), p.v().segment().address(),
                p.out().segment().address(), unconfined(p.mask()), unconfined(p.lse()));
        p.scheduler().run(qBlocks * bh, (begin, end) -> {
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
        });
    }

    /** The caller's memory as raw addresses and global-scope views that worker threads may touch. */
    private record Raw(long q, long k, long v, long out, MemorySegment mask, MemorySegment lse) {
    }

    private static MemorySegment unconfined(Tensor t) {
        return t == null ? null : MemorySegment.ofAddress(t.segment().address()).reinterpret(t.segment().byteSize());
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
        if (n > 0) {
            OpenBlas.sgemm(false, true, m, n, d, p.softmaxScale(), qPtr, q.stride(2), kPtr, k.stride(2), 0f, s, n);
        }
        for (int r = 0; r < m; r++) {
            long i = i0 + r;
            int end = (int) Math.max(0, Math.min(n, p.visibleEnd(b, i)));
            if (n > 0) {
                MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, (long) r * n * Float.BYTES, row, 0, n);
            }
            float lse = softmaxRow(p, raw.mask(), b, h, i, row, end, n);
            if (n > 0) {
                MemorySegment.copy(row, 0, s, ValueLayout.JAVA_FLOAT, (long) r * n * Float.BYTES, n);
            }
            if (raw.lse() != null) {
                Tensor l = p.lse();
                raw.lse().set(ValueLayout.JAVA_FLOAT_UNALIGNED,
                        (b * l.stride(0) + h * l.stride(1) + i) * Float.BYTES, lse);
            }
        }
        if (n > 0) {
            OpenBlas.sgemm(false, false, m, d, n, 1f, s, n, vPtr, v.stride(2), 0f, oPtr, out.stride(2));
        } else {
            // no row of the block sees any key: zeros
            for (int r = 0; r < m; r++) {
                MemorySegment.ofAddress(oPtr.address() + (long) r * out.stride(2) * Float.BYTES)
                        .reinterpret(d * Float.BYTES).fill((byte) 0);
            }
        }
    }

    /** Masked softmax of row[0, end) in place, zeros in [end, n); returns the row's LSE. */
    static float softmaxRow(Problem p, MemorySegment mask, long b, long h, long i, float[] row, int end, int n) {
        if (mask != null && end > 0) {
            long base = (b * p.maskBatchStride() + h * p.maskHeadStride() + i * p.maskRowStride()) * Float.BYTES;
            for (int j = 0; j < end; j++) {
                row[j] += mask.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + (long) j * Float.BYTES);
            }
        }
        float max = Float.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int j = 0; j < end; j++) {
            float x = row[j];
            nan |= x != x;
            max = Math.max(max, x);
        }
        java.util.Arrays.fill(row, end, n, 0f);
        if (nan || max == Float.POSITIVE_INFINITY) {
            java.util.Arrays.fill(row, 0, end, Float.NaN);
            return Float.NaN;
        }
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(row, 0, end, 0f);
            return Float.NEGATIVE_INFINITY;
        }
        float sum = 0;
        for (int j = 0; j < end; j++) {
            float e = FastExp.exp(row[j] - max);
            row[j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < end; j++) {
            row[j] *= inv;
        }
        return max + (float) Math.log(sum);
    }

    private static MemorySegment at(long base, Tensor t, long b, long h, long row) {
        long elems = b * t.stride(0) + h * t.stride(1) + row * t.stride(2);
        return MemorySegment.ofAddress(base + elems * t.dtype().byteSize());
    }
}

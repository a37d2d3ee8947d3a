package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import panama.attention.internal.Linear;

/**
 * A forward call in host memory: projections over all {@code batch·seq} rows at once through
 * {@link Linear} (OpenBLAS sgemm, or the plain Java matmul), split in row blocks over the
 * {@link TileScheduler}. sgemm needs rows at one address with one row stride: tensors laid out
 * so are used in place, others are copied (inputs) or staged and copied back (out).
 */
final class MultiHeadAttentionHost implements MultiHeadAttentionProjections {
    private final MultiHeadAttentionWeights weights;
    private final boolean blas;
    private final TileScheduler scheduler;
    private final Arena arena = Arena.ofConfined();
    private final Map<Tensor, Tensor> copies = new IdentityHashMap<>();
    /** {staging, caller's tensor} pairs that {@link #finish()} copies back. */
    private final List<Tensor[]> staged = new ArrayList<>();

    MultiHeadAttentionHost(MultiHeadAttentionWeights weights, boolean blas, TileScheduler scheduler) {
        this.weights = weights;
        this.blas = blas;
        this.scheduler = scheduler;
    }

    @Override
    public Tensor input(Tensor x, String name) {
        if (rowStride(x) > 0) {
            return x;
        }
        return copies.computeIfAbsent(x, t -> {
            float[] values = t.toFloatArray();
            Tensor c = scratch(t.size(0), t.size(1), t.size(2));
            MemorySegment.copy(values, 0, c.segment(), ValueLayout.JAVA_FLOAT, 0, values.length);
            return c;
        });
    }

    @Override
    public Tensor output(Tensor out, String name) {
        if (rowStride(out) > 0) {
            return out;
        }
        Tensor s = scratch(out.size(0), out.size(1), out.size(2));
        staged.add(new Tensor[] {s, out});
        return s;
    }

    @Override
    public AttentionOptions options(AttentionOptions options, Tensor probs) {
        return probs == null ? options : options.toBuilder().probabilities(probs).build();
    }

    @Override
    public Tensor scratch(long batch, long seq, long width) {
        return Tensor.allocate(arena, DType.F32, batch, seq, width);
    }

    @Override
    public void project(Tensor x, Weight w, Tensor y, String what) {
        long rows = x.size(0) * x.size(1);
        Linear.matmul(blas, x.segment().address(), rowStride(x), rows, x.size(2), weights.weight(w), weights.bias(w),
                y.segment().address(), rowStride(y), y.size(2), scheduler);
    }

    @Override
    public void finish() {
        for (Tensor[] pair : staged) {
            Tensor from = pair[0], to = pair[1];
            MemorySegment src = from.segment();
            long i = 0;
            for (long b = 0; b < to.size(0); b++) {
                for (long s = 0; s < to.size(1); s++) {
                    for (long c = 0; c < to.size(2); c++) {
                        to.set(src.getAtIndex(ValueLayout.JAVA_FLOAT, i++), b, s, c);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    /** The row stride when all {@code batch·seq} rows of off-heap t are evenly spaced and a width apart, else -1. */
    private static long rowStride(Tensor t) {
        long b = t.size(0), s = t.size(1), w = t.size(2);
        if (!t.segment().isNative() || (t.stride(2) != 1 && w > 1)) {
            return -1;
        }
        long ld;
        if (s == 1) {
            ld = b == 1 ? w : t.stride(0);
        } else if (b == 1 || t.stride(0) == s * t.stride(1)) {
            ld = t.stride(1);
        } else {
            return -1;
        }
        return ld >= w ? ld : -1;
    }
}

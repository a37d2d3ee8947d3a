package panama.attention.measure;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.testing.Compare;

/**
 * One benchmark problem: seeded random q, k, v in [-1, 1] and an output, allocated in an arena,
 * plus the check of a backend against the JAVA_REFERENCE oracle. The command line's {@code bench}
 * and the JMH benchmarks use this same code, so their numbers and checks agree.
 */
public final class Workload {
    /** Above this many multiply-adds per product (B·H·Lq·Lk·d) the oracle checks one head only. */
    public static final double FULL_CHECK_LIMIT = 2e8;

    /**
     * The shape and options of a problem.
     *
     * @param heads query heads; {@code kvHeads} divides it (grouped-query attention)
     */
    public record Shape(int batch, int heads, int kvHeads, int seqQ, int seqK, int headDim,
                        CausalMode causal, DType dtype) {
        /** FLOPs of the two matrix products, as {@link Attention#flops} counts them. */
        public double flops() {
            return Attention.flops(batch, heads, seqQ, seqK, headDim, causal);
        }

        /** B·H·Lq·Lk·d: what the oracle's cost grows with. */
        public double work() {
            return (double) batch * heads * seqQ * seqK * headDim;
        }

        /** The same problem reduced to batch 1 and one head (kv head 1): same lengths, dtype and causal mode. */
        public Shape oneHead() {
            return new Shape(1, 1, 1, seqQ, seqK, headDim, causal, dtype);
        }

        public String seqLabel() {
            return seqQ == seqK ? Integer.toString(seqQ) : seqQ + "x" + seqK;
        }
    }

    /**
     * A backend's check against the oracle.
     *
     * @param relErr ‖out − ref‖ / ‖ref‖ (0 for the oracle itself)
     * @param oneHead true when checked on {@link Shape#oneHead()} because the full oracle would be slow
     */
    public record Check(double relErr, double tolerance, boolean oneHead) {
        public boolean passed() {
            return relErr <= tolerance;
        }

        public String scope() {
            return oneHead ? "1 head" : "full";
        }
    }

    public final Shape shape;
    public final Tensor q;
    public final Tensor k;
    public final Tensor v;
    public final Tensor out;
    private final Arena arena;
    private float[] reference;
    private boolean referenceOneHead;

    /** Allocates and fills the inputs in {@code arena} (seeded: every backend sees the same values). */
    public Workload(Arena arena, Shape shape, long seed) {
        this.arena = arena;
        this.shape = shape;
        SplittableRandom rnd = new SplittableRandom(seed);
        q = random(arena, shape.dtype(), rnd, shape.batch(), shape.heads(), shape.seqQ(), shape.headDim());
        k = random(arena, shape.dtype(), rnd, shape.batch(), shape.kvHeads(), shape.seqK(), shape.headDim());
        v = random(arena, shape.dtype(), rnd, shape.batch(), shape.kvHeads(), shape.seqK(), shape.headDim());
        out = Tensor.allocate(arena, shape.dtype(), shape.batch(), shape.heads(), shape.seqQ(), shape.headDim());
    }

    private static Tensor random(Arena arena, DType dtype, SplittableRandom rnd, long... dims) {
        Tensor t = Tensor.allocate(arena, dtype, dims);
        MemorySegment s = t.segment();
        long n = t.elementCount();
        for (long i = 0; i < n; i++) {
            panama.attention.internal.Elements.set(s, dtype, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return t;
    }

    /** The options of every timed call. */
    public AttentionOptions options(Backend backend, TileScheduler scheduler, CpuIsa isa) {
        return AttentionOptions.builder().backend(backend).causal(shape.causal()).scheduler(scheduler).cpuIsa(isa).build();
    }

    /** Runs one timed call. */
    public void run(AttentionOptions options) {
        Attention.sdpa(q, k, v, out, options);
    }

    /** Parses {@code f32}, {@code f16} or {@code bf16} (also numpy's float32, float16, bfloat16). */
    public static DType parseDtype(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "f16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("'" + s + "' is not one of f32, f16, bf16");
        };
    }

    /** Parses {@code auto}, {@code scalar}, {@code avx2} or {@code avx512}. */
    public static CpuIsa parseIsa(String s) {
        try {
            return CpuIsa.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not one of auto, scalar, avx2, avx512");
        }
    }

    /** The relative-error tolerance of a dtype: what a correct kernel of that precision reaches. */
    public static double tolerance(DType dtype) {
        return switch (dtype) {
            case F32 -> 1e-5;
            case F16 -> 5e-3;
            case BF16 -> 2e-2;
        };
    }

    /** Whether the oracle would be slow on the full shape, so checks use one head. */
    public boolean checksOneHead() {
        return shape.work() > FULL_CHECK_LIMIT;
    }

    /** Something that computes attention of (q, k, v) into out, with this workload's options. */
    @FunctionalInterface
    public interface Kernel {
        void run(Tensor q, Tensor k, Tensor v, Tensor out);
    }

    /**
     * Runs {@code options}' backend once and compares it with the oracle on the full shape when
     * that is cheap, else on {@link Shape#oneHead()} (the same kernel paths: lengths, head dim,
     * dtype and causal alignment are unchanged). The oracle's output is computed once and cached.
     * Exceptions of the backend propagate.
     */
    public Check check(AttentionOptions options) {
        AttentionOptions oracle = options.toBuilder().backend(Backend.JAVA_REFERENCE).build();
        return check(oracle, options.backend() == Backend.JAVA_REFERENCE ? null
                : (cq, ck, cv, got) -> Attention.sdpa(cq, ck, cv, got, options));
    }

    /**
     * {@link #check(AttentionOptions)} for code outside the library (the triple-loop baseline):
     * {@code kernel} gets contiguous tensors, the full ones or batch 0/head 0 views.
     */
    public Check check(Kernel kernel) {
        return check(AttentionOptions.builder().backend(Backend.JAVA_REFERENCE).causal(shape.causal()).build(), kernel);
    }

    private Check check(AttentionOptions oracle, Kernel kernel) {
        boolean oneHead = checksOneHead();
        Tensor cq = oneHead ? firstHead(q, shape.seqQ()) : q;
        Tensor ck = oneHead ? firstHead(k, shape.seqK()) : k;
        Tensor cv = oneHead ? firstHead(v, shape.seqK()) : v;
        if (reference == null || referenceOneHead != oneHead) {
            Tensor ref = Tensor.allocate(arena, shape.dtype(), cq.shape());
            Attention.sdpa(cq, ck, cv, ref, oracle);
            reference = ref.toFloatArray();
            referenceOneHead = oneHead;
        }
        if (kernel == null) {
            return new Check(0, tolerance(shape.dtype()), oneHead);
        }
        Tensor got = oneHead ? Tensor.allocate(arena, shape.dtype(), cq.shape()) : out;
        kernel.run(cq, ck, cv, got);
        double err = Compare.relativeError(got.toFloatArray(), reference);
        return new Check(err, tolerance(shape.dtype()), oneHead);
    }

    /** The check, throwing with the first mismatches when it fails (for JMH setups). */
    public Check requireCorrect(AttentionOptions options) {
        Check c = check(options);
        if (!c.passed()) {
            throw new IllegalStateException(options.backend() + " disagrees with JAVA_REFERENCE on " + shape
                    + ": relative error " + c.relErr() + " > " + c.tolerance() + " (checked on " + c.scope() + ")");
        }
        return c;
    }

    /** Batch 0, head 0 of a contiguous [B, H, L, d] tensor, as a contiguous [1, 1, L, d] view. */
    private Tensor firstHead(Tensor t, int len) {
        long bytes = (long) len * shape.headDim() * shape.dtype().byteSize();
        return Tensor.contiguous(t.segment().asSlice(0, bytes), shape.dtype(), 1, 1, len, shape.headDim());
    }
}

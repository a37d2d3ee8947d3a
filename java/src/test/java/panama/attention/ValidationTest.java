package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input for every backend: each is a Java exception that names the tensor and dimension,
 * thrown before any native call, and never a JVM crash.
 */
class ValidationTest {
    private static Tensor t(Arena a, long... shape) {
        return Tensor.allocate(a, DType.F32, shape);
    }

    private static AttentionOptions on(Backend b) {
        return AttentionOptions.builder().backend(b).build();
    }

    /** Asserts the call throws type with a message containing every fragment. */
    private static <T extends Throwable> void fails(Class<T> type, Runnable call, String... fragments) {
        T e = assertThrows(type, call::run);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class)
    void shapesThatDisagreeNameTheTensorAndDimension(Backend b) {
        try (Arena a = Arena.ofConfined()) {
            Tensor q = t(a, 1, 4, 8, 16);
            Tensor out = t(a, 1, 4, 8, 16);
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q, t(a, 1, 4, 8, 32), t(a, 1, 4, 8, 16), out, on(b)),
                    "k:", "dimension 3", "headDim");
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q, t(a, 1, 4, 8, 16), t(a, 1, 4, 9, 16), out, on(b)),
                    "v:", "dimension 2");
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q, t(a, 2, 4, 8, 16), t(a, 2, 4, 8, 16), out, on(b)),
                    "k:", "dimension 0", "batch");
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q, t(a, 1, 3, 8, 16), t(a, 1, 3, 8, 16), out, on(b)),
                    "k:", "dimension 1", "does not divide");
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q, t(a, 1, 4, 8, 16), t(a, 1, 4, 8, 16), t(a, 1, 4, 7, 16), on(b)),
                    "out:", "dimension 2");
            fails(IllegalArgumentException.class, () -> Attention.sdpa(t(a, 4, 8, 16), t(a, 1, 4, 8, 16), t(a, 1, 4, 8, 16), out, on(b)),
                    "q:", "rank");
            fails(IllegalArgumentException.class, () -> Attention.sdpa(t(a, 1, 4, 0, 16), t(a, 1, 4, 8, 16), t(a, 1, 4, 8, 16), t(a, 1, 4, 0, 16), on(b)),
                    "q:", "dimension 2", "at least 1");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class)
    void wrongDtypesMasksLseAndKeyLengths(Backend b) {
        try (Arena a = Arena.ofConfined()) {
            Tensor q = t(a, 2, 4, 8, 16), k = t(a, 2, 4, 8, 16), v = t(a, 2, 4, 8, 16), out = t(a, 2, 4, 8, 16);
            Tensor k16 = Tensor.allocate(a, DType.F16, 2, 4, 8, 16);
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q, k16, v, out, on(b)), "k:", "dtype");
            Function<AttentionOptions.Builder, Runnable> with = ob -> () -> Attention.sdpa(q, k, v, out, ob.backend(b).build());
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().mask(t(a, 3, 1, 8, 8))), "mask:", "dimension 0");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().mask(t(a, 1, 2, 8, 8))), "mask:", "dimension 1");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().mask(t(a, 1, 1, 8, 9))), "mask:", "dimension 3");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().mask(t(a, 8, 8))), "mask:", "rank");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder()
                    .mask(Tensor.allocate(a, DType.F16, 1, 1, 8, 8))), "mask:", "F32");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().lse(t(a, 2, 4, 7))), "lse:", "dimension 2");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().keyLengths(8)), "keyLengths", "batch");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().keyLengths(8, 9)), "keyLengths[1] = 9");
            fails(IllegalArgumentException.class, with.apply(AttentionOptions.builder().keyLengths(-1, 3)), "keyLengths[0] = -1");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class)
    void badProbabilityTensorsNameTheDimensionAndAreRefusedBeforeAnyWork(Backend b) {
        try (Arena a = Arena.ofConfined()) {
            Tensor q = t(a, 2, 4, 8, 16), k = t(a, 2, 2, 9, 16), v = t(a, 2, 2, 9, 16), out = t(a, 2, 4, 8, 16);
            Function<Tensor, Runnable> with = p -> () -> Attention.sdpa(q, k, v, out,
                    AttentionOptions.builder().probabilities(p).backend(b).build());
            fails(IllegalArgumentException.class, with.apply(t(a, 2, 4, 8)), "probabilities:", "rank");
            fails(IllegalArgumentException.class, with.apply(t(a, 1, 4, 8, 9)), "probabilities:", "dimension 0 (batch)", "[2, 4, 8, 9]");
            fails(IllegalArgumentException.class, with.apply(t(a, 2, 2, 8, 9)), "probabilities:", "dimension 1 (heads)");
            fails(IllegalArgumentException.class, with.apply(t(a, 2, 4, 9, 9)), "probabilities:", "dimension 2 (seqQ)");
            fails(IllegalArgumentException.class, with.apply(t(a, 2, 4, 8, 8)), "probabilities:", "dimension 3 (seqK)");
            fails(IllegalArgumentException.class, with.apply(Tensor.allocate(a, DType.F16, 2, 4, 8, 9)), "probabilities:", "F32");
            fails(IllegalArgumentException.class, with.apply(t(a, 2, 4, 9, 8).transpose(2, 3)), "probabilities:", "stride 1");
            fails(IllegalArgumentException.class, with.apply(t(a, 2, 4, 1, 9).view(new long[] {2, 4, 8, 9},
                    new long[] {36, 9, 0, 1})), "probabilities:", "overlap");
            Tensor ro = t(a, 2, 4, 8, 9);
            fails(IllegalArgumentException.class, with.apply(Tensor.contiguous(ro.segment().asReadOnly(), DType.F32, 2, 4, 8, 9)),
                    "probabilities:", "read-only");
            // out's own memory
            fails(IllegalArgumentException.class, with.apply(Tensor.contiguous(out.segment(), DType.F32, 2, 4, 8, 9)),
                    "probabilities:", "overlaps out");
            Tensor closed;
            try (Arena gone = Arena.ofConfined()) {
                closed = t(gone, 2, 4, 8, 9);
            }
            fails(IllegalStateException.class, with.apply(closed), "probabilities:", "closed");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class)
    void closedArenasReadOnlyAndForeignThreadSegmentsAreRefused(Backend b) throws Exception {
        Tensor q, k, v, out;
        try (Arena a = Arena.ofConfined()) {
            q = t(a, 1, 1, 4, 8);
            k = t(a, 1, 1, 4, 8);
            v = t(a, 1, 1, 4, 8);
            out = t(a, 1, 1, 4, 8);
        }
        fails(IllegalStateException.class, () -> Attention.sdpa(q, k, v, out, on(b)), "q:", "closed");

        try (Arena a = Arena.ofConfined()) {
            Tensor q2 = t(a, 1, 1, 4, 8), k2 = t(a, 1, 1, 4, 8), v2 = t(a, 1, 1, 4, 8);
            Tensor ro = Tensor.contiguous(t(a, 1, 1, 4, 8).segment().asReadOnly(), DType.F32, 1, 1, 4, 8);
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q2, k2, v2, ro, on(b)), "out:", "read-only");
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q2, k2, v2, q2, on(b)), "out:", "overlaps q");

            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    Attention.sdpa(q2, k2, v2, t(Arena.ofAuto(), 1, 1, 4, 8), on(b));
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            other.start();
            other.join();
            assertTrue(seen.get() instanceof IllegalStateException, () -> "got " + seen.get());
            assertTrue(seen.get().getMessage().contains("confined"), seen.get().getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class)
    void tooSmallSegmentsAndOverflowingShapesNeverReachNativeCode(Backend b) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment small = a.allocate(100);
            fails(IllegalArgumentException.class, () -> Tensor.contiguous(small, DType.F32, 1, 1, 4, 8), "too small");
            fails(IllegalArgumentException.class, () -> Tensor.of(small, DType.F32, new long[] {1, 1, 4, 8}, new long[] {0, 0, -8, 1}), "negative stride");
            fails(IllegalArgumentException.class, () -> Tensor.of(small, DType.F32,
                    new long[] {Long.MAX_VALUE / 2, 1, 4, 8}, new long[] {1L << 40, 0, 8, 1}), "overflows");
            fails(IllegalArgumentException.class, () -> Tensor.allocate(a, DType.F32, Long.MAX_VALUE / 2, 4), "overflows");
            fails(IllegalArgumentException.class, () -> Tensor.allocate(a, DType.F32, -1, 4), "negative");
            // Views that read memory they do not own are impossible: the segment bounds every view.
            Tensor q = t(a, 1, 1, 4, 8);
            fails(IllegalArgumentException.class, () -> Attention.sdpa(q, t(a, 1, 1, 4, 8), t(a, 1, 1, 4, 8),
                    Tensor.of(a.allocate(64), DType.F32, new long[] {1, 1, 4, 8}, new long[] {0, 0, 0, 2}), on(b)),
                    "out:", "stride");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"NATIVE_CPU", "BLAS"})
    void nativeBackendsRefuseHeapSegmentsAndAutoFallsBack(Backend b) {
        TestBackends.assumeAvailable(b);
        float[] data = new float[32];
        Tensor q = Tensor.contiguous(MemorySegment.ofArray(data), DType.F32, 1, 1, 4, 8);
        Tensor k = Tensor.contiguous(MemorySegment.ofArray(new float[32]), DType.F32, 1, 1, 4, 8);
        Tensor v = Tensor.contiguous(MemorySegment.ofArray(new float[32]), DType.F32, 1, 1, 4, 8);
        Tensor out = Tensor.contiguous(MemorySegment.ofArray(new float[32]), DType.F32, 1, 1, 4, 8);
        fails(AttentionException.class, () -> Attention.sdpa(q, k, v, out, on(b)), "off-heap");
        // JAVA_VECTOR (pure Java) runs heap segments: AUTO falls back to it.
        assertEquals(Backend.JAVA_VECTOR, Attention.sdpa(q, k, v, out, AttentionOptions.defaults()));
    }

    @org.junit.jupiter.api.Test
    void blasRefusesHalfPrecisionWithAReason() {
        TestBackends.assumeAvailable(Backend.BLAS);
        try (Arena a = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(a, DType.BF16, 1, 1, 4, 8);
            Tensor k = Tensor.allocate(a, DType.BF16, 1, 1, 4, 8);
            Tensor v = Tensor.allocate(a, DType.BF16, 1, 1, 4, 8);
            Tensor out = Tensor.allocate(a, DType.BF16, 1, 1, 4, 8);
            fails(AttentionException.class, () -> Attention.sdpa(q, k, v, out, on(Backend.BLAS)), "BLAS", "fp32");
        }
    }
}

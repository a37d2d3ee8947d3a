package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Java side of libpanattn's packed dense layer: results against float64, bounds checked in Java. */
class PackedLinearTest {

    /** BERT's GELU with erf by Abramowitz and Stegun 7.1.28 in double (absolute error below 3e-7). */
    private static double gelu(double x) {
        double a = Math.abs(x) / Math.sqrt(2);
        double p = 1 + a * (0.0705230784 + a * (0.0422820123 + a * (0.0092705272 + a * (0.0001520143
                + a * (0.0002765672 + a * 0.0000430638)))));
        double erf = 1 - Math.pow(p, -16);
        return 0.5 * x + 0.5 * Math.abs(x) * erf;
    }

    @ParameterizedTest(name = "in {0} out {1} rows [{2}, {2} + {3}) of {4}, bias {5}, gelu {6}")
    @CsvSource({
        "1, 1, 0, 1, 1, true, false",
        "7, 33, 2, 5, 9, false, true",
        "33, 7, 0, 13, 13, true, true",
        "385, 383, 3, 29, 40, true, false",
        "384, 1536, 0, 25, 25, true, true",
        "1536, 384, 11, 14, 30, true, false",
    })
    void rowsInTheRangeMatchFloat64AndTheOthersStayUntouched(int in, int out, int r0, int m, int rows, boolean withBias,
                                                            boolean gelu) {
        assertNull(PackedLinear.error(), "libpanattn must load in this build");
        Random rnd = new Random(in * 31L + out);
        float[] w = new float[in * out];
        float[] b = withBias ? new float[out] : null;
        float[] x = new float[rows * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() / Math.sqrt(in));
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        if (b != null) {
            for (int j = 0; j < out; j++) {
                b[j] = (float) rnd.nextGaussian();
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            PackedLinear layer = new PackedLinear(w, b, in, out, arena);
            assertEquals(in, layer.in());
            assertEquals(out, layer.out());
            MemorySegment xs = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment ys = arena.allocate((long) rows * out * Float.BYTES);
            ys.fill((byte) 0x7f); // a sentinel: 0x7f7f7f7f, about 3.4e38
            float sentinel = ys.get(ValueLayout.JAVA_FLOAT, 0);
            layer.forward(xs, ys, r0, m, gelu ? PackedLinear.Activation.GELU_ERF : PackedLinear.Activation.NONE);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < out; j++) {
                    float got = ys.getAtIndex(ValueLayout.JAVA_FLOAT, (long) r * out + j);
                    if (r < r0 || r >= r0 + m) {
                        assertEquals(sentinel, got, "row " + r + " is outside the range and must not be written");
                        continue;
                    }
                    double acc = b == null ? 0 : b[j];
                    double mag = Math.abs(acc);
                    for (int i = 0; i < in; i++) {
                        double p = (double) x[r * in + i] * w[i * out + j];
                        acc += p;
                        mag += Math.abs(p);
                    }
                    // fp32 summation over `in` terms, then GELU's slope (below 1.13) and its fp32 evaluation
                    double tol = (in + 2) * 0x1p-24 * mag;
                    double want = acc;
                    if (gelu) {
                        want = gelu(acc);
                        tol = 1.13 * tol + 8 * 0x1p-24 * (Math.abs(acc) + 1e-30);
                    }
                    assertTrue(Math.abs(got - want) <= tol,
                            "y[" + r + ", " + j + "] = " + got + ", float64 gives " + want + " (bound " + tol + ")");
                }
            }
        }
    }

    @Test
    void segmentsTooSmallForTheRowsAreRefusedBeforeTheNativeCall() {
        try (Arena arena = Arena.ofConfined()) {
            PackedLinear layer = new PackedLinear(new float[4 * 3], null, 4, 3, arena);
            MemorySegment x = arena.allocate(2L * 4 * Float.BYTES);
            MemorySegment y = arena.allocate(2L * 3 * Float.BYTES);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(x, y, 1, 2, PackedLinear.Activation.NONE));
            assertTrue(e.getMessage().contains("x holds 32 bytes"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(x, arena.allocate(4), 0, 2, PackedLinear.Activation.NONE));
            assertTrue(e.getMessage().contains("y holds 4 bytes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> layer.forward(x, y, -1, 1, PackedLinear.Activation.NONE));
        }
    }

    @Test
    void overlappingInputAndOutputIsRefusedByTheNativeCheck() {
        try (Arena arena = Arena.ofConfined()) {
            PackedLinear layer = new PackedLinear(new float[4 * 4], null, 4, 4, arena);
            MemorySegment xy = arena.allocate(4L * 4 * Float.BYTES);
            panama.attention.AttentionException e = assertThrows(panama.attention.AttentionException.class,
                    () -> layer.forward(xy, xy, 0, 2, PackedLinear.Activation.NONE));
            assertTrue(e.getMessage().contains("PANATTN_ERR_INVALID_ARGUMENT"), e.getMessage());
            assertTrue(e.getMessage().contains("out overlaps in"), e.getMessage());
        }
    }

    @Test
    void weightsOfTheWrongSizeAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> new PackedLinear(new float[5], null, 2, 3, arena));
            assertThrows(IllegalArgumentException.class, () -> new PackedLinear(new float[6], new float[2], 2, 3, arena));
            assertThrows(IllegalArgumentException.class, () -> new PackedLinear(new float[0], null, 0, 3, arena));
        }
    }
}

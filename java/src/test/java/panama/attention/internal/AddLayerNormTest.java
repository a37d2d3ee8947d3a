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

/** The Java side of libpanattn's residual add + layer norm: results against float64, bounds checked in Java. */
class AddLayerNormTest {

    @ParameterizedTest(name = "width {0} rows [{1}, {1} + {2}) of {3}, residual {4}")
    @CsvSource({
        "1, 0, 1, 1, true",
        "7, 2, 5, 9, true",
        "33, 0, 13, 13, false",
        "383, 3, 29, 40, true",
        "384, 0, 25, 25, true",
        "385, 11, 14, 30, false",
    })
    void rowsInTheRangeMatchFloat64AndTheOthersStayUntouched(int width, int r0, int m, int rows, boolean withResidual) {
        assertNull(AddLayerNorm.error(), "libpanattn must load in this build");
        Random rnd = new Random(width * 31L + rows);
        float[] x = new float[rows * width];
        float[] res = new float[rows * width];
        float[] gamma = new float[width];
        float[] beta = new float[width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 2 + 0.5);
            res[i] = (float) rnd.nextGaussian();
        }
        for (int c = 0; c < width; c++) {
            gamma[c] = (float) (1 + 0.3 * rnd.nextGaussian());
            beta[c] = (float) (0.2 * rnd.nextGaussian());
        }
        float eps = 1e-12f;
        try (Arena arena = Arena.ofConfined()) {
            AddLayerNorm norm = new AddLayerNorm(gamma, beta, eps, arena);
            assertEquals(width, norm.width());
            MemorySegment xs = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment rs = withResidual ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, res) : null;
            norm.apply(xs, rs, r0, m);
            float[] got = xs.toArray(ValueLayout.JAVA_FLOAT);
            for (int r = 0; r < rows; r++) {
                if (r < r0 || r >= r0 + m) {
                    for (int c = 0; c < width; c++) {
                        assertEquals(x[r * width + c], got[r * width + c], 0f, "row " + r + " is outside the range");
                    }
                    continue;
                }
                double[] v = new double[width];
                double mean = 0;
                for (int c = 0; c < width; c++) {
                    v[c] = x[r * width + c] + (withResidual ? (double) res[r * width + c] : 0);
                    mean += v[c];
                }
                mean /= width;
                double var = 0;
                for (int c = 0; c < width; c++) {
                    var += (v[c] - mean) * (v[c] - mean);
                }
                var /= width;
                for (int c = 0; c < width; c++) {
                    double want = (v[c] - mean) / Math.sqrt(var + eps) * gamma[c] + beta[c];
                    double g = got[r * width + c];
                    assertTrue(Math.abs(g - want) <= 2e-6 * (1 + Math.abs(want)),
                            "row " + r + " column " + c + ": " + g + " against " + want);
                }
            }
        }
    }

    @Test
    void refusesBadParametersAndRowsPastTheSegments() {
        try (Arena arena = Arena.ofConfined()) {
            float[] ones = {1, 1, 1, 1};
            assertThrows(IllegalArgumentException.class, () -> new AddLayerNorm(ones, new float[3], 1e-5f, arena));
            assertThrows(IllegalArgumentException.class, () -> new AddLayerNorm(new float[0], new float[0], 1e-5f, arena));
            assertThrows(IllegalArgumentException.class, () -> new AddLayerNorm(ones, ones, 0f, arena));
            assertThrows(IllegalArgumentException.class, () -> new AddLayerNorm(ones, ones, Float.NaN, arena));
            assertThrows(IllegalArgumentException.class, () -> new AddLayerNorm(ones, ones, Float.POSITIVE_INFINITY, arena));
            AddLayerNorm norm = new AddLayerNorm(ones, new float[4], 1e-5f, arena);
            MemorySegment x = arena.allocate(3 * 4 * Float.BYTES);
            MemorySegment shortResidual = arena.allocate(2 * 4 * Float.BYTES);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> norm.apply(x, null, 2, 2));
            assertTrue(e.getMessage().contains("x holds"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> norm.apply(x, shortResidual, 0, 3));
            assertTrue(e.getMessage().contains("residual holds"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> norm.apply(x, null, -1, 1));
            // The native side's own checks: x and residual are the same rows.
            panama.attention.AttentionException overlap = assertThrows(panama.attention.AttentionException.class,
                    () -> norm.apply(x, x, 0, 3));
            assertTrue(overlap.getMessage().contains("overlaps residual"), overlap.getMessage());
            norm.apply(x, null, 3, 0); // empty: nothing to do
        }
    }
}

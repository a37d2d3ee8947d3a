package panama.attention.examples.minilm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

/** The fast GELU against the erf-exact one, in double, over the range activations take. */
class GeluTest {
    @Test
    void matchesExactErfGelu() {
        double worst = 0;
        float worstAt = 0;
        for (int i = -200_000; i <= 200_000; i++) {
            float x = i * 1e-4f; // [-20, 20]
            double exact = 0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0)));
            // A&S 7.1.28 bounds erf's error by 3e-7, so GELU's by 0.5·|x|·3e-7, plus the
            // rounding of the fp32 result (half an ulp).
            double bound = 0.5 * Math.abs(x) * 3e-7 + Math.ulp((float) exact) / 2 + 1e-30;
            double ratio = Math.abs(Gelu.gelu(x) - exact) / bound;
            if (ratio > worst) {
                worst = ratio;
                worstAt = x;
            }
        }
        assertTrue(worst <= 1.0, "error over its bound by " + worst + " at x = " + worstAt);
    }

    @Test
    void oddCases() {
        assertEquals(0f, Gelu.gelu(0f));
        assertEquals(-0f, Gelu.gelu(-1e-30f), 1e-30);
        assertEquals(50f, Gelu.gelu(50f));
        assertEquals(0f, Gelu.gelu(-50f), 1e-30);
    }
}

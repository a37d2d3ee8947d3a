package panama.attention.examples.minilm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

/** The fast GELU against the erf-exact one, in double, over the range activations take. */
class GeluTest {
    @Test
    void matchesExactErfGelu() {
        double worst = 0;
        for (int i = -200_000; i <= 200_000; i++) {
            float x = i * 1e-4f; // [-20, 20]
            double exact = 0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0)));
            double err = Math.abs(Gelu.gelu(x) - exact) / Math.max(1.0, Math.abs(exact));
            worst = Math.max(worst, err);
        }
        // A&S 7.1.26 bounds erf's error by 1.5e-7; GELU halves it, then fp32 rounding adds its own.
        assertEquals(0.0, worst, 2e-7, "largest error (relative above 1, absolute below)");
    }

    @Test
    void oddCases() {
        assertEquals(0f, Gelu.gelu(0f));
        assertEquals(-0f, Gelu.gelu(-1e-30f), 1e-30);
        assertEquals(50f, Gelu.gelu(50f));
        assertEquals(0f, Gelu.gelu(-50f), 1e-30);
    }
}

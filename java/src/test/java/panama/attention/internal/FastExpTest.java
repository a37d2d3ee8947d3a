package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FastExpTest {
    @Test
    void withinTwoUlpOfExpOverTheSoftmaxRange() {
        float worst = 0;
        for (float x = -104f; x <= 0f; x += 1.3e-4f) {
            float want = (float) Math.exp(x);
            float got = FastExp.exp(x);
            if (want == 0f) {
                assertTrue(got <= Float.MIN_NORMAL, "x=" + x + " got " + got);
                continue;
            }
            if (want < Float.MIN_NORMAL) {
                // subnormal results (x below -87.3) are flushed to 0 by contract: the softmax
                // never needs them, as they are below 2^-126 of the row's largest weight
                assertTrue(Math.abs(got - want) <= Float.MIN_NORMAL, "x=" + x + " got " + got + " want " + want);
                continue;
            }
            float ulps = Math.abs(got - want) / Math.ulp(want);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp");
    }

    @Test
    void edges() {
        assertEquals(0f, FastExp.exp(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(FastExp.exp(Float.NaN)));
        assertEquals(1f, FastExp.exp(0f));
        assertEquals(Float.POSITIVE_INFINITY, FastExp.exp(100f));
        assertEquals((float) Math.exp(88f), FastExp.exp(88f), Math.ulp((float) Math.exp(88f)) * 2);
    }
}

package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import panama.attention.AttentionException;
import panama.attention.CpuIsa;

/** The Java side of the FMA peak probe: threads summed, native refusals as clear exceptions. */
class FmaPeakTest {

    @Test
    void everySupportedPathMeasuresAPositiveRateOnOneAndTwoThreads() {
        List<CpuIsa> isas = FmaPeak.supported();
        assertFalse(isas.isEmpty());
        assertEquals(CpuIsa.SCALAR, isas.getLast(), "the portable path always runs, and is listed last");
        for (CpuIsa isa : isas) {
            double one = FmaPeak.measure(isa, 1, 0.02);
            double two = FmaPeak.measure(isa, 2, 0.02);
            assertTrue(one > 0.01 && Double.isFinite(one), isa + " on 1 thread: " + one);
            // two threads sum two rates: even sharing one core, the sum stays near one thread's rate,
            // far above a third of it (a sum that lost a thread's rate would read about half)
            assertTrue(two > one / 3 && Double.isFinite(two), isa + " on 2 threads: " + two + " vs " + one);
        }
    }

    @Test
    void autoMeasuresTheBestPath() {
        assertTrue(FmaPeak.measure(CpuIsa.AUTO, 1, 0.02) > 0.01);
    }

    @Test
    void aBadDurationIsRefusedWithTheNativeMessage() {
        AttentionException e = assertThrows(AttentionException.class, () -> FmaPeak.measure(CpuIsa.AUTO, 2, 0.0));
        assertTrue(e.getMessage().contains("PANATTN_ERR_INVALID_ARGUMENT"), e.getMessage());
        assertTrue(e.getMessage().contains("seconds (0) must be in (0, 60]"), e.getMessage());
    }

    @Test
    void zeroThreadsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> FmaPeak.measure(CpuIsa.AUTO, 0, 0.01));
    }
}

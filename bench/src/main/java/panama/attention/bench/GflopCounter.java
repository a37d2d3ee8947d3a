package panama.attention.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * GFLOP done per iteration. In {@code Mode.Throughput} with seconds as the unit, JMH divides an
 * OPERATIONS counter by the iteration's time, so the secondary result {@code gflop} reads in
 * GFLOP/s next to the primary calls/s: the rate is JMH's own measurement, not ours.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class GflopCounter {
    /** GFLOP of the calls made this iteration (4·B·H·Lq·Lk·d / 1e9 per call, halved for causal). */
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
    }
}

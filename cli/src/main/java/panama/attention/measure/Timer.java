package panama.attention.measure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The quick timing loop of the command line's {@code bench} (JMH does its own): warm up, then
 * run until there are enough samples and enough time, with a cap so a slow backend cannot stall
 * the table. The median is what the table reports; the minimum shows the noise floor.
 *
 * @param warmupRuns warm-up runs at least (unless {@code warmupCapNanos} is reached first)
 * @param warmupNanos warm-up time at least (unless {@code warmupCapNanos} is reached first)
 * @param minIterations timed runs at least (unless {@code capNanos} is reached first)
 * @param minNanos timed time at least
 * @param capNanos stop timing after this long, whatever the counts (at least one run is timed)
 */
public record Timer(int warmupRuns, long warmupNanos, long warmupCapNanos,
                    int minIterations, long minNanos, long capNanos) {

    /** Warm up ≥ 2 runs and ≥ 0.5 s (1.5 s at most), then ≥ 5 runs and ≥ 1 s, 3 s at most. */
    public static final Timer DEFAULT = new Timer(2, 500_000_000L, 1_500_000_000L, 5, 1_000_000_000L, 3_000_000_000L);

    /**
     * The result of a measurement.
     *
     * @param iterations timed runs
     */
    public record Result(double medianMs, double minMs, int iterations) {
    }

    /**
     * Runs {@code call} until the JIT has settled, for code that the JIT must compile first (the
     * Vector API is boxed and very slow until C2 has compiled it: on 2 busy cores that can take
     * 2-5 s of calls). Settled: the last 5 calls took within 20% of each other and the JIT's total
     * compile time grew by at most 10 ms meanwhile. Stops after {@code capNanos} in any case;
     * a cap of 0 does nothing.
     *
     * @return the calls made
     */
    public static int warmUntilCompiled(Runnable call, long capNanos) {
        if (capNanos <= 0) {
            return 0;
        }
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        int window = 5;
        long[] nanos = new long[window];
        long[] compileMs = new long[window];
        long start = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - start < capNanos) {
            long t0 = System.nanoTime();
            call.run();
            nanos[n % window] = System.nanoTime() - t0;
            compileMs[n % window] = timed ? jit.getTotalCompilationTime() : 0;
            n++;
            if (n >= window && System.nanoTime() - start >= 500_000_000L) {
                long lo = Long.MAX_VALUE, hi = 0;
                for (long x : nanos) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                long newest = compileMs[(n - 1) % window], oldest = compileMs[n % window];
                if (hi <= lo * 1.2 && newest - oldest <= 10) {
                    break;
                }
            }
        }
        return n;
    }

    public Result measure(Runnable call) {
        long start = System.nanoTime();
        for (int n = 0; ; n++) {
            long t = System.nanoTime() - start;
            if ((n >= warmupRuns && t >= warmupNanos) || (n >= 1 && t >= warmupCapNanos)) {
                break;
            }
            call.run();
        }
        List<Long> samples = new ArrayList<>();
        start = System.nanoTime();
        while (true) {
            long t0 = System.nanoTime();
            call.run();
            long t1 = System.nanoTime();
            samples.add(t1 - t0);
            long elapsed = t1 - start;
            if ((samples.size() >= minIterations && elapsed >= minNanos) || elapsed >= capNanos) {
                break;
            }
        }
        Collections.sort(samples);
        int n = samples.size();
        double median = n % 2 == 1 ? samples.get(n / 2) : (samples.get(n / 2 - 1) + samples.get(n / 2)) / 2.0;
        return new Result(median / 1e6, samples.get(0) / 1e6, n);
    }
}

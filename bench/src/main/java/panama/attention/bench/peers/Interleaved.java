package panama.attention.bench.peers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times several contenders in rounds, each round running every contender in turn (a short burst
 * of back-to-back calls each, see {@link #burst}), so that a change of load on a shared machine
 * (another tenant starting a build mid-run) hits all of them alike. Timing one contender for
 * seconds and then the next, as before, let such a change land on one side only: the same build
 * measured 0.74x and 1.03x of ONNX Runtime in two runs ten minutes apart. Ratios are taken per
 * round and their median reported, which cancels drifts slower than a round.
 */
final class Interleaved {
    /** One thing to time. */
    interface Call {
        void run() throws Exception;
    }

    /**
     * A contender that times its own bursts (another process, such as {@link TorchPeer}), with
     * the same rule as {@link #burst}; returns the burst's median milliseconds.
     */
    interface SelfTimed {
        double burstMs() throws Exception;
    }

    private final List<String> names = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private final List<SelfTimed> selfTimed = new ArrayList<>(); // null where the contender is a Call
    private final List<Long> settleMillis = new ArrayList<>();
    private double[][] ms; // [contender][round]
    private long pauseMillis;

    /**
     * Sleeps this long before each timed call (not timed), so that worker threads a contender
     * leaves spinning (ONNX Runtime's intra-op pool spins briefly before it blocks) are idle again
     * before the next one starts.
     */
    Interleaved pauseMillis(long millis) {
        this.pauseMillis = millis;
        return this;
    }

    /** Adds a contender; returns its index. */
    int add(String name, Call call) {
        return add(name, call, 0);
    }

    /**
     * Adds a contender after whose calls the round sleeps {@code settleMillis} (not timed): OpenBLAS's
     * worker threads spin for about 2^28 cycles (~0.1 s) after a call before they sleep, and
     * would steal the cores from the next contender. (An early version of this harness, without
     * bursts or this pause, timed our kernel at half speed right after sgemm; that was partly the
     * cold start {@link #burst} now absorbs.)
     */
    int add(String name, Call call, long settleMillis) {
        names.add(name);
        calls.add(call);
        selfTimed.add(null);
        this.settleMillis.add(settleMillis);
        return calls.size() - 1;
    }

    /** Adds a contender that times its own bursts; settleMillis as in {@link #add(String, Call, long)}. */
    int addSelfTimed(String name, SelfTimed contender, long settleMillis) {
        int i = add(name, () -> contender.burstMs(), settleMillis);
        selfTimed.set(i, contender);
        return i;
    }

    /**
     * Warms every contender up ({@code warmupRounds} rounds), then times rounds until there are at
     * least {@code minRounds} and at least {@code minNanos} have passed, or {@code capNanos} has
     * (at least 3 rounds are timed in any case, so a median exists).
     */
    Interleaved run(int warmupRounds, int minRounds, long minNanos, long capNanos) throws Exception {
        for (int r = 0; r < warmupRounds; r++) {
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).run();
                Thread.sleep(settleMillis.get(i));
            }
        }
        List<double[]> rounds = new ArrayList<>();
        long start = System.nanoTime();
        while (true) {
            double[] round = new double[calls.size()];
            for (int i = 0; i < calls.size(); i++) {
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
                try {
                    round[i] = selfTimed.get(i) != null ? selfTimed.get(i).burstMs() : burst(calls.get(i));
                } catch (Exception e) {
                    throw new IllegalStateException("contender '" + name(i) + "' failed: " + e, e);
                }
                if (settleMillis.get(i) > 0) {
                    Thread.sleep(settleMillis.get(i));
                }
            }
            rounds.add(round);
            long elapsed = System.nanoTime() - start;
            if (rounds.size() >= 3 && ((rounds.size() >= minRounds && elapsed >= minNanos) || elapsed >= capNanos)) {
                break;
            }
        }
        ms = new double[calls.size()][rounds.size()];
        for (int r = 0; r < rounds.size(); r++) {
            for (int i = 0; i < calls.size(); i++) {
                ms[i][r] = rounds.get(r)[i];
            }
        }
        return this;
    }

    /**
     * One round's sample of a contender: one untimed call, then timed calls back to back (at least
     * 2 and at least 60 ms), their median. The untimed call takes the cold start a contender meets
     * after the others ran (its data and page-table entries evicted, worker threads parked, the
     * vCPU possibly moved by the host): on this VM that alone added ~2 ms to a 4 ms decode call,
     * a cost of the interleaving, not of the contender.
     */
    private static double burst(Call call) throws Exception {
        call.run();
        double[] t = new double[BURST_MAX];
        int n = 0;
        long start = System.nanoTime();
        while (n < BURST_MAX && (n < 2 || System.nanoTime() - start < BURST_NANOS)) {
            long t0 = System.nanoTime();
            call.run();
            t[n++] = (System.nanoTime() - t0) / 1e6;
        }
        return median(Arrays.copyOf(t, n));
    }

    private static final int BURST_MAX = 50;
    private static final long BURST_NANOS = 60_000_000L;

    int rounds() {
        return ms[0].length;
    }

    /** Median milliseconds of contender i. */
    double medianMs(int i) {
        return median(ms[i].clone());
    }

    /** Median over rounds of time(a) / time(b): below 1 when a is faster. */
    double timeRatio(int a, int b) {
        double[] r = new double[rounds()];
        for (int k = 0; k < r.length; k++) {
            r[k] = ms[a][k] / ms[b][k];
        }
        return median(r);
    }

    /** The smallest and largest per-round time(a) / time(b), to show the spread. */
    double[] timeRatioRange(int a, int b) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (int k = 0; k < rounds(); k++) {
            double x = ms[a][k] / ms[b][k];
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return new double[] {lo, hi};
    }

    String name(int i) {
        return names.get(i);
    }

    static double median(double[] xs) {
        Arrays.sort(xs);
        int n = xs.length;
        return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
    }
}

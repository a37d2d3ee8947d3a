package panama.attention.cli;

import panama.attention.measure.Timer;

/**
 * Makes bench's timer and the FMA-peak probe take milliseconds instead of seconds for the tests
 * that run the bench command (its timings are never asserted), and puts the defaults back.
 */
final class QuickTiming {
    private static final double DEFAULT_PROBE_SECONDS = Ceiling.probeSeconds;

    private QuickTiming() {
    }

    static void install() {
        Bench.timer = new Timer(1, 0, 0, 2, 0, 20_000_000L);
        Ceiling.probeSeconds = 0.02;
        BenchLayouts.rounds = new BenchLayouts.Rounds(3, 0, 0);
    }

    static void restore() {
        Bench.timer = Timer.DEFAULT;
        Ceiling.probeSeconds = DEFAULT_PROBE_SECONDS;
        BenchLayouts.rounds = BenchLayouts.DEFAULT_ROUNDS;
    }
}

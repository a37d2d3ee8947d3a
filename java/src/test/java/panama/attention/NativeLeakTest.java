package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No native leak: a child JVM with {@code -XX:NativeMemoryTracking=summary}
 * runs {@link LeakProbe}: {@value #CALLS} calls on every CPU backend (and AUTO), prefill and
 * split-KV decode shapes, with and without mask, lse and key lengths, a fresh arena per call. The
 * native memory in use (glibc mallinfo2: our library, OpenBLAS, FFM arenas, upcall stubs) must
 * not grow by more than {@value #BOUND_BYTES_PER_CALL} bytes per call over the last third of the
 * calls (after warm-up); NMT's committed total and RSS are reported beside it. A second child
 * leaks {@value #INJECTED} bytes per call on purpose and must exceed the bound: the test can fail.
 *
 * <p>Two measures are read, and a leak must show in both: "outside the JVM" (all malloc minus what
 * NMT counts as the JVM's own) and all malloc in use. A real leak raises both by the same amount.
 * Noise raises only one: the JIT's churn moves all malloc by megabytes, and the subtraction moves
 * "outside" when the JVM frees tracked memory while untracked JDK libraries (zip, class loading)
 * allocate, which once read 8.7 bytes per call while all malloc grew by 0.3.
 */
class NativeLeakTest {
    static final int CALLS = 100_000;
    /** Per call; large enough that its growth over a third (8 MiB) stands out of the JVM's own
     * malloc churn (seen to move by -6 MiB across a third when the leaking run was short). */
    static final int INJECTED = 256;
    static final double BOUND_BYTES_PER_CALL = 8;

    /** native: malloc in use outside the JVM's own (NMT) share, plus FFM arenas; see LeakProbe. */
    record Sample(long calls, long malloc, long nmtCommitted, long nmtOther, long rss, long mallocAll) {
    }

    @Test
    void nativeMemoryIsFlatOverManyCallsOfEveryCpuBackend(@TempDir Path tmp) throws Exception {
        List<Sample> clean = run(tmp, CALLS, 0);
        double rate = leakRate(clean);
        System.out.printf("[leak] %d calls per backend; native memory outside the JVM %.2f -> %.2f -> %.2f MiB (all malloc"
                        + " %.1f -> %.1f MiB), NMT committed %.1f -> %.1f MiB (other %.2f -> %.2f MiB), RSS %.1f -> %.1f MiB;"
                        + " last third: %.2f bytes/call outside, %.2f all malloc (bound %.0f on the smaller)%n",
                CALLS, mib(clean.get(0).malloc()), mib(clean.get(1).malloc()), mib(clean.get(2).malloc()),
                mib(clean.get(1).mallocAll()), mib(clean.get(2).mallocAll()),
                mib(clean.get(1).nmtCommitted()), mib(clean.get(2).nmtCommitted()), mib(clean.get(1).nmtOther()),
                mib(clean.get(2).nmtOther()), mib(clean.get(1).rss()), mib(clean.get(2).rss()), rate(clean, Sample::malloc),
                rate(clean, Sample::mallocAll), BOUND_BYTES_PER_CALL);
        assertTrue(rate <= BOUND_BYTES_PER_CALL, "native memory grows " + rate + " bytes per call: " + clean);

        List<Sample> leaking = run(tmp, CALLS, INJECTED); // as long as the clean run: same warm-up
        double leakRate = leakRate(leaking);
        System.out.printf("[leak] with %d bytes leaked per call on purpose: %.2f bytes/call%n", INJECTED, leakRate);
        assertTrue(leakRate > BOUND_BYTES_PER_CALL, "a deliberate leak of " + INJECTED
                + " bytes per call must exceed the bound, measured " + leakRate + ": " + leaking);
    }

    /** Growth in bytes per call over the last third that both measures agree on (the smaller). */
    private static double leakRate(List<Sample> s) {
        return Math.min(rate(s, Sample::malloc), rate(s, Sample::mallocAll));
    }

    private static double rate(List<Sample> s, ToLongFunction<Sample> measure) {
        Sample a = s.get(1), b = s.get(2);
        return (double) (measure.applyAsLong(b) - measure.applyAsLong(a)) / (b.calls() - a.calls());
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    static List<Sample> run(Path tmp, int calls, int leak) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-XX:NativeMemoryTracking=summary", "-Xmx256m",
                "--add-modules", "jdk.incubator.vector", "-Dpanattn.threads=2"));
        String cache = System.getProperty("panattn.cache.dir");
        if (cache != null) {
            jvm.add("-Dpanattn.cache.dir=" + cache);
        }
        Robust.Child c = Robust.java(tmp, null, jvm, LeakProbe.class.getName(),
                List.of(Integer.toString(calls), Integer.toString(leak)), 120);
        assertEquals(0, c.exit(), () -> "leak probe failed: " + c);
        List<Sample> samples = new ArrayList<>();
        for (String line : c.out().lines().toList()) {
            if (line.startsWith("SAMPLE ")) {
                String[] f = line.split(" ");
                samples.add(new Sample(Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                        Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7])));
            }
        }
        assertEquals(3, samples.size(), () -> "three samples expected: " + c);
        return samples;
    }
}

import java.lang.foreign.Arena;
import java.util.Arrays;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * Per-call time of Attention.sdpa on NATIVE_CPU for small problems, where the Java side's fixed
 * cost (validation, backend choice, params, planning, hold, scheduling) is a visible share:
 * seq 256 (batch 1, 8 heads, d 64) and a one-row decode against 256 keys (1 head).
 * Uses only the public API, so the same file runs against any build of the library:
 *   java --enable-native-access=ALL-UNNAMED -cp "JARS" bench/scripts/CallOverhead.java [seconds]
 * Prints one line per shape: the median of per-burst mean call times, in microseconds, with the
 * quartiles. bench/scripts/call_overhead.sh runs two builds alternately and reports the ratio.
 */
public class CallOverhead {
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        try (Arena arena = Arena.ofConfined()) {
            run(arena, "seq256 b1 h8 d64", 1, 8, 256, 256, 64, seconds);
            run(arena, "decode q1 k256 h1 d64", 1, 1, 1, 256, 64, seconds);
        }
    }

    static void run(Arena arena, String name, int b, int h, int lq, int lk, int d, double seconds) {
        Tensor q = random(arena, b, h, lq, d, 1);
        Tensor k = random(arena, b, h, lk, d, 2);
        Tensor v = random(arena, b, h, lk, d, 3);
        Tensor out = Tensor.allocate(arena, DType.F32, b, h, lq, d);
        AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).build();
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            Attention.sdpa(q, k, v, out, o);
        }
        int burst = 200;
        double[] means = new double[4096];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end && n < means.length) {
            long t0 = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                Attention.sdpa(q, k, v, out, o);
            }
            means[n++] = (System.nanoTime() - t0) / 1e3 / burst;
        }
        double[] m = Arrays.copyOf(means, n);
        Arrays.sort(m);
        System.out.printf("%-24s %9.2f us/call [%.2f..%.2f] over %d bursts of %d%n", name, m[n / 2], m[n / 4], m[3 * n / 4],
                n, burst);
    }

    static Tensor random(Arena arena, int b, int h, int s, int d, long seed) {
        float[] x = new float[b * h * s * d];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.fromFloats(arena, DType.F32, x, b, h, s, d);
    }
}

package panama.attention.cli;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.KvCache;
import panama.attention.KvDtype;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.measure.ReadBandwidth;
import panama.attention.measure.Timer;

/**
 * {@code bench --kv-dtype}: decode (one query row per head) against a {@link KvCache} whose K/V
 * are stored as each listed {@link KvDtype}, on NATIVE_CPU. Decode is memory-bound, so the figure
 * that matters is the bytes it reads per second, judged against the machine's read bandwidth
 * ({@link ReadBandwidth}) measured in the same rounds: each round times every dtype's call and
 * one bandwidth pass, so all of them see the same load on a shared machine, and the medians are
 * compared.
 */
final class KvDecodeBench {
    static final int DEFAULT_SEQ = 4096;
    /** Appended in chunks: one F32 tensor of a whole 32k cache would be half a GiB. */
    private static final int APPEND_CHUNK = 512;
    /** A sample shorter than this repeats the call (a cache-resident decode takes microseconds). */
    private static final long MIN_SAMPLE_NANOS = 1_000_000L;
    /** The bandwidth buffer is at least this large, so it never fits the caches. */
    private static final long MIN_PROBE_BYTES = 64L << 20;

    private KvDecodeBench() {
    }

    /** One dtype at one cache length. */
    record Result(KvDtype dtype, int seq, long bytesRead, double medianMs, double minMs, double relativeError) {
        double gbPerSecond() {
            return bytesRead / (medianMs * 1e6);
        }
    }

    static int run(Bench.Config c, PrintStream out, PrintStream err) throws CliException {
        String why = nativeCpuOff();
        if (why != null) {
            throw CliException.runtime("bench --kv-dtype times NATIVE_CPU, which is off: " + why);
        }
        int d = c.headDims().get(0);
        out.printf(Locale.ROOT, "decode against a KvCache: batch %d, heads %d, kv-heads %d, head-dim %d, 1 query row,"
                + " NATIVE_CPU, %d thread%s, isa %s%n", c.batch(), c.heads(), c.kvHeads(), d, c.threads(),
                c.threads() == 1 ? "" : "s", Args.lower(c.isa()));
        out.println("bytes read: K and V elements (plus I8's fp32 scale per token and kv head), not q or out;"
                + " error: NATIVE_CPU's output against JAVA_REFERENCE (float64) of the unquantised inputs,"
                + " relative Frobenius");
        out.printf(Locale.ROOT, "%-8s %7s %10s %9s %9s %8s %10s %12s %8s%n", "kv-dtype", "seq", "median ms", "min ms",
                "MB read", "GB/s", "% read bw", "rel err", "vs f32");
        try (TileScheduler scheduler = TileScheduler.create(c.threads())) {
            for (int seq : c.seqs()) {
                measure(c, seq, d, scheduler, out, err);
            }
        }
        return 0;
    }

    private static String nativeCpuOff() {
        for (BackendStatus s : Attention.backends()) {
            if (s.backend() == Backend.NATIVE_CPU) {
                return s.available() ? null : Doctor.oneLine(s.detail());
            }
        }
        return "not listed";
    }

    private static void measure(Bench.Config c, int seq, int d, TileScheduler scheduler, PrintStream out,
                                PrintStream err) {
        err.println("[kv] filling caches of " + seq + " keys (" + join(c.kvDtypes()) + ") ...");
        err.flush();
        Map<KvDtype, KvCache> caches = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined(); KvCache exact = KvCache.create(c.batch(), c.kvHeads(), seq, d, KvCache.Layout.BHSD)) {
            for (KvDtype t : c.kvDtypes()) {
                caches.put(t, t == KvDtype.F32 ? exact : KvCache.create(t, c.batch(), c.kvHeads(), seq, d, KvCache.Layout.BHSD));
            }
            fill(arena, c, seq, d, exact, caches);
            SplittableRandom r = new SplittableRandom(Bench.SEED + 1);
            Tensor q = random(arena, r, c.batch(), c.heads(), 1, d);
            AttentionOptions options = AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(scheduler)
                    .cpuIsa(c.isa()).causal(CausalMode.BOTTOM_RIGHT).build();
            Tensor want = Tensor.allocate(arena, DType.F32, c.batch(), c.heads(), 1, d);
            err.println("[kv] float64 reference of the unquantised inputs ...");
            err.flush();
            exact.attend(q, want, options.toBuilder().backend(Backend.JAVA_REFERENCE).build());
            Map<KvDtype, Tensor> outs = new LinkedHashMap<>();
            Map<KvDtype, Double> errors = new LinkedHashMap<>();
            for (Map.Entry<KvDtype, KvCache> e : caches.entrySet()) {
                Tensor o = Tensor.allocate(arena, DType.F32, c.batch(), c.heads(), 1, d);
                e.getValue().attend(q, o, options);
                outs.put(e.getKey(), o);
                errors.put(e.getKey(), relativeError(o.toFloatArray(), want.toFloatArray()));
            }
            long largest = 0;
            for (KvDtype t : caches.keySet()) {
                largest = Math.max(largest, bytesRead(t, c.batch(), c.kvHeads(), seq, d));
            }
            err.println("[kv] timing, interleaved with the read-bandwidth probe ...");
            err.flush();
            List<Result> results = new ArrayList<>();
            double probeGbs;
            try (ReadBandwidth probe = new ReadBandwidth(c.threads(), Math.max(largest, MIN_PROBE_BYTES))) {
                List<Runnable> calls = new ArrayList<>();
                for (Map.Entry<KvDtype, KvCache> e : caches.entrySet()) {
                    Tensor o = outs.get(e.getKey());
                    calls.add(() -> e.getValue().attend(q, o, options));
                }
                calls.add(probe::pass);
                double[][] samples = interleave(calls, Bench.timer);
                int i = 0;
                for (KvDtype t : caches.keySet()) {
                    double[] s = samples[i++];
                    results.add(new Result(t, seq, bytesRead(t, c.batch(), c.kvHeads(), seq, d), median(s),
                            Arrays.stream(s).min().orElse(Double.NaN), errors.get(t)));
                }
                probeGbs = probe.bytesPerPass() / (median(samples[i]) * 1e6);
                out.printf(Locale.ROOT, "read bandwidth (memchr over %d MiB, %d thread%s): median %.1f GB/s%n",
                        probe.bytesPerPass() >> 20, c.threads(), c.threads() == 1 ? "" : "s", probeGbs);
            }
            Result f32 = results.stream().filter(x -> x.dtype() == KvDtype.F32).findFirst().orElse(null);
            for (Result x : results) {
                out.printf(Locale.ROOT, "%-8s %7d %10.3f %9.3f %9.1f %8.1f %9.0f%% %12.2e %8s%n", Args.lower(x.dtype()),
                        x.seq(), x.medianMs(), x.minMs(), x.bytesRead() / 1e6, x.gbPerSecond(),
                        100 * x.gbPerSecond() / probeGbs, x.relativeError(),
                        f32 == null ? "-" : String.format(Locale.ROOT, "%.2fx", f32.medianMs() / x.medianMs()));
            }
            out.flush();
        } finally {
            for (KvCache cache : caches.values()) {
                cache.close();
            }
        }
    }

    /** The same random K/V into every cache, in chunks. */
    private static void fill(Arena arena, Bench.Config c, int seq, int d, KvCache exact, Map<KvDtype, KvCache> caches) {
        SplittableRandom r = new SplittableRandom(Bench.SEED);
        for (int t = 0; t < seq; t += APPEND_CHUNK) {
            int n = Math.min(APPEND_CHUNK, seq - t);
            try (Arena chunk = Arena.ofConfined()) {
                Tensor k = random(chunk, r, c.batch(), c.kvHeads(), n, d);
                Tensor v = random(chunk, r, c.batch(), c.kvHeads(), n, d);
                exact.append(k, v);
                for (KvCache cache : caches.values()) {
                    if (cache != exact) {
                        cache.append(k, v);
                    }
                }
            }
        }
    }

    /** Bytes one decode call reads from the cache: K and V elements, and I8's two fp32 scales per token and kv head. */
    static long bytesRead(KvDtype t, int batch, int kvHeads, int seq, int d) {
        long tokens = (long) batch * kvHeads * seq;
        return 2 * tokens * d * t.byteSize() + (t == KvDtype.I8 ? 2 * tokens * Float.BYTES : 0);
    }

    /**
     * Rounds of one sample per call, in order, until the timer's counts and times are met (for
     * the slowest-to-finish call) or its cap is reached; a sample repeats a call that is shorter
     * than {@link #MIN_SAMPLE_NANOS}. Returns ms per call, per call.
     */
    static double[][] interleave(List<Runnable> calls, Timer timer) {
        int n = calls.size();
        int[] reps = new int[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            for (int w = 0; w < Math.max(1, timer.warmupRuns()); w++) {
                calls.get(i).run();
            }
            long each = Math.max(1, (System.nanoTime() - t0) / Math.max(1, timer.warmupRuns()));
            reps[i] = (int) Math.max(1, Math.min(1000, MIN_SAMPLE_NANOS / each));
        }
        List<List<Double>> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            samples.add(new ArrayList<>());
        }
        long start = System.nanoTime();
        int rounds = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < reps[i]; k++) {
                    calls.get(i).run();
                }
                samples.get(i).add((System.nanoTime() - t0) / 1e6 / reps[i]);
            }
            rounds++;
            long elapsed = System.nanoTime() - start;
            boolean enough = rounds >= Math.max(1, timer.minIterations()) && elapsed >= timer.minNanos() * n;
            if (enough || elapsed >= timer.capNanos() * n) {
                break;
            }
        }
        double[][] result = new double[n][];
        for (int i = 0; i < n; i++) {
            result[i] = samples.get(i).stream().mapToDouble(Double::doubleValue).toArray();
        }
        return result;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN
                : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** {@code ‖got - want‖ / ‖want‖} in float64. */
    static double relativeError(float[] got, float[] want) {
        double diff = 0, norm = 0;
        for (int i = 0; i < want.length; i++) {
            double e = (double) got[i] - want[i];
            diff += e * e;
            norm += (double) want[i] * want[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    private static Tensor random(Arena arena, SplittableRandom r, int b, int h, int s, int d) {
        float[] x = new float[Math.multiplyExact(Math.multiplyExact(b * h, s), d)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * r.nextDouble() - 1);
        }
        return Tensor.fromFloats(arena, DType.F32, x, b, h, s, d);
    }

    private static String join(List<KvDtype> types) {
        return String.join(",", types.stream().map(Args::lower).toList());
    }
}

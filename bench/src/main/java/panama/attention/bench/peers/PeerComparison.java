package panama.attention.bench.peers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.bench.Timer;
import panama.attention.internal.OpenBlas;

/**
 * The issue-3 comparison, side by side in one run on this machine: our NATIVE_CPU kernel against
 * ONNX Runtime (MultiHeadAttention and opset-23 Attention, same shapes, same intra-op threads),
 * OpenBLAS sgemm 2048³, and the machine's read bandwidth for the memory-bound decode shapes.
 * Every peer's output is checked against ours before it is timed, so both compute the same thing.
 *
 * <pre>./panama-attention peers [--threads N] [--seq 1024,2048,4096] [--decode 4096,32768] [--quick]</pre>
 */
public final class PeerComparison {
    private final int threads;
    private final Timer timer;
    private final List<String> lines = new ArrayList<>();

    private PeerComparison(int threads, Timer timer) {
        this.threads = threads;
        this.timer = timer;
    }

    public static void main(String[] args) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        int[] seqs = {1024, 2048, 4096};
        int[] caches = {4096, 32768};
        Timer timer = Timer.DEFAULT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seq" -> seqs = ints(args[++i]);
                case "--decode" -> caches = ints(args[++i]);
                case "--quick" -> timer = new Timer(1, 0, 200_000_000L, 3, 200_000_000L, 1_000_000_000L);
                default -> {
                    System.err.println("error: unknown option " + args[i]
                            + " (use --threads N, --seq N[,N], --decode N[,N], --quick)");
                    System.exit(2);
                }
            }
        }
        new PeerComparison(threads, timer).runAll(seqs, caches);
    }

    private void runAll(int[] seqs, int[] caches) throws Exception {
        System.out.printf(Locale.ROOT, "ONNX Runtime %s, %d threads everywhere; medians of >= %d runs%n",
                OrtPeer.version(), threads, timer.minIterations());
        double sgemm = sgemm();
        double bw = ReadBandwidth.measure(threads, 512L << 20);
        lines.add(String.format(Locale.ROOT, "OpenBLAS sgemm 2048^3: %.1f GFLOP/s; read bandwidth: %.1f GB/s", sgemm, bw));
        lines.add(String.format(Locale.ROOT, "%-34s %10s %10s %8s %10s %8s", "shape (B=1, H=8, d=64 unless said)",
                "ours ms", "ours GF/s", "x sgemm", "ORT GF/s", "x ORT"));
        double d64 = 0;
        for (int n : seqs) {
            double[] none = prefill(n, 64, CausalMode.NONE, sgemm, true);
            double[] causal = prefill(n, 64, CausalMode.TOP_LEFT, sgemm, true);
            lines.add(String.format(Locale.ROOT, "  causal/non-causal wall time at N=%d: %.3f", n, causal[0] / none[0]));
            if (n == 2048) {
                d64 = none[1];
            }
        }
        if (d64 > 0) {
            for (int d : new int[] {32, 128}) {
                double[] r = prefill(2048, d, CausalMode.NONE, sgemm, false);
                lines.add(String.format(Locale.ROOT, "  d=%d vs d=64 GFLOP/s at N=2048: %.2f", d, r[1] / d64));
            }
        }
        for (int cache : caches) {
            decode(cache, bw);
        }
        System.out.println();
        lines.forEach(System.out::println);
    }

    /** Returns {ours median ms, ours GFLOP/s}. */
    private double[] prefill(int n, int d, CausalMode causal, double sgemm, boolean withOrt) throws Exception {
        int heads = 8;
        String label = String.format(Locale.ROOT, "N=%d d=%d %s", n, d, causal == CausalMode.NONE ? "non-causal" : "causal");
        System.err.println("[peers] " + label + " ...");
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads)) {
            long elems = (long) n * heads * d;
            MemorySegment q = random(arena, elems, 1), k = random(arena, elems, 2), v = random(arena, elems, 3);
            MemorySegment out = arena.allocate(elems * 4, 64), ortOut = arena.allocate(elems * 4, 64);
            AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).causal(causal).scheduler(sched).build();
            Tensor tq = Tensor.bshd(q, DType.F32, 1, n, heads, d), tk = Tensor.bshd(k, DType.F32, 1, n, heads, d);
            Tensor tv = Tensor.bshd(v, DType.F32, 1, n, heads, d), to = Tensor.bshd(out, DType.F32, 1, n, heads, d);
            Timer.Result ours = timer.measure(() -> Attention.sdpa(tq, tk, tv, to, o));
            double flops = Attention.flops(1, heads, n, n, d, causal);
            double gf = flops / ours.medianMs() / 1e6;
            String ortCol = "-", ratioCol = "-";
            if (withOrt && d == 64) {
                String model = causal == CausalMode.NONE ? "mha_h8_d64_c0.onnx" : "mha_h8_d64_c1.onnx";
                try (OrtPeer ort = new OrtPeer(model, threads)) {
                    long[] shape = {1, n, (long) heads * d};
                    ort.run(q, shape, k, shape, v, shape, ortOut);
                    double err = relErr(ortOut, out, elems);
                    if (err > 1e-4) {
                        ortCol = "WRONG(" + String.format(Locale.ROOT, "%.1e", err) + ")";
                    } else {
                        Timer.Result r = timer.measure(() -> {
                            try {
                                ort.run(q, shape, k, shape, v, shape, ortOut);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        double ortGf = flops / r.medianMs() / 1e6;
                        ortCol = String.format(Locale.ROOT, "%.1f", ortGf);
                        ratioCol = String.format(Locale.ROOT, "%.2f", gf / ortGf);
                    }
                }
            }
            lines.add(String.format(Locale.ROOT, "%-34s %10.2f %10.1f %8.2f %10s %8s", label, ours.medianMs(), gf, gf / sgemm,
                    ortCol, ratioCol));
            return new double[] {ours.medianMs(), gf};
        }
    }

    private void decode(int cache, double bw) throws Exception {
        int heads = 32, d = 128;
        String label = String.format(Locale.ROOT, "decode 1 query, H=32 d=128 cache %d", cache);
        System.err.println("[peers] " + label + " ...");
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads)) {
            long kvElems = (long) heads * cache * d;
            MemorySegment q = random(arena, (long) heads * d, 4), k = random(arena, kvElems, 5), v = random(arena, kvElems, 6);
            MemorySegment out = arena.allocate((long) heads * d * 4, 64), ortOut = arena.allocate((long) heads * d * 4, 64);
            Tensor tq = Tensor.contiguous(q, DType.F32, 1, heads, 1, d), tk = Tensor.contiguous(k, DType.F32, 1, heads, cache, d);
            Tensor tv = Tensor.contiguous(v, DType.F32, 1, heads, cache, d), to = Tensor.contiguous(out, DType.F32, 1, heads, 1, d);
            AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(sched).build();
            Timer.Result ours = timer.measure(() -> Attention.sdpa(tq, tk, tv, to, o));
            double bytes = 2.0 * kvElems * 4;
            double gbs = bytes / ours.medianMs() / 1e6;
            String ortCol = "-";
            try (OrtPeer ort = new OrtPeer("att23_c0.onnx", threads)) {
                long[] qs = {1, heads, 1, d}, ks = {1, heads, cache, d};
                ort.run(q, qs, k, ks, v, ks, ortOut);
                double err = relErr(ortOut, out, (long) heads * d);
                if (err > 1e-4) {
                    ortCol = String.format(Locale.ROOT, "WRONG(%.1e)", err);
                } else {
                    Timer.Result r = timer.measure(() -> {
                        try {
                            ort.run(q, qs, k, ks, v, ks, ortOut);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    ortCol = String.format(Locale.ROOT, "ORT %.2f ms (%.1f GB/s); ours/ORT speed %.2fx", r.medianMs(),
                            bytes / r.medianMs() / 1e6, r.medianMs() / ours.medianMs());
                }
            }
            lines.add(String.format(Locale.ROOT, "%s: ours %.2f ms, %.1f GB/s = %.0f%% of read bandwidth; %s", label,
                    ours.medianMs(), gbs, 100 * gbs / bw, ortCol));
        }
    }

    private double sgemm() {
        String err = OpenBlas.error();
        if (err != null) {
            System.err.println("[peers] no sgemm reference: " + err);
            return Double.NaN;
        }
        System.err.println("[peers] sgemm 2048^3 ...");
        int n = 2048;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, (long) n * n, 7), b = random(arena, (long) n * n, 8);
            MemorySegment c = arena.allocate((long) n * n * 4, 64);
            double[] ms = new double[1];
            OpenBlas.withThreads(threads, () -> ms[0] = timer.measure(
                    () -> OpenBlas.sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n)).medianMs());
            return 2.0 * n * n * n / ms[0] / 1e6;
        }
    }

    private static MemorySegment random(Arena arena, long elems, long seed) {
        MemorySegment s = arena.allocate(elems * 4, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < elems; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 2 - 1));
        }
        return s;
    }

    private static double relErr(MemorySegment got, MemorySegment want, long n) {
        double num = 0, den = 0;
        for (long i = 0; i < n; i++) {
            double g = got.getAtIndex(ValueLayout.JAVA_FLOAT, i), w = want.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            num += (g - w) * (g - w);
            den += w * w;
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    private static int[] ints(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
        }
        return out;
    }
}

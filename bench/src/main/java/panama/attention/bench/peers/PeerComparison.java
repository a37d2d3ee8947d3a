package panama.attention.bench.peers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
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
import panama.attention.measure.ReadBandwidth;
import panama.attention.CpuIsa;
import panama.attention.internal.FmaPeak;
import panama.attention.internal.OpenBlas;

/**
 * The CPU kernel comparison, side by side in one run on this machine: our NATIVE_CPU kernel against
 * ONNX Runtime (MultiHeadAttention and opset-23 Attention, same shapes, same intra-op threads),
 * OpenBLAS sgemm 2048³, and the machine's read bandwidth for the memory-bound decode shapes.
 * Every peer's output is checked against ours before it is timed, so both compute the same thing.
 * The compute ceiling is the CPU's FMA peak measured at the start of the run ({@link FmaPeak}, same
 * threads); sgemm is a reference only, since OPENBLAS_CORETYPE may hold it to older kernels. Our own
 * paths are compared with each other too ({@link OwnRatios}: BF16 / F32, JAVA_VECTOR / NATIVE_CPU).
 *
 * <pre>./panama-attention peers [--threads N] [--seq 1024,2048,4096] [--decode 4096,32768] [--quick]</pre>
 */
public final class PeerComparison {
    private static final int HEADS = 8;
    private static final int DECODE_HEADS = 32, DECODE_DIM = 128;
    /**
     * Pause after each call of a peer that keeps its worker threads spinning for a while after it
     * returns (OpenBLAS, ONNX Runtime), so they do not steal the cores from the next contender of
     * the round: with 20 ms, whichever of ours ran right after a peer ran at 0.5-0.8x.
     */
    private static final long PEER_SETTLE_MS = 150;
    private final int threads;
    private final Rounds rounds;
    private final List<String> lines = new ArrayList<>();
    /** The FMA peak on {@link #threads} threads, measured first; NaN when the probe could not run. */
    private double peakGflops = Double.NaN;

    /**
     * How long each group of contenders is timed (see {@link Interleaved#run}), and how long the FMA
     * peak probe runs.
     */
    private record Rounds(int warmup, int min, long minNanos, long capNanos, double peakSeconds) {
        Interleaved run(Interleaved group) throws Exception {
            return group.pauseMillis(20).run(warmup, min, minNanos, capNanos);
        }

        /** The same with at least twice the rounds (a full run only; --quick stays quick). */
        Rounds doubled() {
            return min >= 11 ? new Rounds(warmup, 2 * min - 1, minNanos, capNanos, peakSeconds) : this;
        }
    }

    private PeerComparison(int threads, Rounds rounds) {
        this.threads = threads;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        PeerOptions o;
        try {
            o = PeerOptions.parse(args, Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Rounds rounds = o.quick() ? new Rounds(1, 3, 300_000_000L, 3_000_000_000L, 0.3)
                : new Rounds(1, 11, 4_000_000_000L, 40_000_000_000L, 1.0);
        new PeerComparison(o.threads(), rounds).runAll(o.seqs(), o.caches());
    }

    private void runAll(int[] seqs, int[] caches) throws Exception {
        System.out.printf(Locale.ROOT, "ONNX Runtime %s, %d threads everywhere; each group of contenders timed in "
                + "interleaved rounds (>= %d), medians; ratios are medians of per-round ratios%n",
                OrtPeer.version(), threads, rounds.min());
        TorchPeer torch = null;
        try {
            torch = TorchPeer.start(threads);
            System.out.printf(Locale.ROOT, "PyTorch %s (scaled_dot_product_attention, %d threads) in the same rounds%n",
                    torch.version(), threads);
        } catch (IllegalStateException e) {
            System.out.println("PyTorch: not measured: " + e.getMessage());
        }
        // the ceiling first, while nothing else of ours runs
        lines.add(fmaPeak());
        lines.add(String.format(Locale.ROOT, "%-34s %10s %10s %7s %8s %10s %8s %10s %8s", "shape (B=1, H=8, d=64 unless said)",
                "ours ms", "ours GF/s", "% peak", "x sgemm", "ORT GF/s", "x ORT", "PT GF/s", "x PT"));
        warmUp();
        try (Sgemm sgemm = new Sgemm(threads)) {
            for (int n : seqs) {
                prefill(n, sgemm, torch);
            }
        } finally {
            if (torch != null) {
                torch.close();
            }
        }
        headDims(2048);
        OwnRatios own = new OwnRatios(threads, rounds::run, this::peakShare);
        lines.addAll(own.bf16VsF32(2048));
        lines.addAll(own.vectorVsNative(2048));
        for (int cache : caches) {
            // the probe streams as many bytes as the call reads (K and V), so both meet the
            // same caches: a 32 MiB L3 keeps part of a 128 MiB stream between back-to-back
            // passes, and less of a 512 MiB one
            try (ReadBandwidth bw = new ReadBandwidth(threads, 2L * DECODE_HEADS * cache * DECODE_DIM * Float.BYTES)) {
                decode(cache, bw);
                lines.addAll(own.kvDtypeDecode(cache, bw));
            }
        }
        System.out.println();
        lines.forEach(System.out::println);
    }

    /** Measures the FMA peak on the comparison's threads and says what it is, or why it is missing. */
    private String fmaPeak() {
        System.err.println("[peers] FMA peak probe on " + threads + " threads ...");
        String why = FmaPeak.unavailable();
        if (why != null) {
            return "FMA peak: not measured (libpanattn is off: " + why + "); % peak left empty";
        }
        try {
            peakGflops = FmaPeak.measure(CpuIsa.AUTO, threads, rounds.peakSeconds());
        } catch (RuntimeException e) {
            return "FMA peak: not measured (" + e.getMessage() + "); % peak left empty";
        }
        return String.format(Locale.ROOT, "FMA peak (measured in this run, best CPU path, %d threads): %.1f GFLOP/s,"
                + " the ceiling %% peak reads against; x sgemm is a reference (OPENBLAS_CORETYPE may hold sgemm to older"
                + " kernels)", threads, peakGflops);
    }

    /** Our GFLOP/s as a share of the measured FMA peak ("41%"), or "-" without a peak. */
    private String peakShare(double gflops) {
        return Double.isFinite(peakGflops) && peakGflops > 0
                ? String.format(Locale.ROOT, "%.0f%%", 100 * gflops / peakGflops) : "-";
    }

    /**
     * Runs every contender's call path on tiny shapes for a while first, so that the timed calls
     * meet JIT-compiled glue, as they do in a service that has run for a minute: until C2 has
     * compiled it, our per-call Java side (validation, filling the params struct through
     * VarHandles, the hold upcall, the tile hand-out) took ~0.3 ms a call instead of ~0.03 ms,
     * 6% of a 5 ms decode call. ONNX Runtime's Java side gets the same treatment.
     */
    private void warmUp() throws Exception {
        System.err.println("[peers] JIT warm-up on tiny shapes (ours and ONNX Runtime's Java API) ...");
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads);
                OrtPeer ortNone = new OrtPeer("mha_h8_d64_c0.onnx", threads);
                OrtPeer ortCausal = new OrtPeer("mha_h8_d64_c1.onnx", threads);
                OrtPeer ortDecode = new OrtPeer("att23_c0.onnx", threads)) {
            Inputs in = new Inputs(arena, 16, 64);
            int dh = DECODE_HEADS, dd = DECODE_DIM, cache = 64;
            MemorySegment dq = random(arena, (long) dh * dd, 9), dk = random(arena, (long) dh * cache * dd, 10);
            MemorySegment dout = arena.allocate((long) dh * dd * 4, 64);
            Tensor tq = Tensor.contiguous(dq, DType.F32, 1, dh, 1, dd), tk = Tensor.contiguous(dk, DType.F32, 1, dh, cache, dd);
            Tensor to = Tensor.contiguous(dout, DType.F32, 1, dh, 1, dd);
            long[] qs = {1, dh, 1, dd}, ks = {1, dh, cache, dd};
            AttentionOptions none = AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(sched).build();
            AttentionOptions causal = AttentionOptions.builder().backend(Backend.NATIVE_CPU).causal(CausalMode.TOP_LEFT)
                    .scheduler(sched).build();
            long end = System.nanoTime() + WARMUP_NANOS;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 100; i++) {
                    Attention.sdpa(in.tq, in.tk, in.tv, in.to, none);
                    Attention.sdpa(in.tq, in.tk, in.tv, in.to, causal);
                    Attention.sdpa(tq, tk, tk, to, none);
                }
                for (int i = 0; i < 10; i++) {
                    ortNone.run(in.q, in.shape, in.k, in.shape, in.v, in.shape, in.ortOut);
                    ortCausal.run(in.q, in.shape, in.k, in.shape, in.v, in.shape, in.ortOut);
                    ortDecode.run(dq, qs, dk, ks, dk, ks, dout);
                }
            }
        }
    }

    private static final long WARMUP_NANOS = 3_000_000_000L;

    /** Inputs of one prefill shape in ONNX Runtime's layout [1, n, heads·d] (our bshd view of the same memory). */
    private static final class Inputs {
        final long elems;
        final MemorySegment q, k, v, out, ortOut;
        final Tensor tq, tk, tv, to;
        final long[] shape;

        Inputs(Arena arena, int n, int d) {
            elems = (long) n * HEADS * d;
            q = random(arena, elems, 1);
            k = random(arena, elems, 2);
            v = random(arena, elems, 3);
            out = arena.allocate(elems * 4, 64);
            ortOut = arena.allocate(elems * 4, 64);
            tq = Tensor.bshd(q, DType.F32, 1, n, HEADS, d);
            tk = Tensor.bshd(k, DType.F32, 1, n, HEADS, d);
            tv = Tensor.bshd(v, DType.F32, 1, n, HEADS, d);
            to = Tensor.bshd(out, DType.F32, 1, n, HEADS, d);
            shape = new long[] {1, n, (long) HEADS * d};
        }
    }

    /**
     * Ours, ONNX Runtime's MultiHeadAttention and (when available) PyTorch's SDPA, non-causal and
     * causal, and sgemm, in the same rounds.
     */
    private void prefill(int n, Sgemm sgemm, TorchPeer torch) throws Exception {
        int d = 64;
        System.err.println("[peers] N=" + n + " d=64, non-causal and causal, ours / ORT / " + (torch != null ? "PyTorch / " : "")
                + "sgemm interleaved ...");
        Path torchDir = torch == null ? null : Files.createTempDirectory("panattn-peers");
        try {
            prefillGroup(n, d, sgemm, torch, torchDir);
        } finally {
            if (torchDir != null) {
                TorchPeer.deleteShapeFiles(torchDir);
            }
        }
    }

    private void prefillGroup(int n, int d, Sgemm sgemm, TorchPeer torch, Path torchDir) throws Exception {
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads);
                OrtPeer ortNone = new OrtPeer("mha_h8_d64_c0.onnx", threads);
                OrtPeer ortCausal = new OrtPeer("mha_h8_d64_c1.onnx", threads)) {
            Inputs in = new Inputs(arena, n, d);
            Interleaved g = new Interleaved();
            CausalMode[] modes = {CausalMode.NONE, CausalMode.TOP_LEFT};
            OrtPeer[] orts = {ortNone, ortCausal};
            int[] ours = new int[2], ort = new int[2], pt = {-1, -1};
            String[] ortNote = new String[2], ptNote = {"-", "-"};
            for (int m = 0; m < 2; m++) {
                AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).causal(modes[m]).scheduler(sched).build();
                ours[m] = g.add("ours " + modes[m], () -> Attention.sdpa(in.tq, in.tk, in.tv, in.to, o));
                // the peer must compute what we compute before it is timed
                Attention.sdpa(in.tq, in.tk, in.tv, in.to, o);
                OrtPeer peer = orts[m];
                peer.run(in.q, in.shape, in.k, in.shape, in.v, in.shape, in.ortOut);
                double err = relErr(in.ortOut, in.out, in.elems);
                ort[m] = -1;
                if (err > 1e-4) {
                    ortNote[m] = String.format(Locale.ROOT, "WRONG(%.1e)", err);
                } else {
                    ort[m] = g.add("ORT " + modes[m], () -> peer.run(in.q, in.shape, in.k, in.shape, in.v, in.shape, in.ortOut),
                            PEER_SETTLE_MS);
                }
                if (torch != null) { // checked against this mode's output of ours, then timed on the same inputs
                    double e = torch.load(torchDir, in.q, in.k, in.v, in.out, n, HEADS, d, m == 1);
                    boolean causal = m == 1;
                    if (e > 1e-4) {
                        ptNote[m] = String.format(Locale.ROOT, "WRONG(%.1e)", e);
                    } else {
                        ptNote[m] = null;
                        pt[m] = g.addSelfTimed("PyTorch " + modes[m], () -> torch.burstMs(causal), PEER_SETTLE_MS);
                    }
                }
            }
            int blas = sgemm.available() ? g.add("sgemm", sgemm::run, PEER_SETTLE_MS) : -1;
            rounds.run(g);
            for (int m = 0; m < 2; m++) {
                double flops = Attention.flops(1, HEADS, n, n, d, modes[m]);
                double ms = g.medianMs(ours[m]);
                String xs = blas < 0 ? "-" : String.format(Locale.ROOT, "%.2f", g.timeRatio(blas, ours[m]) * flops / Sgemm.FLOPS);
                String ortGf = ortNote[m] == null ? String.format(Locale.ROOT, "%.1f", flops / g.medianMs(ort[m]) / 1e6) : ortNote[m];
                String xo = ort[m] < 0 ? "-" : String.format(Locale.ROOT, "%.2f", g.timeRatio(ort[m], ours[m]));
                String ptGf = ptNote[m] == null ? String.format(Locale.ROOT, "%.1f", flops / g.medianMs(pt[m]) / 1e6) : ptNote[m];
                String xp = pt[m] < 0 ? "-" : String.format(Locale.ROOT, "%.2f", g.timeRatio(pt[m], ours[m]));
                lines.add(String.format(Locale.ROOT, "%-34s %10.2f %10.1f %7s %8s %10s %8s %10s %8s",
                        "N=" + n + " d=64 " + (m == 0 ? "non-causal" : "causal"), ms, flops / ms / 1e6,
                        peakShare(flops / ms / 1e6), xs, ortGf, xo, ptGf, xp));
            }
            double[] range = g.timeRatioRange(ours[1], ours[0]);
            lines.add(String.format(Locale.ROOT, "  causal/non-causal wall time at N=%d: %.3f (rounds %.3f-%.3f, %d rounds)", n,
                    g.timeRatio(ours[1], ours[0]), range[0], range[1], g.rounds()));
            if (blas >= 0) {
                double gf = Sgemm.FLOPS / g.medianMs(blas) / 1e6;
                lines.add(String.format(Locale.ROOT, "  sgemm 2048^3 in the same rounds: %.1f GFLOP/s (%s of the FMA peak;"
                        + " a reference, not the ceiling)", gf, peakShare(gf)));
            }
        }
    }

    /** d 32, 64 and 128 at N = n, non-causal, in the same rounds. */
    private void headDims(int n) throws Exception {
        System.err.println("[peers] N=" + n + " d=32/64/128 interleaved ...");
        int[] dims = {32, 64, 128};
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads)) {
            Interleaved g = new Interleaved();
            AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(sched).build();
            for (int d : dims) {
                Inputs in = new Inputs(arena, n, d);
                g.add("d" + d, () -> Attention.sdpa(in.tq, in.tk, in.tv, in.to, o));
            }
            rounds.run(g);
            for (int i = 0; i < dims.length; i++) {
                double flops = Attention.flops(1, HEADS, n, n, dims[i], CausalMode.NONE);
                double ms = g.medianMs(i);
                lines.add(String.format(Locale.ROOT, "%-34s %10.2f %10.1f %7s %8s %10s %8s",
                        "N=" + n + " d=" + dims[i] + " non-causal", ms, flops / ms / 1e6, peakShare(flops / ms / 1e6), "", "",
                        ""));
            }
            for (int i : new int[] {0, 2}) {
                // GFLOP/s ratio = (flops_i / t_i) / (flops_64 / t_64)
                lines.add(String.format(Locale.ROOT, "  d=%d vs d=64 GFLOP/s at N=%d: %.2f", dims[i], n,
                        g.timeRatio(1, i) * dims[i] / 64.0));
            }
        }
    }

    /** One query against a long cache: ours, ONNX Runtime's Attention-23 and a read-bandwidth pass in the same rounds. */
    private void decode(int cache, ReadBandwidth bw) throws Exception {
        int heads = DECODE_HEADS, d = DECODE_DIM;
        String label = String.format(Locale.ROOT, "decode 1 query, H=32 d=128 cache %d", cache);
        System.err.println("[peers] " + label + ", ours / ORT / read bandwidth interleaved ...");
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads);
                OrtPeer ort = new OrtPeer("att23_c0.onnx", threads)) {
            long kvElems = (long) heads * cache * d;
            MemorySegment q = random(arena, (long) heads * d, 4), k = random(arena, kvElems, 5), v = random(arena, kvElems, 6);
            MemorySegment out = arena.allocate((long) heads * d * 4, 64), ortOut = arena.allocate((long) heads * d * 4, 64);
            Tensor tq = Tensor.contiguous(q, DType.F32, 1, heads, 1, d), tk = Tensor.contiguous(k, DType.F32, 1, heads, cache, d);
            Tensor tv = Tensor.contiguous(v, DType.F32, 1, heads, cache, d), to = Tensor.contiguous(out, DType.F32, 1, heads, 1, d);
            AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(sched).build();
            Interleaved g = new Interleaved();
            int probe = g.add("read bandwidth", bw::pass);
            int ours = g.add("ours", () -> Attention.sdpa(tq, tk, tv, to, o));
            long[] qs = {1, heads, 1, d}, ks = {1, heads, cache, d};
            Attention.sdpa(tq, tk, tv, to, o);
            ort.run(q, qs, k, ks, v, ks, ortOut);
            double err = relErr(ortOut, out, (long) heads * d);
            int peer = -1;
            String ortCol;
            if (err > 1e-4) {
                ortCol = String.format(Locale.ROOT, "ORT WRONG(%.1e)", err);
            } else {
                peer = g.add("ORT", () -> ort.run(q, qs, k, ks, v, ks, ortOut), PEER_SETTLE_MS);
                ortCol = null;
            }
            // memory bandwidth swings more from round to round than compute does (per-round shares
            // of 75-115% were seen in one run), and decode rounds are short: twice the rounds
            rounds.doubled().run(g);
            double bytes = 2.0 * kvElems * 4;
            double ms = g.medianMs(ours), gbs = bytes / ms / 1e6;
            double probeGbs = bw.bytesPerPass() / g.medianMs(probe) / 1e6;
            // (bytes / t_ours) / (probe bytes / t_probe), per round
            double share = g.timeRatio(probe, ours) * bytes / bw.bytesPerPass();
            if (ortCol == null) {
                double ortMs = g.medianMs(peer);
                ortCol = String.format(Locale.ROOT, "ORT %.2f ms (%.1f GB/s); ours/ORT speed %.2fx", ortMs, bytes / ortMs / 1e6,
                        g.timeRatio(peer, ours));
            }
            double[] spread = g.timeRatioRange(probe, ours);
            lines.add(String.format(Locale.ROOT, "%s: ours %.2f ms, %.1f GB/s = %.0f%% of read bandwidth (%.1f GB/s in the same "
                    + "rounds; per round %.0f-%.0f%%, %d rounds); %s", label, ms, gbs, 100 * share, probeGbs,
                    100 * spread[0] * bytes / bw.bytesPerPass(), 100 * spread[1] * bytes / bw.bytesPerPass(), g.rounds(), ortCol));
        }
    }

    /**
     * OpenBLAS sgemm 2048³ on the comparison's thread count, the reference the targets are stated against
     * (not the ceiling: that is the measured FMA peak).
     */
    private static final class Sgemm implements AutoCloseable {
        static final int N = 2048;
        static final double FLOPS = 2.0 * N * N * N;
        private final Arena arena = Arena.ofConfined();
        private final int threads;
        private final String error = OpenBlas.error();
        private MemorySegment a, b, c;

        Sgemm(int threads) {
            this.threads = threads;
            if (error != null) {
                System.err.println("[peers] no sgemm reference: " + error);
                return;
            }
            a = random(arena, (long) N * N, 7);
            b = random(arena, (long) N * N, 8);
            c = arena.allocate((long) N * N * 4, 64);
        }

        boolean available() {
            return error == null;
        }

        void run() {
            OpenBlas.withThreads(threads, () -> OpenBlas.sgemm(false, false, N, N, N, 1f, a, N, b, N, 0f, c, N));
        }

        @Override
        public void close() {
            arena.close();
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

}

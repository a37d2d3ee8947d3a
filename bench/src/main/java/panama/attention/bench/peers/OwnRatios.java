package panama.attention.bench.peers;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.KvCache;
import panama.attention.KvDtype;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.WeightPrecision;
import panama.attention.internal.NativeCpuKernel;
import panama.attention.measure.ReadBandwidth;

/**
 * Ratios between our own paths, each pair timed in the same interleaved rounds: BF16 against F32
 * on NATIVE_CPU (what the bf16 dot-product instructions buy), JAVA_VECTOR against NATIVE_CPU
 * (how close pure Java gets), and decode against an int8 (and f16/bf16) KV cache against an f32
 * one, with the share of the read bandwidth each reaches in bytes actually read. Every ratio is a median of per-round ratios, printed with the
 * smallest and largest round, and with what this machine lacked where that decides the number.
 */
final class OwnRatios {
    /** Runs a group of contenders in the comparison's rounds. */
    interface Rounds {
        Interleaved run(Interleaved group) throws Exception;
    }

    private static final int HEADS = 8;
    private final int threads;
    private final Rounds rounds;
    private final DoubleFunction<String> peakShare;

    OwnRatios(int threads, Rounds rounds, DoubleFunction<String> peakShare) {
        this.threads = threads;
        this.rounds = rounds;
        this.peakShare = peakShare;
    }

    /**
     * BF16 and F32 inputs at N = n, d 64 and 128, non-causal and causal: GFLOP/s of each (and its
     * share of the FMA peak, which counts fp32 multiply-adds) and BF16 / F32 speed, for BF16 as it
     * runs by default (softmax weights at fp32 accuracy) and with {@link WeightPrecision#BF16} (the
     * weights rounded to bf16 once, P rounded to bf16 for P·V), with that mode's largest error
     * against float64 as a share of its bound, 2^-8 · max|v| beyond the exact path's.
     */
    List<String> bf16VsF32(int n) throws Exception {
        System.err.println("[peers] N=" + n + " BF16 vs F32, d=64/128, non-causal and causal interleaved ...");
        List<String> lines = new ArrayList<>();
        lines.add("BF16 vs F32 on NATIVE_CPU (" + bf16Instructions() + "):");
        int[] dims = {64, 128};
        CausalMode[] modes = {CausalMode.NONE, CausalMode.TOP_LEFT};
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads)) {
            Interleaved g = new Interleaved();
            int[][] f32 = new int[dims.length][modes.length], bf16 = new int[dims.length][modes.length];
            int[][] rounded = new int[dims.length][modes.length];
            for (int di = 0; di < dims.length; di++) {
                Inputs f = new Inputs(arena, DType.F32, n, dims[di]), b = new Inputs(arena, DType.BF16, n, dims[di]);
                for (int m = 0; m < modes.length; m++) {
                    AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).causal(modes[m]).scheduler(sched)
                            .build();
                    f32[di][m] = g.add("f32 d" + dims[di] + " " + modes[m], () -> f.run(o));
                    bf16[di][m] = g.add("bf16 d" + dims[di] + " " + modes[m], () -> b.run(o));
                    AttentionOptions r = o.toBuilder().weights(WeightPrecision.BF16).build();
                    rounded[di][m] = g.add("bf16 weights-bf16 d" + dims[di] + " " + modes[m], () -> b.run(r));
                }
            }
            rounds.run(g);
            for (int di = 0; di < dims.length; di++) {
                for (int m = 0; m < modes.length; m++) {
                    double flops = Attention.flops(1, HEADS, n, n, dims[di], modes[m]);
                    double fGf = flops / g.medianMs(f32[di][m]) / 1e6, bGf = flops / g.medianMs(bf16[di][m]) / 1e6;
                    double[] spread = g.timeRatioRange(f32[di][m], bf16[di][m]);
                    lines.add(String.format(Locale.ROOT,
                            "  N=%d d=%d %-10s F32 %.1f GFLOP/s (%s peak), BF16 %.1f GFLOP/s (%s); BF16/F32 speed %.2fx"
                                    + " (rounds %.2f-%.2f, %d rounds)",
                            n, dims[di], modes[m] == CausalMode.NONE ? "non-causal" : "causal", fGf, peakShare.apply(fGf), bGf,
                            peakShare.apply(bGf), g.timeRatio(f32[di][m], bf16[di][m]), spread[0], spread[1], g.rounds()));
                    double rGf = flops / g.medianMs(rounded[di][m]) / 1e6;
                    Inputs b = new Inputs(arena, DType.BF16, n, dims[di]);
                    b.run(AttentionOptions.builder().backend(Backend.NATIVE_CPU).causal(modes[m]).scheduler(sched)
                            .weights(WeightPrecision.BF16).build());
                    double share = WeightErrorCheck.worstShareOfBound(b.q, b.k, b.v, b.out, modes[m], 16);
                    double[] rSpread = g.timeRatioRange(f32[di][m], rounded[di][m]);
                    lines.add(String.format(Locale.ROOT,
                            "  %s BF16, weights rounded to bf16: %.1f GFLOP/s (%s); BF16/F32 speed %.2fx (rounds %.2f-%.2f);"
                                    + " worst error %.2f of its bound (16 rows per head against float64)",
                            " ".repeat(String.valueOf(n).length() + 12), rGf, peakShare.apply(rGf),
                            g.timeRatio(f32[di][m], rounded[di][m]), rSpread[0], rSpread[1], share));
                }
            }
        }
        return lines;
    }

    /** A HotSpot flag's value in this JVM, or "?" where the JVM does not say. */
    private static String jvmFlag(String name) {
        try {
            return java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** JAVA_VECTOR and NATIVE_CPU at N = n, d 64 and 128, non-causal and causal: JAVA_VECTOR / NATIVE_CPU speed. */
    List<String> vectorVsNative(int n) throws Exception {
        System.err.println("[peers] N=" + n + " JAVA_VECTOR vs NATIVE_CPU, d=64/128 interleaved ...");
        String bits = System.getProperty("panattn.vector.bits");
        List<String> lines = new ArrayList<>();
        // At 256 bits (or with the JIT held to AVX2 by -XX:UseAVX=2) the comparison stands for an
        // AVX2-only machine, where NATIVE_CPU's AUTO is its AVX2 kernel: force that kernel here too,
        // or an AVX-512 CPU would compare 256-bit Java against 512-bit C. Only -XX:UseAVX=2 also
        // takes from the JIT the 32 vector registers AVX-512VL gives 256-bit code, as on such a machine.
        String useAvx = jvmFlag("UseAVX");
        boolean avx2Only = "256".equals(bits) || "2".equals(useAvx) || "1".equals(useAvx);
        CpuIsa nativeIsa = avx2Only ? CpuIsa.AVX2 : CpuIsa.AUTO;
        lines.add("JAVA_VECTOR vs NATIVE_CPU, F32 (vector width: " + (bits == null ? "the JVM's preferred species"
                : bits + " bits from -Dpanattn.vector.bits") + ", JIT UseAVX=" + useAvx + "; NATIVE_CPU ISA " + nativeIsa
                + (avx2Only ? ", as on an AVX2-only machine" : "") + "):");
        int[] dims = {64, 128};
        CausalMode[] modes = {CausalMode.NONE, CausalMode.TOP_LEFT};
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads)) {
            Interleaved g = new Interleaved();
            int[][] nat = new int[dims.length][modes.length], vec = new int[dims.length][modes.length];
            for (int di = 0; di < dims.length; di++) {
                Inputs in = new Inputs(arena, DType.F32, n, dims[di]);
                for (int m = 0; m < modes.length; m++) {
                    AttentionOptions on = AttentionOptions.builder().backend(Backend.NATIVE_CPU).cpuIsa(nativeIsa)
                            .causal(modes[m]).scheduler(sched).build();
                    AttentionOptions ov = AttentionOptions.builder().backend(Backend.JAVA_VECTOR).causal(modes[m]).scheduler(sched)
                            .build();
                    nat[di][m] = g.add("native d" + dims[di] + " " + modes[m], () -> in.run(on));
                    vec[di][m] = g.add("vector d" + dims[di] + " " + modes[m], () -> in.run(ov));
                }
            }
            rounds.run(g);
            for (int di = 0; di < dims.length; di++) {
                for (int m = 0; m < modes.length; m++) {
                    double flops = Attention.flops(1, HEADS, n, n, dims[di], modes[m]);
                    double[] spread = g.timeRatioRange(nat[di][m], vec[di][m]);
                    lines.add(String.format(Locale.ROOT,
                            "  N=%d d=%d %-10s NATIVE_CPU %.1f GFLOP/s, JAVA_VECTOR %.1f GFLOP/s; JAVA_VECTOR/NATIVE_CPU speed"
                                    + " %.2fx (rounds %.2f-%.2f, %d rounds)",
                            n, dims[di], modes[m] == CausalMode.NONE ? "non-causal" : "causal",
                            flops / g.medianMs(nat[di][m]) / 1e6, flops / g.medianMs(vec[di][m]) / 1e6,
                            g.timeRatio(nat[di][m], vec[di][m]), spread[0], spread[1], g.rounds()));
                }
            }
        }
        return lines;
    }

    /**
     * Decode (one query row per head, 32 heads, d 128) against a KvCache of {@code cache} tokens
     * stored as F32, F16, BF16 and I8, with a read-bandwidth pass over as many bytes as the f32
     * call reads, all in the same rounds: each type's speed over f32, and its GB/s in the bytes
     * it actually reads (I8: elements and fp32 scales) as a share of the probe's.
     */
    List<String> kvDtypeDecode(int cache, ReadBandwidth bw) throws Exception {
        final int heads = 32, d = 128;
        System.err.println("[peers] decode against a KvCache of " + cache + " tokens, f32/f16/bf16/i8 interleaved ...");
        List<String> lines = new ArrayList<>();
        KvDtype[] types = KvDtype.values();
        List<KvCache> caches = new ArrayList<>();
        try (Arena arena = Arena.ofConfined(); TileScheduler sched = TileScheduler.create(threads)) {
            for (KvDtype t : types) {
                caches.add(KvCache.create(t, 1, heads, cache, d, KvCache.Layout.BHSD));
            }
            SplittableRandom r = new SplittableRandom(11);
            for (int at = 0; at < cache; at += 1024) {
                int n = Math.min(1024, cache - at);
                try (Arena chunk = Arena.ofConfined()) {
                    Tensor k = Tensor.fromFloats(chunk, DType.F32, Inputs.random(heads * n * d, r.nextLong()), 1, heads, n, d);
                    Tensor v = Tensor.fromFloats(chunk, DType.F32, Inputs.random(heads * n * d, r.nextLong()), 1, heads, n, d);
                    for (KvCache c : caches) {
                        c.append(k, v);
                    }
                }
            }
            Tensor q = Tensor.fromFloats(arena, DType.F32, Inputs.random(heads * d, 12), 1, heads, 1, d);
            AttentionOptions o = AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(sched).build();
            Interleaved g = new Interleaved();
            int probe = g.add("read bandwidth", bw::pass);
            int[] idx = new int[types.length];
            for (int i = 0; i < types.length; i++) {
                KvCache c = caches.get(i);
                Tensor out = Tensor.allocate(arena, DType.F32, 1, heads, 1, d);
                idx[i] = g.add("decode " + types[i], () -> c.attend(q, out, o));
            }
            rounds.run(g);
            double probeBytes = bw.bytesPerPass();
            lines.add(String.format(Locale.ROOT, "KV cache types, decode 1 query, H=32 d=128 cache %d (read bandwidth %.1f GB/s"
                    + " in the same rounds, %d rounds):", cache, probeBytes / g.medianMs(probe) / 1e6, g.rounds()));
            for (int i = 0; i < types.length; i++) {
                long tokens = (long) heads * cache;
                double bytes = 2.0 * tokens * d * types[i].byteSize() + (types[i] == KvDtype.I8 ? 2.0 * tokens * Float.BYTES : 0);
                double ms = g.medianMs(idx[i]);
                double share = g.timeRatio(probe, idx[i]) * bytes / probeBytes;
                double[] spread = g.timeRatioRange(idx[i], idx[0]);
                lines.add(String.format(Locale.ROOT, "  %-4s %8.2f ms, %6.1f GB/s of bytes read = %3.0f%% of read bandwidth;"
                        + " speed vs f32 %.2fx (rounds %.2f-%.2f)", types[i].name().toLowerCase(Locale.ROOT), ms,
                        bytes / ms / 1e6, 100 * share, g.timeRatio(idx[0], idx[i]), 1 / spread[1], 1 / spread[0]));
            }
        } finally {
            for (KvCache c : caches) {
                c.close();
            }
        }
        return lines;
    }

    /**
     * Which bf16 product instructions this CPU has (its flags) and which path AUTO takes for BF16 (the
     * library's answer): AMX tiles, {@code vdpbf16ps} (AMD only), or conversion to fp32, when the BF16
     * ratio measures the F32 arithmetic plus conversions. The report says so rather than leave a
     * number unexplained.
     */
    static String bf16Instructions() {
        String path;
        try {
            path = "AUTO runs BF16 on " + NativeCpuKernel.autoIsa(DType.BF16);
        } catch (RuntimeException | LinkageError e) {
            path = "AUTO's BF16 path unknown: " + e.getMessage();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    return "this CPU: avx512_bf16 " + (flags.contains("avx512_bf16") ? "yes" : "no") + ", amx_bf16 "
                            + (flags.contains("amx_bf16") ? "yes" : "no") + "; " + path;
                }
            }
        } catch (IOException | RuntimeException e) {
            return "CPU flags unreadable: " + e.getMessage() + "; " + path;
        }
        return "CPU flags not found; " + path;
    }

    /** Q, K, V and out of one [1, n, 8, d] shape in one dtype, random in [-1, 1). */
    private static final class Inputs {
        final Tensor q, k, v, out;

        Inputs(Arena arena, DType dtype, int n, int d) {
            long[] shape = {1, HEADS, n, d};
            int elems = HEADS * n * d;
            q = Tensor.fromFloats(arena, dtype, random(elems, 1), shape);
            k = Tensor.fromFloats(arena, dtype, random(elems, 2), shape);
            v = Tensor.fromFloats(arena, dtype, random(elems, 3), shape);
            out = Tensor.allocate(arena, dtype, shape);
        }

        void run(AttentionOptions o) {
            Attention.sdpa(q, k, v, out, o);
        }

        static float[] random(int n, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextDouble() * 2 - 1);
            }
            return x;
        }
    }
}

package panama.attention.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import com.fasterxml.jackson.jr.ob.JSON;
import panama.attention.Attention;
import panama.attention.AttentionException;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.KvDtype;
import panama.attention.TileScheduler;
import panama.attention.measure.Timer;
import panama.attention.WeightPrecision;
import panama.attention.measure.TripleLoop;
import panama.attention.measure.Workload;
import panama.attention.internal.OpenBlas;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: a table of backends × shapes, written also as results.csv, results.json and
 * chart.png. Each backend is first checked against the JAVA_REFERENCE oracle on that shape; one
 * that disagrees or throws is reported as FAILED and never timed. Next to the library's backends
 * runs {@code JAVA_TRIPLE_LOOP}, a naive single-thread Java loop ({@link TripleLoop}), the
 * baseline JAVA_VECTOR is measured against. For a careful measurement use the JMH benchmarks
 * (see the README).
 */
final class Bench {
    static final String USAGE = """
            bench [--backends A,B,...] [--batch N] [--heads N] [--kv-heads N] [--seq N[,N...]]
                  [--kv-seq N] [--head-dim N] [--causal none|top-left|bottom-right]
                  [--dtype f32|f16|bf16] [--threads N] [--isa auto|scalar|avx2|avx512|avx512_bf16|amx_bf16]
                  [--json F] [--no-sgemm] [--full] [--out-dir D] [--window L,R] [--softcap C] [--weights fp32|bf16]
                  [--page-size P | --varlen L1,L2,... | --varlen-random MIN,MAX,COUNT]
                  [--kv-dtype f32|f16|bf16|i8[,...]]
                Times each backend on each shape (checked against JAVA_REFERENCE first; a backend
                that disagrees is reported FAILED and never timed) and prints median/min ms,
                GFLOP/s, its share of the CPU's measured FMA peak (same threads; the probe runs
                first), relative error and the speed-ups over JAVA_VECTOR and JAVA_REFERENCE.
                Defaults: every available backend (JAVA_REFERENCE only up to seq 512) plus
                JAVA_TRIPLE_LOOP, a naive single-thread Java loop (f32, up to seq 1024); batch 1,
                heads 8, kv-heads = heads, seq 256,512,1024 (Lq = Lk unless --kv-seq), head-dim 64,
                causal none, f32, threads = available processors, isa auto.
                --full sweeps seq 256..8192 (doubling) x head-dim 64,128 x causal none,bottom-right
                over every available backend (not with --seq, --head-dim or --causal; about
                10 minutes on 2 cores). Writes results.csv, results.json and chart.png
                (GFLOP/s against sequence length) to --out-dir (default ./bench-results); --json
                also writes the records to F. Also measures OpenBLAS sgemm 2048^3 as a reference
                (not the ceiling: OPENBLAS_CORETYPE can hold it to older kernels; --no-sgemm
                skips). Exit 1 when a backend fails its check. --window L,R (sliding window, -1:
                unbounded side) and --softcap C pass those options to every call; backends that do
                not implement them report unsupported, and GFLOP/s still counts the full work.
                --weights bf16 lets bf16 calls round the softmax weights to bf16 once for P·V
                (faster where the CPU has avx512_bf16; up to 2^-8·max|v| more error per element;
                default fp32: exact weights).
                Layout comparisons on NATIVE_CPU, in interleaved rounds (the ratio is the median of
                the per-round ratios, [quartiles] its spread), instead of the table:
                --page-size P times decode (1 query per sequence) through a paged cache of pages of
                P keys with a shuffled block table against the same keys stored contiguously, for
                a cache of each --seq (or --kv-seq) keys; paged rows must be bitwise the contiguous
                ones. --varlen L1,L2,... (or --varlen-random MIN,MAX,COUNT, seeded) times a packed
                batch of sequences of those lengths (Lq = Lk) against the padded batch with key
                lengths, stored heads-first [n, heads, max, d] and then interleaved [n, max, heads,
                d] as the packed tensors are, printing the packed call's GFLOP/s of useful FLOPs,
                the padded call's GFLOP/s of computed FLOPs and their ratio for each.

                --kv-dtype times decode instead: one query row per head against a KvCache of --seq
                keys stored as each listed type (NATIVE_CPU; defaults heads 32, head-dim 128, seq
                4096), interleaved with a read-bandwidth probe, and prints median/min ms, GB/s of
                the bytes the call reads (K and V elements, plus I8's fp32 scales), that rate's
                share of the probe's, the error against float64 of the unquantised inputs and the
                speed-up over f32 when f32 is listed. Not with --backends, --full, --kv-seq,
                --causal, --window, --softcap, --json or --dtype other than f32.""";

    static final List<Integer> DEFAULT_SEQ = List.of(256, 512, 1024);
    static final List<Integer> FULL_SEQ = List.of(256, 512, 1024, 2048, 4096, 8192);
    static final List<Integer> FULL_HEAD_DIMS = List.of(64, 128);
    static final List<CausalMode> FULL_CAUSAL = List.of(CausalMode.NONE, CausalMode.BOTTOM_RIGHT);
    static final Path DEFAULT_OUT_DIR = Path.of("bench-results");
    /** The oracle is scalar Java: past this length one call takes seconds, so it is left out by default. */
    static final int REFERENCE_MAX_SEQ = 512;
    /** The naive baseline: one thread, so it is left out of longer shapes by default. */
    static final String TRIPLE_LOOP = "JAVA_TRIPLE_LOOP";
    static final int TRIPLE_LOOP_MAX_SEQ = 1024;
    static final long SEED = 42;
    static final int SGEMM_N = 2048;

    /** Timing rules; tests lower them to keep the suite fast (timings are never asserted). */
    static volatile Timer timer = Timer.DEFAULT;
    /** Contenders whose JIT warm-up is done in this JVM (it carries over between shapes). */
    private static final Set<String> JIT_WARMED = ConcurrentHashMap.newKeySet();

    private Bench() {
    }

    /**
     * Everything the command line says.
     *
     * @param backends backend names ({@link Backend} names or {@link #TRIPLE_LOOP}); null means the default set
     */
    record Config(List<String> backends, int batch, int heads, int kvHeads, List<Integer> seqs, Integer kvSeq,
                  List<Integer> headDims, List<CausalMode> causals, DType dtype, int threads, CpuIsa isa,
                  Path json, boolean sgemm, boolean full, Path outDir, Args.Window window, float softcap,
                  BenchLayouts.Mode layouts, List<KvDtype> kvDtypes, WeightPrecision weights) {
        /** True for the decode-against-a-KvCache bench ({@code --kv-dtype}). */
        boolean kvDecode() {
            return kvDtypes != null;
        }
    }

    /** One table row and JSON/CSV record. {@code backend} is a {@link Backend} name or {@link #TRIPLE_LOOP}. */
    record Row(String backend, Workload.Shape shape, String status, String error, Workload.Check check,
               Timer.Result time, double gflops) {
        boolean ok() {
            return "ok".equals(status);
        }
    }

    /** OpenBLAS sgemm 2048³: the line to print and its rate (NaN when skipped or failed). */
    record Sgemm(String line, double gflops) {
    }

    /** The command line of {@code bench} (and of {@code run}, which takes the same options). */
    @Command(name = "bench")
    static final class Opts {
        @Option(names = "--backends")
        String backends;
        @Option(names = "--batch")
        int batch = 1;
        @Option(names = "--heads")
        Integer heads;
        @Option(names = "--kv-heads")
        Integer kvHeads;
        @Option(names = "--seq", converter = Args.IntListConverter.class)
        Args.IntList seq;
        @Option(names = "--kv-seq")
        Integer kvSeq;
        @Option(names = "--head-dim")
        Integer headDim;
        @Option(names = "--causal", converter = Args.CausalConverter.class)
        CausalMode causal;
        @Option(names = "--dtype", converter = Args.DtypeConverter.class)
        DType dtype = DType.F32;
        @Option(names = "--threads")
        Integer threads;
        @Option(names = "--isa", converter = Args.IsaConverter.class)
        CpuIsa isa = CpuIsa.AUTO;
        @Option(names = "--json")
        Path json;
        @Option(names = "--no-sgemm")
        boolean noSgemm;
        @Option(names = "--full")
        boolean full;
        @Option(names = "--out-dir")
        String outDir;
        @Option(names = "--window", converter = Args.WindowConverter.class)
        Args.Window window;
        @Option(names = "--softcap", converter = Args.FiniteFloatConverter.class)
        Float softcap;
        @Option(names = "--weights", converter = Args.WeightsConverter.class)
        WeightPrecision weights = WeightPrecision.FP32;
        @Option(names = "--page-size")
        Integer pageSize;
        @Option(names = "--varlen", converter = Args.IntListConverter.class)
        Args.IntList varlen;
        @Option(names = "--varlen-random", converter = Args.IntListConverter.class)
        Args.IntList varlenRandom;
        @Option(names = "--kv-dtype", converter = Args.KvDtypeListConverter.class)
        Args.KvDtypeList kvDtype;

        @Option(names = {"-h", "--help"}, usageHelp = true)
        boolean help;

        /** Checks what picocli cannot (ranges, combinations) and resolves the defaults. */
        Config config(String command) throws CliException {
            List<String> names = null;
            if (backends != null) {
                Set<String> set = new LinkedHashSet<>();
                for (String name : backends.split(",", -1)) {
                    set.add(parseBackend(command, name));
                }
                names = List.copyOf(set);
            }
            boolean kv = kvDtype != null;
            if (kv) {
                refuseWithKvDtype(command);
            }
            Args.atLeast(command, "--batch", batch, 1);
            int heads = Args.atLeast(command, "--heads", this.heads != null ? this.heads : kv ? 32 : 8, 1);
            int kvh = Args.atLeast(command, "--kv-heads", kvHeads == null ? heads : kvHeads, 1);
            if (heads % kvh != 0) {
                throw CliException.usage(command + ": --kv-heads " + kvh + " does not divide --heads " + heads);
            }
            if (full) {
                String swept = seq != null ? "seq" : headDim != null ? "head-dim" : causal != null ? "causal" : null;
                if (swept != null) {
                    throw CliException.usage(command + ": --full sweeps seq, head-dim and causal itself; drop --"
                            + swept);
                }
            }
            List<Integer> seqs = full ? FULL_SEQ
                    : seq == null ? (kv ? List.of(KvDecodeBench.DEFAULT_SEQ) : DEFAULT_SEQ)
                    : Args.atLeast(command, "--seq", seq.values(), 1);
            if (kvSeq != null) {
                Args.atLeast(command, "--kv-seq", kvSeq, 1);
            }
            List<Integer> headDims = full ? FULL_HEAD_DIMS
                    : List.of(Args.atLeast(command, "--head-dim", headDim == null ? (kv ? 128 : 64) : headDim, 1));
            List<CausalMode> causals = full ? FULL_CAUSAL : List.of(causal == null ? CausalMode.NONE : causal);
            int t = Args.atLeast(command, "--threads",
                    threads == null ? Runtime.getRuntime().availableProcessors() : threads, 1);
            if (outDir != null && outDir.isBlank()) {
                throw CliException.usage(command + ": --out-dir needs a folder name");
            }
            if (softcap != null && softcap < 0) {
                throw CliException.usage(command + ": --softcap " + softcap + " must be >= 0 (0: off)");
            }
            return new Config(names, batch, heads, kvh, seqs, kvSeq, headDims, causals, dtype, t, isa, json,
                    !noSgemm, full, outDir == null ? DEFAULT_OUT_DIR : Path.of(outDir), window,
                    softcap == null ? 0f : softcap, layouts(command), kv ? kvDtype.values() : null,
                    weights);
        }

        /** --page-size, --varlen or --varlen-random (at most one, and not with --full): what to compare. */
        private BenchLayouts.Mode layouts(String command) throws CliException {
            List<String> given = new ArrayList<>();
            if (pageSize != null) {
                given.add("--page-size");
            }
            if (varlen != null) {
                given.add("--varlen");
            }
            if (varlenRandom != null) {
                given.add("--varlen-random");
            }
            if (given.isEmpty()) {
                return null;
            }
            if (kvDtype != null) {
                throw CliException.usage(command + ": --kv-dtype and " + given.get(0) + " are different comparisons;"
                        + " give one");
            }
            if (given.size() > 1) {
                throw CliException.usage(command + ": " + String.join(" and ", given) + " are different comparisons;"
                        + " give one");
            }
            if (full) {
                throw CliException.usage(command + ": --full sweeps the backends table; drop " + given.get(0));
            }
            if (pageSize != null) {
                return new BenchLayouts.Mode(Args.atLeast(command, "--page-size", pageSize, 1), null);
            }
            if (varlen != null) {
                return new BenchLayouts.Mode(null, Args.atLeast(command, "--varlen", varlen.values(), 1));
            }
            List<Integer> r = varlenRandom.values();
            if (r.size() != 3) {
                throw CliException.usage(command + ": --varlen-random takes MIN,MAX,COUNT (3 numbers), got " + r.size());
            }
            Args.atLeast(command, "--varlen-random MIN", r.get(0), 1);
            Args.atLeast(command, "--varlen-random MAX", r.get(1), r.get(0));
            Args.atLeast(command, "--varlen-random COUNT", r.get(2), 1);
            return new BenchLayouts.Mode(null, BenchLayouts.randomLengths(r.get(0), r.get(1), r.get(2), SEED));
        }

        /** The options that make no sense for decode against a KvCache: named, not ignored. */
        private void refuseWithKvDtype(String command) throws CliException {
            String clash = backends != null ? "--backends (it times NATIVE_CPU)"
                    : full ? "--full" : kvSeq != null ? "--kv-seq (--seq is the cache length)"
                    : causal != null ? "--causal (one query row sees every key)"
                    : window != null ? "--window" : softcap != null ? "--softcap" : json != null ? "--json"
                    : weights != WeightPrecision.FP32 ? "--weights (its queries are f32)"
                    : dtype != DType.F32 ? "--dtype " + Args.lower(dtype) + " (the queries of a quantised cache are f32)"
                    : null;
            if (clash != null) {
                throw CliException.usage(command + ": --kv-dtype does not take " + clash);
            }
        }
    }

    /** Parses {@code args} as the options of {@code command} ({@code bench} or {@code run}). */
    static Config parse(String command, String[] args) throws CliException {
        Opts o = new Opts();
        Args.parse(Args.parser(o).setCommandName(command), args);
        return o.config(command);
    }

    private static String parseBackend(String command, String name) throws CliException {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (n.equals(TRIPLE_LOOP)) {
            return TRIPLE_LOOP;
        }
        try {
            return Backend.parse(name).name();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(command + ": --backends: " + e.getMessage() + " or " + TRIPLE_LOOP);
        }
    }

    static String dtypeName(DType d) {
        return d.name().toLowerCase(Locale.ROOT);
    }

    static int run(Config c, PrintStream out, PrintStream err) throws CliException, IOException {
        if (c.layouts() != null) {
            return BenchLayouts.run(c, out, err);
        }
        if (c.kvDecode()) {
            return KvDecodeBench.run(c, out, err);
        }
        if (c.json() != null) {
            Path dir = c.json().toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw CliException.runtime("--json " + c.json() + ": folder " + dir + " does not exist");
            }
        }
        try {
            Files.createDirectories(c.outDir());
        } catch (IOException e) {
            throw CliException.runtime("--out-dir " + c.outDir() + ": cannot create the folder (" + Main.message(e) + ")");
        }
        List<String> notes = new ArrayList<>();
        // The ceiling first, while nothing else of ours runs: the best path's FMA peak on 1 and on N threads.
        err.println("[peak] FMA peak probe on 1 and " + c.threads() + " threads ...");
        err.flush();
        Ceiling.Peak peak = Ceiling.measure(c.threads());
        List<Row> rows;
        try (TileScheduler scheduler = TileScheduler.create(c.threads())) {
            rows = measure(c, scheduler, err, notes);
        }
        printTable(c, rows, peak, notes, out);
        Sgemm sgemm = null;
        if (c.sgemm()) {
            err.println("[sgemm] OpenBLAS sgemm " + SGEMM_N + "^3 with " + c.threads() + " threads ...");
            err.flush();
            sgemm = sgemm(c.threads(), peak);
            out.println(sgemm.line());
        }
        if (c.json() != null) {
            Files.writeString(c.json(), json(c, rows, peak));
            out.println("wrote " + rows.size() + " records to " + c.json());
        }
        writeResults(c, rows, sgemm, peak, out, err);
        List<String> failed = new ArrayList<>();
        for (Row r : rows) {
            if ("FAILED".equals(r.status())) {
                failed.add(r.backend() + " " + shapeLabel(r.shape()));
            }
        }
        if (!failed.isEmpty()) {
            throw CliException.runtime(failed.size() + " backend check(s) failed: " + String.join(", ", failed));
        }
        return 0;
    }

    /** results.csv, results.json and chart.png in the out folder; a chart that cannot be drawn is a warning. */
    private static void writeResults(Config c, List<Row> rows, Sgemm sgemm, Ceiling.Peak peak, PrintStream out,
            PrintStream err) throws IOException {
        Path dir = c.outDir();
        Files.writeString(dir.resolve("results.csv"), csv(c, rows, peak));
        Files.writeString(dir.resolve("results.json"), resultsJson(c, rows, sgemm, peak));
        Path chart = dir.resolve("chart.png");
        String chartNote = "";
        try {
            BenchChart.write(chart, c, rows, sgemm == null ? Double.NaN : sgemm.gflops(), peak.at(c.threads()), title(c));
        } catch (IOException | RuntimeException | LinkageError e) {
            Files.deleteIfExists(chart);
            chartNote = " (chart.png not drawn: " + Main.message(e) + ")";
            err.println("warning: chart.png not drawn: " + Main.message(e));
        }
        out.println("wrote results.csv, results.json" + (chartNote.isEmpty() ? " and chart.png" : "") + " to "
                + dir + chartNote);
    }

    static String title(Config c) {
        return "Attention GFLOP/s vs sequence length: " + Doctor.cpuModel() + ", " + c.threads() + " thread"
                + (c.threads() == 1 ? "" : "s");
    }

    private static List<Row> measure(Config c, TileScheduler scheduler, PrintStream err, List<String> notes) {
        List<BackendStatus> statuses = Attention.backends();
        List<Row> rows = new ArrayList<>();
        int maxSeq = 0;
        for (int s : c.seqs()) {
            maxSeq = Math.max(maxSeq, Math.max(s, c.kvSeq() == null ? s : c.kvSeq()));
        }
        List<String> backends = c.backends();
        if (backends == null) {
            backends = new ArrayList<>();
            for (BackendStatus s : statuses) {
                if (s.available()) {
                    backends.add(s.backend().name());
                } else {
                    notes.add(s.backend() + " is off: " + Doctor.oneLine(s.detail()));
                }
            }
            if (backends.contains(Backend.JAVA_REFERENCE.name()) && maxSeq > REFERENCE_MAX_SEQ) {
                notes.add("JAVA_REFERENCE (scalar float64 oracle) is not timed for seq > " + REFERENCE_MAX_SEQ
                        + ": too slow; name it in --backends to time it anyway. It still checks every backend.");
            }
            if (c.dtype() == DType.F32) {
                backends.add(TRIPLE_LOOP);
                if (maxSeq > TRIPLE_LOOP_MAX_SEQ) {
                    notes.add(TRIPLE_LOOP + " (naive Java, 1 thread) is not timed for seq > " + TRIPLE_LOOP_MAX_SEQ
                            + ": too slow; name it in --backends to time it anyway.");
                }
            }
        }
        int steps = 0;
        for (int s : c.seqs()) {
            for (String b : backends) {
                steps += skipped(c, b, s) ? 0 : 1;
            }
        }
        steps *= c.headDims().size() * c.causals().size();
        int step = 0;
        for (int headDim : c.headDims()) {
            for (CausalMode causal : c.causals()) {
                for (int seq : c.seqs()) {
                    int seqK = c.kvSeq() == null ? seq : c.kvSeq();
                    Workload.Shape shape = new Workload.Shape(c.batch(), c.heads(), c.kvHeads(), seq, seqK, headDim,
                            causal, c.dtype());
                    try (Arena arena = Arena.ofConfined()) {
                        Workload w = new Workload(arena, shape, SEED);
                        for (String b : backends) {
                            if (skipped(c, b, seq)) {
                                continue;
                            }
                            err.printf("[%d/%d] %s %s ...%n", ++step, steps, b, progressLabel(c, shape));
                            err.flush();
                            rows.add(b.equals(TRIPLE_LOOP) ? tripleLoop(w, c)
                                    : one(w, Backend.valueOf(b), serving(c, w.options(Backend.valueOf(b), scheduler, c.isa()))));
                        }
                    }
                }
            }
        }
        return rows;
    }

    private static String progressLabel(Config c, Workload.Shape s) {
        String label = "seq=" + s.seqLabel();
        if (c.headDims().size() > 1) {
            label += " d=" + s.headDim();
        }
        if (c.causals().size() > 1) {
            label += " causal=" + Args.lower(s.causal());
        }
        return label;
    }

    /** By default the oracle and the naive loop are left out of long shapes (the oracle still checks the others). */
    private static boolean skipped(Config c, String b, int seq) {
        int seqK = c.kvSeq() == null ? seq : c.kvSeq();
        int len = Math.max(seq, seqK);
        return c.backends() == null && ((b.equals(Backend.JAVA_REFERENCE.name()) && len > REFERENCE_MAX_SEQ)
                || (b.equals(TRIPLE_LOOP) && len > TRIPLE_LOOP_MAX_SEQ));
    }

    /** Check, then time, one backend on one shape. */
    static Row one(Workload w, Backend b, AttentionOptions options) {
        try {
            Attention.select(w.q, w.k, w.v, w.out, options);
        } catch (AttentionException e) {
            return new Row(b.name(), w.shape, "unsupported", Main.message(e), null, null, Double.NaN);
        }
        return checkAndTime(w, b.name(), () -> w.check(options), () -> w.run(options));
    }

    /** options with the command line's sliding window, softcap and weight precision, when given. */
    static AttentionOptions serving(Config c, AttentionOptions options) {
        if (c.window() == null && c.softcap() == 0 && c.weights() == WeightPrecision.FP32) {
            return options;
        }
        AttentionOptions.Builder b = options.toBuilder().softcap(c.softcap()).weights(c.weights());
        if (c.window() != null) {
            b.window(c.window().left(), c.window().right());
        }
        return b.build();
    }

    /** The naive baseline on one shape: fp32 only, without the serving options, checked like a backend. */
    static Row tripleLoop(Workload w, Config c) {
        if (c.window() != null || c.softcap() != 0) {
            return new Row(TRIPLE_LOOP, w.shape, "unsupported", "the triple-loop baseline has no window or softcap",
                    null, null, Double.NaN);
        }
        if (w.shape.dtype() != DType.F32) {
            return new Row(TRIPLE_LOOP, w.shape, "unsupported", "the triple-loop baseline is fp32 only", null, null,
                    Double.NaN);
        }
        CausalMode causal = w.shape.causal();
        TripleLoop.Inputs arrays = TripleLoop.Inputs.of(w.q, w.k, w.v, causal);
        return checkAndTime(w, TRIPLE_LOOP, () -> w.check((q, k, v, out) -> {
            TripleLoop.Inputs a = TripleLoop.Inputs.of(q, k, v, causal);
            a.run();
            a.copyOutTo(out);
        }), arrays::run);
    }

    private interface CheckCall {
        Workload.Check run();
    }

    private static Row checkAndTime(Workload w, String name, CheckCall checker, Runnable call) {
        Workload.Check check;
        try {
            check = checker.run();
        } catch (RuntimeException e) {
            return new Row(name, w.shape, "FAILED", Main.message(e), null, null, Double.NaN);
        }
        if (!check.passed()) {
            return new Row(name, w.shape, "FAILED", String.format(Locale.ROOT,
                    "relative error %.2e above the %s tolerance %.0e (checked on %s)", check.relErr(),
                    dtypeName(w.shape.dtype()), check.tolerance(), check.scope()), check, null, Double.NaN);
        }
        try {
            if (needsJit(name) && JIT_WARMED.add(name)) {
                // Java code runs interpreted/boxed until C2 compiles it: warm it once per JVM.
                Timer.warmUntilCompiled(call, 5 * timer.warmupCapNanos());
            }
            Timer.Result t = timer.measure(call);
            return new Row(name, w.shape, "ok", null, check, t, w.shape.flops() / (t.medianMs() * 1e6));
        } catch (RuntimeException e) {
            return new Row(name, w.shape, "FAILED", Main.message(e), check, null, Double.NaN);
        }
    }

    private static boolean needsJit(String name) {
        return name.equals(Backend.JAVA_VECTOR.name()) || name.equals(TRIPLE_LOOP);
    }

    /** "2048 d64", with the causal mode when there is one ("2048 d64 bottom-right"). */
    static String shapeLabel(Workload.Shape s) {
        return s.seqLabel() + " d" + s.headDim() + (s.causal() == CausalMode.NONE ? "" : " " + Args.lower(s.causal()));
    }

    /** The median time of {@code backend} on the same shape, or NaN when it was not timed. */
    static double medianOf(List<Row> rows, String backend, Workload.Shape shape) {
        for (Row r : rows) {
            if (r.backend().equals(backend) && r.ok() && r.shape().equals(shape)) {
                return r.time().medianMs();
            }
        }
        return Double.NaN;
    }

    /** How many times faster r ran than {@code baseline} on its shape (NaN when either is missing). */
    static double speedup(List<Row> rows, Row r, String baseline) {
        return r.ok() ? medianOf(rows, baseline, r.shape()) / r.time().medianMs() : Double.NaN;
    }

    /** The threads a row ran on: the naive loop always one, every backend the configured count. */
    static int threadsOf(Config c, Row r) {
        return r.backend().equals(TRIPLE_LOOP) ? 1 : c.threads();
    }

    /** The row's GFLOP/s as a share of the FMA peak at its thread count (NaN when either is unknown). */
    static double peakShare(Config c, Row r, Ceiling.Peak peak) {
        return r.ok() ? Ceiling.share(r.gflops(), peak.at(threadsOf(c, r))) : Double.NaN;
    }

    static void printTable(Config c, List<Row> rows, Ceiling.Peak peak, List<String> notes, PrintStream out) {
        out.printf(Locale.ROOT, "%nattention: batch %d, heads %d (kv %d), head dim %s, causal %s, %s, %d threads, isa %s%s%n",
                c.batch(), c.heads(), c.kvHeads(), join(c.headDims()), join(c.causals().stream().map(Args::lower).toList()),
                dtypeName(c.dtype()), c.threads(), Args.lower(c.isa()),
                c.weights() == WeightPrecision.FP32 ? "" : ", softmax weights rounded to bf16");
        out.printf("%-16s %-18s %10s %10s %9s %6s %10s %14s %8s%n", "backend", "shape", "median ms", "min ms", "GFLOP/s",
                "% peak", "rel err", "vs JAVA_VECTOR", "vs ref");
        boolean oneHead = false;
        for (Row r : rows) {
            String shape = shapeLabel(r.shape());
            if (!r.ok()) {
                out.printf("%-16s %-18s %s: %s%n", r.backend(), shape, r.status(), r.error());
                continue;
            }
            String err;
            if (r.backend().equals(Backend.JAVA_REFERENCE.name())) {
                err = "oracle";
            } else {
                err = String.format(Locale.ROOT, "%.1e", r.check().relErr()) + (r.check().oneHead() ? "*" : "");
                oneHead |= r.check().oneHead();
            }
            out.printf(Locale.ROOT, "%-16s %-18s %10s %10s %9.2f %6s %10s %14s %8s%n", r.backend(), shape,
                    ms(r.time().medianMs()), ms(r.time().minMs()), r.gflops(),
                    Ceiling.percent(r.gflops(), peak.at(threadsOf(c, r))), err,
                    times(speedup(rows, r, Backend.JAVA_VECTOR.name())), times(speedup(rows, r, Backend.JAVA_REFERENCE.name())));
        }
        if (oneHead) {
            out.println("* verified on 1 head (batch 0, head 0, same lengths, head dim, dtype and causal mode):"
                    + " the full oracle would be slow there");
        }
        out.printf(Locale.ROOT, "rel err = ||out - ref|| / ||ref|| against JAVA_REFERENCE; tolerance %.0e for %s;"
                + " vs X = X's median / this row's median%n", Workload.tolerance(c.dtype()), dtypeName(c.dtype()));
        out.println("% peak = GFLOP/s / the " + peak.line() + " (" + TRIPLE_LOOP + " against 1 thread)");
        String vsLoop = ratios(rows, Backend.JAVA_VECTOR.name(), TRIPLE_LOOP);
        if (!vsLoop.isEmpty()) {
            out.println("JAVA_VECTOR vs " + TRIPLE_LOOP + " (naive Java, 1 thread): " + vsLoop);
        }
        String vsNative = ratios(rows, Backend.JAVA_VECTOR.name(), Backend.NATIVE_CPU.name());
        if (!vsNative.isEmpty()) {
            out.println("JAVA_VECTOR vs NATIVE_CPU (GFLOP/s ratio): " + vsNative);
        }
        for (String n : notes) {
            out.println("note: " + n);
        }
        String load = loadNote();
        if (load != null) {
            out.println("note: " + load);
        }
    }

    /** A warning when other processes competed for the CPUs: a 1-minute load average above ours (≈ the CPUs) + 1. */
    static String loadNote() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            double load = Double.parseDouble(f[0]);
            int cpus = Runtime.getRuntime().availableProcessors();
            if (load > cpus + 1) {
                return String.format(Locale.ROOT, "the 1-minute load average is %.1f on %d CPUs: other processes"
                        + " competed for them, so these timings are low and noisy", load, cpus);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: say nothing
        }
        return null;
    }

    /** "12.3x at 256 d64, 14.0x at 512 d64": how many times faster a ran than b, per shape both ran. */
    static String ratios(List<Row> rows, String a, String b) {
        List<String> parts = new ArrayList<>();
        for (Row r : rows) {
            if (r.backend().equals(a) && r.ok()) {
                double x = speedup(rows, r, b);
                if (Double.isFinite(x)) {
                    parts.add(String.format(Locale.ROOT, "%.2fx at %s", x, shapeLabel(r.shape())));
                }
            }
        }
        return String.join(", ", parts);
    }

    private static String times(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.2fx", x) : "";
    }

    private static String join(List<?> xs) {
        StringBuilder b = new StringBuilder();
        for (Object x : xs) {
            b.append(b.isEmpty() ? "" : ",").append(x);
        }
        return b.toString();
    }

    /** Four significant digits or more: 0.004667 → "0.004667", 139.689 → "139.7". */
    static String ms(double ms) {
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        if (ms >= 1) {
            return String.format(Locale.ROOT, "%.3f", ms);
        }
        return String.format(Locale.ROOT, "%.4g", ms);
    }

    /**
     * "OpenBLAS sgemm 2048³ with N threads: X GFLOP/s, Y% of the FMA peak", a reference for the attention
     * rates (not the ceiling: the environment may hold OpenBLAS to older kernels, which the line then
     * names), or why it was skipped.
     */
    static Sgemm sgemm(int threads, Ceiling.Peak peak) {
        String head = "OpenBLAS sgemm " + SGEMM_N + "³ with " + threads + " thread" + (threads == 1 ? "" : "s") + ": ";
        String why = OpenBlas.error();
        if (why != null) {
            return new Sgemm(head + "skipped (BLAS is off: " + Doctor.oneLine(why) + ")", Double.NaN);
        }
        try (Arena arena = Arena.ofConfined()) {
            long n = SGEMM_N;
            MemorySegment a = arena.allocate(n * n * Float.BYTES, 64);
            MemorySegment b = arena.allocate(n * n * Float.BYTES, 64);
            MemorySegment c = arena.allocate(n * n * Float.BYTES, 64);
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (long i = 0; i < n * n; i++) {
                a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() * 2 - 1));
                b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() * 2 - 1));
            }
            long[] samples = new long[5];
            OpenBlas.withThreads(threads, () -> {
                OpenBlas.sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n); // warm-up
                for (int i = 0; i < samples.length; i++) {
                    long t0 = System.nanoTime();
                    OpenBlas.sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
                    samples[i] = System.nanoTime() - t0;
                }
            });
            Arrays.sort(samples);
            double seconds = samples[samples.length / 2] / 1e9;
            double gflops = 2.0 * n * n * n / seconds / 1e9;
            String share = Ceiling.percent(gflops, peak.at(threads));
            List<String> env = peak.isa() == null ? List.of()
                    : Ceiling.openBlasEnvNotes(System.getenv(), peak.isa(), isa -> Double.NaN);
            return new Sgemm(String.format(Locale.ROOT, "%s%.1f GFLOP/s (median of %d, %.1f ms)%s: a reference, not"
                    + " this CPU's ceiling%s", head, gflops, samples.length, seconds * 1e3,
                    share.isEmpty() ? "" : ", " + share + " of the FMA peak",
                    env.isEmpty() ? "" : " (" + String.join("; ", env) + ")"), gflops);
        } catch (RuntimeException | LinkageError e) {
            return new Sgemm(head + "failed: " + Main.message(e), Double.NaN);
        }
    }

    /** The {@code --json} records: one flat object per row. */
    static String json(Config c, List<Row> rows, Ceiling.Peak peak) throws IOException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (Row r : rows) {
            records.add(record(c, rows, r, peak));
        }
        return JSON_WRITER.asString(records) + "\n";
    }

    private static Map<String, Object> record(Config c, List<Row> rows, Row r, Ceiling.Peak peak) {
        Workload.Shape s = r.shape();
        JsonObject o = new JsonObject()
                .put("backend", r.backend())
                .put("batch", s.batch())
                .put("heads", s.heads())
                .put("kvHeads", s.kvHeads())
                .put("seqQ", s.seqQ())
                .put("seqK", s.seqK())
                .put("headDim", s.headDim())
                .put("causal", Args.lower(s.causal()))
                .put("dtype", dtypeName(s.dtype()))
                .put("threads", threadsOf(c, r))
                .put("isa", Args.lower(c.isa()))
                .put("status", r.status())
                .put("medianMs", r.time() == null ? null : r.time().medianMs())
                .put("minMs", r.time() == null ? null : r.time().minMs())
                .put("gflops", r.time() == null ? null : r.gflops())
                .put("peakGflops", peak.at(threadsOf(c, r)))
                .put("peakShare", peakShare(c, r, peak))
                .put("relErr", r.check() == null ? null : r.check().relErr())
                .put("checkedOn", r.check() == null ? null : r.check().scope())
                .put("iterations", r.time() == null ? null : r.time().iterations())
                .put("speedupVsJavaVector", finite(speedup(rows, r, Backend.JAVA_VECTOR.name())))
                .put("speedupVsReference", finite(speedup(rows, r, Backend.JAVA_REFERENCE.name())));
        if (r.error() != null) {
            o.put("error", r.error());
        }
        return o.map;
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** results.json: the machine, its measured FMA peak, the sgemm reference and every record. */
    static String resultsJson(Config c, List<Row> rows, Sgemm sgemm, Ceiling.Peak peak) throws IOException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (Row r : rows) {
            records.add(record(c, rows, r, peak));
        }
        JsonObject head = new JsonObject()
                .put("cpu", Doctor.cpuModel())
                .put("threads", c.threads())
                .put("jdk", System.getProperty("java.version"))
                .put("javaVector", statusOf(Backend.JAVA_VECTOR))
                .put("fmaPeakIsa", peak.isa() == null ? null : Args.lower(peak.isa()))
                .put("fmaPeakGflops", peak.at(c.threads()))
                .put("fmaPeakGflops1Thread", peak.oneThread())
                .put("fmaPeak", peak.line())
                .put("sgemmGflops", sgemm == null ? null : sgemm.gflops())
                .put("sgemm", sgemm == null ? null : sgemm.line())
                .put("results", records);
        return JSON_WRITER.asString(head.map) + "\n";
    }

    private static String statusOf(Backend b) {
        for (BackendStatus s : Attention.backends()) {
            if (s.backend() == b) {
                return s.toString();
            }
        }
        return null;
    }

    static final String CSV_HEADER = "backend,batch,heads,kvHeads,seqQ,seqK,headDim,causal,dtype,threads,isa,status,"
            + "medianMs,minMs,gflops,peakGflops,peakShare,relErr,checkedOn,iterations,speedupVsJavaVector,speedupVsReference,error";

    /** results.csv: the same records as the JSON, one line each, empty cells for missing values. */
    static String csv(Config c, List<Row> rows, Ceiling.Peak peak) {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : rows) {
            Workload.Shape s = r.shape();
            Object[] cells = {r.backend(), s.batch(), s.heads(), s.kvHeads(), s.seqQ(), s.seqK(), s.headDim(),
                Args.lower(s.causal()), dtypeName(s.dtype()), threadsOf(c, r),
                Args.lower(c.isa()), r.status(),
                r.time() == null ? null : r.time().medianMs(), r.time() == null ? null : r.time().minMs(),
                r.time() == null ? null : r.gflops(), peak.at(threadsOf(c, r)), peakShare(c, r, peak), r.check() == null ? null : r.check().relErr(),
                r.check() == null ? null : r.check().scope(), r.time() == null ? null : r.time().iterations(),
                finite(speedup(rows, r, Backend.JAVA_VECTOR.name())), finite(speedup(rows, r, Backend.JAVA_REFERENCE.name())),
                r.error()};
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(csvCell(cells[i]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    static String csvCell(Object v) {
        if (v == null || (v instanceof Double d && !Double.isFinite(d))) {
            return "";
        }
        String s = v.toString();
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** Indented JSON, keys in insertion order; a missing value is written as null, not left out. */
    private static final JSON JSON_WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT,
            JSON.Feature.WRITE_NULL_PROPERTIES);

    /** A JSON object under construction: keys in insertion order; NaN and infinities (no JSON number) become null. */
    private static final class JsonObject {
        final Map<String, Object> map = new LinkedHashMap<>();

        JsonObject put(String key, Object value) {
            map.put(key, value instanceof Double d && !Double.isFinite(d) ? null : value);
            return this;
        }
    }
}

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import panama.attention.Attention;
import panama.attention.AttentionException;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.TileScheduler;
import panama.attention.bench.Timer;
import panama.attention.bench.Workload;
import panama.attention.internal.OpenBlas;

/**
 * {@code bench}: a quick table of backends × sequence lengths. Each backend is first checked
 * against the JAVA_REFERENCE oracle on that shape; one that disagrees or throws is reported as
 * FAILED and never timed. For a careful measurement use the JMH benchmarks (see the README).
 */
final class Bench {
    static final String USAGE = """
            bench [--backends A,B,...] [--batch N] [--heads N] [--kv-heads N] [--seq N[,N...]]
                  [--kv-seq N] [--head-dim N] [--causal none|top-left|bottom-right]
                  [--dtype f32|f16|bf16] [--threads N] [--isa auto|scalar|avx2|avx512]
                  [--json F] [--no-sgemm]
                Times each backend on each length (checked against JAVA_REFERENCE first) and
                prints median/min ms, GFLOP/s, relative error and speed-up over the reference.
                Defaults: every available backend (JAVA_REFERENCE only up to seq 512), batch 1,
                heads 8, kv-heads = heads, seq 256,512,1024 (Lq = Lk unless --kv-seq), head-dim 64,
                causal none, f32, threads = available processors, isa auto. --json writes one
                record per backend and shape. Also measures OpenBLAS sgemm 2048^3 (--no-sgemm skips).
                Exit 1 when a backend fails its check.""";

    static final List<Integer> DEFAULT_SEQ = List.of(256, 512, 1024);
    /** The oracle is scalar Java: past this length one call takes seconds, so it is left out by default. */
    static final int REFERENCE_MAX_SEQ = 512;
    static final long SEED = 42;
    static final int SGEMM_N = 2048;

    /** Timing rules; tests lower them to keep the suite fast (timings are never asserted). */
    static volatile Timer timer = Timer.DEFAULT;

    private static final Set<String> VALUED = Set.of("backends", "batch", "heads", "kv-heads", "seq", "kv-seq",
            "head-dim", "causal", "dtype", "threads", "json", "isa");
    private static final Set<String> FLAGS = Set.of("no-sgemm");

    private Bench() {
    }

    /** Everything the command line says. {@code backends} null means the default set. */
    record Config(List<Backend> backends, int batch, int heads, int kvHeads, List<Integer> seqs, Integer kvSeq,
                  int headDim, CausalMode causal, DType dtype, int threads, CpuIsa isa, Path json, boolean sgemm) {
    }

    /** One table row and JSON record. */
    record Row(Backend backend, Workload.Shape shape, String status, String error, Workload.Check check,
               Timer.Result time, double gflops) {
        boolean ok() {
            return "ok".equals(status);
        }
    }

    static Config parse(String command, String[] args) throws CliException {
        Options o = Options.parse(command, args, VALUED, FLAGS);
        List<Backend> backends = null;
        if (o.has("backends")) {
            Set<Backend> set = new LinkedHashSet<>();
            for (String name : o.get("backends").split(",", -1)) {
                set.add(o.choice("backends", null, x -> Backend.parse(name)));
            }
            backends = List.copyOf(set);
        }
        int batch = o.intValue("batch", 1, 1);
        int heads = o.intValue("heads", 8, 1);
        int kvHeads = o.intValue("kv-heads", heads, 1);
        if (heads % kvHeads != 0) {
            throw CliException.usage(command + ": --kv-heads " + kvHeads + " does not divide --heads " + heads);
        }
        List<Integer> seqs = o.intList("seq", DEFAULT_SEQ, 1);
        Integer kvSeq = o.has("kv-seq") ? o.intValue("kv-seq", 0, 1) : null;
        int headDim = o.intValue("head-dim", 64, 1);
        CausalMode causal = o.choice("causal", CausalMode.NONE, CausalMode::parse);
        DType dtype = o.choice("dtype", DType.F32, Workload::parseDtype);
        int threads = o.intValue("threads", Runtime.getRuntime().availableProcessors(), 1);
        CpuIsa isa = o.choice("isa", CpuIsa.AUTO, Workload::parseIsa);
        Path json = o.has("json") ? Path.of(o.get("json")) : null;
        return new Config(backends, batch, heads, kvHeads, seqs, kvSeq, headDim, causal, dtype, threads, isa, json,
                !o.has("no-sgemm"));
    }

    static String dtypeName(DType d) {
        return d.name().toLowerCase(Locale.ROOT);
    }

    static int run(String command, String[] args, PrintStream out, PrintStream err) throws CliException, IOException {
        Config c = parse(command, args);
        if (c.json() != null) {
            Path dir = c.json().toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw CliException.runtime("--json " + c.json() + ": folder " + dir + " does not exist");
            }
        }
        List<String> notes = new ArrayList<>();
        List<Row> rows;
        try (TileScheduler scheduler = TileScheduler.create(c.threads())) {
            rows = measure(c, scheduler, out, err, notes);
        }
        printTable(c, rows, notes, out);
        if (c.sgemm()) {
            out.println(sgemmLine(c.threads()));
        }
        if (c.json() != null) {
            Files.writeString(c.json(), json(c, rows));
            out.println("wrote " + rows.size() + " records to " + c.json());
        }
        List<String> failed = new ArrayList<>();
        for (Row r : rows) {
            if ("FAILED".equals(r.status())) {
                failed.add(r.backend() + " seq=" + r.shape().seqLabel());
            }
        }
        if (!failed.isEmpty()) {
            throw CliException.runtime(failed.size() + " backend check(s) failed: " + String.join(", ", failed));
        }
        return 0;
    }

    private static List<Row> measure(Config c, TileScheduler scheduler, PrintStream out, PrintStream err,
                                     List<String> notes) {
        List<BackendStatus> statuses = Attention.backends();
        List<Row> rows = new ArrayList<>();
        int maxSeq = 0;
        for (int s : c.seqs()) {
            maxSeq = Math.max(maxSeq, Math.max(s, c.kvSeq() == null ? s : c.kvSeq()));
        }
        List<Backend> backends = c.backends();
        if (backends == null) {
            backends = new ArrayList<>();
            for (BackendStatus s : statuses) {
                if (s.available()) {
                    backends.add(s.backend());
                } else {
                    notes.add(s.backend() + " is off: " + Doctor.oneLine(s.detail()));
                }
            }
            if (backends.contains(Backend.JAVA_REFERENCE) && maxSeq > REFERENCE_MAX_SEQ) {
                notes.add("JAVA_REFERENCE (scalar float64 oracle) is not timed for seq > " + REFERENCE_MAX_SEQ
                        + ": too slow; name it in --backends to time it anyway. It still checks every backend.");
            }
        }
        int steps = 0;
        for (int s : c.seqs()) {
            for (Backend b : backends) {
                steps += skipped(c, b, s) ? 0 : 1;
            }
        }
        int step = 0;
        for (int seq : c.seqs()) {
            int seqK = c.kvSeq() == null ? seq : c.kvSeq();
            Workload.Shape shape = new Workload.Shape(c.batch(), c.heads(), c.kvHeads(), seq, seqK, c.headDim(),
                    c.causal(), c.dtype());
            try (Arena arena = Arena.ofConfined()) {
                Workload w = new Workload(arena, shape, SEED);
                for (Backend b : backends) {
                    if (skipped(c, b, seq)) {
                        continue;
                    }
                    err.printf("[%d/%d] %s seq=%s ...%n", ++step, steps, b, shape.seqLabel());
                    err.flush();
                    rows.add(one(w, b, w.options(b, scheduler, c.isa())));
                }
            }
        }
        return rows;
    }

    /** By default the oracle is left out of long shapes (it still checks the other backends). */
    private static boolean skipped(Config c, Backend b, int seq) {
        int seqK = c.kvSeq() == null ? seq : c.kvSeq();
        return c.backends() == null && b == Backend.JAVA_REFERENCE && Math.max(seq, seqK) > REFERENCE_MAX_SEQ;
    }

    /** Check, then time, one backend on one shape. */
    static Row one(Workload w, Backend b, AttentionOptions options) {
        try {
            Attention.select(w.q, w.k, w.v, w.out, options);
        } catch (AttentionException e) {
            return new Row(b, w.shape, "unsupported", Main.message(e), null, null, Double.NaN);
        }
        Workload.Check check;
        try {
            check = w.check(options);
        } catch (RuntimeException e) {
            return new Row(b, w.shape, "FAILED", Main.message(e), null, null, Double.NaN);
        }
        if (!check.passed()) {
            return new Row(b, w.shape, "FAILED", String.format(Locale.ROOT,
                    "relative error %.2e above the %s tolerance %.0e (checked on %s)", check.relErr(),
                    dtypeName(w.shape.dtype()), check.tolerance(), check.scope()), check, null, Double.NaN);
        }
        try {
            Timer.Result t = timer.measure(() -> w.run(options));
            return new Row(b, w.shape, "ok", null, check, t, w.shape.flops() / (t.medianMs() * 1e6));
        } catch (RuntimeException e) {
            return new Row(b, w.shape, "FAILED", Main.message(e), check, null, Double.NaN);
        }
    }

    static void printTable(Config c, List<Row> rows, List<String> notes, PrintStream out) {
        out.printf(Locale.ROOT, "%nattention: batch %d, heads %d (kv %d), head dim %d, causal %s, %s, %d threads, isa %s%n",
                c.batch(), c.heads(), c.kvHeads(), c.headDim(), Options.lower(c.causal()), dtypeName(c.dtype()),
                c.threads(), Options.lower(c.isa()));
        out.printf("%-15s %11s %10s %10s %9s %10s %8s%n", "backend", "seq", "median ms", "min ms", "GFLOP/s",
                "rel err", "vs ref");
        boolean oneHead = false;
        for (Row r : rows) {
            String seq = r.shape().seqLabel();
            if (!r.ok()) {
                out.printf("%-15s %11s %s: %s%n", r.backend(), seq, r.status(), r.error());
                continue;
            }
            String err;
            if (r.backend() == Backend.JAVA_REFERENCE) {
                err = "oracle";
            } else {
                err = String.format(Locale.ROOT, "%.1e", r.check().relErr()) + (r.check().oneHead() ? "*" : "");
                oneHead |= r.check().oneHead();
            }
            String speedup = "";
            for (Row ref : rows) {
                if (ref.backend() == Backend.JAVA_REFERENCE && ref.ok() && ref.shape().equals(r.shape())) {
                    speedup = String.format(Locale.ROOT, "%.1fx", ref.time().medianMs() / r.time().medianMs());
                }
            }
            out.printf(Locale.ROOT, "%-15s %11s %10s %10s %9.2f %10s %8s%n", r.backend(), seq,
                    ms(r.time().medianMs()), ms(r.time().minMs()), r.gflops(), err, speedup);
        }
        if (oneHead) {
            out.println("* verified on 1 head (batch 0, head 0, same lengths, head dim, dtype and causal mode):"
                    + " the full oracle would be slow there");
        }
        out.printf(Locale.ROOT, "rel err = ||out - ref|| / ||ref|| against JAVA_REFERENCE; tolerance %.0e for %s%n",
                Workload.tolerance(c.dtype()), dtypeName(c.dtype()));
        for (String n : notes) {
            out.println("note: " + n);
        }
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

    /** "OpenBLAS sgemm 2048^3 with N threads: X GFLOP/s", or why it was skipped. */
    static String sgemmLine(int threads) {
        String head = "OpenBLAS sgemm " + SGEMM_N + "^3 with " + threads + " thread" + (threads == 1 ? "" : "s") + ": ";
        String why = OpenBlas.error();
        if (why != null) {
            return head + "skipped (BLAS is off: " + Doctor.oneLine(why) + ")";
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
            return String.format(Locale.ROOT, "%s%.1f GFLOP/s (median of %d, %.1f ms)", head,
                    2.0 * n * n * n / seconds / 1e9, samples.length, seconds * 1e3);
        } catch (RuntimeException | LinkageError e) {
            return head + "failed: " + Main.message(e);
        }
    }

    static String json(Config c, List<Row> rows) {
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Workload.Shape s = r.shape();
            Json o = new Json()
                    .put("backend", r.backend().name())
                    .put("batch", s.batch())
                    .put("heads", s.heads())
                    .put("kvHeads", s.kvHeads())
                    .put("seqQ", s.seqQ())
                    .put("seqK", s.seqK())
                    .put("headDim", s.headDim())
                    .put("causal", Options.lower(s.causal()))
                    .put("dtype", dtypeName(s.dtype()))
                    .put("threads", c.threads())
                    .put("isa", Options.lower(c.isa()))
                    .put("status", r.status())
                    .put("medianMs", r.time() == null ? null : r.time().medianMs())
                    .put("minMs", r.time() == null ? null : r.time().minMs())
                    .put("gflops", r.time() == null ? null : r.gflops())
                    .put("relErr", r.check() == null ? null : r.check().relErr())
                    .put("checkedOn", r.check() == null ? null : r.check().scope())
                    .put("iterations", r.time() == null ? null : r.time().iterations());
            if (r.error() != null) {
                o.put("error", r.error());
            }
            b.append("  ").append(o).append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        return b.append("]\n").toString();
    }

    /** A flat JSON object, keys in insertion order. */
    static final class Json {
        private final StringBuilder b = new StringBuilder();

        Json put(String key, Object value) {
            b.append(b.isEmpty() ? "{" : ", ").append(quote(key)).append(": ");
            if (value == null) {
                b.append("null");
            } else if (value instanceof Double d) {
                b.append(Double.isFinite(d) ? Double.toString(d) : "null");
            } else if (value instanceof Number n) {
                b.append(n);
            } else {
                b.append(quote(value.toString()));
            }
            return this;
        }

        static String quote(String s) {
            StringBuilder q = new StringBuilder("\"");
            for (char ch : s.toCharArray()) {
                switch (ch) {
                    case '"' -> q.append("\\\"");
                    case '\\' -> q.append("\\\\");
                    case '\n' -> q.append("\\n");
                    case '\r' -> q.append("\\r");
                    case '\t' -> q.append("\\t");
                    default -> {
                        if (ch < 0x20) {
                            q.append(String.format("\\u%04x", (int) ch));
                        } else {
                            q.append(ch);
                        }
                    }
                }
            }
            return q.append('"').toString();
        }

        @Override
        public String toString() {
            return b + "}";
        }
    }
}

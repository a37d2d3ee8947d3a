package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.Attention;
import panama.attention.Backend;
import panama.attention.BackendStatus;

/**
 * The command line through {@link Main#run}: sdpa against a float64 computation written here
 * (not the library's oracle), every kind of bad input, and the structure of bench's JSON.
 */
class MainTest {
    // Small but awkward: GQA 4 over 2, Lq != Lk, odd lengths.
    static final int B = 2, H = 4, KVH = 2, LQ = 5, LK = 9, D = 8;

    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void quickTimer() {
        QuickTiming.install();
    }

    @AfterAll
    static void defaultTimer() {
        QuickTiming.restore();
    }

    static Stream<Backend> availableBackends() {
        return Attention.backends().stream().filter(BackendStatus::available).map(BackendStatus::backend);
    }

    // ---- sdpa against float64 ------------------------------------------------------------

    /** Inputs as written to disk (already rounded to their dtype) and what the options say. */
    record Problem(float[] q, float[] k, float[] v, float[] mask, long[] maskShape, long[] keyLengths,
                   String causal, Double scale) {
    }

    @ParameterizedTest
    @MethodSource("availableBackends")
    void plainF32(Backend backend) throws Exception {
        check(backend, "plain", problem(1, null, null, "none", null), false, false);
    }

    @ParameterizedTest
    @MethodSource("availableBackends")
    void causalTopLeftWithLse(Backend backend) throws Exception {
        check(backend, "tl", problem(2, null, null, "top-left", null), false, false);
    }

    @ParameterizedTest
    @MethodSource("availableBackends")
    void bottomRightMaskKeyLengthsScaleLse(Backend backend) throws Exception {
        // Batch 1 has no keys at all: zeros and an LSE of -inf.
        check(backend, "br", problem(3, new long[] {B, 1, LQ, LK}, new long[] {7, 0}, "bottom-right", 0.3), true, false);
    }

    @ParameterizedTest
    @MethodSource("availableBackends")
    void twoDimensionalMaskAndInt32KeyLengths(Backend backend) throws Exception {
        check(backend, "m2", problem(4, new long[] {LQ, LK}, new long[] {9, 3}, "none", null), false, false);
    }

    @ParameterizedTest
    @MethodSource("availableBackends")
    void float16(Backend backend) throws Exception {
        check(backend, "f16", problem(5, new long[] {1, H, LQ, LK}, null, "top-left", null), false, true);
    }

    private static Problem problem(long seed, long[] maskShape, long[] keyLengths, String causal, Double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] mask = null;
        if (maskShape != null) {
            mask = new float[(int) Npy.count(maskShape)];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = r.nextInt(6) == 0 ? Float.NEGATIVE_INFINITY : (float) (r.nextDouble() * 4 - 2);
            }
        }
        return new Problem(random(r, B * H * LQ * D), random(r, B * KVH * LK * D), random(r, B * KVH * LK * D),
                mask, maskShape, keyLengths, causal, scale);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 3 - 1.5);
        }
        return a;
    }

    private static void check(Backend backend, String name, Problem p, boolean int64Lengths, boolean f16) throws Exception {
        String tag = name + "-" + backend;
        Path q = dir.resolve(tag + "-q.npy"), k = dir.resolve(tag + "-k.npy"), v = dir.resolve(tag + "-v.npy");
        Path out = dir.resolve(tag + "-out.npy"), lse = dir.resolve(tag + "-lse.npy");
        float[] qv = f16 ? roundF16(p.q()) : p.q(), kv = f16 ? roundF16(p.k()) : p.k(), vv = f16 ? roundF16(p.v()) : p.v();
        writeFloats(q, qv, f16, B, H, LQ, D);
        writeFloats(k, kv, f16, B, KVH, LK, D);
        writeFloats(v, vv, f16, B, KVH, LK, D);
        List<String> args = new ArrayList<>(List.of("sdpa", "--q", q.toString(), "--k", k.toString(), "--v", v.toString(),
                "--out", out.toString(), "--lse", lse.toString(), "--causal", p.causal(), "--backend",
                backend.name().toLowerCase()));
        if (p.mask() != null) {
            Path m = dir.resolve(tag + "-mask.npy");
            writeFloats(m, p.mask(), false, p.maskShape());
            args.addAll(List.of("--mask", m.toString()));
        }
        if (p.keyLengths() != null) {
            Path kl = dir.resolve(tag + "-kl.npy");
            writeInts(kl, p.keyLengths(), int64Lengths);
            args.addAll(List.of("--key-lengths", kl.toString()));
        }
        if (p.scale() != null) {
            args.addAll(List.of("--scale", p.scale().toString()));
        }
        Run r = run(args.toArray(String[]::new));
        if (f16 && backend == Backend.BLAS) { // BLAS is fp32 only: a clean refusal
            assertEquals(1, r.code(), r.err());
            assertOneErrorLine(r);
            return;
        }
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("sdpa: " + backend), r.out());

        double[][] want = float64(p, qv, kv, vv);
        float[] got;
        float[] gotLse;
        try (Arena arena = Arena.ofConfined()) {
            Npy.Array o = Npy.read(out, arena);
            assertEquals(f16 ? Npy.Kind.F16 : Npy.Kind.F32, o.kind());
            assertEquals(List.of(2L, 4L, 5L, 8L), List.of(o.shape()[0], o.shape()[1], o.shape()[2], o.shape()[3]));
            got = toFloats(o);
            Npy.Array l = Npy.read(lse, arena);
            assertEquals(Npy.Kind.F32, l.kind());
            assertEquals(3, l.rank());
            gotLse = toFloats(l);
        }
        double tol = f16 ? 2e-3 : 1e-5;
        assertClose(want[0], got, tol, tag + " out");
        assertClose(want[1], gotLse, 1e-5, tag + " lse");
    }

    /** softmax(scale·q·kᵀ + mask)·v in float64, with key lengths and causal alignment; also the LSE. */
    static double[][] float64(Problem p, float[] q, float[] k, float[] v) {
        double scale = p.scale() != null ? p.scale() : 1 / Math.sqrt(D);
        double[] out = new double[B * H * LQ * D];
        double[] lse = new double[B * H * LQ];
        long[] ms = p.maskShape() == null ? null
                : p.maskShape().length == 2 ? new long[] {1, 1, LQ, LK} : p.maskShape();
        for (int b = 0; b < B; b++) {
            long kvLen = p.keyLengths() == null ? LK : p.keyLengths()[b];
            for (int h = 0; h < H; h++) {
                int g = h / (H / KVH);
                for (int i = 0; i < LQ; i++) {
                    long end = switch (p.causal()) {
                        case "top-left" -> Math.min(kvLen, i + 1);
                        case "bottom-right" -> Math.min(kvLen, i + 1 + kvLen - LQ);
                        default -> kvLen;
                    };
                    double[] s = new double[LK];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < end; j++) {
                        double dot = 0;
                        for (int c = 0; c < D; c++) {
                            dot += (double) q[((b * H + h) * LQ + i) * D + c] * k[((b * KVH + g) * LK + j) * D + c];
                        }
                        s[j] = scale * dot;
                        if (ms != null) {
                            long mb = ms[0] == 1 ? 0 : b, mh = ms[1] == 1 ? 0 : h;
                            s[j] += p.mask()[(int) (((mb * ms[1] + mh) * LQ + i) * LK + j)];
                        }
                        max = Math.max(max, s[j]);
                    }
                    int row = (b * H + h) * LQ + i;
                    if (max == Double.NEGATIVE_INFINITY) {
                        lse[row] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double sum = 0;
                    for (int j = 0; j < end; j++) {
                        double w = Math.exp(s[j] - max);
                        sum += w;
                        for (int c = 0; c < D; c++) {
                            out[row * D + c] += w * v[((b * KVH + g) * LK + j) * D + c];
                        }
                    }
                    for (int c = 0; c < D; c++) {
                        out[row * D + c] /= sum;
                    }
                    lse[row] = max + Math.log(sum);
                }
            }
        }
        return new double[][] {out, lse};
    }

    /** ‖got − want‖ / ‖want‖ ≤ tol over finite entries; infinities must match exactly. */
    static void assertClose(double[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + " length");
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) {
            if (Double.isInfinite(want[i])) {
                assertEquals(want[i], got[i], what + "[" + i + "]");
                continue;
            }
            assertTrue(Float.isFinite(got[i]), what + "[" + i + "] = " + got[i] + ", want " + want[i]);
            num += (got[i] - want[i]) * (got[i] - want[i]);
            den += want[i] * want[i];
        }
        double rel = den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
        assertTrue(rel <= tol, what + ": relative error " + rel + " > " + tol);
    }

    static float[] roundF16(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
        }
        return r;
    }

    static void writeFloats(Path p, float[] values, boolean f16, long... shape) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate((long) values.length * (f16 ? 2 : 4));
            for (int i = 0; i < values.length; i++) {
                if (f16) {
                    s.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(values[i]));
                } else {
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, i, values[i]);
                }
            }
            Npy.write(p, f16 ? Npy.Kind.F16 : Npy.Kind.F32, shape, s);
        }
    }

    static void writeInts(Path p, long[] values, boolean int64) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate((long) values.length * (int64 ? 8 : 4));
            for (int i = 0; i < values.length; i++) {
                if (int64) {
                    s.setAtIndex(ValueLayout.JAVA_LONG, i, values[i]);
                } else {
                    s.setAtIndex(ValueLayout.JAVA_INT, i, (int) values[i]);
                }
            }
            Npy.write(p, int64 ? Npy.Kind.I64 : Npy.Kind.I32, new long[] {values.length}, s);
        }
    }

    static float[] toFloats(Npy.Array a) {
        float[] f = new float[(int) a.elementCount()];
        for (int i = 0; i < f.length; i++) {
            f[i] = a.kind() == Npy.Kind.F16 ? Float.float16ToFloat(a.data().getAtIndex(ValueLayout.JAVA_SHORT, i))
                    : a.data().getAtIndex(ValueLayout.JAVA_FLOAT, i);
        }
        return f;
    }

    // ---- bad input ---------------------------------------------------------------------------

    static void assertOneErrorLine(Run r) {
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "exactly one stderr line, got:\n" + r.err());
        assertTrue(lines.get(0).startsWith("error: "), lines.get(0));
        assertFalse(r.err().contains("\tat ") || r.out().contains("\tat "), "no stack trace");
        assertFalse(r.err().contains("Exception:"), "no exception dump: " + r.err());
    }

    @Test
    void badInputsGiveOneErrorLine() throws Exception {
        Path q = dir.resolve("bad-q.npy"), k = dir.resolve("bad-k.npy"), v = dir.resolve("bad-v.npy");
        Path out = dir.resolve("bad-out.npy");
        float[] z = new float[B * KVH * LK * D];
        writeFloats(q, new float[B * H * LQ * D], false, B, H, LQ, D);
        writeFloats(k, z, false, B, KVH, LK, D);
        writeFloats(v, z, false, B, KVH, LK, D);
        String[] good = {"sdpa", "--q", q.toString(), "--k", k.toString(), "--v", v.toString(), "--out", out.toString()};
        assertEquals(0, run(good).code(), "the good command works");

        Path f8 = raw("f8.npy", "'<f8'", "(2, 4, 5, 8)", 8 * B * H * LQ * D);
        Path be = raw("be.npy", "'>f4'", "(2, 4, 5, 8)", 4 * B * H * LQ * D);
        Path fortran = dir.resolve("fortran.npy");
        Files.writeString(fortran, "");
        Files.write(fortran, header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 4, 5, 8), }", 4 * B * H * LQ * D));
        Path truncated = raw("trunc.npy", "'<f4'", "(2, 4, 5, 8)", 4 * B * H * LQ * D - 3);
        Path magic = dir.resolve("magic.npy");
        Files.writeString(magic, "hello");
        Path empty = raw("empty.npy", "'<f4'", "(2, 4, 0, 8)", 0);
        Path rank3 = raw("rank3.npy", "'<f4'", "(8, 5, 8)", 4 * 8 * 5 * 8);
        Path kD = dir.resolve("k-d.npy");
        writeFloats(kD, new float[B * KVH * LK * 6], false, B, KVH, LK, 6);
        Path k16 = dir.resolve("k16.npy");
        writeFloats(k16, z, true, B, KVH, LK, D);
        Path maskI = raw("mask-i.npy", "'<i4'", "(5, 9)", 4 * 45);
        Path mask3 = raw("mask3.npy", "'<f4'", "(1, 5, 9)", 4 * 45);
        Path maskBad = raw("mask-bad.npy", "'<f4'", "(3, 1, 5, 9)", 4 * 3 * 45);
        Path klHuge = dir.resolve("kl-huge.npy");
        writeInts(klHuge, new long[] {1L << 40, 3}, true);
        Path klLong = dir.resolve("kl-long.npy");
        writeInts(klLong, new long[] {10, 3}, false);
        Path klF = raw("kl-f.npy", "'<f4'", "(2,)", 8);
        Path kl2d = raw("kl-2d.npy", "'<i4'", "(1, 2)", 8);
        Path klBatch = dir.resolve("kl-batch.npy");
        writeInts(klBatch, new long[] {1, 2, 3}, false);
        String noDir = dir.resolve("nowhere/out.npy").toString();

        Object[][] cases = {
            // {expected exit code, args after the command, ...}
            {1, swap(good, "--q", dir.resolve("missing.npy").toString())},
            {1, swap(good, "--q", f8.toString())},
            {1, swap(good, "--q", be.toString())},
            {1, swap(good, "--q", fortran.toString())},
            {1, swap(good, "--q", truncated.toString())},
            {1, swap(good, "--q", magic.toString())},
            {1, swap(good, "--q", empty.toString())},
            {1, swap(good, "--q", rank3.toString())},
            {1, swap(good, "--q", dir.toString())},
            {1, swap(good, "--k", kD.toString())},
            {1, swap(good, "--k", k16.toString())},
            {1, swap(good, "--out", noDir)},
            {1, plus(good, "--mask", maskI.toString())},
            {1, plus(good, "--mask", mask3.toString())},
            {1, plus(good, "--mask", maskBad.toString())},
            {1, plus(good, "--key-lengths", klHuge.toString())},
            {1, plus(good, "--key-lengths", klLong.toString())},
            {1, plus(good, "--key-lengths", klF.toString())},
            {1, plus(good, "--key-lengths", kl2d.toString())},
            {1, plus(good, "--key-lengths", klBatch.toString())},
            {2, plus(good, "--lse", out.toString())},
            {2, plus(good, "--frobnicate", "1")},
            {2, plus(good, "stray")},
            {2, plus(good, "--q", q.toString())},
            {2, plus(good, "--scale", "abc")},
            {2, plus(good, "--scale", "inf")},
            {2, plus(good, "--scale")},
            {2, plus(good, "--causal", "sideways")},
            {2, plus(good, "--backend", "GPU")},
            {2, new String[] {"sdpa", "--q", q.toString(), "--k", k.toString(), "--out", out.toString()}},
            {2, new String[] {"frobnicate"}},
            {2, new String[] {"--frobnicate"}},
            {2, new String[] {"doctor", "--isa", "sse9"}},
            {2, new String[] {"doctor", "extra"}},
            {2, new String[] {"bench", "--seq", "0"}},
            {2, new String[] {"bench", "--seq", "12,abc"}},
            {2, new String[] {"bench", "--heads", "8", "--kv-heads", "3"}},
            {2, new String[] {"bench", "--dtype", "f64"}},
            {2, new String[] {"bench", "--backends", "NATIVE_CPU,TPU"}},
            {2, new String[] {"bench", "--threads", "0"}},
            {2, new String[] {"bench", "--no-sgemm=yes"}},
            {2, new String[] {"run", "--batch", "x"}},
            {1, new String[] {"bench", "--seq", "4", "--json", noDir}},
        };
        for (Object[] c : cases) {
            String[] args = (String[]) c[1];
            Run r = run(args);
            String what = String.join(" ", args) + "\n-> " + r.err();
            assertEquals((int) c[0], r.code(), what);
            assertOneErrorLine(r);
        }
        assertFalse(Files.exists(Path.of(noDir)));
    }

    private static String[] swap(String[] args, String option, String value) {
        String[] a = args.clone();
        for (int i = 0; i < a.length - 1; i++) {
            if (a[i].equals(option)) {
                a[i + 1] = value;
            }
        }
        return a;
    }

    private static String[] plus(String[] args, String... more) {
        String[] a = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, a, args.length, more.length);
        return a;
    }

    private static Path raw(String name, String descr, String shape, int dataBytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, header("{'descr': " + descr + ", 'fortran_order': False, 'shape': " + shape + ", }", dataBytes));
        return p;
    }

    private static byte[] header(String dict, int dataBytes) {
        StringBuilder h = new StringBuilder(dict);
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] file = new byte[10 + head.length + Math.max(dataBytes, 0)];
        System.arraycopy(Npy.MAGIC, 0, file, 0, 6);
        file[6] = 1;
        file[8] = (byte) head.length;
        file[9] = (byte) (head.length >> 8);
        System.arraycopy(head, 0, file, 10, head.length);
        return file;
    }

    // ---- other commands ----------------------------------------------------------------------

    @Test
    void helpListsEveryCommand() {
        for (String h : new String[] {"help", "--help", "-h"}) {
            Run r = run(h);
            assertEquals(0, r.code());
            for (String cmd : new String[] {"run", "doctor", "sdpa --q", "bench [--backends", "--key-lengths", "--no-sgemm"}) {
                assertTrue(r.out().contains(cmd), cmd + " in help");
            }
        }
    }

    @Test
    void doctorReportsEveryBackend() {
        Run r = run("doctor", "--isa", "scalar");
        boolean nativeOn = availableBackends().anyMatch(b -> b == Backend.NATIVE_CPU);
        // The scalar path runs wherever NATIVE_CPU does; otherwise doctor says why and exits 1.
        assertEquals(nativeOn ? 0 : 1, r.code(), r.err());
        if (!nativeOn) {
            assertOneErrorLine(r);
        }
        for (BackendStatus s : Attention.backends()) {
            assertTrue(r.out().contains(s.backend().name()), s.backend() + " listed");
        }
        for (String label : new String[] {"JDK:", "OS/arch:", "CPU:", "Scheduler:", "Native CPU:", "FMA peak:",
                "OpenBLAS:", "OpenBLAS env:", "CUDA:"}) {
            assertTrue(r.out().contains(label), label + " in\n" + r.out());
        }
        if (nativeOn) {
            assertTrue(r.err().isEmpty(), r.err());
            // one measured line per path the CPU runs, on 1 thread and on the scheduler's threads
            int threads = panama.attention.TileScheduler.shared().threads();
            for (panama.attention.CpuIsa isa : panama.attention.internal.FmaPeak.supported()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\n  " + Args.lower(isa)
                        + " +([0-9.]+) GFLOP/s on 1 thread, +([0-9.]+) GFLOP/s on " + threads + " thread").matcher(r.out());
                assertTrue(m.find(), isa + " peak line in\n" + r.out());
                assertTrue(Double.parseDouble(m.group(1)) > 0 && Double.parseDouble(m.group(2)) > 0, m.group());
            }
        }
    }

    @Test
    void benchWritesJsonRecords() throws Exception {
        Path json = dir.resolve("bench.json");
        Run r = run("bench", "--seq", "7,33", "--heads", "2", "--head-dim", "16", "--json", json.toString(), "--no-sgemm",
                "--out-dir", dir.resolve("bench-json-out").toString());
        assertEquals(0, r.code(), r.err());
        // every available backend, plus the naive triple-loop baseline (f32, short sequences)
        List<String> backends = new java.util.ArrayList<>(availableBackends().map(Backend::name).toList());
        backends.add(Bench.TRIPLE_LOOP);
        assertTrue(r.err().contains("[1/" + 2 * backends.size() + "]"), "progress on stderr: " + r.err());
        assertTrue(r.out().contains("GFLOP/s"), r.out());

        Object parsed = ReadJson.parse(Files.readString(json));
        List<?> records = assertInstanceOf(List.class, parsed);
        assertEquals(2 * backends.size(), records.size());
        for (Object o : records) {
            Map<?, ?> m = assertInstanceOf(Map.class, o);
            assertEquals("ok", m.get("status"), m.toString());
            assertTrue(backends.contains((String) m.get("backend")), m.toString());
            for (String f : new String[] {"batch", "heads", "kvHeads", "seqQ", "seqK", "headDim", "threads",
                    "medianMs", "minMs", "gflops", "relErr", "iterations"}) {
                assertInstanceOf(Double.class, m.get(f), f + " in " + m);
            }
            assertEquals(1.0, m.get("batch"));
            assertEquals(2.0, m.get("heads"));
            assertEquals(2.0, m.get("kvHeads"));
            assertEquals(16.0, m.get("headDim"));
            assertEquals(m.get("seqQ"), m.get("seqK"));
            assertTrue(List.of(7.0, 33.0).contains(m.get("seqQ")));
            assertEquals("none", m.get("causal"));
            assertEquals("f32", m.get("dtype"));
            assertTrue((Double) m.get("relErr") <= 1e-5);
        }
    }

    @Test
    void benchReportsUnsupportedBackendsWithoutFailing() throws Exception {
        Path json = dir.resolve("bench-f16.json");
        Run r = run("bench", "--seq", "9", "--kv-seq", "20", "--heads", "4", "--kv-heads", "2", "--head-dim", "8",
                "--dtype", "f16", "--causal", "bottom-right", "--backends", "java_reference,BLAS", "--no-sgemm",
                "--json", json.toString(), "--out-dir", dir.resolve("bench-f16-out").toString());
        assertEquals(0, r.code(), r.err());
        List<?> records = (List<?>) ReadJson.parse(Files.readString(json));
        assertEquals(2, records.size());
        Map<?, ?> blas = (Map<?, ?>) records.get(1);
        assertEquals("BLAS", blas.get("backend"));
        assertNotEquals("ok", blas.get("status"));
        assertTrue(blas.containsKey("error"));
        assertEquals(20.0, blas.get("seqK"));
        assertTrue(r.out().contains("9x20"), r.out());
    }

    @Test
    void runPrintsDoctorThenBench() {
        Run r = run("run", "--seq", "5", "--heads", "1", "--head-dim", "8", "--no-sgemm",
                "--out-dir", dir.resolve("run-out").toString());
        assertEquals(0, r.code(), r.err());
        // doctor's FMA peaks print GFLOP/s too: the bench table's own header marks where bench starts
        assertTrue(r.out().indexOf("CUDA:") >= 0 && r.out().indexOf("CUDA:") < r.out().indexOf("median ms"), r.out());
    }
}

package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import panama.attention.Attention;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CausalMode;
import panama.attention.measure.Timer;

/**
 * bench's --full and --out-dir: option parsing (the sweep itself is never run here), and the
 * CSV, JSON and PNG a tiny run writes. Timings are never asserted.
 */
class BenchTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void quickTimer() {
        QuickTiming.install();
    }

    @AfterAll
    static void defaultTimer() {
        QuickTiming.restore();
    }

    @Test
    void fullSweepsSeqHeadDimAndCausal() throws CliException {
        Bench.Config c = Bench.parse("bench", new String[] {"--full"});
        assertTrue(c.full());
        assertEquals(List.of(256, 512, 1024, 2048, 4096, 8192), c.seqs());
        assertEquals(List.of(64, 128), c.headDims());
        assertEquals(List.of(CausalMode.NONE, CausalMode.BOTTOM_RIGHT), c.causals());
        assertNull(c.backends(), "every available backend");
        assertEquals(Path.of("bench-results"), c.outDir());

        // the other options still apply
        c = Bench.parse("bench", new String[] {"--full", "--backends", "native_cpu,JAVA-VECTOR,java_triple_loop",
            "--threads", "1", "--out-dir=" + dir, "--no-sgemm", "--heads", "4", "--kv-heads", "2"});
        assertEquals(List.of("NATIVE_CPU", "JAVA_VECTOR", Bench.TRIPLE_LOOP), c.backends());
        assertEquals(1, c.threads());
        assertEquals(dir, c.outDir());
        assertEquals(2, c.kvHeads());
        assertTrue(!c.sgemm());
    }

    @Test
    void withoutFullTheOldOptionsMeanWhatTheyDid() throws CliException {
        Bench.Config c = Bench.parse("bench", new String[] {"--seq", "5,9", "--head-dim", "40", "--causal", "top-left"});
        assertTrue(!c.full());
        assertEquals(List.of(5, 9), c.seqs());
        assertEquals(List.of(40), c.headDims());
        assertEquals(List.of(CausalMode.TOP_LEFT), c.causals());
        c = Bench.parse("bench", new String[0]);
        assertEquals(List.of(256, 512, 1024), c.seqs());
        assertEquals(List.of(64), c.headDims());
        assertEquals(List.of(CausalMode.NONE), c.causals());
    }

    @Test
    void fullRefusesWhatItSweeps() {
        for (String[] args : new String[][] {
            {"--full", "--seq", "256"},
            {"--full", "--head-dim", "64"},
            {"--causal", "none", "--full"},
            {"--full=yes"},
            {"--full", "--full"},
            {"--out-dir"},
            {"--out-dir", ""},
            {"--backends", "JAVA_TRIPLE_LOOP,TPU"},
        }) {
            CliException e = assertThrows(CliException.class, () -> Bench.parse("bench", args), String.join(" ", args));
            assertEquals(CliException.USAGE, e.exitCode(), e.getMessage());
        }
        CliException e = assertThrows(CliException.class, () -> Bench.parse("bench", new String[] {"--full", "--seq", "1"}));
        assertTrue(e.getMessage().contains("--full") && e.getMessage().contains("--seq"), e.getMessage());
    }

    @Test
    void weightsParseAndReachTheOptions() throws Exception {
        assertEquals(panama.attention.WeightPrecision.FP32, Bench.parse("bench", new String[0]).weights());
        Bench.Config c = Bench.parse("bench", new String[] {"--weights", "BF16", "--dtype", "bf16"});
        assertEquals(panama.attention.WeightPrecision.BF16, c.weights());
        assertEquals(panama.attention.WeightPrecision.BF16,
                Bench.serving(c, panama.attention.AttentionOptions.defaults()).weights());
        CliException e = assertThrows(CliException.class, () -> Bench.parse("bench", new String[] {"--weights", "fp16"}));
        assertTrue(e.getMessage().contains("neither fp32 nor bf16"), e.getMessage());
    }

    @Test
    void windowAndSoftcapReachEveryCallAndOnlyCapableBackendsRunThem() throws Exception {
        Bench.Config c = Bench.parse("bench", new String[] {"--window", "3,-1", "--softcap", "2.5"});
        assertEquals(new Args.Window(3, -1), c.window());
        assertEquals(2.5f, c.softcap());
        assertEquals(null, Bench.parse("bench", new String[0]).window());
        assertThrows(CliException.class, () -> Bench.parse("bench", new String[] {"--softcap", "-1"}));
        assertThrows(CliException.class, () -> Bench.parse("bench", new String[] {"--window", "1"}));

        Path out = dir.resolve("serving");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = Main.run(new String[] {"bench", "--seq", "33", "--heads", "2", "--head-dim", "16", "--causal",
                "bottom-right", "--window", "5,0", "--softcap", "4", "--backends",
                "native_cpu,java_reference,java_vector,java_triple_loop", "--no-sgemm", "--out-dir", out.toString()},
                    po, pe);
        }
        assertEquals(0, code, e.toString(StandardCharsets.UTF_8));
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        java.util.Map<String, String> status = new java.util.HashMap<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",", -1);
            status.put(f[0], f[11]);
        }
        assertEquals("unsupported", status.get("JAVA_VECTOR"), csv.toString());
        assertEquals("unsupported", status.get(Bench.TRIPLE_LOOP), csv.toString());
        assertEquals("ok", status.get("JAVA_REFERENCE"), csv.toString());
        if (Attention.backends().stream().anyMatch(b -> b.backend() == panama.attention.Backend.NATIVE_CPU && b.available())) {
            assertEquals("ok", status.get("NATIVE_CPU"), csv.toString()); // checked against the reference with the options
        }
    }

    @Test
    void aTinyRunWritesCsvJsonAndChart() throws Exception {
        Path out = dir.resolve("tiny");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = Main.run(new String[] {"bench", "--seq", "7,33", "--heads", "2", "--head-dim", "16",
                "--no-sgemm", "--out-dir", out.toString()}, po, pe);
        }
        String stdout = o.toString(StandardCharsets.UTF_8);
        String stderr = e.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr);
        List<String> names = new ArrayList<>();
        for (BackendStatus s : Attention.backends()) {
            if (s.available()) {
                names.add(s.backend().name());
            }
        }
        names.add(Bench.TRIPLE_LOOP);
        for (String n : names) {
            assertTrue(stdout.contains(n), n + " in the table:\n" + stdout);
        }
        assertTrue(stdout.contains("vs JAVA_VECTOR") && stdout.contains("vs ref"), stdout);
        assertTrue(stdout.contains("JAVA_VECTOR vs JAVA_TRIPLE_LOOP"), stdout);
        boolean nativeOn = names.contains("NATIVE_CPU");
        assertTrue(stdout.contains("% peak"), stdout);
        assertTrue(stdout.contains(nativeOn ? "FMA peak (measured): " : "FMA peak: not measured"), stdout);
        assertTrue(stdout.contains("wrote results.csv, results.json and chart.png to " + out), stdout);
        assertTrue(stderr.contains("[1/" + 2 * names.size() + "]"), "progress on stderr:\n" + stderr);

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(Bench.CSV_HEADER, csv.get(0));
        assertEquals(1 + 2 * names.size(), csv.size(), String.join("\n", csv));
        int columns = Bench.CSV_HEADER.split(",").length;
        int shareColumn = List.of(Bench.CSV_HEADER.split(",")).indexOf("peakShare");
        assertTrue(shareColumn > 0, Bench.CSV_HEADER);
        for (String line : csv.subList(1, csv.size())) {
            assertEquals(columns, line.split(",", -1).length, line);
            assertTrue(line.contains(",ok,"), line);
            assertEquals(nativeOn, !line.split(",", -1)[shareColumn].isEmpty(), line);
        }

        Map<?, ?> json = assertInstanceOf(Map.class, ReadJson.parse(Files.readString(out.resolve("results.json"))));
        assertInstanceOf(String.class, json.get("cpu"));
        assertTrue(json.containsKey("sgemmGflops"));
        Object peak = json.get("fmaPeakGflops");
        Object peak1 = json.get("fmaPeakGflops1Thread");
        if (nativeOn) {
            assertTrue(assertInstanceOf(Double.class, peak) > 0, json.toString());
            assertTrue(assertInstanceOf(Double.class, peak1) > 0, json.toString());
        } else {
            assertNull(peak);
        }
        List<?> results = assertInstanceOf(List.class, json.get("results"));
        assertEquals(2 * names.size(), results.size());
        for (Object x : results) {
            Map<?, ?> m = assertInstanceOf(Map.class, x);
            assertTrue(names.contains((String) m.get("backend")), m.toString());
            assertEquals("ok", m.get("status"), m.toString());
            assertInstanceOf(Double.class, m.get("gflops"));
            assertTrue((Double) m.get("relErr") <= 1e-5, m.toString());
            // every row of a shape JAVA_VECTOR ran has its speed-up over JAVA_VECTOR (1 for itself)
            assertInstanceOf(Double.class, m.get("speedupVsJavaVector"), m.toString());
            if (m.get("backend").equals("JAVA_VECTOR")) {
                assertEquals(1.0, (Double) m.get("speedupVsJavaVector"), 1e-12);
            }
            if (m.get("backend").equals(Bench.TRIPLE_LOOP)) {
                assertEquals(1.0, m.get("threads"));
            }
            // the share is the row's rate over the peak at the row's threads (1 for the naive loop)
            if (nativeOn) {
                Object rowPeak = m.get("backend").equals(Bench.TRIPLE_LOOP) ? peak1 : peak;
                assertEquals(rowPeak, m.get("peakGflops"), m.toString());
                assertEquals((Double) m.get("gflops") / (Double) rowPeak, (Double) m.get("peakShare"), 1e-12, m.toString());
            } else {
                assertNull(m.get("peakShare"), m.toString());
            }
        }

        BufferedImage png = ImageIO.read(out.resolve("chart.png").toFile());
        assertNotNull(png, "chart.png is a PNG");
        assertEquals(BenchChart.WIDTH, png.getWidth());
        assertTrue(png.getHeight() >= BenchChart.PANEL_HEIGHT);
    }

    @Test
    void theChartDrawsEveryPanelOfASweepAndTheSgemmLine() throws Exception {
        // The chart of a --full run without running it: rows of two head dims and causal modes.
        Bench.Config c = Bench.parse("bench", new String[] {"--full", "--no-sgemm"});
        List<Bench.Row> rows = new ArrayList<>();
        for (int d : c.headDims()) {
            for (CausalMode causal : c.causals()) {
                for (int seq : c.seqs()) {
                    panama.attention.measure.Workload.Shape s = new panama.attention.measure.Workload.Shape(1, 8, 8, seq, seq,
                            d, causal, panama.attention.DType.F32);
                    for (String b : new String[] {"NATIVE_CPU", "JAVA_VECTOR", "BLAS", Bench.TRIPLE_LOOP}) {
                        double ms = seq * (double) seq * d / (b.equals(Bench.TRIPLE_LOOP) ? 1e6 : 4e7);
                        rows.add(new Bench.Row(b, s, "ok", null, new panama.attention.measure.Workload.Check(1e-7, 1e-5, true),
                                new Timer.Result(ms, ms * 0.9, 5), s.flops() / (ms * 1e6)));
                    }
                }
            }
        }
        rows.add(new Bench.Row(Backend.JAVA_REFERENCE.name(), rows.get(0).shape(), "FAILED", "wrong", null, null, Double.NaN));
        Path png = dir.resolve("full.png");
        BenchChart.write(png, c, rows, 80.0, 160.0, Bench.title(c));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertEquals(170 + 4 * BenchChart.PANEL_HEIGHT, img.getHeight(), "one panel per head dim and causal mode");
    }
}

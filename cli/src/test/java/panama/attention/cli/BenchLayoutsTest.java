package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import panama.attention.Attention;
import panama.attention.Backend;

/**
 * bench's layout comparisons: --page-size, --varlen and --varlen-random parse and refuse what
 * they should, and a quick run of each prints its line (timings are never asserted).
 */
class BenchLayoutsTest {
    @BeforeAll
    static void quickTimer() {
        QuickTiming.install();
    }

    @AfterAll
    static void defaultTimer() {
        QuickTiming.restore();
    }

    @Test
    void theOptionsParse() throws CliException {
        assertNull(Bench.parse("bench", new String[0]).layouts());
        assertEquals(new BenchLayouts.Mode(16, null), Bench.parse("bench", new String[] {"--page-size", "16"}).layouts());
        assertEquals(new BenchLayouts.Mode(null, List.of(7, 1, 300)),
                Bench.parse("bench", new String[] {"--varlen", "7, 1,300"}).layouts());
        List<Integer> random = Bench.parse("bench", new String[] {"--varlen-random", "100,2000,16"}).layouts().varlen();
        assertEquals(16, random.size());
        assertTrue(random.stream().allMatch(x -> x >= 100 && x <= 2000), random.toString());
        assertTrue(random.stream().distinct().count() > 1, "not all one length: " + random);
        assertEquals(random, Bench.parse("bench", new String[] {"--varlen-random", "100,2000,16"}).layouts().varlen(),
                "seeded: the same lengths every run");
        assertEquals(List.of(5, 5), Bench.parse("bench", new String[] {"--varlen-random", "5,5,2"}).layouts().varlen());
    }

    @Test
    void badCombinationsAndValuesAreUsageErrors() {
        String[][] bad = {
            {"--page-size", "0"},
            {"--page-size", "16", "--varlen", "3,4"},
            {"--varlen", "3", "--varlen-random", "1,2,3"},
            {"--page-size", "16", "--full"},
            {"--varlen", "3,0"},
            {"--varlen", "3,x"},
            {"--varlen-random", "1,2"},
            {"--varlen-random", "10,5,3"},
            {"--varlen-random", "0,5,3"},
            {"--varlen-random", "1,5,0"},
        };
        for (String[] args : bad) {
            CliException e = assertThrows(CliException.class, () -> Bench.parse("bench", args), String.join(" ", args));
            assertEquals(2, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().startsWith("bench: "), e.getMessage());
        }
        CliException e = assertThrows(CliException.class,
                () -> Bench.parse("bench", new String[] {"--page-size", "4", "--varlen-random", "1,2,3"}));
        assertTrue(e.getMessage().contains("--page-size and --varlen-random"), e.getMessage());
        e = assertThrows(CliException.class, () -> Bench.parse("bench", new String[] {"--varlen-random", "10,5,3"}));
        assertTrue(e.getMessage().contains("MAX"), e.getMessage());
    }

    @Test
    void quantilesInterpolate() {
        double[] xs = {4, 1, 3, 2};
        assertEquals(2.5, BenchLayouts.quantile(xs, 0.5), 1e-12);
        assertEquals(1.75, BenchLayouts.quantile(xs, 0.25), 1e-12);
        assertEquals(4, BenchLayouts.quantile(xs, 1), 1e-12);
        assertEquals(1, BenchLayouts.quantile(new double[] {1}, 0.75), 1e-12);
    }

    private static boolean nativeOn() {
        return Attention.backends().stream().anyMatch(b -> b.backend() == Backend.NATIVE_CPU && b.available());
    }

    private static String run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, po, pe);
        }
        String out = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out + e.toString(StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void aQuickPagedRunPrintsBothSidesAndTheirRatio() {
        assumeTrue(nativeOn(), "NATIVE_CPU is off here");
        // odd sizes: 37 keys in pages of 7 (the last one partial), GQA, head dim 24
        String out = run("bench", "--page-size", "7", "--seq", "37", "--batch", "3", "--heads", "4", "--kv-heads", "2",
                "--head-dim", "24", "--threads", "2");
        assertTrue(out.contains("decode through pages of 7: batch 3, heads 4 (kv 2), cache 37, d24"), out);
        assertTrue(out.contains("contiguous ") && out.contains(" ms, paged ") && out.contains("paged speed / contiguous"),
                out);
        assertTrue(out.contains("paged rows bitwise = contiguous"), out);
        assertTrue(out.contains("(median of 3 rounds [quartiles])"), out);
    }

    @Test
    void aQuickVarlenRunPrintsUsefulAndComputedRates() {
        assumeTrue(nativeOn(), "NATIVE_CPU is off here");
        String out = run("bench", "--varlen", "1,7,40", "--heads", "2", "--head-dim", "20", "--causal", "bottom-right",
                "--threads", "1");
        assertTrue(out.contains("varlen 3 sequences (1..40, 48 tokens): heads 2 (kv 2), d20, causal bottom-right"), out);
        assertTrue(out.contains("GFLOP/s (useful FLOPs)") && out.contains("GFLOP/s (computed FLOPs"), out);
        assertTrue(out.contains("GFLOP/s packed / padded") && out.contains("packed speed-up over padded"), out);
        // against both padded layouts: heads-first, and the packed batch's own interleaved heads
        assertTrue(out.contains("padded [n, heads, max, d] ") && out.contains("padded [n, max, heads, d] "), out);
        assertFalse(out.contains("FAILED"), out);
        out = run("bench", "--varlen-random", "3,30,4", "--heads", "2", "--head-dim", "8", "--threads", "1");
        assertTrue(out.contains("varlen 4 sequences ("), out);
    }
}

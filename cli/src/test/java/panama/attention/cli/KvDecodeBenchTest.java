package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import panama.attention.KvDtype;

/** bench --kv-dtype: parsing, the bytes it counts, and a tiny run (timings are never asserted). */
class KvDecodeBenchTest {
    @BeforeAll
    static void quickTimer() {
        QuickTiming.install();
    }

    @AfterAll
    static void defaultTimer() {
        QuickTiming.restore();
    }

    @Test
    void parsesTheListAndTheDecodeDefaults() throws CliException {
        Bench.Config c = Bench.parse("bench", new String[] {"--kv-dtype", "f32,I8"});
        assertEquals(List.of(KvDtype.F32, KvDtype.I8), c.kvDtypes());
        assertTrue(c.kvDecode());
        assertEquals(32, c.heads(), "decode's default shape: 32 heads");
        assertEquals(List.of(128), c.headDims());
        assertEquals(List.of(KvDecodeBench.DEFAULT_SEQ), c.seqs());

        c = Bench.parse("bench", new String[] {"--kv-dtype", "bf16", "--heads", "4", "--head-dim", "72", "--seq", "7,300"});
        assertEquals(List.of(KvDtype.BF16), c.kvDtypes());
        assertEquals(4, c.heads());
        assertEquals(List.of(72), c.headDims());
        assertEquals(List.of(7, 300), c.seqs());

        Bench.Config plain = Bench.parse("bench", new String[0]);
        assertNull(plain.kvDtypes());
        assertEquals(8, plain.heads(), "the table's defaults are unchanged");
        assertEquals(List.of(64), plain.headDims());
    }

    @Test
    void refusesWhatDecodeDoesNotTake() {
        String[][] bad = {
            {"--kv-dtype", "q4"}, {"--kv-dtype", "i8,i8"}, {"--kv-dtype", ""}, {"--kv-dtype"},
            {"--kv-dtype", "i8", "--backends", "blas"}, {"--kv-dtype", "i8", "--full"},
            {"--kv-dtype", "i8", "--kv-seq", "8"}, {"--kv-dtype", "i8", "--causal", "none"},
            {"--kv-dtype", "i8", "--window", "1,1"}, {"--kv-dtype", "i8", "--softcap", "2"},
            {"--kv-dtype", "i8", "--dtype", "f16"}, {"--kv-dtype", "i8", "--json", "x.json"},
            {"--kv-dtype", "i8", "--weights", "bf16"},
        };
        for (String[] args : bad) {
            CliException e = assertThrows(CliException.class, () -> Bench.parse("bench", args), String.join(" ", args));
            assertEquals(CliException.USAGE, e.exitCode(), e.getMessage());
        }
        CliException e = assertThrows(CliException.class,
                () -> Bench.parse("bench", new String[] {"--kv-dtype", "i8", "--backends", "blas"}));
        assertTrue(e.getMessage().contains("--kv-dtype does not take --backends"), e.getMessage());
    }

    @Test
    void countsTheBytesEachTypeReads() {
        // 2 (K and V) x 3 tokens x 5 kv heads x 2 batch x 40 elements
        assertEquals(2L * 30 * 40 * 4, KvDecodeBench.bytesRead(KvDtype.F32, 2, 5, 3, 40));
        assertEquals(2L * 30 * 40 * 2, KvDecodeBench.bytesRead(KvDtype.BF16, 2, 5, 3, 40));
        assertEquals(2L * 30 * 40 + 2L * 30 * 4, KvDecodeBench.bytesRead(KvDtype.I8, 2, 5, 3, 40), "plus the fp32 scales");
        // ‖(1, 1) - (2, 0)‖ / ‖(2, 0)‖ = √2 / 2
        assertEquals(Math.sqrt(2) / 2, KvDecodeBench.relativeError(new float[] {1, 1}, new float[] {2, 0}), 1e-12);
        assertEquals(2.5, KvDecodeBench.median(new double[] {4, 1, 2, 3}));
    }

    @Test
    void aQuickRunPrintsEveryTypeWithItsErrorAndShare() {
        assumeTrue(Attention.backends().stream().anyMatch(b -> b.backend() == Backend.NATIVE_CPU && b.available()),
                "NATIVE_CPU is off here");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = Main.run(new String[] {"bench", "--kv-dtype", "f32,f16,bf16,i8", "--seq", "7,300", "--heads", "4",
                "--kv-heads", "2", "--head-dim", "40", "--threads", "2"}, po, pe);
        }
        String text = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, e.toString(StandardCharsets.UTF_8) + text);
        assertTrue(text.contains("read bandwidth (memchr"), text);
        for (String t : new String[] {"f32", "f16", "bf16", "i8"}) {
            for (String seq : new String[] {"7", "300"}) {
                String line = text.lines().filter(l -> l.matches(t + " +" + seq + " .*")).findFirst().orElse(null);
                assertTrue(line != null, t + " at " + seq + " missing from\n" + text);
                String[] f = line.trim().split(" +");
                double err = Double.parseDouble(f[7]);
                // int8's error at d 40 is a few 1e-3; f32 is the kernel's own error alone
                assertTrue(err < (t.equals("f32") ? 1e-5 : 2e-2), line);
                assertTrue(f[6].endsWith("%") && f[8].endsWith("x"), line);
            }
        }
    }
}

package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JAVA_VECTOR at every species width the CPU runs natively (128 bits up to the preferred one): the
 * strip (4 vectors) and so every tail of the tile differs per width, and the species is fixed per
 * JVM, so a child JVM with {@code -Dpanattn.vector.bits} runs {@link VectorWidthProbe}. Wider
 * species than the preferred one would run the Vector API's slow Java fallback.
 */
class JavaVectorWidthsTest {
    static IntStream widths() {
        return IntStream.of(128, 256, 512).filter(b -> b <= FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("widths")
    void everyWidthMatchesTheOracle(int bits, @TempDir Path tmp) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--add-modules", "jdk.incubator.vector", "-Dpanattn.vector.bits=" + bits,
                "-cp", System.getProperty("java.class.path")));
        for (String prop : new String[] {"panattn.cache.dir", "panattn.native.build", "panattn.root"}) {
            String v = System.getProperty(prop);
            if (v != null) {
                cmd.add("-D" + prop + "=" + v);
            }
        }
        cmd.add(VectorWidthProbe.class.getName());
        Path stdout = tmp.resolve("out.txt");
        Path stderr = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish");
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> "child failed:\n" + out + err);
        assertTrue(out.contains("species: Vector API, " + bits + "-bit species"), out);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("FAIL")), out);
        int cases = Integer.parseInt(out.lines().filter(l -> l.startsWith("cases: ")).findFirst()
                .orElseThrow().substring(7).trim());
        assertTrue(cases >= 80, "only " + cases + " cases ran:\n" + out);
    }
}

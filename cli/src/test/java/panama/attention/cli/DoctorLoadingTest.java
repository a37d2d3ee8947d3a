package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code doctor} in a child JVM without OpenBLAS (an explicit path to nowhere, and the bundled
 * org.bytedeco:openblas jar left off the class path): BLAS is off with the reason, the other
 * backends stay on, and doctor still succeeds (library loading end to end). CUDA, off on a machine without a
 * GPU, says why on its own line.
 */
class DoctorLoadingTest {
    @Test
    void doctorShowsBlasOffWithTheReasonWhenOpenBlasIsMissing(@TempDir Path tmp) throws Exception {
        for (String p : new String[] {"/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "/usr/lib64/libopenblas.so.0",
            "/usr/local/lib/libopenblas.so.0"}) {
            assumeTrue(!Files.exists(Path.of(p)), "a system OpenBLAS (" + p + ") would be found anyway");
        }
        String cp = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("openblas")).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "-Dpanattn.openblas.path=/nonexistent/libopenblas.so.0",
                "-Dpanattn.cache.dir=" + tmp.resolve("cache"),
                Main.class.getName(), "doctor"));
        Path out = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "doctor did not finish");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        String blas = text.lines().filter(l -> l.strip().startsWith("BLAS ")).findFirst().orElse("");
        assertTrue(blas.matches("\\s*BLAS\\s+off\\s+.*") && blas.contains("/nonexistent/libopenblas.so.0"),
                "doctor's BLAS line: " + blas + "\n" + text);
        assertTrue(text.lines().anyMatch(l -> l.matches("\\s*NATIVE_CPU\\s+on\\s+.*")), text);
        text.lines().filter(l -> l.matches("\\s*CUDA\\s+off\\s*.*")).findFirst()
                .ifPresent(l -> assertTrue(l.replaceFirst("\\s*CUDA\\s+off", "").strip().length() > 5, "CUDA off says why: " + l));
    }
}

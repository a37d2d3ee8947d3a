package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a child JVM on this test's class path, with this JVM's library-location
 * properties: for what is fixed per JVM (the Vector API's species, whether its module is there).
 */
final class ChildJvm {
    /** What the child printed, and how it ended. */
    record Result(int exitValue, String out, String err) {
    }

    private ChildJvm() {
    }

    /**
     * Runs {@code main} with the JVM options {@code jvmOptions} (before the class path), waits at most
     * {@code timeoutSeconds}, and returns its output; stdout and stderr go through files in tmp so a
     * chatty child cannot block on a full pipe.
     */
    static Result run(Class<?> main, List<String> jvmOptions, int timeoutSeconds, Path tmp) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        for (String prop : new String[] {"panattn.cache.dir", "panattn.native.build", "panattn.root"}) {
            String v = System.getProperty(prop);
            if (v != null) {
                cmd.add("-D" + prop + "=" + v);
            }
        }
        cmd.add(main.getName());
        Path stdout = tmp.resolve("out.txt");
        Path stderr = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("child JVM running " + main.getSimpleName() + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}

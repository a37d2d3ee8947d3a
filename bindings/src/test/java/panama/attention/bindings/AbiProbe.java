package panama.attention.bindings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The C compiler's view of the params struct, from {@code panattn_abi_probe} (native/tools):
 * lines {@code sizeof <type> <bytes>} and {@code offsetof <struct> <field> <bytes>}.
 */
record AbiProbe(Map<String, Long> sizes, Map<String, Map<String, Long>> offsets) {

    /** Runs the probe from the native build directory; fails with what to run when it is missing. */
    static AbiProbe run(Path buildDir) {
        Path exe = buildDir.resolve("panattn_abi_probe");
        if (!Files.isExecutable(exe)) {
            throw new IllegalStateException(exe + " does not exist; build native first "
                    + "(mvn -pl bindings generate-resources, or cmake --build <build> --target panattn_abi_probe)");
        }
        try {
            Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(exe + " failed:\n" + out);
            }
            return parse(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + exe, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static AbiProbe parse(String output) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, Map<String, Long>> offsets = new LinkedHashMap<>();
        for (String line : output.split("\\R")) {
            String[] w = line.strip().split("\\s+");
            if (w.length == 3 && w[0].equals("sizeof")) {
                sizes.put(w[1], Long.parseLong(w[2]));
            } else if (w.length == 4 && w[0].equals("offsetof")) {
                offsets.computeIfAbsent(w[1], k -> new LinkedHashMap<>()).put(w[2], Long.parseLong(w[3]));
            } else if (!line.isBlank()) {
                throw new IllegalStateException("unexpected probe line: " + line);
            }
        }
        return new AbiProbe(sizes, offsets);
    }

    /** Field names of {@code struct} in the order the probe lists them. */
    List<String> fields(String struct) {
        return new ArrayList<>(offsets.getOrDefault(struct, Map.of()).keySet());
    }
}

package panama.attention.bindings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --include-*} lists of each {@code run_jextract <header class> <header> ...} call in
 * bindings/jextract.sh, so the drift test can check that regenerating would keep every symbol.
 */
record JextractScript(Map<String, Map<String, List<String>>> includes) {

    static JextractScript parse(String script) {
        Map<String, Map<String, List<String>>> includes = new LinkedHashMap<>();
        for (String line : script.replace("\\\n", " ").split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w.length < 2 || !w[0].equals("run_jextract")) {
                continue;
            }
            Map<String, List<String>> kinds = new LinkedHashMap<>();
            for (int i = 2; i < w.length - 1; i++) {
                if (w[i].startsWith("--include-")) {
                    kinds.computeIfAbsent(w[i].substring("--include-".length()), k -> new ArrayList<>()).add(w[++i]);
                }
            }
            if (includes.put(w[1], kinds) != null) {
                throw new IllegalStateException("jextract.sh generates " + w[1] + " twice");
            }
        }
        return new JextractScript(includes);
    }

    /** Names passed as {@code --include-<kind>} when generating {@code headerClass}. */
    List<String> names(String headerClass, String kind) {
        Map<String, List<String>> kinds = includes.get(headerClass);
        if (kinds == null) {
            throw new IllegalStateException("jextract.sh has no run_jextract " + headerClass);
        }
        return kinds.getOrDefault(kind, List.of());
    }
}

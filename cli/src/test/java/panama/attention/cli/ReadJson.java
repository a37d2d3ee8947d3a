package panama.attention.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads what {@code bench} writes as JSON (tests only): objects as maps, arrays as lists, every number a Double. */
final class ReadJson {
    private ReadJson() {
    }

    static Object parse(String text) throws IOException {
        return doubles(JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS).anyFrom(text));
    }

    /** JSON has one number type: the tests compare all of them as doubles, whatever jackson-jr picked. */
    private static Object doubles(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, doubles(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(doubles(x)));
            return out;
        }
        return v;
    }
}

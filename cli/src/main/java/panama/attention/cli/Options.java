package panama.attention.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The parsed {@code --name value}, {@code --name=value} and {@code --flag} options of one
 * sub-command. Every mistake (unknown option, missing value, repeated option, stray argument,
 * malformed number) is a usage error naming the option.
 */
final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Options(String command) {
        this.command = command;
    }

    /**
     * @param valued options that take a value (without the leading dashes)
     * @param flags options that take none
     */
    static Options parse(String command, String[] args, Set<String> valued, Set<String> flags) throws CliException {
        Options o = new Options(command);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw CliException.usage(command + ": unexpected argument '" + a + "' (options are --name value)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw CliException.usage(command + ": option --" + name + " takes no value");
                }
                value = "true";
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw CliException.usage(command + ": option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
            } else {
                throw CliException.usage(command + ": unknown option --" + name + " (see 'help')");
            }
            if (o.values.put(name, value) != null) {
                throw CliException.usage(command + ": option --" + name + " given twice");
            }
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name) {
        return values.get(name);
    }

    String require(String name) throws CliException {
        String v = values.get(name);
        if (v == null) {
            throw CliException.usage(command + ": missing required option --" + name);
        }
        return v;
    }

    /** A whole number ≥ min, or def when absent. */
    int intValue(String name, int def, int min) throws CliException {
        String v = values.get(name);
        return v == null ? def : parseInt(name, v, min);
    }

    int parseInt(String name, String v, int min) throws CliException {
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(command + ": --" + name + " '" + v + "' is not a whole number");
        }
        if (n < min) {
            throw CliException.usage(command + ": --" + name + " is " + n + ", must be at least " + min);
        }
        return n;
    }

    /** Comma-separated whole numbers ≥ min. */
    List<Integer> intList(String name, List<Integer> def, int min) throws CliException {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            out.add(parseInt(name, part, min));
        }
        return out;
    }

    /** A finite number, or def when absent. */
    float floatValue(String name, float def) throws CliException {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        float f;
        try {
            f = Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(command + ": --" + name + " '" + v + "' is not a number");
        }
        if (!Float.isFinite(f)) {
            throw CliException.usage(command + ": --" + name + " must be a finite number, got '" + v + "'");
        }
        return f;
    }

    /** An enum-like value through its own parser, whose IllegalArgumentException becomes a usage error. */
    <T> T choice(String name, T def, Function<String, T> parser) throws CliException {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        try {
            return parser.apply(v);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(command + ": --" + name + ": " + e.getMessage());
        }
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

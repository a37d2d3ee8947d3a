package panama.attention.bindings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small parser for the plain C headers we bind: object-like {@code #define}s, prototypes,
 * struct bodies and enum constants. Not a C compiler: it handles what our headers and
 * OpenBLAS's cblas.h contain (function pointers only through a typedef, no nested structs),
 * and throws rather than guess on anything else.
 */
final class CHeader {

    /** A prototype parameter; {@code name} is empty when the header leaves it unnamed. */
    record Param(String type, String name) { }

    /** A prototype. Types keep their qualifiers; identifier-only macros are already expanded. */
    record Function(String name, String returnType, List<Param> params) {
        @Override
        public String toString() {
            List<String> ps = params.stream().map(p -> (p.type + " " + p.name).trim()).toList();
            return returnType + " " + name + "(" + (ps.isEmpty() ? "void" : String.join(", ", ps)) + ")";
        }
    }

    /** A struct member. */
    record Field(String type, String name) { }

    private static final Pattern INTEGER = Pattern.compile(
            "\\(?\\s*([-+]?)\\s*(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*\\s*\\)?");
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_]\\w*");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z_]\\w*|\\*|\\[[^\\]]*\\]");
    private static final Pattern ANY_TOKEN = Pattern.compile("[A-Za-z_]\\w*|\\.\\.\\.|\\[[^\\]]*\\]|\\S");
    private static final Set<String> QUALIFIERS = Set.of("const", "volatile", "restrict", "__restrict",
            "extern", "static", "inline");
    private static final Set<String> TYPE_WORDS = Set.of("void", "char", "short", "int", "long", "float",
            "double", "signed", "unsigned", "_Bool", "enum", "struct", "union");

    private static final Pattern IFNDEF = Pattern.compile("ifndef\\s+(\\w+)\\s*");
    private static final Pattern DEFINE = Pattern.compile("define\\s+(\\w+)(?:\\s+(.*))?");

    private final Map<String, String> defines;
    private final Set<String> includeGuards;
    private final String code;

    private CHeader(Map<String, String> defines, Set<String> includeGuards, String code) {
        this.defines = defines;
        this.includeGuards = includeGuards;
        this.code = code;
    }

    /** Parses header text: comments stripped, continuation lines joined, directives set aside. */
    static CHeader parse(String text) {
        String noComments = stripComments(text).replace("\\\r\n", " ").replace("\\\n", " ");
        Map<String, String> defines = new LinkedHashMap<>();
        Set<String> guards = new LinkedHashSet<>();
        StringBuilder code = new StringBuilder();
        String pendingIfndef = null;   // an #ifndef X directly followed by #define X is a guard
        for (String raw : noComments.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("#")) {
                code.append(line).append(' ');
                pendingIfndef = null;
                continue;
            }
            String directive = line.substring(1).strip();
            Matcher ifndef = IFNDEF.matcher(directive);
            Matcher define = DEFINE.matcher(directive);
            if (ifndef.matches()) {
                pendingIfndef = ifndef.group(1);
                continue;
            }
            if (define.matches()) {   // function-like macros (NAME(...)) never match: the name must be followed by a space
                String name = define.group(1);
                String value = define.group(2) == null ? "" : define.group(2).strip();
                if (name.equals(pendingIfndef) && value.isEmpty()) {
                    guards.add(name);
                }
                String previous = defines.put(name, value);
                if (previous != null && integerValue(previous).isPresent() && !previous.equals(value)) {
                    throw new IllegalStateException("#define " + name + " has two values: " + previous + ", " + value);
                }
            }
            pendingIfndef = null;
        }
        return new CHeader(defines, guards, code.toString().replaceAll("\\s+", " "));
    }

    static String stripComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated comment at offset " + i);
                }
                // keep line structure so directives stay on their own lines
                text.substring(i, end + 2).chars().filter(c -> c == '\n').forEach(c -> out.append('\n'));
                out.append(' ');
                i = end + 2;
            } else if (text.startsWith("//", i)) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
            } else if (text.charAt(i) == '"') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != '"') {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                out.append(text, i, Math.min(end + 1, text.length()));
                i = end + 1;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    static Optional<Long> integerValue(String macroValue) {
        Matcher m = INTEGER.matcher(macroValue.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        String digits = m.group(2);
        long v = digits.startsWith("0x") || digits.startsWith("0X")
                ? Long.parseUnsignedLong(digits.substring(2), 16)
                : Long.parseLong(digits);
        return Optional.of("-".equals(m.group(1)) ? -v : v);
    }

    /** Every object-like macro with its (possibly empty) replacement text. */
    Map<String, String> defines() {
        return defines;
    }

    /** Macros with an integer value, in header order, minus include guards and {@code excluded}. */
    Map<String, Long> integerConstants(Set<String> excluded) {
        Map<String, Long> result = new LinkedHashMap<>();
        defines.forEach((name, value) -> {
            if (!includeGuards.contains(name) && !excluded.contains(name)) {
                integerValue(value).ifPresent(v -> result.put(name, v));
            }
        });
        return result;
    }

    /** Every prototype {@code <apiMacro> <ret> <name>(<params>);}, in header order. */
    List<Function> functions(String apiMacro) {
        Pattern p = Pattern.compile("\\b" + Pattern.quote(apiMacro)
                + "\\s+([^;{}()]*?)\\b([A-Za-z_]\\w*)\\s*\\(([^()]*)\\)\\s*;");
        List<Function> result = new ArrayList<>();
        Matcher m = p.matcher(code);
        while (m.find()) {
            result.add(function(m.group(2), m.group(1), m.group(3)));
        }
        return result;
    }

    /** The prototype of {@code name} anywhere in the header (for headers without an API macro). */
    Optional<Function> function(String name) {
        Pattern p = Pattern.compile("(?:^|[;{}])\\s*([^;{}()]*?)\\b" + Pattern.quote(name)
                + "\\s*\\(([^()]*)\\)\\s*;");
        Matcher m = p.matcher(code);
        if (!m.find()) {
            return Optional.empty();
        }
        Function f = function(name, m.group(1), m.group(2));
        if (m.find()) {
            throw new IllegalStateException(name + " is declared twice");
        }
        return Optional.of(f);
    }

    private Function function(String name, String returnType, String paramText) {
        String ret = normalise(expand(returnType));
        List<Param> params = new ArrayList<>();
        String expanded = normalise(expand(paramText));
        if (!expanded.isEmpty() && !expanded.equals("void")) {
            for (String p : expanded.split(",")) {
                params.add(param(p.strip(), name));
            }
        }
        return new Function(name, ret, List.copyOf(params));
    }

    private static Param param(String text, String function) {
        if (text.equals("...")) {
            throw new IllegalStateException(function + " is variadic; jextract would make it an invoker");
        }
        if (text.contains("(")) {
            throw new IllegalStateException(function + ": function-pointer parameter not supported: " + text);
        }
        List<String> tokens = TOKEN.matcher(text).results().map(MatchResult::group).toList();
        String last = tokens.getLast();
        long typeWordsBefore = tokens.subList(0, tokens.size() - 1).stream()
                .filter(t -> IDENT.matcher(t).matches() && !QUALIFIERS.contains(t)).count();
        boolean named = IDENT.matcher(last).matches() && !TYPE_WORDS.contains(last) && typeWordsBefore > 0
                && !(tokens.size() >= 2 && tokens.get(tokens.size() - 2).matches("enum|struct|union"));
        if (!named) {
            return new Param(join(tokens), "");
        }
        return new Param(join(tokens.subList(0, tokens.size() - 1)), last);
    }

    /** Tags of every struct defined (with a body) in the header, in order. */
    List<String> structTags() {
        return Pattern.compile("\\bstruct\\s+([A-Za-z_]\\w*)\\s*\\{").matcher(code).results()
                .map(m -> m.group(1)).toList();
    }

    /** The members of {@code struct <tag> { ... }}, in order. */
    List<Field> structFields(String tag) {
        Matcher m = Pattern.compile("\\bstruct\\s+" + Pattern.quote(tag) + "\\s*\\{").matcher(code);
        if (!m.find()) {
            throw new IllegalStateException("no definition of struct " + tag);
        }
        int close = code.indexOf('}', m.end());
        String body = code.substring(m.end(), close);
        if (body.contains("{")) {
            throw new IllegalStateException("struct " + tag + ": nested struct/union members not supported");
        }
        List<Field> fields = new ArrayList<>();
        for (String decl : body.split(";")) {
            String d = normalise(expand(decl));
            if (d.isEmpty()) {
                continue;
            }
            if (d.contains(",") || d.contains("(") || d.contains(":")) {
                throw new IllegalStateException("struct " + tag + ": unsupported member declaration: " + d);
            }
            Param p = param(d, "struct " + tag);
            if (p.name().isEmpty()) {
                throw new IllegalStateException("struct " + tag + ": unnamed member: " + d);
            }
            fields.add(new Field(p.type(), p.name()));
        }
        return fields;
    }

    /** Enumerators of every {@code enum} body, with C's implicit +1 numbering. */
    Map<String, Long> enumConstants() {
        Map<String, Long> result = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\benum\\s*\\w*\\s*\\{([^}]*)\\}").matcher(code);
        while (m.find()) {
            long next = 0;
            for (String item : m.group(1).split(",")) {
                String s = item.strip();
                if (s.isEmpty()) {
                    continue;
                }
                String[] kv = s.split("=", 2);
                long value = kv.length == 2
                        ? integerValue(kv[1]).orElseThrow(() -> new IllegalStateException("enum value not an integer: " + s))
                        : next;
                result.put(kv[0].strip(), value);
                next = value + 1;
            }
        }
        return result;
    }

    /** Names introduced by {@code typedef <ret> (*NAME)(<params>);}: jextract makes each a class of its own. */
    Set<String> functionPointerTypedefs() {
        Set<String> result = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\btypedef\\s+[^;{}()]*\\(\\s*\\*\\s*([A-Za-z_]\\w*)\\s*\\)\\s*\\([^()]*\\)\\s*;")
                .matcher(code);
        while (m.find()) {
            result.add(m.group(1));
        }
        return result;
    }

    /** Names introduced by {@code typedef enum ... NAME;}. */
    Set<String> enumTypedefs() {
        Set<String> result = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\btypedef\\s+enum\\s*\\w*\\s*\\{[^}]*\\}\\s*(\\w+)\\s*;").matcher(code);
        while (m.find()) {
            result.add(m.group(1));
        }
        return result;
    }

    /** Replaces macros whose replacement is only identifiers (OPENBLAS_CONST -> const, FOO_API -> ""). */
    private String expand(String text) {
        String result = text;
        for (Map.Entry<String, String> e : defines.entrySet()) {
            if (e.getValue().matches("(\\s*[A-Za-z_]\\w*)*\\s*")) {
                result = result.replaceAll("\\b" + Pattern.quote(e.getKey()) + "\\b",
                        Matcher.quoteReplacement(e.getValue()));
            }
        }
        return result;
    }

    /** Collapses whitespace token-wise: {@code "const  float*x"} becomes {@code "const float * x"}. */
    private static String normalise(String text) {
        return join(ANY_TOKEN.matcher(text).results().map(MatchResult::group).toList());
    }

    /** Joins tokens with single spaces, none before {@code ,} or {@code [}. */
    private static String join(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            if (!sb.isEmpty() && !t.equals(",") && !t.startsWith("[")) {
                sb.append(' ');
            }
            sb.append(t);
        }
        return sb.toString();
    }
}

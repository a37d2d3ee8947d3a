package panama.attention.bindings;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares a parsed C header with a jextract-shaped header class. Every method returns the list of
 * differences, one sentence each naming the function, the parameter and both sides; an empty list
 * means no drift. Pure (no native code), so it is unit-tested on edited header text.
 */
final class DriftCheck {

    private DriftCheck() {
    }

    /** Differences between two name sets, e.g. header functions and bound wrappers. */
    static List<String> compareNames(String what, String leftName, Collection<String> left,
                                     String rightName, Collection<String> right) {
        List<String> problems = new ArrayList<>();
        Set<String> onlyLeft = new TreeSet<>(left);
        onlyLeft.removeAll(right);
        Set<String> onlyRight = new TreeSet<>(right);
        onlyRight.removeAll(left);
        if (!onlyLeft.isEmpty()) {
            problems.add(what + " in " + leftName + " but missing from " + rightName + ": " + onlyLeft);
        }
        if (!onlyRight.isEmpty()) {
            problems.add(what + " in " + rightName + " but not in " + leftName + ": " + onlyRight);
        }
        return problems;
    }

    /** The C prototype against the binding's FunctionDescriptor: arity, carriers and sizes. */
    static List<String> compareDescriptor(CHeader.Function c, FunctionDescriptor d, CTypes types) {
        List<String> problems = new ArrayList<>();
        Optional<CTypes.JavaType> ret = types.map(c.returnType());
        if (ret.isEmpty()) {
            problems.add(c.name() + ": return: cannot map C type `" + c.returnType() + "`");
        } else if (ret.get() == CTypes.JavaType.VOID) {
            d.returnLayout().ifPresent(l -> problems.add(c.name() + ": return: C type `void`, but the descriptor returns "
                    + CTypes.JavaType.describe(l)));
        } else if (d.returnLayout().isEmpty()) {
            problems.add(c.name() + ": return: C type `" + c.returnType() + "` needs " + ret.get()
                    + ", but the descriptor returns void");
        } else if (!ret.get().matches(d.returnLayout().get())) {
            problems.add(c.name() + ": return: C type `" + c.returnType() + "` needs " + ret.get()
                    + ", descriptor has " + CTypes.JavaType.describe(d.returnLayout().get()));
        }
        List<MemoryLayout> args = d.argumentLayouts();
        if (args.size() != c.params().size()) {
            problems.add(c.name() + ": parameter count: header has " + c.params().size() + " " + paramNames(c)
                    + ", descriptor has " + args.size() + " " + args.stream().map(CTypes.JavaType::describe).toList());
        }
        for (int i = 0; i < Math.min(args.size(), c.params().size()); i++) {
            CHeader.Param p = c.params().get(i);
            Optional<CTypes.JavaType> expected = types.map(p.type());
            if (expected.isEmpty()) {
                problems.add(c.name() + ": parameter " + i + " (" + p.name() + "): cannot map C type `" + p.type() + "`");
            } else if (!expected.get().matches(args.get(i))) {
                problems.add(c.name() + ": parameter " + i + " (" + p.name() + "): C type `" + p.type() + "` needs "
                        + expected.get() + ", descriptor has " + CTypes.JavaType.describe(args.get(i)));
            }
        }
        return problems;
    }

    /** The C prototype against the wrapper's Java signature (needs no native library). */
    static List<String> compareWrapper(CHeader.Function c, Method wrapper, CTypes types) {
        List<String> problems = new ArrayList<>();
        types.map(c.returnType()).ifPresent(ret -> {
            if (wrapper.getReturnType() != ret.carrier()) {
                problems.add(c.name() + ": wrapper return: C type `" + c.returnType() + "` needs "
                        + ret.carrier().getSimpleName() + ", wrapper returns " + wrapper.getReturnType().getSimpleName());
            }
        });
        Class<?>[] params = wrapper.getParameterTypes();
        if (params.length != c.params().size()) {
            problems.add(c.name() + ": wrapper parameter count: header has " + c.params().size() + " " + paramNames(c)
                    + ", wrapper takes " + params.length + " " + Arrays.stream(params).map(Class::getSimpleName).toList());
            return problems;
        }
        for (int i = 0; i < params.length; i++) {
            CHeader.Param p = c.params().get(i);
            int index = i;
            types.map(p.type()).ifPresent(t -> {
                if (params[index] != t.carrier()) {
                    problems.add(c.name() + ": wrapper parameter " + index + " (" + p.name() + "): C type `" + p.type()
                            + "` needs " + t.carrier().getSimpleName() + ", wrapper takes " + params[index].getSimpleName());
                }
            });
        }
        return problems;
    }

    /** The public static downcall wrappers of a jextract header class: those with a {@code $descriptor}. */
    static Map<String, Method> wrappers(Class<?> headerClass) {
        Set<String> described = publicStatics(headerClass).stream().map(Method::getName)
                .filter(n -> n.endsWith("$descriptor")).map(n -> n.substring(0, n.length() - "$descriptor".length()))
                .collect(Collectors.toSet());
        Map<String, Method> result = new TreeMap<>();
        for (Method m : publicStatics(headerClass)) {
            if (!m.getName().contains("$") && described.contains(m.getName())) {
                if (result.put(m.getName(), m) != null) {
                    throw new IllegalStateException(headerClass.getSimpleName() + "." + m.getName() + " is overloaded");
                }
            }
        }
        return result;
    }

    /** The constant accessors of a jextract header class: no-arg int/long methods that are not wrappers. */
    static Map<String, Long> constants(Class<?> headerClass) {
        Set<String> functions = wrappers(headerClass).keySet();
        Map<String, Long> result = new TreeMap<>();
        for (Method m : publicStatics(headerClass)) {
            boolean integral = m.getReturnType() == int.class || m.getReturnType() == long.class;
            if (!m.getName().contains("$") && m.getParameterCount() == 0 && integral && !functions.contains(m.getName())) {
                try {
                    result.put(m.getName(), ((Number) m.invoke(null)).longValue());
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new AssertionError("cannot read " + headerClass.getSimpleName() + "." + m.getName(), e);
                }
            }
        }
        return result;
    }

    /** Differences between expected and bound constant values (names are compared separately). */
    static List<String> compareConstantValues(String header, Map<String, Long> expected, String bindings,
                                              Map<String, Long> actual) {
        List<String> problems = new ArrayList<>();
        expected.forEach((name, value) -> {
            Long bound = actual.get(name);
            if (bound != null && !bound.equals(value)) {
                problems.add(name + ": " + header + " says " + value + ", " + bindings + "." + name + "() returns " + bound);
            }
        });
        return problems;
    }

    /** Differences between ordered name lists from several sources (all must be equal). */
    static List<String> compareOrdered(String what, Map<String, List<String>> sources) {
        List<String> problems = new ArrayList<>();
        var entries = List.copyOf(sources.entrySet());
        var first = entries.getFirst();
        for (var other : entries.subList(1, entries.size())) {
            if (other.getValue().equals(first.getValue())) {
                continue;
            }
            List<String> missing = first.getValue().stream().filter(n -> !other.getValue().contains(n)).toList();
            List<String> extra = other.getValue().stream().filter(n -> !first.getValue().contains(n)).toList();
            String detail;
            if (!missing.isEmpty() || !extra.isEmpty()) {
                detail = "missing " + missing + ", extra " + extra;
            } else {
                int i = 0;
                while (first.getValue().get(i).equals(other.getValue().get(i))) {
                    i++;
                }
                detail = "same names, different order from index " + i + ": " + first.getKey() + " has `"
                        + first.getValue().get(i) + "`, " + other.getKey() + " has `" + other.getValue().get(i) + "`";
            }
            problems.add(what + ": " + other.getKey() + " differs from " + first.getKey() + ": " + detail);
        }
        return problems;
    }

    private static List<Method> publicStatics(Class<?> c) {
        return Arrays.stream(c.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .toList();
    }

    private static List<String> paramNames(CHeader.Function c) {
        return c.params().stream().map(p -> p.name().isEmpty() ? p.type() : p.name()).toList();
    }
}

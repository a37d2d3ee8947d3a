package panama.attention.bindings;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a C type becomes in jextract's bindings on Linux x86-64 (LP64): the Java carrier and the
 * byte size. Qualifiers are dropped, {@code enum X} is {@code int}, every pointer or array
 * parameter is an address. Typedefs the header introduces (blasint, enum typedefs) are given
 * by the caller; the fixed-width stdint names are built in.
 */
final class CTypes {

    /** A carrier and its size in bytes; {@link #VOID} for a void return. */
    record JavaType(Class<?> carrier, long byteSize) {
        static final JavaType VOID = new JavaType(void.class, 0);
        static final JavaType ADDRESS = new JavaType(MemorySegment.class, ValueLayout.ADDRESS.byteSize());

        boolean matches(MemoryLayout layout) {
            return layout instanceof ValueLayout v && v.carrier() == carrier && v.byteSize() == byteSize;
        }

        @Override
        public String toString() {
            return carrier == void.class ? "void" : carrier.getSimpleName() + " (" + byteSize + " bytes)";
        }

        static String describe(MemoryLayout layout) {
            return layout instanceof ValueLayout v
                    ? v.carrier().getSimpleName() + " (" + v.byteSize() + " bytes)"
                    : layout.toString();
        }
    }

    private static final Set<String> QUALIFIERS = Set.of("const", "volatile", "restrict", "__restrict");
    private static final Map<String, JavaType> BUILTIN = new HashMap<>();

    static {
        JavaType b = new JavaType(byte.class, 1);
        JavaType z = new JavaType(boolean.class, 1);
        JavaType s = new JavaType(short.class, 2);
        JavaType i = new JavaType(int.class, 4);
        JavaType l = new JavaType(long.class, 8);
        put(JavaType.VOID, "void");
        put(b, "char", "signed char", "unsigned char", "int8_t", "uint8_t");
        put(z, "_Bool", "bool");
        put(s, "short", "short int", "unsigned short", "unsigned short int", "int16_t", "uint16_t");
        put(i, "int", "signed", "signed int", "unsigned", "unsigned int", "int32_t", "uint32_t");
        put(l, "long", "long int", "unsigned long", "unsigned long int", "long long", "long long int",
                "unsigned long long", "int64_t", "uint64_t", "size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t");
        put(new JavaType(float.class, 4), "float");
        put(new JavaType(double.class, 8), "double");
    }

    private static void put(JavaType t, String... names) {
        for (String n : names) {
            BUILTIN.put(n, t);
        }
    }

    private final Map<String, String> typedefs;

    /** @param typedefs typedef name to the C type it stands for, e.g. {@code blasint -> int} */
    CTypes(Map<String, String> typedefs) {
        this.typedefs = Map.copyOf(typedefs);
    }

    /** The Java side of {@code cType}, or empty when it is not a type this mapping knows. */
    Optional<JavaType> map(String cType) {
        String t = cType;
        for (int depth = 0; depth < 16; depth++) {
            if (t.contains("*") || t.contains("[")) {
                return Optional.of(JavaType.ADDRESS);
            }
            List<String> words = List.of(t.strip().split("\\s+")).stream()
                    .filter(w -> !w.isEmpty() && !QUALIFIERS.contains(w)).toList();
            if (words.size() == 2 && words.get(0).equals("enum")) {
                return Optional.of(BUILTIN.get("int"));   // SysV: an enum with int-range values is an int
            }
            String base = String.join(" ", words);
            JavaType builtin = BUILTIN.get(base);
            if (builtin != null) {
                return Optional.of(builtin);
            }
            String next = typedefs.get(base);
            if (next == null) {
                return Optional.empty();
            }
            t = next;
        }
        throw new IllegalStateException("typedef cycle at " + cType);
    }
}

package panama.attention.bindings;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fails when the committed bindings and the C side disagree: function names, descriptors and
 * wrapper signatures against the prototypes in our headers and OpenBLAS's cblas.h; every struct
 * (fields, their types, size and offsets) against the header and the C compiler
 * (panattn_abi_probe); constants against the #defines and enumerators; and the include lists of
 * bindings/jextract.sh against the headers. The bindings are written by hand in jextract's shape
 * where jextract is not installed, so this test is what keeps them honest.
 *
 * <p>Descriptors live in per-function holder classes whose initialiser also looks the symbol up,
 * so those checks load the libraries first; the name, signature, struct and constant checks need
 * no native code.
 */
class BindingsDriftTest {

    /** One of our headers and the header class generated from it. */
    record Binding(String header, String apiMacro, Class<?> headerClass, boolean cuda) {
        @Override
        public String toString() {
            return header;
        }

        CHeader parse() {
            return CHeader.parse(NativeLibraries.read(NativeLibraries.header(header)));
        }

        List<CHeader.Function> functions() {
            return parse().functions(apiMacro);
        }

        /** Integer #defines and enumerators: jextract binds both as {@code public static int NAME()}. */
        Map<String, Long> constants() {
            CHeader h = parse();
            Map<String, Long> all = new LinkedHashMap<>(h.integerConstants(Set.of(apiMacro)));
            h.enumConstants().forEach((name, value) -> {
                if (all.put(name, value) != null) {
                    throw new IllegalStateException(name + " is both a #define and an enumerator in " + header);
                }
            });
            return all;
        }

        /** LP64, plus the header's function-pointer typedefs, which jextract passes as addresses. */
        CTypes types() {
            Map<String, String> typedefs = new LinkedHashMap<>();
            parse().functionPointerTypedefs().forEach(t -> typedefs.put(t, "void *"));
            return new CTypes(typedefs);
        }
    }

    static Stream<Binding> ourHeaders() {
        return Stream.of(
                new Binding("panattn.h", "PANATTN_API", panattn_h.class, false),
                new Binding("panattn_cuda.h", "PANATTN_CUDA_API", panattn_cuda_h.class, true));
    }

    private static final CTypes LP64 = new CTypes(Map.of());
    private static final String PARAMS = "panattn_params";

    // ------------------------------------------------------------------ our headers

    @ParameterizedTest
    @MethodSource("ourHeaders")
    void everyPrototypeHasExactlyOneWrapper(Binding b) {
        List<String> header = b.functions().stream().map(CHeader.Function::name).toList();
        if (header.isEmpty()) {
            fail("no " + b.apiMacro() + " prototypes parsed from " + b.header() + "; the parser and the header disagree");
        }
        assertNoDrift(b.header() + " vs " + b.headerClass().getSimpleName(), DriftCheck.compareNames("functions",
                b.header(), header, b.headerClass().getSimpleName(), DriftCheck.wrappers(b.headerClass()).keySet()));
    }

    @ParameterizedTest
    @MethodSource("ourHeaders")
    void wrapperSignaturesMatchPrototypes(Binding b) {
        Map<String, Method> wrappers = DriftCheck.wrappers(b.headerClass());
        List<String> problems = new ArrayList<>();
        for (CHeader.Function f : b.functions()) {
            Optional.ofNullable(wrappers.get(f.name()))
                    .ifPresent(w -> problems.addAll(DriftCheck.compareWrapper(f, w, b.types())));
        }
        assertNoDrift(b.header() + " vs " + b.headerClass().getSimpleName() + " wrappers", problems);
    }

    @ParameterizedTest
    @MethodSource("ourHeaders")
    void descriptorsMatchPrototypes(Binding b) {
        if (b.cuda()) {
            assumeTrue(NativeLibraries.loadPanattnCudaIfBuilt(),
                    NativeLibraries.panattnCudaLibrary() + " not built (CMake builds it only where nvcc exists)");
        } else {
            NativeLibraries.loadPanattn();
        }
        List<String> problems = new ArrayList<>();
        for (CHeader.Function f : b.functions()) {
            descriptor(b.headerClass(), f.name(), problems)
                    .ifPresent(d -> problems.addAll(DriftCheck.compareDescriptor(f, d, b.types())));
        }
        assertNoDrift(b.header() + " vs " + b.headerClass().getSimpleName() + " descriptors", problems);
    }

    @ParameterizedTest
    @MethodSource("ourHeaders")
    void constantsMatchDefines(Binding b) {
        Map<String, Long> header = b.constants();
        Map<String, Long> bound = DriftCheck.constants(b.headerClass());
        List<String> problems = new ArrayList<>(DriftCheck.compareNames("integer #defines and enumerators",
                b.header(), header.keySet(), b.headerClass().getSimpleName(), bound.keySet()));
        problems.addAll(DriftCheck.compareConstantValues(b.header(), header, b.headerClass().getSimpleName(), bound));
        assertNoDrift(b.header() + " constants", problems);
    }

    @ParameterizedTest
    @MethodSource("ourHeaders")
    void jextractScriptIncludesEverySymbol(Binding b) {
        JextractScript script = script();
        String cls = b.headerClass().getSimpleName();
        CHeader h = b.parse();
        List<String> problems = new ArrayList<>();
        problems.addAll(DriftCheck.compareNames("functions", b.header(), h.functions(b.apiMacro()).stream()
                .map(CHeader.Function::name).toList(), "jextract.sh --include-function for " + cls, script.names(cls, "function")));
        problems.addAll(DriftCheck.compareNames("constants", b.header(), b.constants().keySet(),
                "jextract.sh --include-constant for " + cls, script.names(cls, "constant")));
        assertNoDrift("bindings/jextract.sh vs " + b.header(), problems);
    }

    @ParameterizedTest
    @MethodSource("ourHeaders")
    void everyFunctionPointerTypedefIsGenerated(Binding b) {
        List<String> problems = new ArrayList<>();
        List<String> typedefs = List.copyOf(b.parse().functionPointerTypedefs());
        problems.addAll(DriftCheck.compareNames("function-pointer typedefs", b.header(), typedefs,
                "jextract.sh --include-typedef for " + b.headerClass().getSimpleName(),
                script().names(b.headerClass().getSimpleName(), "typedef").stream()
                        .filter(t -> !t.equals(PARAMS)).toList()));
        for (String t : typedefs) {
            try {
                Class<?> cls = Class.forName(b.headerClass().getPackageName() + "." + t);
                Class.forName(cls.getName() + "$Function");
                cls.getMethod("allocate", Class.forName(cls.getName() + "$Function"), java.lang.foreign.Arena.class);
                cls.getMethod("invoke", java.lang.foreign.MemorySegment.class);
            } catch (ReflectiveOperationException e) {
                problems.add("typedef " + t + " of " + b.header() + " has no jextract-shaped class (" + e + ")");
            }
        }
        assertNoDrift(b.header() + " function-pointer typedefs", problems);
    }

    // ------------------------------------------------------------------ structs

    /** Every struct of every header we bind, by tag: jextract names the struct's class after it. */
    static Stream<String> structTags() {
        return ourHeaders().flatMap(b -> b.parse().structTags().stream());
    }

    @Test
    void ourHeadersDefineTheStructsWeUse() {
        // guards the parameterised test below against an empty source
        List<String> tags = structTags().toList();
        if (!tags.containsAll(List.of(PARAMS, "panattn_plan"))) {
            fail("struct tags parsed from our headers: " + tags + "; expected panattn_params and panattn_plan");
        }
    }

    @ParameterizedTest
    @MethodSource("structTags")
    void structMatchesCompilerAndHeader(String tag) throws ReflectiveOperationException {
        AbiProbe probe = AbiProbe.run(NativeLibraries.nativeBuild());
        List<CHeader.Field> headerFields = ourHeaders().map(Binding::parse).filter(h -> h.structTags().contains(tag))
                .findFirst().orElseThrow().structFields(tag);
        Class<?> struct = Class.forName(panattn_h.class.getPackageName() + "." + tag);
        java.lang.foreign.GroupLayout layout = (java.lang.foreign.GroupLayout) struct.getMethod("layout").invoke(null);
        List<MemoryLayout> members = layout.memberLayouts().stream().filter(m -> !(m instanceof PaddingLayout)).toList();

        Map<String, List<String>> lists = new LinkedHashMap<>();
        lists.put("the header", headerFields.stream().map(CHeader.Field::name).toList());
        lists.put("panattn_abi_probe", probe.fields(tag));
        lists.put(tag + ".layout()", members.stream().map(m -> m.name().orElse("<unnamed>")).toList());
        List<String> problems = new ArrayList<>(DriftCheck.compareOrdered(tag + " fields", lists));

        Long size = probe.sizes().get(tag);
        long bound = (long) struct.getMethod("sizeof").invoke(null);
        if (size == null) {
            problems.add("panattn_abi_probe prints no `sizeof " + tag + "` line");
        } else if (size != bound) {
            problems.add("sizeof(" + tag + "): C compiler says " + size + ", " + tag + ".sizeof() is " + bound);
        }
        for (Map.Entry<String, Long> e : probe.offsets().getOrDefault(tag, Map.of()).entrySet()) {
            try {
                long offset = (long) struct.getMethod(e.getKey() + "$offset").invoke(null);
                if (offset != e.getValue()) {
                    problems.add("offsetof(" + tag + ", " + e.getKey() + "): C compiler says " + e.getValue() + ", "
                            + tag + "." + e.getKey() + "$offset() is " + offset);
                }
            } catch (NoSuchMethodException missing) {
                problems.add(tag + " has no " + e.getKey() + "$offset() for the C field " + e.getKey());
            }
        }
        for (CHeader.Field f : headerFields) {
            members.stream().filter(m -> m.name().orElse("").equals(f.name())).findFirst().ifPresent(m -> {
                Optional<CTypes.JavaType> expected = LP64.map(f.type());
                if (expected.isEmpty()) {
                    problems.add(tag + "." + f.name() + ": cannot map C type `" + f.type() + "`");
                } else if (!expected.get().matches(m)) {
                    problems.add(tag + "." + f.name() + ": C type `" + f.type() + "` needs " + expected.get()
                            + ", layout has " + CTypes.JavaType.describe(m));
                }
            });
        }
        assertNoDrift(tag + " vs the C compiler", problems);
    }

    @ParameterizedTest
    @MethodSource("ourHeaders")
    void everyStructIsProbedAndGenerated(Binding b) {
        List<String> header = b.parse().structTags();
        Set<String> probed = AbiProbe.run(NativeLibraries.nativeBuild()).offsets().keySet();
        List<String> problems = new ArrayList<>(DriftCheck.compareNames("structs", b.header(), header,
                "jextract.sh --include-struct for " + b.headerClass().getSimpleName(),
                script().names(b.headerClass().getSimpleName(), "struct")));
        header.stream().filter(tag -> !probed.contains(tag))
                .forEach(tag -> problems.add("struct " + tag + " of " + b.header() + " is not printed by panattn_abi_probe"));
        assertNoDrift(b.header() + " structs", problems);
    }

    // ------------------------------------------------------------------ OpenBLAS

    @Test
    void cblasSubsetMatchesOpenBlasHeader() {
        CHeader cblas = CHeader.parse(NativeLibraries.resource(NativeLibraries.OPENBLAS_RESOURCES + "include/cblas.h"));
        CHeader config = CHeader.parse(NativeLibraries.resource(NativeLibraries.OPENBLAS_RESOURCES + "include/openblas_config.h"));
        Map<String, String> typedefs = new LinkedHashMap<>();
        // openblas_config.h: typedef BLASLONG blasint under OPENBLAS_USE64BITINT, else typedef int blasint
        typedefs.put("blasint", config.defines().containsKey("OPENBLAS_USE64BITINT") ? "long" : "int");
        cblas.enumTypedefs().forEach(t -> typedefs.put(t, "int"));
        CTypes types = new CTypes(typedefs);

        JextractScript script = script();
        Map<String, Method> wrappers = DriftCheck.wrappers(cblas_h.class);
        List<String> problems = new ArrayList<>(DriftCheck.compareNames("functions",
                "jextract.sh --include-function for cblas_h", script.names("cblas_h", "function"), "cblas_h", wrappers.keySet()));

        NativeLibraries.loadOpenBlas();
        for (String name : wrappers.keySet()) {
            Optional<CHeader.Function> proto = cblas.function(name);
            if (proto.isEmpty()) {
                problems.add(name + ": bound in cblas_h but not declared in OpenBLAS's cblas.h");
                continue;
            }
            problems.addAll(DriftCheck.compareWrapper(proto.get(), wrappers.get(name), types));
            descriptor(cblas_h.class, name, problems)
                    .ifPresent(d -> problems.addAll(DriftCheck.compareDescriptor(proto.get(), d, types)));
        }

        Map<String, Long> bound = DriftCheck.constants(cblas_h.class);
        problems.addAll(DriftCheck.compareNames("constants", "jextract.sh --include-constant for cblas_h",
                script.names("cblas_h", "constant"), "cblas_h", bound.keySet()));
        Map<String, Long> header = new LinkedHashMap<>(cblas.enumConstants());
        header.putAll(cblas.integerConstants(Set.of()));
        for (String name : bound.keySet()) {
            if (!header.containsKey(name)) {
                problems.add(name + ": bound in cblas_h but neither an enumerator nor a #define in cblas.h");
            }
        }
        problems.addAll(DriftCheck.compareConstantValues("cblas.h", header, "cblas_h", bound));
        assertNoDrift("cblas.h vs cblas_h", problems);
    }

    // ------------------------------------------------------------------ helpers

    private static JextractScript script() {
        return JextractScript.parse(NativeLibraries.read(NativeLibraries.root().resolve("bindings/jextract.sh")));
    }

    /** {@code name$descriptor()}; initialising the holder class resolves the symbol, so report a missing one. */
    private static Optional<FunctionDescriptor> descriptor(Class<?> headerClass, String name, List<String> problems) {
        try {
            return Optional.of((FunctionDescriptor) headerClass.getMethod(name + "$descriptor").invoke(null));
        } catch (NoSuchMethodException e) {
            problems.add(name + ": " + headerClass.getSimpleName() + " has no " + name + "$descriptor()");
        } catch (InvocationTargetException e) {
            // findOrThrow's UnsatisfiedLinkError on first use; NoClassDefFoundError on later uses
            problems.add(name + ": cannot initialise its binding (is the symbol exported by the loaded library?): "
                    + e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
        return Optional.empty();
    }

    static void assertNoDrift(String context, List<String> problems) {
        if (!problems.isEmpty()) {
            fail("bindings drifted from the C side (" + context + "):\n  - " + String.join("\n  - ", problems)
                    + "\nFix the header or regenerate with bindings/jextract.sh.");
        }
    }
}

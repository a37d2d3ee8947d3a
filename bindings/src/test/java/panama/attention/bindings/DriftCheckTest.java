package panama.attention.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The parser and comparator behind {@link BindingsDriftTest}, fed edited header text: proves that a
 * changed prototype, constant or struct is reported, with the function, parameter and both sides.
 */
class DriftCheckTest {

    private static final CTypes LP64 = new CTypes(Map.of());

    private static String realHeader() {
        return NativeLibraries.read(NativeLibraries.header("panattn.h"));
    }

    private static CHeader.Function forward(CHeader h) {
        return h.functions("PANATTN_API").stream().filter(f -> f.name().equals("panattn_forward")).findFirst().orElseThrow();
    }

    @Test
    void parsesTheRealHeader() {
        CHeader h = CHeader.parse(realHeader());
        CHeader.Function f = forward(h);
        assertEquals("int32_t", f.returnType());
        assertEquals(List.of(new CHeader.Param("const panattn_params *", "p"),
                new CHeader.Param("const struct panattn_plan *", "plan"), new CHeader.Param("int64_t", "tile_begin"),
                new CHeader.Param("int64_t", "tile_end")), f.params());
        assertEquals(List.of(), h.functions("PANATTN_API").stream()
                .filter(g -> g.name().equals("panattn_isa_best")).findFirst().orElseThrow().params());
        Map<String, Long> constants = h.integerConstants(Set.of("PANATTN_API"));
        assertEquals(128L, constants.get("PANATTN_TILE_Q"));
        assertTrue(!constants.containsKey("PANATTN_H"), "include guard is not a constant");
        List<CHeader.Field> fields = h.structFields("panattn_params");
        assertEquals(new CHeader.Field("const void *", "q"), fields.getFirst());
        assertEquals(new CHeader.Field("int64_t", "weights"), fields.getLast());
    }

    @Test
    void changedParameterTypeIsReported() {
        String edited = realHeader().replace("int64_t tile_begin", "int32_t tile_begin");
        CHeader.Function f = forward(CHeader.parse(edited));

        List<String> descriptor = DriftCheck.compareDescriptor(f, forwardDescriptor(), LP64);
        assertEquals(List.of("panattn_forward: parameter 2 (tile_begin): C type `int32_t` needs int (4 bytes), "
                + "descriptor has long (8 bytes)"), descriptor);

        List<String> wrapper = DriftCheck.compareWrapper(f, forwardWrapper(), LP64);
        assertEquals(List.of("panattn_forward: wrapper parameter 2 (tile_begin): C type `int32_t` needs int, "
                + "wrapper takes long"), wrapper);
    }

    @Test
    void unchangedPrototypeHasNoDrift() {
        CHeader.Function f = forward(CHeader.parse(realHeader()));
        assertEquals(List.of(), DriftCheck.compareDescriptor(f, forwardDescriptor(), LP64));
        assertEquals(List.of(), DriftCheck.compareWrapper(f, forwardWrapper(), LP64));
    }

    @Test
    void addedParameterAndChangedReturnAreReported() {
        String original = """
                PANATTN_API int32_t panattn_forward(const panattn_params *p, const struct panattn_plan *plan, int64_t tile_begin,
                                                    int64_t tile_end);""";
        String edited = realHeader().replace(original.strip(),
                "PANATTN_API void panattn_forward(const panattn_params *p, const struct panattn_plan *plan,\n"
                        + "    int64_t tile_begin, int64_t tile_end, float *scratch);");
        assertTrue(!edited.equals(realHeader()), "the edit must apply to the real header");
        List<String> problems = DriftCheck.compareDescriptor(forward(CHeader.parse(edited)), forwardDescriptor(), LP64);
        assertEquals(List.of("panattn_forward: return: C type `void`, but the descriptor returns int (4 bytes)",
                "panattn_forward: parameter count: header has 5 [p, plan, tile_begin, tile_end, scratch], descriptor has 4 "
                        + "[MemorySegment (8 bytes), MemorySegment (8 bytes), long (8 bytes), long (8 bytes)]"), problems);
    }

    @Test
    void newFunctionAndChangedConstantAreReported() {
        String edited = realHeader()
                .replace("#define PANATTN_TILE_Q 128", "#define PANATTN_TILE_Q 64")
                .replace("PANATTN_API int32_t panattn_isa_best(void);",
                        "PANATTN_API int32_t panattn_isa_best(void);\nPANATTN_API int32_t panattn_isa_count(void);");
        CHeader h = CHeader.parse(edited);
        List<String> names = DriftCheck.compareNames("functions", "panattn.h",
                h.functions("PANATTN_API").stream().map(CHeader.Function::name).toList(),
                "panattn_h", DriftCheck.wrappers(panattn_h.class).keySet());
        assertEquals(List.of("functions in panattn.h but missing from panattn_h: [panattn_isa_count]"), names);
        List<String> values = DriftCheck.compareConstantValues("panattn.h", h.integerConstants(Set.of("PANATTN_API")),
                "panattn_h", DriftCheck.constants(panattn_h.class));
        assertEquals(List.of("PANATTN_TILE_Q: panattn.h says 64, panattn_h.PANATTN_TILE_Q() returns 128"), values);
    }

    @Test
    void changedEnumeratorIsReported() {
        String edited = realHeader().replace("PANATTN_ERR_UNSUPPORTED = 2,", "PANATTN_ERR_UNSUPPORTED = 7,");
        Map<String, Long> enumerators = CHeader.parse(edited).enumConstants();
        assertEquals(5, enumerators.size(), "every panattn_status enumerator is parsed: " + enumerators);
        List<String> values = DriftCheck.compareConstantValues("panattn.h", enumerators, "panattn_h",
                DriftCheck.constants(panattn_h.class));
        assertEquals(List.of("PANATTN_ERR_UNSUPPORTED: panattn.h says 7, panattn_h.PANATTN_ERR_UNSUPPORTED() returns 2"),
                values);
    }

    @Test
    void reorderedStructFieldsAreReported() {
        String edited = realHeader().replace("    int32_t dtype;", "    int32_t tmp_;")
                .replace("    int32_t causal;", "    int32_t dtype;").replace("    int32_t tmp_;", "    int32_t causal;");
        List<String> header = CHeader.parse(edited).structFields("panattn_params").stream().map(CHeader.Field::name).toList();
        List<String> bound = panattn_params.layout().memberLayouts().stream().map(m -> m.name().orElseThrow()).toList();
        Map<String, List<String>> lists = new LinkedHashMap<>();
        lists.put("panattn.h", header);
        lists.put("bindings", bound);
        List<String> problems = DriftCheck.compareOrdered("fields", lists);
        assertEquals(List.of("fields: bindings differs from panattn.h: same names, different order from index 31: "
                + "panattn.h has `dtype`, bindings has `causal`"), problems);
    }

    @Test
    void openBlasStylePrototypesParse() {
        String text = """
                #define OPENBLAS_CONST const
                typedef enum CBLAS_ORDER {CblasRowMajor=101, CblasColMajor=102} CBLAS_ORDER;
                void cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST blasint M,
                    OPENBLAS_CONST float alpha, OPENBLAS_CONST float *A, float *C);
                void cblas_sgemm_batch(OPENBLAS_CONST blasint n);
                """;
        CHeader h = CHeader.parse(text);
        CHeader.Function f = h.function("cblas_sgemm").orElseThrow();
        assertEquals(List.of(new CHeader.Param("const enum CBLAS_ORDER", "Order"), new CHeader.Param("const blasint", "M"),
                new CHeader.Param("const float", "alpha"), new CHeader.Param("const float *", "A"),
                new CHeader.Param("float *", "C")), f.params());
        assertEquals(Map.of("CblasRowMajor", 101L, "CblasColMajor", 102L), h.enumConstants());
        CTypes blas = new CTypes(Map.of("blasint", "int"));
        assertEquals(int.class, blas.map("const blasint").orElseThrow().carrier());
        assertEquals(int.class, blas.map("const enum CBLAS_ORDER").orElseThrow().carrier());
        assertTrue(new CTypes(Map.of()).map("const blasint").isEmpty(), "unknown typedefs are not guessed");
    }

    private static FunctionDescriptor forwardDescriptor() {
        // What the bindings declare, built without touching the holder class (which needs the symbol).
        return FunctionDescriptor.of(panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_LONG,
                panattn_h.C_LONG);
    }

    private static Method forwardWrapper() {
        return DriftCheck.wrappers(panattn_h.class).get("panattn_forward");
    }
}

package panama.attention.bindings;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * cublas_h against bindings/cublas_subset.h (the cuBLAS prototypes copied from cublas_api.h):
 * names, wrapper signatures and constants, and the jextract.sh include lists. No cuBLAS is
 * needed: descriptors are not initialised (that would look the symbols up).
 */
class CublasSubsetDriftTest {

    @Test
    void cublasBindingsMatchSubsetHeader() {
        CHeader h = CHeader.parse(NativeLibraries.read(NativeLibraries.root().resolve("bindings/cublas_subset.h")));
        Map<String, String> typedefs = new LinkedHashMap<>();
        h.enumTypedefs().forEach(t -> typedefs.put(t, "int"));
        typedefs.put("cudaDataType", "int");
        typedefs.put("cublasHandle_t", "void *");
        typedefs.put("cudaStream_t", "void *");
        CTypes types = new CTypes(typedefs);

        JextractScript script = JextractScript.parse(NativeLibraries.read(NativeLibraries.root().resolve("bindings/jextract.sh")));
        Map<String, Method> wrappers = DriftCheck.wrappers(cublas_h.class);
        List<String> problems = new ArrayList<>(DriftCheck.compareNames("functions",
                "jextract.sh --include-function for cublas_h", script.names("cublas_h", "function"), "cublas_h", wrappers.keySet()));
        for (String name : wrappers.keySet()) {
            Optional<CHeader.Function> proto = h.function(name);
            if (proto.isEmpty()) {
                problems.add(name + ": bound in cublas_h but not declared in bindings/cublas_subset.h");
                continue;
            }
            problems.addAll(DriftCheck.compareWrapper(proto.get(), wrappers.get(name), types));
        }
        Map<String, Long> bound = DriftCheck.constants(cublas_h.class);
        problems.addAll(DriftCheck.compareNames("constants", "jextract.sh --include-constant for cublas_h",
                script.names("cublas_h", "constant"), "cublas_h", bound.keySet()));
        Map<String, Long> header = new LinkedHashMap<>(h.enumConstants());
        header.putAll(h.integerConstants(Set.of()));
        for (String name : bound.keySet()) {
            if (!header.containsKey(name)) {
                problems.add(name + ": bound in cublas_h but not an enumerator of bindings/cublas_subset.h");
            }
        }
        problems.addAll(DriftCheck.compareConstantValues("cublas_subset.h", header, "cublas_h", bound));
        BindingsDriftTest.assertNoDrift("cublas_subset.h vs cublas_h", problems);
    }
}

package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JAVA_VECTOR without jdk.incubator.vector: a child JVM on the same class path but without
 * {@code --add-modules} runs {@link FallbackProbe}; the backend must stay on, say why it is
 * scalar, log that once, and still match the oracle.
 */
class JavaVectorFallbackTest {
    @Test
    void withoutTheModuleTheScalarFallbackRunsAndSaysWhy(@TempDir Path tmp) throws Exception {
        ChildJvm.Result r = ChildJvm.run(FallbackProbe.class, List.of(), 120, tmp);
        String out = r.out();
        String err = r.err();
        assertEquals(0, r.exitValue(), () -> "child failed:\n" + out + err);
        assertTrue(out.contains("status: JAVA_VECTOR: on (scalar fallback: jdk.incubator.vector not in the boot layer;"
                + " add --add-modules jdk.incubator.vector)"), out);
        assertTrue(out.contains("ran: JAVA_VECTOR"), out);
        double relErr = Double.parseDouble(out.lines().filter(l -> l.startsWith("relErr: ")).findFirst()
                .orElseThrow().substring(8).trim());
        assertTrue(relErr <= 1e-5, "scalar fallback relative error " + relErr);
        long logged = err.lines().filter(l -> l.contains("JAVA_VECTOR runs its scalar fallback")).count();
        assertEquals(1, logged, () -> "the fallback is logged exactly once:\n" + err);
        assertTrue(!err.contains("Using incubator modules"), () -> "the child had the module after all:\n" + err);
    }
}

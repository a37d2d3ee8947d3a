package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JAVA_VECTOR at every species width the CPU runs natively (128 bits up to the preferred one): the
 * strip (4 vectors) and so every tail of the tile differs per width, and the species is fixed per
 * JVM, so a child JVM with {@code -Dpanattn.vector.bits} runs {@link VectorWidthProbe}. Wider
 * species than the preferred one would run the Vector API's slow Java fallback.
 */
class JavaVectorWidthsTest {
    static IntStream widths() {
        return IntStream.of(128, 256, 512).filter(b -> b <= FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("widths")
    void everyWidthMatchesTheOracle(int bits, @TempDir Path tmp) throws Exception {
        ChildJvm.Result r = ChildJvm.run(VectorWidthProbe.class,
                List.of("--add-modules", "jdk.incubator.vector", "-Dpanattn.vector.bits=" + bits), 300, tmp);
        String out = r.out();
        String err = r.err();
        assertEquals(0, r.exitValue(), () -> "child failed:\n" + out + err);
        assertTrue(out.contains("species: Vector API, " + bits + "-bit species"), out);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("FAIL")), out);
        int cases = Integer.parseInt(out.lines().filter(l -> l.startsWith("cases: ")).findFirst()
                .orElseThrow().substring(7).trim());
        assertTrue(cases >= 80, "only " + cases + " cases ran:\n" + out);
    }
}

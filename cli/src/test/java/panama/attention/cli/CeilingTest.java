package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import panama.attention.CpuIsa;

/** The ceiling's wording: what OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE do to sgemm, and the shares. */
class CeilingTest {
    /** Peaks of an AVX-512 CPU whose AVX2 path reaches 45% of its AVX-512 path. */
    private static double peaks(CpuIsa isa) {
        return switch (isa) {
            case AVX512 -> 200.0;
            case AVX2 -> 90.0;
            case SCALAR -> 30.0;
            default -> Double.NaN;
        };
    }

    @Test
    void haswellOnAnAvx512CpuSaysSgemmReadsAboutHalfWithTheMeasuredPeaks() {
        List<String> notes = Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", "Haswell"), CpuIsa.AVX512,
                CeilingTest::peaks);
        assertEquals(List.of("OPENBLAS_CORETYPE=Haswell forces AVX2 kernels on an AVX-512 CPU: sgemm reads about half"
                + " of what it can do (AVX2 FMA peak 90.0 of AVX512's 200.0 GFLOP/s, 1 thread)"), notes);
    }

    @Test
    void withoutMeasuredPeaksTheShareIsTheLaneRatio() {
        List<String> notes = Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", "nehalem"), CpuIsa.AVX512,
                isa -> Double.NaN);
        assertEquals(List.of("OPENBLAS_CORETYPE=nehalem forces SSE kernels on an AVX-512 CPU: sgemm reads about a"
                + " quarter of what it can do (4 of 16 float lanes)"), notes);
        // AVX without FMA has no probe of its own: lanes even when the other peaks are known
        assertTrue(Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", "SandyBridge"), CpuIsa.AVX512, CeilingTest::peaks)
                .getFirst().endsWith("AVX (no FMA) kernels on an AVX-512 CPU: sgemm reads about half of what it can do"
                        + " (8 of 16 float lanes)"));
    }

    @Test
    void anOlderPathThatRunsAsFastIsNotCalledSlow() {
        String note = Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", "Zen"), CpuIsa.AVX512,
                isa -> isa == CpuIsa.AVX2 ? 95.0 : 100.0).getFirst();
        assertTrue(note.contains("which runs them about as fast as its own"), note);
    }

    @Test
    void theCpusOwnWidthANewerOneAndAnUnknownName() {
        assertEquals(List.of("OPENBLAS_CORETYPE=Zen selects AVX2 kernels, the widest this CPU runs"),
                Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", "Zen"), CpuIsa.AVX2, CeilingTest::peaks));
        assertTrue(Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", "SkylakeX"), CpuIsa.AVX2, CeilingTest::peaks)
                .getFirst().contains("asks for AVX-512 kernels on a CPU without them"));
        assertTrue(Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", "Pentium9"), CpuIsa.AVX512, CeilingTest::peaks)
                .getFirst().contains("not a core type this check knows"));
        assertNull(Ceiling.coreTypeLevel("Pentium9"));
        assertEquals(Ceiling.KernelLevel.AVX512, Ceiling.coreTypeLevel(" sapphirerapids "));
    }

    @Test
    void l2SizeIsNamedAndNothingSetSaysNothing() {
        List<String> notes = Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_L2_SIZE", "1048576"), CpuIsa.AVX512,
                CeilingTest::peaks);
        assertEquals(1, notes.size());
        assertTrue(notes.getFirst().startsWith("OPENBLAS_L2_SIZE=1048576 overrides the L2 size"), notes.toString());
        assertEquals(List.of(), Ceiling.openBlasEnvNotes(Map.of("OPENBLAS_CORETYPE", " "), CpuIsa.AVX512,
                CeilingTest::peaks));
    }

    @Test
    void sharesAndPercentages() {
        assertEquals("41%", Ceiling.percent(41.0, 100.0));
        assertEquals("", Ceiling.percent(41.0, Double.NaN));
        assertEquals("", Ceiling.percent(Double.NaN, 100.0));
        assertEquals("", Ceiling.percent(41.0, 0.0));
        assertEquals("about 70%", Ceiling.fraction(0.7));
        assertEquals("about half", Ceiling.fraction(0.45));
        assertEquals("about a quarter", Ceiling.fraction(0.25));
    }

    @Test
    void aPeakAnswersOnlyForTheThreadCountsItMeasured() {
        Ceiling.Peak p = new Ceiling.Peak(CpuIsa.AVX2, 4, 50.0, 190.0, null);
        assertEquals(50.0, p.at(1));
        assertEquals(190.0, p.at(4));
        assertTrue(Double.isNaN(p.at(2)));
        assertTrue(p.line().startsWith("AVX2 FMA peak (measured): 50.0 GFLOP/s on 1 thread, 190.0 GFLOP/s on 4 threads"),
                p.line());
        assertEquals("FMA peak: not measured (off)", new Ceiling.Peak(null, 4, Double.NaN, Double.NaN, "off").line());
    }
}

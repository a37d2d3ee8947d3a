package panama.attention;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hostile input through the public facade; {@link SdpaFuzzCase} builds the
 * call and states the contract.
 *
 * <ul>
 *   <li>{@link #fuzzSdpa}: Jazzer. In the normal test run (no {@code JAZZER_FUZZ}) it replays the
 *       inputs under {@code src/test/resources/panama/attention/SdpaFuzzTestInputs/fuzzSdpa/}
 *       (seeds, and every finding kept as a regression case). Coverage-guided fuzzing:
 *       {@code JAZZER_FUZZ=1 ./mvnw -pl java test -Dtest=SdpaFuzzTest#fuzzSdpa -Djazzer.max_duration=10m}
 *       (CI runs 60 s; the corpus grows under {@code java/.cifuzz-corpus/}, crash inputs land in
 *       the inputs folder above).</li>
 *   <li>{@link #seededRandomCases}: the same generator driven by a seeded random stream,
 *       {@code -Dpanattn.fuzz.cases=N} cases (default 2000 in the suite; 20000+ for a long run)
 *       from {@code -Dpanattn.fuzz.seed}.</li>
 * </ul>
 */
class SdpaFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void fuzzSdpa(FuzzedDataProvider data) {
        SdpaFuzzCase.run(new SdpaFuzzCase.Source() {
            @Override
            public int intIn(int lo, int hi) {
                return data.consumeInt(lo, hi);
            }

            @Override
            public boolean bool() {
                return data.consumeBoolean();
            }

            @Override
            public long seed() {
                return data.consumeLong();
            }
        });
    }

    @Test
    void seededRandomCases() {
        int cases = Integer.getInteger("panattn.fuzz.cases", 2000);
        long seed = Long.getLong("panattn.fuzz.seed", 7_2024L);
        Map<SdpaFuzzCase.Outcome, Integer> outcomes = new EnumMap<>(SdpaFuzzCase.Outcome.class);
        long t0 = System.nanoTime();
        for (int i = 0; i < cases; i++) {
            try {
                outcomes.merge(SdpaFuzzCase.run(SdpaFuzzCase.random(seed + i)), 1, Integer::sum);
            } catch (AssertionError e) {
                throw new AssertionError("case " + i + " (-Dpanattn.fuzz.seed=" + (seed + i) + " -Dpanattn.fuzz.cases=1): "
                        + e.getMessage(), e);
            }
        }
        System.out.printf("[fuzz] %d seeded cases in %.1f s: %s%n", cases, (System.nanoTime() - t0) / 1e9, outcomes);
        int matched = outcomes.getOrDefault(SdpaFuzzCase.Outcome.MATCHED, 0);
        assertTrue(matched >= cases / 6, "too few calls got past validation to be compared: " + outcomes);
        assertTrue(outcomes.getOrDefault(SdpaFuzzCase.Outcome.REFUSED, 0) >= cases / 10, "too few invalid calls: " + outcomes);
    }
}

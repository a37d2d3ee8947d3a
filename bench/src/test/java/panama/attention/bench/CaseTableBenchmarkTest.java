package panama.attention.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;
import panama.attention.Backend;
import panama.attention.measure.Workload;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.CaseTable;

/** JMH parameters are constants: check they still name real cases and backends. */
class CaseTableBenchmarkTest {
    @Test
    void everyListedCaseIdIsInTheTable() throws Exception {
        Set<String> ids = CaseTable.fp32().stream().map(AttentionCase::id).collect(Collectors.toSet());
        String[] listed = CaseTableBenchmark.class.getField("caseId").getAnnotation(Param.class).value();
        assertTrue(listed.length > 5);
        for (String id : listed) {
            assertTrue(ids.contains(id), "CaseTableBenchmark lists '" + id + "', which CaseTable.fp32() lacks");
        }
    }

    @Test
    void parametersParse() throws Exception {
        for (Class<?> c : new Class<?>[] {AttentionBenchmark.class, CaseTableBenchmark.class}) {
            for (String b : c.getField("backend").getAnnotation(Param.class).value()) {
                assertEquals(b, Backend.parse(b).name());
            }
        }
        Workload.parseDtype(AttentionBenchmark.class.getField("dtype").getAnnotation(Param.class).value()[0]);
        Workload.parseIsa(AttentionBenchmark.class.getField("isa").getAnnotation(Param.class).value()[0]);
    }

    @Test
    void benchmarkListIsGenerated() {
        assertTrue(CaseTableBenchmark.class.getClassLoader().getResource("META-INF/BenchmarkList") != null,
                "the JMH annotation processor wrote META-INF/BenchmarkList");
    }
}

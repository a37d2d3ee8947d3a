package panama.attention.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.CausalMode;

/**
 * Keys and values of one sequence split over 1, 2 and 5 partitions, partial outputs and LSE per
 * partition, merged by Spark's reduce: equal to the unsharded call. Awkward sizes on purpose
 * (head dim 40, 97 keys that 2 and 5 do not divide, grouped-query heads 6/2); causal both ways,
 * with Lq < Lk so that BOTTOM_RIGHT and TOP_LEFT differ and some shards see no key for some rows.
 */
class ShardedAttentionTest {
    static final double TOL = 1e-5;

    static Stream<Arguments> cases() {
        return Stream.of(CausalMode.NONE, CausalMode.BOTTOM_RIGHT, CausalMode.TOP_LEFT)
                .flatMap(c -> Stream.of(1, 2, 5).map(p -> Arguments.of(c, p)));
    }

    @ParameterizedTest(name = "{0}, {1} partitions")
    @MethodSource("cases")
    void shardedEqualsUnsharded(CausalMode causal, int partitions) {
        ShardedAttention.Problem p = ShardedAttention.Problem.random(42 + partitions, 6, 2, 33, 97, 40, causal);
        ShardedAttention.Partial got = ShardedAttention.run(SharedSpark.get(), p, partitions, FailOnce.NEVER);
        ShardedAttention.Partial want = ShardedAttention.unsharded(p);
        assertEquals(partitions, got.shards(), "one partial per partition");
        assertClose(got, want, causal + " over " + partitions + " partitions");
    }

    static void assertClose(ShardedAttention.Partial got, ShardedAttention.Partial want, String what) {
        double outErr = Compare.maxRelErr(got.out(), want.out());
        double lseErr = Compare.maxRelErr(got.lse(), want.lse());
        assertTrue(outErr <= TOL, what + ": out max rel err " + outErr + " > " + TOL + firstMismatches(got.out(), want.out()));
        assertTrue(lseErr <= TOL, what + ": lse max rel err " + lseErr + " > " + TOL + firstMismatches(got.lse(), want.lse()));
    }

    static String firstMismatches(float[] got, float[] want) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < want.length && shown < 5; i++) {
            if (Math.abs(got[i] - want[i]) > 1e-6 || Float.isNaN(got[i]) != Float.isNaN(want[i])) {
                sb.append("\n  [").append(i).append("] got ").append(got[i]).append(" want ").append(want[i]);
                shown++;
            }
        }
        return sb.toString();
    }
}

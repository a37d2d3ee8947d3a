package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link NativeCpuKernel#cut}: paged decode's ranges tile every tile once and share the work evenly. */
class PagedDecodeRangesTest {
    @Test
    void equalTilesSplitEvenly() {
        assertArrayEquals(new long[] {0, 16, 32}, NativeCpuKernel.cut(32, 2, null));
        assertArrayEquals(new long[] {0, 11, 21, 32}, NativeCpuKernel.cut(32, 3, null));
        assertArrayEquals(new long[] {0, 1}, NativeCpuKernel.cut(1, 1, null));
    }

    @Test
    void aLongSequenceSpreadsOverThreadsAndShortOnesShareOne() {
        // batch 3, 4 heads: sequence 0 has 32768 keys, sequences 1 and 2 have 100
        long[] cost = new long[12];
        for (int t = 0; t < 12; t++) {
            cost[t] = (t < 4 ? 32768 : 100) + 64;
        }
        assertArrayEquals(new long[] {0, 2, 12}, NativeCpuKernel.cut(12, 2, cost));
    }

    @Test
    void rangesAreNeverEmptyAndNoRangeCarriesMoreThanItsShareAndOneTile() {
        SplittableRandom r = new SplittableRandom(11);
        for (int round = 0; round < 2000; round++) {
            int tiles = 1 + r.nextInt(200);
            int parts = 1 + r.nextInt(Math.min(tiles, 16));
            long[] cost = new long[tiles];
            long total = 0, max = 0;
            boolean skewed = r.nextBoolean();
            for (int t = 0; t < tiles; t++) {
                cost[t] = skewed && r.nextInt(8) == 0 ? 64 + r.nextInt(1 << 20) : 64 + r.nextInt(300);
                total += cost[t];
                max = Math.max(max, cost[t]);
            }
            long[] b = NativeCpuKernel.cut(tiles, parts, cost);
            assertEquals(parts + 1, b.length);
            assertEquals(0, b[0]);
            assertEquals(tiles, b[parts]);
            for (int k = 0; k < parts; k++) {
                assertTrue(b[k + 1] > b[k], "range " + k + " is empty: tiles " + tiles + ", parts " + parts);
                long c = 0;
                for (long t = b[k]; t < b[k + 1]; t++) {
                    c += cost[(int) t];
                }
                // within a tile of its share; where one tile outweighs a share, within twice the larger
                double bound = skewed ? 2 * Math.max((double) total / parts, max) : (double) total / parts + max;
                assertTrue(c <= bound, "range " + k + " carries " + c + " of " + total + " in " + parts + " parts");
            }
        }
    }
}

package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link TileScheduler#run(long, long, TileScheduler.TileTask)} and {@link TileScheduler#run(long[],
 * TileScheduler.TileTask)}: the ranges cover every tile once.
 */
class TileSchedulerRangesTest {
    @Test
    void rangesCoverEveryTileOnceWithAShortLastRange() {
        try (TileScheduler s = TileScheduler.create(3)) {
            for (long tiles : new long[] {1, 7, 32, 33, 100}) {
                for (long grain : new long[] {1, 2, 16, 32, 1000}) {
                    List<long[]> ranges = Collections.synchronizedList(new ArrayList<>());
                    s.run(tiles, grain, (b, e) -> ranges.add(new long[] {b, e}));
                    ranges.sort((x, y) -> Long.compare(x[0], y[0]));
                    long next = 0;
                    for (long[] r : ranges) {
                        assertEquals(next, r[0], "ranges must tile [0, " + tiles + ") in order, grain " + grain);
                        assertTrue(r[1] > r[0] && r[1] - r[0] <= grain, "range length within grain " + grain);
                        assertTrue(r[1] - r[0] == grain || r[1] == tiles, "only the last range may be short");
                        next = r[1];
                    }
                    assertEquals(tiles, next, "every tile of " + tiles + " once, grain " + grain);
                    assertEquals((tiles + grain - 1) / grain, ranges.size());
                }
            }
            s.run(0, 4, (b, e) -> {
                throw new AssertionError("no tiles: no range");
            });
        }
    }

    @Test
    void boundsAreHandedOutAsGiven() {
        try (TileScheduler s = TileScheduler.create(2)) {
            long[] bounds = {0, 3, 4, 40};
            List<long[]> ranges = Collections.synchronizedList(new ArrayList<>());
            s.run(bounds, (b, e) -> ranges.add(new long[] {b, e}));
            ranges.sort((x, y) -> Long.compare(x[0], y[0]));
            assertEquals(3, ranges.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(bounds[i], ranges.get(i)[0]);
                assertEquals(bounds[i + 1], ranges.get(i)[1]);
            }
            s.run(new long[] {0}, (b, e) -> {
                throw new AssertionError("no tiles: no range");
            });
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.run(new long[] {0, 5, 5}, (b, x) -> { }));
            assertEquals("bounds must increase strictly: bounds[2] = 5 after 5", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.run(new long[] {1, 5}, (b, x) -> { }));
            assertThrows(IllegalArgumentException.class, () -> s.run(new long[0], (b, x) -> { }));
        }
    }

    @Test
    void grainBelowOneIsRefused() {
        try (TileScheduler s = TileScheduler.create(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(4, 0, (b, x) -> { }));
            assertEquals("grain must be >= 1, got 0", e.getMessage());
        }
    }
}

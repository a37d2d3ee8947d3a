package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link CacheMemory}: zeroed, aligned, exactly the size asked, writable to its last byte, released
 * with its arena, and (Linux, where the system grants them) in huge pages.
 */
class CacheMemoryTest {
    @Test
    void memoryIsZeroedAlignedAndWritableAtEverySize() {
        for (long bytes : new long[] {0, 1, 4096, (2L << 20) - 4, 2L << 20, (5L << 20) + 12}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = CacheMemory.allocate(arena, bytes);
                assertEquals(bytes, s.byteSize());
                assertEquals(0, s.address() % 64, "64-byte aligned");
                for (long off = 0; off + 8 <= bytes; off += 4096) {
                    assertEquals(0L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, off), "zeroed at " + off);
                }
                if (bytes > 0) {
                    s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
                    assertEquals(7, s.get(ValueLayout.JAVA_BYTE, bytes - 1));
                }
            }
        }
    }

    @Test
    void closedArenaReleasesTheMemory() {
        MemorySegment s;
        try (Arena arena = Arena.ofConfined()) {
            s = CacheMemory.allocate(arena, 8L << 20);
        }
        MemorySegment dead = s;
        assertThrows(IllegalStateException.class, () -> dead.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void manyCachesDoNotGrowTheMappings() throws IOException {
        // each allocation maps 2 MiB more than it returns; all of it goes back with the arena
        long before = mappings();
        for (int i = 0; i < 200; i++) {
            try (Arena arena = Arena.ofConfined()) {
                CacheMemory.allocate(arena, 3L << 20).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            }
        }
        assertTrue(mappings() < before + 20, "mappings grew from " + before + " to " + mappings());
    }

    @Test
    void refusesNegativeSizes() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CacheMemory.allocate(arena, -1));
            assertEquals("bytes must be >= 0, got -1", e.getMessage());
        }
    }

    @Test
    void largeCachesAreInHugePagesWhereTheSystemGrantsThem() throws IOException {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        String mode = Files.isReadable(thp) ? Files.readString(thp) : "";
        assumeTrue(mode.contains("[madvise]") || mode.contains("[always]"),
                "transparent huge pages are off or absent here (" + mode.trim() + ")");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = CacheMemory.allocate(arena, 16L << 20);
            for (long off = 0; off < s.byteSize(); off += 4096) {
                s.set(ValueLayout.JAVA_BYTE, off, (byte) 1);
            }
            long huge = hugeKibOf(s.address());
            // With THP on "madvise" or "always" (and defrag's default "madvise"), a madvised
            // region compacts at fault time if it must: 0 here means the advice was not given.
            assertTrue(huge >= 2048, "AnonHugePages of the 16 MiB mapping: " + huge + " KiB (THP mode " + mode.trim()
                    + ")");
        }
    }

    private static long mappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).size();
    }

    /** AnonHugePages (KiB) of the /proc/self/smaps mapping that holds address. */
    private static long hugeKibOf(long address) throws IOException {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                inside = Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16);
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }
}

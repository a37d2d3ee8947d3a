package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of shipped libraries: checksums, damaged copies, races and unsafe folders. */
class LibraryCacheTest {
    static final String RES = "panattn-test/libfake.so";

    private static byte[] original() throws IOException {
        try (InputStream in = LibraryCacheTest.class.getClassLoader().getResourceAsStream(RES)) {
            return in.readAllBytes();
        }
    }

    @Test
    void extractsOnceAndReusesAnIntactCopy(@TempDir Path root) throws IOException {
        LibraryCache.Extracted a = LibraryCache.extract(getClass(), root, "fake", List.of(RES));
        Path f = a.files().get(0);
        assertArrayEquals(original(), Files.readAllBytes(f));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a.dir())));
        long stamp = Files.getLastModifiedTime(f).toMillis();
        LibraryCache.Extracted b = LibraryCache.extract(getClass(), root, "fake", List.of(RES));
        assertEquals(f, b.files().get(0));
        assertEquals(stamp, Files.getLastModifiedTime(f).toMillis(), "an intact copy is not rewritten");
    }

    @Test
    void aTruncatedOrCorruptedCopyIsDetectedAndReplaced(@TempDir Path root) throws IOException {
        Path f = LibraryCache.extract(getClass(), root, "fake", List.of(RES)).files().get(0);
        Files.write(f, new byte[] {1, 2, 3}); // truncated
        LibraryCache.Extracted again = LibraryCache.extract(getClass(), root, "fake", List.of(RES));
        assertArrayEquals(original(), Files.readAllBytes(f));
        assertTrue(again.note().contains("replaced damaged"), again.note());

        byte[] flipped = original();
        flipped[3] ^= 0x20; // same size, one bit different
        Files.write(f, flipped);
        LibraryCache.extract(getClass(), root, "fake", List.of(RES));
        assertArrayEquals(original(), Files.readAllBytes(f));
    }

    @Test
    void concurrentExtractionsAllSeeACompleteFile(@TempDir Path root) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Callable<byte[]> job = () -> Files.readAllBytes(LibraryCache.extract(getClass(), root, "fake", List.of(RES)).files().get(0));
            List<Future<byte[]>> results = pool.invokeAll(java.util.Collections.nCopies(16, job));
            for (Future<byte[]> r : results) {
                assertArrayEquals(original(), r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFolderWritableByOthersIsRefusedForAPrivateOne(@TempDir Path root) throws IOException {
        Path first = LibraryCache.extract(getClass(), root, "fake", List.of(RES)).dir();
        Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rwxrwxrwx"));
        LibraryCache.Extracted x = LibraryCache.extract(getClass(), root, "fake", List.of(RES));
        assertNotEquals(first, x.dir(), "a world-writable folder must not be used");
        assertTrue(x.note().contains("writable by others"), x.note());
        assertArrayEquals(original(), Files.readAllBytes(x.files().get(0)));
        assertThrows(IOException.class, () -> LibraryCache.requireSafeDir(first));
    }

    @Test
    void aMissingResourceIsAnIOExceptionNotACrash(@TempDir Path root) {
        IOException e = assertThrows(IOException.class,
                () -> LibraryCache.extract(getClass(), root, "none", List.of("panattn-test/absent.so")));
        assertTrue(e.getMessage().contains("absent.so"));
    }
}

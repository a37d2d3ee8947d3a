package panama.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading end to end, each in fresh child JVMs running {@link LoaderProbe}
 * with {@code -Dpanattn.cache.dir} pointing at a temporary folder:
 * a corrupted or truncated extracted libpanattn.so is detected by its checksum and replaced;
 * JVMs starting at once on an empty cache all load; a cache folder that is world-writable (with a
 * library planted in it) or owned by another user is refused for a private one, and the planted
 * file is never loaded; a missing OpenBLAS (explicit path to nowhere, no bundled jar on a trimmed
 * class path) disables BLAS alone, with the reason in {@link Attention#backends()}.
 */
class NativeLoadingTest {
    /** What one child said. */
    record Report(Map<String, String> status, Map<String, String> calls, String raw) {
        boolean on(String backend) {
            return status.getOrDefault(backend, "").startsWith("on ");
        }

        String detail(String backend) {
            String s = status.getOrDefault(backend, "");
            return s.substring(Math.min(s.length(), s.indexOf(' ') + 1));
        }

        /** The path NATIVE_CPU loaded, from "libpanattn.so at PATH (from ...)". */
        Path cpuLibrary() {
            String d = detail("NATIVE_CPU");
            int at = d.indexOf(" at ");
            int paren = d.indexOf(" (", at);
            return Path.of(d.substring(at + 4, paren));
        }

        /** NATIVE_CPU and every other backend that is on computed the reference's result. */
        void requireCallsMatch() {
            for (Map.Entry<String, String> e : status.entrySet()) {
                if (e.getValue().startsWith("on ")) {
                    String c = calls.get(e.getKey());
                    assertTrue(c != null && Double.parseDouble(c) < 1e-4, () -> e.getKey() + " call: " + c + "\n" + raw);
                }
            }
        }
    }

    static Report probe(Path tmp, Path cache, String classPath, String... extraJvm) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Dpanattn.cache.dir=" + cache));
        jvm.addAll(List.of(extraJvm));
        Robust.Child c = Robust.java(tmp, classPath, jvm, LoaderProbe.class.getName(), List.of(), 120);
        assertEquals(0, c.exit(), () -> "probe failed: " + c);
        Map<String, String> status = new HashMap<>();
        Map<String, String> calls = new HashMap<>();
        for (String line : c.out().lines().toList()) {
            String[] f = line.split(" ", 3);
            if (f[0].equals("STATUS")) {
                status.put(f[1], f[2]);
            } else if (f[0].equals("CALL")) {
                calls.put(f[1], f[2]);
            }
        }
        return new Report(status, calls, c.toString());
    }

    @Test
    void aCorruptedOrTruncatedExtractedLibraryIsDetectedAndReplaced(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        Report first = probe(tmp, cache, null);
        assertTrue(first.on("NATIVE_CPU"), first.raw());
        Path lib = first.cpuLibrary();
        assertTrue(lib.startsWith(cache), "extracted into the cache: " + lib);
        byte[] good = Files.readAllBytes(lib);

        Files.write(lib, java.util.Arrays.copyOf(good, good.length / 2)); // truncated
        Report truncated = probe(tmp, cache, null);
        assertTrue(truncated.on("NATIVE_CPU"), truncated.raw());
        assertTrue(truncated.detail("NATIVE_CPU").contains("replaced damaged libpanattn.so"), truncated.detail("NATIVE_CPU"));
        assertArrayEquals(sha256(good), sha256(Files.readAllBytes(lib)));
        truncated.requireCallsMatch();

        byte[] flipped = good.clone();
        flipped[flipped.length / 3] ^= 0x5a; // same size, wrong bytes: only the checksum can tell
        Files.write(lib, flipped);
        Report corrupted = probe(tmp, cache, null);
        assertTrue(corrupted.detail("NATIVE_CPU").contains("replaced damaged libpanattn.so"), corrupted.raw());
        assertArrayEquals(sha256(good), sha256(Files.readAllBytes(lib)));
        corrupted.requireCallsMatch();
    }

    @Test
    void jvmsStartingAtOnceOnAnEmptyCacheAllLoad(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        int n = 4;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Report>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<Report> task = () -> probe(tmp, cache, null);
                futures.add(pool.submit(task));
            }
            for (Future<Report> f : futures) {
                Report r = f.get();
                assertTrue(r.on("NATIVE_CPU"), r.raw());
                assertTrue(r.cpuLibrary().startsWith(cache), r.raw());
                r.requireCallsMatch();
            }
        } finally {
            pool.shutdownNow();
        }
        try (var files = Files.walk(cache)) {
            List<Path> leftovers = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), leftovers, "no half-written files left behind");
        }
    }

    @Test
    void aWorldWritableCacheFolderWithAPlantedLibraryIsRefused(@TempDir Path tmp) throws Exception {
        // where an honest run extracts to, so the plant sits exactly where the library would go
        Path honest = tmp.resolve("honest");
        Path tag = probe(tmp, honest, null).cpuLibrary().getParent().getFileName();

        Path evil = tmp.resolve("evil");
        Path plantedDir = evil.resolve(tag.toString());
        Files.createDirectories(plantedDir);
        Path planted = plantedDir.resolve("libpanattn.so");
        byte[] plant = "#!planted by someone else\n".getBytes();
        Files.write(planted, plant);
        Files.setPosixFilePermissions(evil, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(plantedDir, PosixFilePermissions.fromString("rwxrwxrwx"));

        Report r = probe(tmp, evil, null);
        assertTrue(r.on("NATIVE_CPU"), r.raw());
        assertFalse(r.cpuLibrary().startsWith(evil), "loaded from the unsafe folder: " + r.cpuLibrary());
        assertTrue(r.detail("NATIVE_CPU").contains("refused") && r.detail("NATIVE_CPU").contains("writable by others"),
                r.detail("NATIVE_CPU"));
        assertArrayEquals(plant, Files.readAllBytes(planted), "the planted file is neither loaded nor touched");
        r.requireCallsMatch();
    }

    @Test
    void aCacheFolderOwnedByAnotherUserIsRefused(@TempDir Path tmp) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give a folder to another user");
        Path theirs = tmp.resolve("theirs");
        Files.createDirectories(theirs);
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
        UserPrincipal nobody;
        try {
            nobody = theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(theirs, nobody);
        } catch (Exception e) {
            assumeTrue(false, "cannot chown to nobody: " + e);
            return;
        }
        Report r = probe(tmp, theirs, null);
        assertTrue(r.on("NATIVE_CPU"), r.raw());
        assertFalse(r.cpuLibrary().startsWith(theirs), r.raw());
        assertTrue(r.detail("NATIVE_CPU").contains("is owned by nobody"), r.detail("NATIVE_CPU"));
        r.requireCallsMatch();
    }

    @Test
    void aMissingOpenBlasDisablesBlasAloneWithTheReason(@TempDir Path tmp) throws Exception {
        for (String p : new String[] {"/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "/usr/lib64/libopenblas.so.0",
            "/usr/local/lib/libopenblas.so.0"}) {
            assumeTrue(!Files.exists(Path.of(p)), "a system OpenBLAS (" + p + ") would be found anyway");
        }
        String trimmed = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("openblas")).collect(Collectors.joining(File.pathSeparator));
        Report r = probe(tmp, tmp.resolve("cache"), trimmed, "-Dpanattn.openblas.path=/nonexistent/libopenblas.so.0");
        assertFalse(r.on("BLAS"), r.raw());
        String why = r.detail("BLAS");
        assertTrue(why.contains("/nonexistent/libopenblas.so.0") && why.contains("not on the class path"), why);
        assertTrue(r.on("NATIVE_CPU") && r.on("JAVA_REFERENCE") && r.on("JAVA_VECTOR"), r.raw());
        assertTrue(r.raw().contains("REFUSED BLAS AttentionException: BLAS cannot run this call: OpenBLAS could not be loaded"),
                r.raw());
        r.requireCallsMatch();
        // CUDA, when off here (no GPU, or no library), says why, and takes nothing else down
        if (r.status().containsKey("CUDA") && !r.on("CUDA")) {
            assertFalse(r.detail("CUDA").isBlank(), r.raw());
        }
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}

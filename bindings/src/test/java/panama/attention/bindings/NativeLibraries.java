package panama.attention.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Test-side locations and loading of the native libraries. The bindings are generated without
 * {@code -l}, so symbols resolve through {@code SymbolLookup.loaderLookup()}: the libraries must be
 * {@code System.load}ed (by a class of the same class loader) before a function class initialises.
 */
final class NativeLibraries {

    /** Where the openblas test dependency keeps its Linux x86-64 files on the class path. */
    static final String OPENBLAS_RESOURCES = "org/bytedeco/openblas/linux-x86_64/";
    /** In dependency order: each one's DT_NEEDED entries are loaded before it. */
    private static final List<String> OPENBLAS_FILES =
            List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0");

    private static boolean panattnLoaded;
    private static Boolean cudaLoaded;
    private static boolean openblasLoaded;

    private NativeLibraries() {
    }

    /** The repository root: -Dpanattn.root, else the first parent of the working directory holding native/include. */
    static Path root() {
        String prop = System.getProperty("panattn.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("native/include/panattn.h"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root; pass -Dpanattn.root");
    }

    /** The CMake build directory: -Dpanattn.native.build, else {@code <root>/build/native}. */
    static Path nativeBuild() {
        String prop = System.getProperty("panattn.native.build");
        return prop != null && !prop.isBlank() ? Path.of(prop) : root().resolve("build/native");
    }

    static Path header(String name) {
        return root().resolve("native/include").resolve(name);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = NativeLibraries.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " not on the test class path "
                        + "(is org.bytedeco:openblas:linux-x86_64 a test dependency?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path panattnLibrary() {
        return nativeBuild().resolve("libpanattn.so");
    }

    static Path panattnCudaLibrary() {
        return nativeBuild().resolve("libpanattn_cuda.so");
    }

    /** Loads libpanattn.so; fails with what to run when it has not been built. */
    static synchronized void loadPanattn() {
        if (!panattnLoaded) {
            Path lib = panattnLibrary();
            if (!Files.isRegularFile(lib)) {
                throw new IllegalStateException(lib + " does not exist; build native first "
                        + "(mvn -pl bindings generate-resources, or cmake -S . -B build/native && cmake --build build/native)");
            }
            System.load(lib.toAbsolutePath().toString());
            panattnLoaded = true;
        }
    }

    /** Loads libpanattn_cuda.so when it was built (CMake builds it only where nvcc exists). */
    static synchronized boolean loadPanattnCudaIfBuilt() {
        if (cudaLoaded == null) {
            Path lib = panattnCudaLibrary();
            cudaLoaded = Files.isRegularFile(lib);
            if (cudaLoaded) {
                // Static CUDA runtime: loading needs no driver, so a failure here is a real packaging bug.
                System.load(lib.toAbsolutePath().toString());
            }
        }
        return cudaLoaded;
    }

    /** Extracts OpenBLAS and its Fortran runtime from the openblas jar and loads them in order. */
    static synchronized void loadOpenBlas() {
        if (openblasLoaded) {
            return;
        }
        try {
            Path dir = Files.createTempDirectory("panattn-openblas-");
            dir.toFile().deleteOnExit();
            for (String name : OPENBLAS_FILES) {
                Path target = dir.resolve(name);
                try (InputStream in = NativeLibraries.class.getClassLoader().getResourceAsStream(OPENBLAS_RESOURCES + name)) {
                    if (in == null) {
                        throw new IllegalStateException(OPENBLAS_RESOURCES + name + " not on the test class path");
                    }
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                target.toFile().deleteOnExit();
                System.load(target.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openblasLoaded = true;
    }
}

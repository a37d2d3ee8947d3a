package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import panama.attention.AttentionException;
import panama.attention.bindings.cublas_h;

/**
 * cuBLAS, loaded once at run time (never linked, never shipped) through {@link LibrarySearch}: the
 * first of
 * <ol>
 *   <li>{@code -Dpanattn.cublas.path} or {@code $PANATTN_CUBLAS_PATH} (the file, or a folder holding it);</li>
 *   <li>PyTorch's wheel copy, {@code nvidia/*}{@code /lib} under every python3 site-packages or
 *       dist-packages folder found ($VIRTUAL_ENV, $CONDA_PREFIX, /usr/lib, /usr/local/lib,
 *       /opt/conda/lib, ~/.local/lib, /opt/*&#47;{.venv,venv,}/lib);</li>
 *   <li>{@code /usr/local/cuda/lib64}, then {@code /usr/local/cuda-*}{@code /lib64} (newest first);</li>
 *   <li>the system loader (LD_LIBRARY_PATH, the ld.so cache);</li>
 * </ol>
 * trying {@code libcublas.so.13}, then {@code .so.12}, with its {@code libcublasLt} from the same
 * folder loaded first. The error lists everything tried.
 */
public final class CuBlas {
    static final List<String> NAMES = List.of("libcublas.so.13", "libcublas.so.12");

    private CuBlas() {
    }

    private static final class Holder {
        static final Path PATH;
        static final String ERROR;

        static {
            LibrarySearch.Opener open = Holder::open;
            LibrarySearch search = new LibrarySearch("cuBLAS (libcublas.so.13/.12)")
                    .explicit("panattn.cublas.path", "PANATTN_CUBLAS_PATH", NAMES, open)
                    .folders("python site-packages", wheelFolders(), NAMES, open)
                    .folders("CUDA toolkit", toolkitFolders(), NAMES, open)
                    .systemLoader(NAMES, open);
            PATH = search.found() == null ? null : search.found().path();
            ERROR = search.error() == null ? null
                    : search.error() + " (set PANATTN_CUBLAS_PATH to the library or its folder)";
        }

        /**
         * {@code nvidia/*}{@code /lib} under every python site-packages (or dist-packages) we can find:
         * PyTorch's CUDA 13 wheels unpack cuBLAS to {@code nvidia/cu13/lib}, older ones to
         * {@code nvidia/cublas/lib}.
         */
        static List<Path> wheelFolders() {
            String home = System.getProperty("user.home", "/root");
            List<Path> roots = new ArrayList<>();
            for (String env : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
                String v = System.getenv(env);
                if (v != null && !v.isBlank()) {
                    roots.add(Path.of(v, "lib"));
                }
            }
            for (String r : new String[] {"/usr/lib", "/usr/local/lib", "/opt/conda/lib", home + "/.local/lib"}) {
                roots.add(Path.of(r));
            }
            for (String venv : new String[] {".venv/lib", "venv/lib", "lib"}) { // e.g. /opt/torch/.venv
                roots.addAll(LibrarySearch.glob(Path.of("/opt"), "*", venv));
            }
            List<Path> dirs = new ArrayList<>();
            for (Path root : roots) {
                for (Path py : LibrarySearch.glob(root, "python3*", null)) {
                    for (String pk : new String[] {"site-packages", "dist-packages"}) {
                        dirs.addAll(LibrarySearch.glob(py.resolve(pk).resolve("nvidia"), "*", "lib"));
                    }
                }
            }
            return dirs;
        }

        /** {@code /usr/local/cuda/lib64}, then versioned toolkits, newest first. */
        static List<Path> toolkitFolders() {
            List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/local/cuda/lib64")));
            dirs.addAll(LibrarySearch.glob(Path.of("/usr/local"), "cuda-*", "lib64"));
            return dirs;
        }

        /** cuBLAS needs its libcublasLt from the same folder: that one is loaded first. */
        static String open(Path lib) {
            String suffix = lib.getFileName().toString().substring("libcublas".length());
            Path lt = lib.resolveSibling("libcublasLt" + suffix);
            if (Files.exists(lt)) {
                String err = LibrarySearch.requiring(null).open(lt);
                if (err != null) {
                    return "its " + lt.getFileName() + ": " + err;
                }
            }
            return LibrarySearch.requiring("cublasCreate_v2").open(lib);
        }
    }

    /** Null when cuBLAS is loaded, else what was tried. */
    public static String error() {
        return Holder.ERROR;
    }

    public static Path path() {
        return Holder.PATH;
    }

    /** Throws with the status name when a cuBLAS call failed. */
    static void check(int status, String what) {
        if (status != cublas_h.CUBLAS_STATUS_SUCCESS()) {
            String name;
            try {
                name = cublas_h.cublasGetStatusName(status).reinterpret(256).getString(0);
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                name = "status " + status;
            }
            throw new AttentionException(what + " failed: " + name);
        }
    }

    /** A cuBLAS handle on the calling thread's default stream; close destroys it. */
    static final class Handle implements AutoCloseable {
        final MemorySegment handle;

        Handle() {
            if (Holder.ERROR != null) {
                throw new AttentionException(Holder.ERROR);
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ValueLayout.ADDRESS);
                check(cublas_h.cublasCreate_v2(out), "cublasCreate");
                handle = MemorySegment.ofAddress(out.get(ValueLayout.ADDRESS, 0).address());
            }
            // cudaStreamPerThread (0x2): the same per-thread stream our kernels use with a NULL stream
            check(cublas_h.cublasSetStream_v2(handle, MemorySegment.ofAddress(2)), "cublasSetStream");
        }

        int version() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
                check(cublas_h.cublasGetVersion_v2(handle, v), "cublasGetVersion");
                return v.get(ValueLayout.JAVA_INT, 0);
            }
        }

        @Override
        public void close() {
            check(cublas_h.cublasDestroy_v2(handle), "cublasDestroy");
        }
    }
}

package panama.attention.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import panama.attention.AttentionException;
import panama.attention.bindings.cublas_h;

/**
 * cuBLAS, loaded once at run time (never linked, never shipped): the first of
 * <ol>
 *   <li>{@code -Dpanattn.cublas.path} or {@code $PANATTN_CUBLAS_PATH} (the file, or a folder holding it);</li>
 *   <li>{@code /usr/local/cuda/lib64}, {@code /usr/local/cuda-*}{@code /lib64} (newest first),
 *       {@code /usr/lib/x86_64-linux-gnu};</li>
 *   <li>PyTorch's wheel copy, {@code nvidia/cublas/lib} under a python3 site-packages or
 *       dist-packages folder (/usr/lib, /usr/local/lib, /opt/conda/lib, ~/.local/lib, /opt/*&#47;.venv/lib);</li>
 * </ol>
 * trying {@code libcublas.so.13}, {@code .so.12}, then {@code libcublas.so} in each, with its
 * {@code libcublasLt} from the same folder loaded first. The error lists everything tried.
 */
public final class CuBlas {
    static final String[] NAMES = {"libcublas.so.13", "libcublas.so.12", "libcublas.so"};

    private CuBlas() {
    }

    private static final class Holder {
        static final Path PATH;
        static final String ERROR;

        static {
            List<String> tried = new ArrayList<>();
            Path found = null;
            for (Path dir : candidates(tried)) {
                for (String name : NAMES) {
                    Path lib = Files.isDirectory(dir) ? dir.resolve(name) : dir;
                    if (!Files.isDirectory(dir) && !dir.getFileName().toString().startsWith("libcublas")) {
                        continue;
                    }
                    if (!Files.exists(lib)) {
                        continue;
                    }
                    String err = open(lib);
                    if (err == null) {
                        found = lib;
                        break;
                    }
                    tried.add(lib + ": " + err);
                    if (!Files.isDirectory(dir)) {
                        break;
                    }
                }
                if (found != null) {
                    break;
                }
            }
            String error = null;
            if (found == null) {
                error = "cuBLAS (libcublas.so.13/.12/.so) not found; tried " + String.join("; ", tried)
                        + " (set PANATTN_CUBLAS_PATH to the library or its folder)";
            }
            PATH = found;
            ERROR = error;
        }

        static List<Path> candidates(List<String> tried) {
            List<Path> dirs = new ArrayList<>();
            String explicit = System.getProperty("panattn.cublas.path");
            if (explicit == null || explicit.isBlank()) {
                explicit = System.getenv("PANATTN_CUBLAS_PATH");
            }
            if (explicit != null && !explicit.isBlank()) {
                dirs.add(Path.of(explicit));
            }
            dirs.add(Path.of("/usr/local/cuda/lib64"));
            dirs.addAll(glob(Path.of("/usr/local"), "cuda-*", "lib64"));
            dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
            String home = System.getProperty("user.home", "/root");
            List<String> roots = new ArrayList<>(List.of("/usr/lib", "/usr/local/lib", "/opt/conda/lib", home + "/.local/lib"));
            for (Path venv : glob(Path.of("/opt"), "*", ".venv/lib")) { // e.g. /opt/torch/.venv (the H200 image)
                roots.add(venv.toString());
            }
            for (String root : roots) {
                for (Path py : glob(Path.of(root), "python3*", null)) {
                    for (String pk : new String[] {"site-packages", "dist-packages"}) {
                        dirs.add(py.resolve(pk).resolve("nvidia/cublas/lib"));
                    }
                }
            }
            List<Path> existing = new ArrayList<>();
            for (Path d : dirs) {
                if (Files.exists(d)) {
                    existing.add(d);
                } else {
                    tried.add(d + ": missing");
                }
            }
            return existing;
        }

        static List<Path> glob(Path dir, String pattern, String child) {
            List<Path> out = new ArrayList<>();
            if (!Files.isDirectory(dir)) {
                return out;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
                for (Path p : ds) {
                    out.add(child == null ? p : p.resolve(child));
                }
            } catch (IOException e) {
                // unreadable folder: nothing from it
            }
            out.sort((a, b) -> b.toString().compareTo(a.toString())); // newest version first
            return out;
        }

        static String open(Path lib) {
            try {
                String suffix = lib.getFileName().toString().substring("libcublas".length());
                Path lt = lib.resolveSibling("libcublasLt" + suffix);
                if (Files.exists(lt)) {
                    System.load(lt.toAbsolutePath().toString());
                }
                SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
                if (lookup.find("cublasCreate_v2").isEmpty()) {
                    return "has no cublasCreate_v2";
                }
                System.load(lib.toAbsolutePath().toString());
                return null;
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                return e.getMessage();
            }
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

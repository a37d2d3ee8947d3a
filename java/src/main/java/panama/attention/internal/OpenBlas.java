package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import panama.attention.AttentionException;
import panama.attention.bindings.cblas_h;

/**
 * OpenBLAS, loaded once through {@link LibrarySearch}: an explicit file or folder
 * ({@code -Dpanattn.openblas.path} or {@code $PANATTN_OPENBLAS_PATH}), else a system install in the
 * usual folders, else the copy in Maven Central's {@code org.bytedeco:openblas} jar (linux-x86_64),
 * extracted with its libgfortran and libquadmath. Our CPU backends parallelise over tiles themselves, so OpenBLAS is
 * set to one thread; {@link #withThreads} lends it more for a whole-matrix benchmark.
 */
public final class OpenBlas {
    static final String[] SYSTEM_PATHS = {
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas64-pthread/libopenblas.so.0",
        "/usr/lib64/libopenblas.so.0",
        "/usr/local/lib/libopenblas.so.0",
        "/opt/OpenBLAS/lib/libopenblas.so.0",
    };
    static final String BUNDLED_DIR = "org/bytedeco/openblas/linux-x86_64/";
    /** Load order matters: each library's dependencies first. */
    static final String[] BUNDLED_FILES = {"libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0"};

    private OpenBlas() {
    }

    private static final class Holder {
        static final Path PATH;
        static final String SOURCE;
        static final String ERROR;

        static {
            LibrarySearch.Opener openblas = LibrarySearch.requiring("cblas_sgemm");
            List<String> bundled = new ArrayList<>();
            List<LibrarySearch.Opener> openers = new ArrayList<>();
            for (String f : BUNDLED_FILES) {
                bundled.add(BUNDLED_DIR + f);
                openers.add(f.startsWith("libopenblas") ? openblas : LibrarySearch.requiring(null));
            }
            LibrarySearch search = new LibrarySearch("OpenBLAS")
                    .explicit("panattn.openblas.path", "PANATTN_OPENBLAS_PATH", List.of("libopenblas.so.0"), openblas)
                    .files("system folders", Arrays.stream(SYSTEM_PATHS).map(Path::of).toList(), openblas)
                    .jar("bundled (org.bytedeco:openblas)", OpenBlas.class, "openblas", bundled, openers);
            LibrarySearch.Found found = search.found();
            String error = search.error();
            if (error == null) {
                try {
                    cblas_h.openblas_set_num_threads(1);
                } catch (Throwable e) {
                    error = found.path() + " loaded but cannot be called: " + e;
                }
            }
            PATH = found == null ? null : found.path();
            SOURCE = found == null ? null : found.source();
            ERROR = error;
        }
    }

    /** Null when OpenBLAS is usable, else why not. */
    public static String error() {
        return Holder.ERROR;
    }

    public static void require() {
        if (Holder.ERROR != null) {
            throw new AttentionException("BLAS is not available: " + Holder.ERROR);
        }
    }

    /** Which OpenBLAS, from where, and its build configuration. */
    public static String describe() {
        if (Holder.ERROR != null) {
            return Holder.ERROR;
        }
        String config = cblas_h.openblas_get_config().getString(0);
        String core = cblas_h.openblas_get_corename().getString(0);
        return Holder.SOURCE + " " + Holder.PATH + " [" + config.trim() + ", core " + core + "]";
    }

    /** Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C, on raw addresses. */
    public static void sgemm(boolean transA, boolean transB, long m, long n, long k, float alpha,
                             MemorySegment a, long lda, MemorySegment b, long ldb, float beta,
                             MemorySegment c, long ldc) {
        cblas_h.cblas_sgemm(cblas_h.CblasRowMajor(),
                transA ? cblas_h.CblasTrans() : cblas_h.CblasNoTrans(),
                transB ? cblas_h.CblasTrans() : cblas_h.CblasNoTrans(),
                Math.toIntExact(m), Math.toIntExact(n), Math.toIntExact(k), alpha,
                a, Math.toIntExact(lda), b, Math.toIntExact(ldb), beta, c, Math.toIntExact(ldc));
    }

    /** Runs {@code r} with OpenBLAS allowed {@code threads} threads, then back to one. */
    public static synchronized void withThreads(int threads, Runnable r) {
        require();
        cblas_h.openblas_set_num_threads(threads);
        try {
            r.run();
        } finally {
            cblas_h.openblas_set_num_threads(1);
        }
    }
}

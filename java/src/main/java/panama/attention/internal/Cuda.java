package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.bindings.panattn_cuda_h;

/**
 * libpanattn_cuda.so, loaded once on first use, and the checked calls the CUDA backend and
 * {@link panama.attention.DeviceArena} make through it. The backend is on when the library loads,
 * its ABI matches these bindings and at least one device is visible; otherwise {@link #error()}
 * says why, with the CUDA error name (e.g. {@code cudaErrorInsufficientDriver} when there is no
 * driver, {@code cudaErrorNoDevice} when there is no GPU).
 */
public final class Cuda {
    /** A NULL stream: the calling thread's default stream (cudaStreamPerThread). */
    public static final MemorySegment THREAD_STREAM = MemorySegment.NULL;

    private Cuda() {
    }

    private static final class Holder {
        static final NativeLibrary LIB = NativeLibrary.load("libpanattn_cuda.so", "panattn_cuda_abi_version");
        static final int DEVICES;
        static final String DESCRIPTION;
        static final String ERROR;

        static {
            int devices = 0;
            String description = null;
            String error;
            if (!LIB.loaded()) {
                error = LIB.error();
            } else {
                try {
                    int have = panattn_cuda_h.panattn_cuda_abi_version();
                    int want = panattn_cuda_h.PANATTN_CUDA_ABI_VERSION();
                    if (have != want) {
                        error = LIB.path() + " has ABI version " + have + " but these bindings need " + want;
                    } else {
                        try (Arena a = Arena.ofConfined()) {
                            MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
                            int st = panattn_cuda_h.panattn_cuda_device_count(n);
                            if (st != 0) {
                                error = "no usable CUDA device: " + lastError();
                            } else {
                                devices = n.get(ValueLayout.JAVA_INT, 0);
                                MemorySegment buf = a.allocate(256);
                                description = panattn_cuda_h.panattn_cuda_device_describe(0, buf, 256) == 0
                                        ? buf.getString(0) : "device 0 (" + lastError() + ")";
                                error = null;
                            }
                        }
                    }
                } catch (Throwable e) {
                    error = "libpanattn_cuda.so loaded but its functions cannot be bound: " + e;
                }
            }
            DEVICES = devices;
            DESCRIPTION = description;
            ERROR = error;
        }
    }

    /** Null when the CUDA backend can run here, else the reason it is off. */
    public static String error() {
        return Holder.ERROR;
    }

    /** "libpanattn_cuda.so at …; N device(s); device 0: NVIDIA H200, sm_90, …" when available. */
    public static String describe() {
        return Holder.LIB + "; " + Holder.DEVICES + " device(s); device 0: " + Holder.DESCRIPTION;
    }

    public static int deviceCount() {
        return Holder.DEVICES;
    }

    /** Throws {@link AttentionException} with the reason when CUDA is off. */
    public static void require(String what) {
        if (Holder.ERROR != null) {
            throw new AttentionException(panama.attention.bindings.panattn_h.PANATTN_ERR_UNSUPPORTED(), what + ": CUDA is not available: " + Holder.ERROR);
        }
    }

    /** The calling thread's last libpanattn_cuda message. */
    public static String lastError() {
        return panattn_cuda_h.panattn_cuda_last_error().reinterpret(4096).getString(0);
    }

    /** Turns a status code into an exception carrying this thread's native message (with the CUDA error name). */
    public static void check(int status, String what) {
        if (status != 0) {
            throw new AttentionException(status, what + " failed (" + NativeStatus.name(status) + "): " + lastError());
        }
    }

    public static long malloc(int device, long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(panattn_cuda_h.panattn_cuda_malloc(device, bytes, out), "cudaMalloc of " + bytes + " bytes on cuda:" + device);
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    public static void free(int device, long ptr) {
        check(panattn_cuda_h.panattn_cuda_free(device, MemorySegment.ofAddress(ptr)), "cudaFree on cuda:" + device);
    }

    public static long mallocHost(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(panattn_cuda_h.panattn_cuda_malloc_host(bytes, out), "cudaMallocHost of " + bytes + " bytes");
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    public static void freeHost(long ptr) {
        check(panattn_cuda_h.panattn_cuda_free_host(MemorySegment.ofAddress(ptr)), "cudaFreeHost");
    }

    public static MemorySegment streamCreate(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(panattn_cuda_h.panattn_cuda_stream_create(device, out), "cudaStreamCreate on cuda:" + device);
            return MemorySegment.ofAddress(out.get(ValueLayout.ADDRESS, 0).address());
        }
    }

    public static void streamDestroy(int device, MemorySegment stream) {
        check(panattn_cuda_h.panattn_cuda_stream_destroy(device, stream), "cudaStreamDestroy on cuda:" + device);
    }

    /** Copies bytes in any direction (unified addressing) on the stream and waits for it. */
    public static void memcpy(int device, long dst, long src, long bytes, MemorySegment stream) {
        check(panattn_cuda_h.panattn_cuda_memcpy(device, MemorySegment.ofAddress(dst), MemorySegment.ofAddress(src), bytes, stream),
                "cudaMemcpy of " + bytes + " bytes");
    }

    public static void memset(int device, long ptr, int value, long bytes, MemorySegment stream) {
        check(panattn_cuda_h.panattn_cuda_memset(device, MemorySegment.ofAddress(ptr), value, bytes, stream),
                "cudaMemset of " + bytes + " bytes");
    }

    /**
     * Refuses a virtual thread for calls that chain several GPU operations: they are ordered by the
     * OS thread's CUDA stream (cudaStreamPerThread), and a virtual thread may move to another
     * carrier, and so another stream, between two of them.
     */
    public static void requirePlatformThread(String what) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException(what + " cannot run on a virtual thread: its cuBLAS and kernel calls share "
                    + "the OS thread's CUDA stream (cudaStreamPerThread), which a virtual thread may leave between calls; "
                    + "call it from a platform thread (e.g. an Executors.newFixedThreadPool worker)");
        }
    }
}

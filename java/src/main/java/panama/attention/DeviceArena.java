package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import panama.attention.internal.Cuda;

/**
 * GPU memory for {@link Tensor}s, owned from Java: every {@link #allocate} is a {@code cudaMalloc}
 * (never managed memory) freed by {@link #close()}. Tensors it makes report
 * {@link Tensor#device()} {@code cuda:N}; the CUDA backend runs on them with no copies.
 *
 * <pre>{@code
 * try (DeviceArena gpu = DeviceArena.open(); Arena host = Arena.ofConfined()) {
 *     Tensor q = gpu.copyOf(hostQ), k = gpu.copyOf(hostK), v = gpu.copyOf(hostV);
 *     Tensor out = gpu.allocate(DType.BF16, q.shape());
 *     Attention.sdpa(q, k, v, out, AttentionOptions.defaults());   // AUTO picks CUDA
 *     Tensor result = gpu.toHost(out, host);
 * }
 * }</pre>
 *
 * <p>Copies go through a page-locked (cudaMallocHost) staging buffer of at most
 * {@value #STAGING_BYTES} bytes on this arena's own stream and wait for completion. Host tensors may
 * have any strides (they are packed row by row); device tensors taking part in a copy must be
 * contiguous.
 *
 * <p>Lifetime: {@link #close()} is idempotent. It refuses (IllegalStateException) while an
 * attention call or a copy that uses this arena's tensors is in flight, so memory is never freed
 * under a running kernel. After close every tensor of the arena is dead: using it in a call fails
 * with a Java exception ("its arena is closed"), never a crash. Thread-safe.
 */
public final class DeviceArena implements AutoCloseable {
    /** The largest staging buffer a copy uses; larger tensors are copied in pieces. */
    public static final long STAGING_BYTES = 32L << 20;

    private final Device device;
    private final Arena scope = Arena.ofShared(); // lifetime of every device segment handed out
    private final MemorySegment stream;
    private final List<Long> allocations = new ArrayList<>();
    private final Object stagingLock = new Object();
    private long staging;      // pinned host buffer, 0 until the first copy
    private long stagingBytes;
    private int inFlight;
    private boolean closed;

    private DeviceArena(int ordinal) {
        this.device = Device.cuda(ordinal);
        this.stream = Cuda.streamCreate(ordinal);
    }

    /** An arena on CUDA device 0. */
    public static DeviceArena open() {
        return open(0);
    }

    /**
     * An arena on CUDA device {@code ordinal}.
     *
     * @throws AttentionException when CUDA is not available here (the message says why, with the
     *     CUDA error name) or the device does not exist
     */
    public static DeviceArena open(int ordinal) {
        Cuda.require("DeviceArena.open");
        if (ordinal < 0 || ordinal >= Cuda.deviceCount()) {
            throw new AttentionException("DeviceArena.open: no CUDA device " + ordinal + " (" + Cuda.deviceCount() + " visible)");
        }
        return new DeviceArena(ordinal);
    }

    public Device device() {
        return device;
    }

    /** A row-major tensor of uninitialised GPU memory. */
    public Tensor allocate(DType dtype, long... shape) {
        long bytes = Math.multiplyExact(Tensor.elementCount(shape), (long) dtype.byteSize());
        long ptr;
        synchronized (this) {
            requireOpen();
            ptr = Cuda.malloc(device.ordinal(), Math.max(bytes, 1));
            allocations.add(ptr);
        }
        MemorySegment zero = MemorySegment.ofAddress(ptr).reinterpret(0, scope, null);
        return Tensor.onDevice(zero, bytes, dtype, shape, device, this);
    }

    /** A new device tensor holding a copy of {@code host} (any strides), row-major. */
    public Tensor copyOf(Tensor host) {
        Tensor t = allocate(host.dtype(), host.shape());
        copy(host, t);
        return t;
    }

    /** A new host tensor in {@code arena} holding a copy of the device tensor. */
    public Tensor toHost(Tensor deviceTensor, Arena arena) {
        Tensor t = Tensor.allocate(arena, deviceTensor.dtype(), deviceTensor.shape());
        copy(deviceTensor, t);
        return t;
    }

    /** Sets every byte of a contiguous device tensor to {@code value} (0xFF makes every element NaN). */
    public void fill(Tensor deviceTensor, int value) {
        requireMine(deviceTensor, "fill");
        if (!deviceTensor.isContiguous()) {
            throw new IllegalArgumentException("fill: the device tensor must be contiguous");
        }
        try (Pin pin = pin(deviceTensor)) {
            Cuda.memset(device.ordinal(), deviceTensor.segment().address(), value,
                    deviceTensor.elementCount() * deviceTensor.dtype().byteSize(), stream);
        }
    }

    /**
     * Copies {@code src} into {@code dst}: host to device, device to host or device to device. Shapes
     * and dtypes must match; device tensors must be contiguous and belong to an open arena.
     */
    public void copy(Tensor src, Tensor dst) {
        if (src.dtype() != dst.dtype() || !Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("copy: " + src + " and " + dst + " differ in dtype or shape");
        }
        if (!src.isOnDevice() && !dst.isOnDevice()) {
            throw new IllegalArgumentException("copy: both tensors are on the host; DeviceArena copies to or from a device");
        }
        for (Tensor t : new Tensor[] {src, dst}) {
            if (t.isOnDevice()) {
                if (!t.device().equals(device)) {
                    throw new IllegalArgumentException("copy: " + t + " is on " + t.device() + ", this arena on " + device);
                }
                if (!t.isContiguous()) {
                    throw new IllegalArgumentException("copy: device tensor " + t + " must be contiguous");
                }
            }
            if (!t.segment().scope().isAlive()) {
                throw new IllegalStateException("copy: the arena of " + t + " is closed");
            }
        }
        long bytes = src.elementCount() * src.dtype().byteSize();
        if (bytes == 0) {
            return;
        }
        try (Pin pin = pin(src, dst)) {
            if (src.isOnDevice() && dst.isOnDevice()) {
                Cuda.memcpy(device.ordinal(), dst.segment().address(), src.segment().address(), bytes, stream);
            } else if (dst.isOnDevice()) {
                stagedCopy(src, dst.segment().address(), true);
            } else {
                stagedCopy(dst, src.segment().address(), false);
            }
        }
    }

    /** Moves host tensor h (any strides) to / from contiguous device memory at dev through the pinned buffer. */
    private void stagedCopy(Tensor h, long dev, boolean toDevice) {
        final int es = h.dtype().byteSize();
        final long rowLen = h.rank() == 0 ? 1 : h.size(h.rank() - 1);
        final long rowBytes = rowLen * es;
        final long lastStride = h.rank() == 0 ? 1 : h.stride(h.rank() - 1);
        final long rows = h.elementCount() / Math.max(rowLen, 1);
        synchronized (stagingLock) {
            long chunk = Math.max(rowBytes, Math.min(STAGING_BYTES, h.elementCount() * es));
            ensureStaging(chunk);
            MemorySegment pinned = MemorySegment.ofAddress(staging).reinterpret(stagingBytes);
            MemorySegment host = h.segment();
            long[] idx = new long[Math.max(h.rank() - 1, 0)];
            long devOff = 0;
            long row = 0;
            while (row < rows) {
                long inChunk = Math.min(rows - row, Math.max(1, stagingBytes / rowBytes));
                if (!toDevice) {
                    Cuda.memcpy(device.ordinal(), staging, dev + devOff, inChunk * rowBytes, stream);
                }
                for (long r = 0; r < inChunk; r++) {
                    long base = 0;
                    for (int d = 0; d < idx.length; d++) {
                        base += idx[d] * h.stride(d);
                    }
                    long pOff = r * rowBytes;
                    if (lastStride == 1 || rowLen == 1) {
                        if (toDevice) {
                            MemorySegment.copy(host, base * es, pinned, pOff, rowBytes);
                        } else {
                            MemorySegment.copy(pinned, pOff, host, base * es, rowBytes);
                        }
                    } else {
                        for (long c = 0; c < rowLen; c++) {
                            long hOff = (base + c * lastStride) * es;
                            if (toDevice) {
                                MemorySegment.copy(host, hOff, pinned, pOff + c * es, es);
                            } else {
                                MemorySegment.copy(pinned, pOff + c * es, host, hOff, es);
                            }
                        }
                    }
                    for (int d = idx.length - 1; d >= 0; d--) {
                        if (++idx[d] < h.size(d)) {
                            break;
                        }
                        idx[d] = 0;
                    }
                }
                if (toDevice) {
                    Cuda.memcpy(device.ordinal(), dev + devOff, staging, inChunk * rowBytes, stream);
                }
                devOff += inChunk * rowBytes;
                row += inChunk;
            }
        }
    }

    private void ensureStaging(long bytes) {
        if (stagingBytes >= bytes) {
            return;
        }
        if (staging != 0) {
            Cuda.freeHost(staging);
            staging = 0;
            stagingBytes = 0;
        }
        staging = Cuda.mallocHost(bytes);
        stagingBytes = bytes;
    }

    private void requireMine(Tensor t, String what) {
        if (t.owner() != this) {
            throw new IllegalArgumentException(what + ": " + t + " does not belong to this arena");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("DeviceArena on " + device + " is closed");
        }
    }

    /**
     * Frees every allocation, the staging buffer and the stream. Idempotent.
     *
     * @throws IllegalStateException while an attention call or copy using this arena's tensors runs
     * @throws AttentionException when CUDA reports an error while freeing (the arena is closed anyway)
     */
    @Override
    public void close() {
        List<Long> toFree;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (inFlight > 0) {
                throw new IllegalStateException("DeviceArena on " + device + " has " + inFlight
                        + " call(s) in flight; close it after they return");
            }
            closed = true;
            toFree = new ArrayList<>(allocations);
            allocations.clear();
        }
        scope.close(); // every segment handed out is dead from here on
        AttentionException first = null;
        for (long ptr : toFree) {
            try {
                Cuda.free(device.ordinal(), ptr);
            } catch (AttentionException e) {
                first = first == null ? e : first;
            }
        }
        synchronized (stagingLock) {
            try {
                if (staging != 0) {
                    Cuda.freeHost(staging);
                }
            } catch (AttentionException e) {
                first = first == null ? e : first;
            }
            staging = 0;
            stagingBytes = 0;
        }
        try {
            Cuda.streamDestroy(device.ordinal(), stream);
        } catch (AttentionException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "DeviceArena[" + device + (closed ? ", closed" : ", " + allocations.size() + " allocations") + "]";
    }

    /**
     * Refuses a virtual thread for GPU work that spans several native calls on the calling thread's
     * stream (cuBLAS gemms, then our kernels, then a wait): {@code cudaStreamPerThread} belongs to the
     * OS thread, and a virtual thread may resume on another carrier between two calls, where the
     * later call would neither follow the earlier work nor wait for it. A single synchronous call
     * (the fused {@code Attention.sdpa}, a copy on an arena's own stream) cannot be split that way
     * and needs no such check.
     *
     * @throws IllegalStateException on a virtual thread, naming {@code what}
     */
    static void requirePlatformThread(String what) {
        Cuda.requirePlatformThread(what);
    }

    /** Keeps the arenas of the given device tensors open until closed (close() refuses meanwhile). */
    static Pin pin(Tensor... tensors) {
        Map<DeviceArena, Boolean> owners = new IdentityHashMap<>();
        for (Tensor t : tensors) {
            if (t != null && t.owner() != null) {
                owners.put(t.owner(), Boolean.TRUE);
            }
        }
        List<DeviceArena> pinned = new ArrayList<>();
        try {
            for (DeviceArena a : owners.keySet()) {
                synchronized (a) {
                    if (a.closed) {
                        throw new IllegalStateException("a tensor's DeviceArena on " + a.device + " is closed");
                    }
                    a.inFlight++;
                }
                pinned.add(a);
            }
        } catch (RuntimeException e) {
            new Pin(pinned).close();
            throw e;
        }
        return new Pin(pinned);
    }

    /** Releases what {@link #pin} took. */
    static final class Pin implements AutoCloseable {
        private final List<DeviceArena> arenas;

        Pin(List<DeviceArena> arenas) {
            this.arenas = arenas;
        }

        @Override
        public void close() {
            for (DeviceArena a : arenas) {
                synchronized (a) {
                    a.inFlight--;
                }
            }
            arenas.clear();
        }
    }
}

package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import panama.attention.internal.Elements;

/**
 * A view of memory as an n-dimensional array: a {@link MemorySegment}, a {@link DType}, a shape
 * and strides in elements. A tensor owns nothing; the memory belongs to the {@link Arena} that
 * allocated the segment, and a closed arena makes every later use fail with a Java exception.
 *
 * <p>Attention tensors are {@code [batch, heads, seq, headDim]}. The interleaved storage order
 * {@code [batch, seq, heads, headDim]} (what projections produce) is viewed without copying
 * through {@link #bshd}. The last dimension must be contiguous (stride 1) for attention.
 *
 * <p>A tensor made by a {@link DeviceArena} lives in GPU memory ({@link #device()} is
 * {@code cuda:N}): its segment is a zero-length segment at the device address, bound to the
 * arena's lifetime, never dereferenced from Java; {@link #get}, {@link #set} and
 * {@link #toFloatArray} throw {@link IllegalStateException} for it. Copy it to the host with
 * {@link DeviceArena#toHost} first.
 */
public final class Tensor {
    private final MemorySegment segment;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final Device device;
    /** Device tensors: the arena that owns the memory and the bytes from the segment's address to its end. */
    private final DeviceArena owner;
    private final long deviceBytes;

    private Tensor(MemorySegment segment, DType dtype, long[] shape, long[] strides) {
        this(segment, dtype, shape, strides, Device.CPU, null, 0);
    }

    private Tensor(MemorySegment segment, DType dtype, long[] shape, long[] strides, Device device, DeviceArena owner,
            long deviceBytes) {
        this.segment = segment;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.device = device;
        this.owner = owner;
        this.deviceBytes = deviceBytes;
    }

    /** A row-major device tensor over {@code bytes} bytes at the (zero-length, arena-scoped) segment's address. */
    static Tensor onDevice(MemorySegment zeroLength, long bytes, DType dtype, long[] shape, Device device, DeviceArena owner) {
        return new Tensor(zeroLength, dtype, shape.clone(), rowMajorStrides(shape), device, owner, bytes);
    }

    /** Where the memory lives: {@link Device#CPU}, or the CUDA device of a {@link DeviceArena}. */
    public Device device() {
        return device;
    }

    /** True for a tensor in GPU memory (made by a {@link DeviceArena}). */
    public boolean isOnDevice() {
        return device.isCuda();
    }

    DeviceArena owner() {
        return owner;
    }

    /** Device tensors: bytes from the segment's address to the end of the allocation. */
    long deviceBytes() {
        return deviceBytes;
    }

    /**
     * A view of the same memory with another shape and strides (in elements), checked against the
     * memory available from this tensor's first element; works for host and device tensors.
     */
    public Tensor view(long[] shape, long[] strides) {
        if (!isOnDevice()) {
            return of(segment, dtype, shape, strides);
        }
        Tensor t = of(MemorySegment.NULL.reinterpret(deviceBytes), dtype, shape, strides); // size checks only
        return new Tensor(segment, dtype, t.shape, t.strides, device, owner, deviceBytes);
    }

    private void requireHost(String what) {
        if (isOnDevice()) {
            throw new IllegalStateException(what + " reads or writes memory from Java, but this tensor lives on " + device
                    + "; copy it to the host first (DeviceArena.toHost)");
        }
    }

    /**
     * A view with explicit strides (in elements). Element {@code (i0, i1, …)} lives at byte
     * {@code (Σ ik·stride[k]) · dtype.byteSize()} of the segment.
     *
     * @throws IllegalArgumentException if a size or stride is negative, the ranks differ, the
     *     addressed range overflows, or the segment is too small for the view
     */
    public static Tensor of(MemorySegment segment, DType dtype, long[] shape, long[] strides) {
        if (segment == null || dtype == null || shape == null || strides == null) {
            throw new NullPointerException("segment, dtype, shape and strides must not be null");
        }
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " have different ranks");
        }
        long[] shapeCopy = shape.clone();
        long[] stridesCopy = strides.clone();
        long extent = 1; // elements from the first to one past the last addressed element
        boolean empty = false;
        for (int i = 0; i < shapeCopy.length; i++) {
            if (shapeCopy[i] < 0) {
                throw new IllegalArgumentException("dimension " + i + " has negative size " + shapeCopy[i]);
            }
            if (stridesCopy[i] < 0) {
                throw new IllegalArgumentException("dimension " + i + " has negative stride " + stridesCopy[i]);
            }
            empty |= shapeCopy[i] == 0;
        }
        if (!empty) {
            try {
                for (int i = 0; i < shapeCopy.length; i++) {
                    extent = Math.addExact(extent, Math.multiplyExact(shapeCopy[i] - 1, stridesCopy[i]));
                }
                long bytes = Math.multiplyExact(extent, (long) dtype.byteSize());
                if (bytes > segment.byteSize()) {
                    throw new IllegalArgumentException("segment of " + segment.byteSize()
                            + " bytes is too small for shape " + Arrays.toString(shapeCopy) + " strides "
                            + Arrays.toString(stridesCopy) + " of " + dtype + " (needs " + bytes + " bytes)");
                }
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shapeCopy) + " with strides "
                        + Arrays.toString(stridesCopy) + " overflows a 64-bit byte offset");
            }
        }
        return new Tensor(segment, dtype, shapeCopy, stridesCopy);
    }

    /** A row-major (contiguous) view of the segment. */
    public static Tensor contiguous(MemorySegment segment, DType dtype, long... shape) {
        return of(segment, dtype, shape, rowMajorStrides(shape));
    }

    /** Allocates a zeroed, 64-byte aligned, row-major tensor in the arena. */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        long[] strides = rowMajorStrides(shape);
        long count = elementCount(shape);
        long bytes;
        try {
            bytes = Math.multiplyExact(count, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " overflows a 64-bit size");
        }
        return of(arena.allocate(Math.max(bytes, 1), 64), dtype, shape, strides);
    }

    /** Allocates a row-major tensor in the arena and fills it with the values (rounded to dtype). */
    public static Tensor fromFloats(Arena arena, DType dtype, float[] values, long... shape) {
        Tensor t = allocate(arena, dtype, shape);
        if (values.length != t.elementCount()) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Arrays.toString(shape));
        }
        for (int i = 0; i < values.length; i++) {
            Elements.set(t.segment, dtype, i, values[i]);
        }
        return t;
    }

    /**
     * Views memory stored as {@code [batch, seq, heads, headDim]} (heads interleaved per token, the
     * layout projections produce) as the attention shape {@code [batch, heads, seq, headDim]}.
     */
    public static Tensor bshd(MemorySegment segment, DType dtype, long batch, long seq, long heads, long headDim) {
        long[] shape = {batch, heads, seq, headDim};
        long[] strides = {seq * heads * headDim, headDim, heads * headDim, 1};
        return of(segment, dtype, shape, strides);
    }

    /** The same memory with dimensions {@code a} and {@code b} swapped (no copy). */
    public Tensor transpose(int a, int b) {
        long[] s = shape.clone();
        long[] st = strides.clone();
        long t = s[a];
        s[a] = s[b];
        s[b] = t;
        t = st[a];
        st[a] = st[b];
        st[b] = t;
        return new Tensor(segment, dtype, s, st, device, owner, deviceBytes);
    }

    /** A view of the sub-range {@code [from, from + length)} of dimension {@code dim} (no copy). */
    public Tensor narrow(int dim, long from, long length) {
        if (from < 0 || length < 0 || from + length > shape[dim]) {
            throw new IndexOutOfBoundsException("narrow(" + dim + ", " + from + ", " + length
                    + ") outside size " + shape[dim]);
        }
        long[] s = shape.clone();
        s[dim] = length;
        long offsetBytes = from * strides[dim] * dtype.byteSize();
        if (isOnDevice()) {
            long off = length == 0 ? 0 : offsetBytes;
            // zero-length again, at the new address, keeping the arena's scope (never dereferenced)
            MemorySegment moved = segment.reinterpret(deviceBytes).asSlice(off, 0);
            return new Tensor(moved, dtype, s, strides.clone(), device, owner, deviceBytes - off);
        }
        MemorySegment slice = length == 0 ? segment.asSlice(0, 0) : segment.asSlice(offsetBytes);
        return of(slice, dtype, s, strides);
    }

    public MemorySegment segment() {
        return segment;
    }

    public DType dtype() {
        return dtype;
    }

    public int rank() {
        return shape.length;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    public long size(int dim) {
        return shape[dim];
    }

    public long stride(int dim) {
        return strides[dim];
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** True when the strides are exactly row-major for the shape. */
    public boolean isContiguous() {
        return Arrays.equals(strides, rowMajorStrides(shape));
    }

    /** The element at the index, converted to float. */
    public float get(long... index) {
        requireHost("get");
        return Elements.get(segment, dtype, offsetOf(index));
    }

    /** Writes the value, rounded to this tensor's dtype, at the index. */
    public void set(float value, long... index) {
        requireHost("set");
        Elements.set(segment, dtype, offsetOf(index), value);
    }

    /** All elements in row-major order of the logical shape, as floats. */
    public float[] toFloatArray() {
        requireHost("toFloatArray");
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + n + " elements does not fit a Java array");
        }
        float[] out = new float[(int) n];
        long[] idx = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Elements.get(segment, dtype, offsetOf(idx));
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    private long offsetOf(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for tensor of rank " + shape.length);
        }
        long off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + index[i] + " outside dimension " + i
                        + " of size " + shape[i]);
            }
            off += index[i] * strides[i];
        }
        return off;
    }

    static long[] rowMajorStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " overflows a 64-bit count");
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "Tensor[" + (isOnDevice() ? device + " " : "") + dtype + " shape=" + Arrays.toString(shape) + " strides=" + Arrays.toString(strides) + "]";
    }
}

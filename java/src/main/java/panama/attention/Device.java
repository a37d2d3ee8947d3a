package panama.attention;

/**
 * Where a {@link Tensor}'s memory lives: host memory ({@link #CPU}) or the memory of one CUDA
 * device ({@link #cuda(int)}, allocated by a {@link DeviceArena}). Device memory is never read
 * or written from Java; it is only handed to the CUDA backend and copied through a DeviceArena.
 *
 * @param kind CPU or CUDA
 * @param ordinal the CUDA device number (0 for CPU)
 */
public record Device(Kind kind, int ordinal) {
    /** The kinds of memory a tensor can live in. */
    public enum Kind {
        CPU,
        CUDA
    }

    /** Host memory. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        java.util.Objects.requireNonNull(kind, "kind");
        if (ordinal < 0 || (kind == Kind.CPU && ordinal != 0)) {
            throw new IllegalArgumentException("bad device ordinal " + ordinal + " for " + kind);
        }
    }

    /** CUDA device {@code ordinal}. */
    public static Device cuda(int ordinal) {
        return new Device(Kind.CUDA, ordinal);
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + ordinal;
    }
}

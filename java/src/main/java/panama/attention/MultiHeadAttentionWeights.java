package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import panama.attention.internal.Cuda;
import panama.attention.internal.OwnedArena;

/**
 * The weights of one {@link MultiHeadAttention}: host copies in an arena the layer owns, and per
 * CUDA device one upload, made on the layer's first call there and freed by {@link #close()}.
 * Slots follow {@link MultiHeadAttentionProjections.Weight}: weight {@code w.ordinal()}, its bias
 * {@code 4 + w.ordinal()} (absent biases are null on the host, address 0 on a device).
 */
final class MultiHeadAttentionWeights {
    private final OwnedArena owned = new OwnedArena("MultiHeadAttention");
    /** wq, wk, wv, wo, bq, bk, bv, bo. */
    private final MemorySegment[] host = new MemorySegment[8];
    /** Uploads by device ordinal; guarded by itself. */
    private final Map<Integer, OnDevice> devices = new HashMap<>();

    MultiHeadAttentionWeights(float[][] values) {
        Arena a = owned.arena();
        for (int i = 0; i < host.length; i++) {
            if (values[i] != null) {
                host[i] = a.allocate(Math.max(1, (long) values[i].length * Float.BYTES), 64);
                MemorySegment.copy(values[i], 0, host[i], ValueLayout.JAVA_FLOAT, 0, values[i].length);
            }
        }
    }

    MemorySegment weight(MultiHeadAttentionProjections.Weight w) {
        return host[w.ordinal()];
    }

    /** The bias of w, or null. */
    MemorySegment bias(MultiHeadAttentionProjections.Weight w) {
        return host[4 + w.ordinal()];
    }

    /** Marks a forward call in flight; throws {@link IllegalStateException} once closed. */
    void enter() {
        owned.enter();
    }

    void exit() {
        owned.exit();
    }

    boolean isClosed() {
        return owned.isClosed();
    }

    /** The weights on CUDA device {@code ordinal}, uploaded on first use (callers are inside {@link #enter()}). */
    OnDevice on(int ordinal) {
        synchronized (devices) {
            return devices.computeIfAbsent(ordinal, o -> new OnDevice(o, host));
        }
    }

    /**
     * Frees the host arena (after the calls in flight) and every device upload; safe to call twice.
     *
     * @throws AttentionException when CUDA reports an error freeing device memory (freed anyway)
     */
    void close() {
        owned.close(); // from here no call is in flight and none can start
        AttentionException first = null;
        synchronized (devices) {
            for (OnDevice w : devices.values()) {
                try {
                    Cuda.free(w.ordinal, w.base);
                } catch (AttentionException e) {
                    first = first == null ? e : first;
                }
            }
            devices.clear();
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * The eight weights and biases in one cudaMalloc, each at a 256-byte aligned offset (cuBLAS
     * wants at least 16).
     */
    static final class OnDevice {
        final int ordinal;
        final long base;
        private final long[] at = new long[8];

        OnDevice(int ordinal, MemorySegment[] parts) {
            long[] offsets = new long[parts.length];
            long total = 0;
            for (int i = 0; i < parts.length; i++) {
                offsets[i] = -1;
                if (parts[i] != null) {
                    offsets[i] = total;
                    total += (parts[i].byteSize() + 255) / 256 * 256;
                }
            }
            this.ordinal = ordinal;
            this.base = Cuda.malloc(ordinal, total);
            try {
                for (int i = 0; i < parts.length; i++) {
                    if (parts[i] != null) {
                        Cuda.memcpy(ordinal, base + offsets[i], parts[i].address(), parts[i].byteSize(), Cuda.THREAD_STREAM);
                    }
                }
            } catch (RuntimeException e) {
                try {
                    Cuda.free(ordinal, base);
                } catch (RuntimeException f) {
                    e.addSuppressed(f);
                }
                throw e;
            }
            for (int i = 0; i < parts.length; i++) {
                at[i] = offsets[i] < 0 ? 0 : base + offsets[i];
            }
        }

        long weight(MultiHeadAttentionProjections.Weight w) {
            return at[w.ordinal()];
        }

        /** Device address of w's bias, or 0 for none. */
        long bias(MultiHeadAttentionProjections.Weight w) {
            return at[4 + w.ordinal()];
        }
    }
}

package panama.attention.internal;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one owner of an off-heap arena (docs/CONVENTIONS.md item 11, after zstd-jni): users {@link #enter} and
 * {@link #exit} around every use, {@link #close} waits for uses in flight, then frees the memory
 * once; a second close does nothing; any use after close throws {@link IllegalStateException}
 * naming the owner. Native code reads the memory through raw addresses on worker threads, so
 * freeing it under a running call would crash the JVM instead of throwing: hence the lock.
 */
public final class OwnedArena implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String owner;
    private volatile boolean closed;

    /** @param owner how exceptions name the owner, e.g. "MultiHeadAttention" */
    public OwnedArena(String owner) {
        this.owner = owner;
    }

    public Arena arena() {
        return arena;
    }

    /** Marks a use in progress; throws if closed. Pair with {@link #exit()} in a finally block. */
    public void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IllegalStateException(owner + " is closed");
        }
    }

    public void exit() {
        lock.readLock().unlock();
    }

    /** Throws if closed (for cheap accessors that touch no memory). */
    public void requireOpen() {
        if (closed) {
            throw new IllegalStateException(owner + " is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Waits for uses in flight, then frees the arena; idempotent. */
    @Override
    public void close() {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException(owner + " cannot be closed from inside one of its own calls");
        }
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                arena.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}

package panama.attention.measure;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The machine's read bandwidth with N threads, the ceiling of a memory-bound decode: each thread
 * scans its share of a buffer (as large as what the decode call reads, and beyond the caches) with
 * the C library's {@code memchr} (a SIMD loop in glibc) for a byte the buffer does not hold, so
 * the share streams through the core at the fastest rate one thread reads. A scalar Java loop
 * would be bound by load instructions rather than memory and understate the ceiling.
 */
public final class ReadBandwidth implements AutoCloseable {
    private static final MethodHandle MEMCHR = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("memchr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.critical(false));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf;
    private final long perThread;
    private final ExecutorService pool;
    private final int threads;

    /** A probe over a buffer of at least {@code bytes} bytes (one page per thread at least), read by {@code threads} threads. */
    public ReadBandwidth(int threads, long bytes) {
        this.threads = threads;
        this.perThread = Math.max(4096, (bytes / threads) & ~4095L);
        this.buf = arena.allocate(perThread * threads, 4096);
        buf.fill((byte) 1); // also faults every page in, so passes time reads only
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "read-bandwidth");
            t.setDaemon(true);
            return t;
        });
    }

    /** Bytes one {@link #pass()} reads. */
    public long bytesPerPass() {
        return perThread * threads;
    }

    /** Reads the whole buffer once, each thread its share, and waits for all of them. */
    public void pass() {
        List<Future<Long>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            MemorySegment share = buf.asSlice(t * perThread, perThread);
            parts.add(pool.submit(() -> scan(share)));
        }
        try {
            for (Future<Long> f : parts) {
                if (f.get() != 0) {
                    throw new IllegalStateException("memchr found a byte the buffer does not hold");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a read-bandwidth thread failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        arena.close();
    }

    /** Reads all of s; returns 0 (memchr finds no 0 byte in a buffer of 1s). */
    private static long scan(MemorySegment s) {
        try {
            return ((MemorySegment) MEMCHR.invokeExact(s, 0, s.byteSize())).address();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}

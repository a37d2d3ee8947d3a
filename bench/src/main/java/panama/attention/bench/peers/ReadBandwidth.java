package panama.attention.bench.peers;

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
 * The machine's read bandwidth with N threads: each thread scans its share of a buffer (as large as
 * what the decode call it is compared with reads, 128 MiB and more, well beyond the caches) with the C library's {@code memchr} (a SIMD loop, AVX2/EVEX in glibc) for a byte
 * the buffer does not hold, so the whole share streams through the core at the fastest rate one
 * thread can read. Decoding is memory-bound, so its GB/s is judged against this figure measured
 * in the same run: {@link PeerComparison} times a {@link #pass()} in the same rounds as the decode
 * calls ({@link Interleaved}), so both see the same load on a shared machine.
 *
 * <p>Why not a Java loop: a scalar {@code long} loop over a MemorySegment (the previous version)
 * is bound by load instructions, not by memory, and measured about 3/4 of what the machine reads
 * (32 vs 43 GB/s on 2 Zen 4 vCPUs), which flattered the decode percentage. This module is compiled
 * on the class path without {@code jdk.incubator.vector}, so the SIMD loop comes from libc.
 */
final class ReadBandwidth implements AutoCloseable {
    private static final MethodHandle MEMCHR = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("memchr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.critical(false));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf;
    private final long perThread;
    private final ExecutorService pool;
    private final int threads;

    /** A probe over a {@code bytes}-byte buffer read by {@code threads} threads. */
    ReadBandwidth(int threads, long bytes) {
        this.threads = threads;
        this.buf = arena.allocate(bytes, 4096);
        buf.fill((byte) 1); // also faults every page in, so passes time reads only
        this.perThread = (bytes / threads) & ~4095L;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "read-bandwidth");
            t.setDaemon(true);
            return t;
        });
    }

    /** Bytes one {@link #pass()} reads. */
    long bytesPerPass() {
        return perThread * threads;
    }

    /** Reads the whole buffer once, each thread its share, and waits for all of them. */
    void pass() throws Exception {
        List<Future<Long>> parts = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            MemorySegment share = buf.asSlice(t * perThread, perThread);
            parts.add(pool.submit(() -> scan(share)));
        }
        for (Future<Long> f : parts) {
            if (f.get() != 0) {
                throw new IllegalStateException("memchr found a byte the buffer does not hold");
            }
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

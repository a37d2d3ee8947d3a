package panama.attention.bench.peers;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The machine's read bandwidth with N threads: each thread scans its share of a buffer far larger
 * than the caches with the C library's {@code memchr} (a SIMD loop, AVX2/EVEX in glibc) for a byte
 * the buffer does not hold, so the whole share streams through the core at the fastest rate one
 * thread can read. Decoding is memory-bound, so its GB/s is judged against this figure measured
 * in the same run.
 *
 * <p>Why not a Java loop: a scalar {@code long} loop over a MemorySegment (the previous version)
 * is bound by load instructions, not by memory, and measured about 3/4 of what the machine reads
 * (32 vs 43 GB/s on 2 Zen 4 vCPUs), which flattered the decode percentage. This module is compiled
 * on the class path without {@code jdk.incubator.vector}, so the SIMD loop comes from libc.
 */
final class ReadBandwidth {
    private static final MethodHandle MEMCHR = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("memchr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.critical(false));

    private ReadBandwidth() {
    }

    /** Median GB/s over several passes of a {@code bytes}-byte buffer. */
    static double measure(int threads, long bytes) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(bytes, 4096);
            buf.fill((byte) 1);
            long perThread = (bytes / threads) & ~4095L;
            List<Double> samples = new ArrayList<>();
            long[] found = new long[threads];
            for (int pass = 0; pass < 9; pass++) {
                Thread[] ts = new Thread[threads];
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    ts[t] = new Thread(() -> found[id] += scan(buf.asSlice(id * perThread, perThread)));
                    ts[t].start();
                }
                for (Thread t : ts) {
                    t.join();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (pass >= 2) { // the first passes fault the pages in and warm up the call path
                    samples.add(perThread * threads / s / 1e9);
                }
            }
            for (long f : found) {
                if (f != 0) {
                    throw new IllegalStateException("memchr found a byte the buffer does not hold");
                }
            }
            Collections.sort(samples);
            return samples.get(samples.size() / 2);
        }
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

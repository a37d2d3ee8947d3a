package panama.attention.bench.peers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The machine's read bandwidth with N threads: each thread sums its share of a buffer far larger
 * than the caches (longs, four independent accumulators so the loop is load-bound). Decoding is
 * memory-bound, so its GB/s is judged against this figure measured in the same run.
 */
final class ReadBandwidth {
    private ReadBandwidth() {
    }

    /** Median GB/s over several passes of a {@code bytes}-byte buffer. */
    static double measure(int threads, long bytes) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(bytes, 4096);
            buf.fill((byte) 1);
            long perThread = (bytes / threads) & ~63L;
            List<Double> samples = new ArrayList<>();
            long[] sink = new long[threads];
            for (int pass = 0; pass < 9; pass++) {
                Thread[] ts = new Thread[threads];
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    ts[t] = new Thread(() -> sink[id] += sum(buf.asSlice(id * perThread, perThread)));
                    ts[t].start();
                }
                for (Thread t : ts) {
                    t.join();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (pass >= 2) { // the first passes warm up the JIT and fault the pages in
                    samples.add(perThread * threads / s / 1e9);
                }
            }
            if (sink[0] == 42) {
                System.out.print(""); // keeps the sums alive
            }
            Collections.sort(samples);
            return samples.get(samples.size() / 2);
        }
    }

    private static long sum(MemorySegment s) {
        long a = 0, b = 0, c = 0, d = 0;
        long n = s.byteSize();
        for (long i = 0; i < n; i += 32) {
            a += s.get(ValueLayout.JAVA_LONG, i);
            b += s.get(ValueLayout.JAVA_LONG, i + 8);
            c += s.get(ValueLayout.JAVA_LONG, i + 16);
            d += s.get(ValueLayout.JAVA_LONG, i + 24);
        }
        return a + b + c + d;
    }
}

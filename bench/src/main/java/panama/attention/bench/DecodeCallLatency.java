package panama.attention.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.KvCache;
import panama.attention.KvDtype;
import panama.attention.Tensor;
import panama.attention.TileScheduler;

/**
 * The latency of one decode call as a model sees it: {@link KvCache#attend} for one query row
 * per head, with {@code gapMicros} of other work (a spin on the calling thread) between calls,
 * so the scheduler's workers may park as they would between a model's layers. Prints the median
 * and the 10th/90th percentiles of 3 × 2000 calls. Compare two builds by running it with each in
 * turn, several times: the machine's speed drifts between runs.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/panama-attention-bench.jar:bench/target/lib/* \
 *     panama.attention.bench.DecodeCallLatency SEQ THREADS GAP_MICROS [F32|F16|BF16|I8]
 * </pre>
 */
public final class DecodeCallLatency {
    private static final int HEADS = 32;
    private static final int HEAD_DIM = 128;
    private static final int CALLS = 2000;

    private DecodeCallLatency() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: DecodeCallLatency SEQ THREADS GAP_MICROS [F32|F16|BF16|I8]");
            System.exit(2);
        }
        int seq = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        long gapNanos = Long.parseLong(args[2]) * 1000;
        KvDtype kv = args.length > 3 ? KvDtype.valueOf(args[3].toUpperCase(Locale.ROOT)) : KvDtype.F32;
        try (Arena arena = Arena.ofConfined(); TileScheduler scheduler = TileScheduler.create(threads);
             KvCache cache = KvCache.create(kv, 1, HEADS, seq, HEAD_DIM, KvCache.Layout.BHSD)) {
            SplittableRandom r = new SplittableRandom(7);
            Tensor k = random(arena, r, seq);
            Tensor v = random(arena, r, seq);
            cache.append(k, v);
            Tensor q = random(arena, r, 1);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, HEADS, 1, HEAD_DIM);
            AttentionOptions options = AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(scheduler)
                    .causal(CausalMode.BOTTOM_RIGHT).build();
            long[] t = new long[CALLS];
            for (int rep = 0; rep < 3; rep++) {
                for (int i = 0; i < CALLS; i++) {
                    long t0 = System.nanoTime();
                    cache.attend(q, out, options);
                    t[i] = System.nanoTime() - t0;
                    long end = System.nanoTime() + gapNanos;
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                }
            }
            Arrays.sort(t); // the last repetition's calls: the first two warm up
            System.out.printf(Locale.ROOT, "cache %d, %s, %d thread%s, %d us between calls: median %.1f us [p10 %.1f, p90 %.1f]%n",
                    seq, kv, threads, threads == 1 ? "" : "s", gapNanos / 1000, t[CALLS / 2] / 1e3, t[CALLS / 10] / 1e3,
                    t[9 * CALLS / 10] / 1e3);
        }
    }

    private static Tensor random(Arena arena, SplittableRandom r, int rows) {
        Tensor x = Tensor.allocate(arena, DType.F32, 1, HEADS, rows, HEAD_DIM);
        long n = x.segment().byteSize() / 4;
        for (long i = 0; i < n; i++) {
            x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() - 0.5));
        }
        return x;
    }
}

package panama.attention.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.Attention;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.KvCache;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.measure.Workload;

/**
 * One decode step per invocation: {@code queries} new query tokens (default 1) against a
 * {@link KvCache} holding {@code cacheLength} tokens (default batch 1, 32 heads of 128, 4096
 * cached: a 7B-class model's layer), through {@link KvCache#attend}.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/panama-attention-bench.jar:bench/target/lib/* \
 *     org.openjdk.jmh.Main KvCacheDecodeBenchmark -p backend=NATIVE_CPU -p kvHeads=32,8
 * </pre>
 *
 * <p><b>Reading the score.</b> Decoding is bound by memory: every step streams the whole cache.
 * Bytes per step = {@code 2 · B · kvHeads · cacheLength · d · bytesPerElement} (K and V; q and out
 * are negligible), 64 MiB for the defaults in F32. So GB/s = score (steps/s) × bytes / 1e9, and
 * GFLOP/s = score × {@code 4·B·heads·Lq·cacheLength·d} / 1e9. The secondary results {@code gbyte}
 * and {@code gflop} ({@link Counters}) are those products as JMH measures them; compare gbyte with
 * the machine's memory bandwidth (the peers harness measures it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class KvCacheDecodeBenchmark {
    @Param({"NATIVE_CPU", "BLAS"})
    public String backend;
    @Param("1")
    public int batch;
    @Param("32")
    public int heads;
    @Param("32")
    public int kvHeads;
    @Param("128")
    public int headDim;
    @Param("4096")
    public int cacheLength;
    @Param("1")
    public int queries;
    /** BHSD or BSHD. */
    @Param("BHSD")
    public String layout;
    /** f32, f16 or bf16. */
    @Param("f32")
    public String dtype;
    @Param("2")
    public int threads;

    private KvCache cache;
    private Arena arena;
    private TileScheduler scheduler;
    private Tensor q;
    private Tensor out;
    private AttentionOptions options;
    private double gbytePerStep;
    private double gflopPerStep;

    /** GB read and GFLOP done per step, for JMH to turn into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public double gbyte;
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gbyte = 0;
            gflop = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        DType dt = Workload.parseDtype(dtype);
        arena = Arena.ofShared();
        scheduler = TileScheduler.create(threads);
        cache = KvCache.create(dt, batch, kvHeads, cacheLength, headDim, KvCache.Layout.valueOf(layout));
        SplittableRandom r = new SplittableRandom(7);
        int chunk = Math.min(cacheLength, 512);
        Tensor k = Tensor.fromFloats(arena, dt, MultiHeadAttentionBenchmark.random(r, batch * kvHeads * chunk * headDim, 1f),
                batch, kvHeads, chunk, headDim);
        Tensor v = Tensor.fromFloats(arena, dt, MultiHeadAttentionBenchmark.random(r, batch * kvHeads * chunk * headDim, 1f),
                batch, kvHeads, chunk, headDim);
        for (int filled = 0; filled < cacheLength; filled += chunk) {
            int n = Math.min(chunk, cacheLength - filled);
            cache.append(k.narrow(2, 0, n), v.narrow(2, 0, n));
        }
        q = Tensor.fromFloats(arena, dt, MultiHeadAttentionBenchmark.random(r, batch * heads * queries * headDim, 1f),
                batch, heads, queries, headDim);
        out = Tensor.allocate(arena, dt, batch, heads, queries, headDim);
        options = AttentionOptions.builder().backend(Backend.parse(backend)).causal(CausalMode.BOTTOM_RIGHT)
                .scheduler(scheduler).build();
        gbytePerStep = 2.0 * batch * kvHeads * cacheLength * headDim * dt.byteSize() / 1e9;
        gflopPerStep = Attention.flops(batch, heads, queries, cacheLength, headDim, CausalMode.NONE) / 1e9;
        System.out.printf("%n# decode B=%d heads=%d/%d d=%d cache=%d Lq=%d %s %s on %s: %.4f GB, %.4f GFLOP per step%n",
                batch, heads, kvHeads, headDim, cacheLength, queries, layout, dt, backend, gbytePerStep, gflopPerStep);
    }

    @Benchmark
    public void step(Counters counters) {
        cache.attend(q, out, options);
        counters.gbyte += gbytePerStep;
        counters.gflop += gflopPerStep;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cache.close();
        scheduler.close();
        arena.close();
    }
}

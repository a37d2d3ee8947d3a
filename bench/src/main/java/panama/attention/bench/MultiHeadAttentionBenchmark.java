package panama.attention.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import panama.attention.MultiHeadAttention;
import panama.attention.Tensor;
import panama.attention.TileScheduler;

/**
 * One {@link MultiHeadAttention#forward} per invocation: self-attention over
 * {@code [batch, seq, hidden]} (default batch 1, seq 512, hidden 768, 12 heads of 64, BERT-base's
 * layer), with biases:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/panama-attention-bench.jar:bench/target/lib/* \
 *     org.openjdk.jmh.Main MultiHeadAttentionBenchmark -p backend=NATIVE_CPU,BLAS -p threads=2
 * </pre>
 *
 * <p><b>Reading the score.</b> The primary score is forward calls per second. FLOPs per call:
 * <pre>
 * projections  2·B·L·hidden·(H·d) · 4      (Q, K, V and the output, each a [B·L, hidden]×[hidden, H·d] GEMM)
 * attention    4·B·H·L·L·d                 (QKᵀ and PV; halved for causal)
 * </pre>
 * so GFLOP/s = score × (that sum) / 1e9; for the defaults that is 2.42 + 0.81 = 3.22 GFLOP per
 * call. The secondary result {@code gflop} (see {@link GflopCounter}) is that product, measured by
 * JMH. The output projection's share shows how much of a layer the attention kernel itself is.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class MultiHeadAttentionBenchmark {
    @Param({"NATIVE_CPU", "BLAS"})
    public String backend;
    @Param("1")
    public int batch;
    @Param("512")
    public int seq;
    @Param("768")
    public int hidden;
    @Param("12")
    public int heads;
    /** none, top-left or bottom-right. */
    @Param("none")
    public String causal;
    @Param("2")
    public int threads;

    private Arena arena;
    private TileScheduler scheduler;
    private MultiHeadAttention mha;
    private Tensor x;
    private Tensor out;
    private AttentionOptions options;
    private double gflopPerCall;

    /** GFLOP of one forward call: four projections plus the attention products. */
    public static double gflop(int batch, int seq, int hidden, int heads, CausalMode causal) {
        int d = hidden / heads;
        double proj = 4 * 2.0 * batch * seq * hidden * (double) heads * d;
        return (proj + Attention.flops(batch, heads, seq, seq, d, causal)) / 1e9;
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " is not a multiple of heads " + heads);
        }
        int d = hidden / heads;
        arena = Arena.ofShared();
        scheduler = TileScheduler.create(threads);
        SplittableRandom r = new SplittableRandom(42);
        float scale = (float) (1 / Math.sqrt(hidden));
        mha = MultiHeadAttention.builder(hidden, heads, d)
                .wq(random(r, hidden * hidden, scale)).wk(random(r, hidden * hidden, scale))
                .wv(random(r, hidden * hidden, scale)).wo(random(r, hidden * hidden, scale))
                .bq(random(r, hidden, 0.1f)).bk(random(r, hidden, 0.1f)).bv(random(r, hidden, 0.1f)).bo(random(r, hidden, 0.1f))
                .build();
        x = Tensor.fromFloats(arena, DType.F32, random(r, batch * seq * hidden, 1f), batch, seq, hidden);
        out = Tensor.allocate(arena, DType.F32, batch, seq, hidden);
        CausalMode c = CausalMode.parse(causal);
        options = AttentionOptions.builder().backend(Backend.parse(backend)).causal(c).scheduler(scheduler).build();
        gflopPerCall = gflop(batch, seq, hidden, heads, c);
        System.out.printf("%n# MHA forward B=%d L=%d hidden=%d heads=%d on %s, projections %s: %.3f GFLOP per call%n",
                batch, seq, hidden, heads, backend, mha.projections(), gflopPerCall);
    }

    static float[] random(SplittableRandom r, int n, float amplitude) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * amplitude);
        }
        return a;
    }

    @Benchmark
    public void forward(GflopCounter counter) {
        mha.forward(x, out, options);
        counter.gflop += gflopPerCall;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mha.close();
        scheduler.close();
        arena.close();
    }
}

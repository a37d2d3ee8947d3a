package panama.attention.bench;

import java.lang.foreign.Arena;
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
import panama.attention.CausalMode;
import panama.attention.TileScheduler;
import panama.attention.measure.Workload;

/**
 * One attention call per invocation, on a shape given by parameters:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/panama-attention-bench.jar:bench/target/lib/* \
 *     org.openjdk.jmh.Main AttentionBenchmark -p backend=NATIVE_CPU,JAVA_VECTOR -p seqQ=2048 -p seqK=2048
 * </pre>
 *
 * The fork gets {@code --add-modules jdk.incubator.vector}, so JAVA_VECTOR runs its Vector API
 * path; {@link TripleLoopBenchmark} is the naive-Java baseline to compare it with.
 *
 * The primary score is calls per second; the secondary {@code gflop} result is GFLOP/s (see
 * {@link GflopCounter}). The setup checks the backend once against JAVA_REFERENCE on the same
 * inputs (on one head when the full oracle would be slow) and refuses to time a wrong answer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// 5 s of warm-up: JAVA_VECTOR's Vector API code is boxed and slow until C2 compiles it (2-5 s here)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class AttentionBenchmark {
    @Param({"NATIVE_CPU", "JAVA_VECTOR", "BLAS", "JAVA_REFERENCE"})
    public String backend;
    @Param("1")
    public int batch;
    @Param("8")
    public int heads;
    @Param("8")
    public int kvHeads;
    @Param("1024")
    public int seqQ;
    @Param("1024")
    public int seqK;
    @Param("64")
    public int headDim;
    /** none, top-left or bottom-right. */
    @Param("none")
    public String causal;
    /** f32, f16 or bf16. */
    @Param("f32")
    public String dtype;
    @Param("2")
    public int threads;
    /** auto, scalar, avx2 or avx512 (NATIVE_CPU only). */
    @Param("auto")
    public String isa;

    private Arena arena;
    private TileScheduler scheduler;
    private Workload workload;
    private AttentionOptions options;
    private double gflopPerCall;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        scheduler = TileScheduler.create(threads);
        Workload.Shape shape = new Workload.Shape(batch, heads, kvHeads, seqQ, seqK, headDim,
                CausalMode.parse(causal), Workload.parseDtype(dtype));
        workload = new Workload(arena, shape, 42);
        options = workload.options(Backend.parse(backend), scheduler, Workload.parseIsa(isa));
        Workload.Check c = workload.requireCorrect(options);
        gflopPerCall = shape.flops() / 1e9;
        System.out.printf("%n# %s on %s: relative error %.2e vs JAVA_REFERENCE (%s), %.3f GFLOP per call%n",
                backend, shape, c.relErr(), c.scope(), gflopPerCall);
    }

    @Benchmark
    public void sdpa(GflopCounter counter) {
        workload.run(options);
        counter.gflop += gflopPerCall;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close();
        arena.close();
    }
}

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
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.measure.TripleLoop;
import panama.attention.measure.Workload;

/**
 * The naive baseline: {@link TripleLoop} (one thread, float accumulation, plain arrays) on the
 * same shapes and inputs as {@link AttentionBenchmark}, whose JAVA_VECTOR score is compared with it
 * at least 8× this one:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/panama-attention-bench.jar:bench/target/lib/* \
 *     org.openjdk.jmh.Main 'TripleLoopBenchmark|AttentionBenchmark' -p backend=JAVA_VECTOR -p seqQ=1024 -p seqK=1024
 * </pre>
 *
 * The setup checks the loop against JAVA_REFERENCE like every backend. Secondary result
 * {@code gflop}: GFLOP/s (same FLOP count, {@code 4·B·H·Lq·Lk·d}, halved for causal).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TripleLoopBenchmark {
    @Param("1")
    public int batch;
    @Param("8")
    public int heads;
    @Param({"256", "1024"})
    public int seqQ;
    /** 0: the same as seqQ. */
    @Param("0")
    public int seqK;
    @Param("64")
    public int headDim;
    /** none, top-left or bottom-right. */
    @Param("none")
    public String causal;

    private Arena arena;
    private TripleLoop.Inputs arrays;
    private double gflopPerCall;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        int lk = seqK == 0 ? seqQ : seqK;
        CausalMode mode = CausalMode.parse(causal);
        Workload.Shape shape = new Workload.Shape(batch, heads, heads, seqQ, lk, headDim, mode, DType.F32);
        Workload w = new Workload(arena, shape, 42);
        Workload.Check c = w.check((q, k, v, out) -> {
            TripleLoop.Inputs a = TripleLoop.Inputs.of(q, k, v, mode);
            a.run();
            a.copyOutTo(out);
        });
        if (!c.passed()) {
            throw new IllegalStateException("the triple loop disagrees with JAVA_REFERENCE on " + shape
                    + ": relative error " + c.relErr() + " > " + c.tolerance());
        }
        arrays = TripleLoop.Inputs.of(w.q, w.k, w.v, mode);
        gflopPerCall = shape.flops() / 1e9;
        System.out.printf("%n# triple loop on %s: relative error %.2e vs JAVA_REFERENCE (%s), %.3f GFLOP per call%n",
                shape, c.relErr(), c.scope(), gflopPerCall);
    }

    @Benchmark
    public void tripleLoop(GflopCounter counter) {
        arrays.run();
        counter.gflop += gflopPerCall;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }
}

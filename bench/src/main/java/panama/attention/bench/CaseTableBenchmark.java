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
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.CaseInputs;
import panama.attention.testing.CaseTable;
import panama.attention.testing.Compare;

/**
 * The shared case table (the one the parity tests run) as benchmarks: the same awkward shapes,
 * layouts, masks and key lengths, timed. The ids below are a representative subset (JMH
 * parameters must be constants; {@code CaseTableBenchmarkTest} checks each exists); pass any
 * other id with {@code -p caseId=...}. Secondary result {@code gflop}: GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class CaseTableBenchmark {
    /** fp32 table tolerance: the case record's, as in the parity tests. */
    static final double TOLERANCE = AttentionCase.FP32_TOLERANCE;

    @Param({
        "grid-q300-k300-d128-b1h3-BSHD",
        "grid-q1-k300-d128-b1h3-BHSD",
        "causal-tl-q300-k300",
        "causal-br-q300-k300",
        "causal-br-q129-k64",
        "gqa-6over2-q129-k300",
        "keylen-q64-k300",
        "mask-full-q64-k129",
        "mask-causal-keylen",
        "offset-bshd-causal",
        "odd-d111-q65-k300",
        "big-d256-q129-k129",
    })
    public String caseId;
    @Param({"NATIVE_CPU", "JAVA_VECTOR", "BLAS"})
    public String backend;
    @Param("2")
    public int threads;

    private Arena arena;
    private TileScheduler scheduler;
    private CaseInputs inputs;
    private Tensor out;
    private AttentionOptions options;
    private double gflopPerCall;

    /** The case with this id, or an exception listing where to look. */
    public static AttentionCase find(String id) {
        for (AttentionCase c : CaseTable.fp32()) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no case '" + id + "' in CaseTable.fp32()");
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        scheduler = TileScheduler.create(threads);
        AttentionCase c = find(caseId);
        inputs = new CaseInputs(arena, c, 1234);
        Tensor refOut = inputs.newOut();
        Attention.sdpa(inputs.q, inputs.k, inputs.v, refOut, inputs.options(Backend.JAVA_REFERENCE, inputs.newLse()).build());
        out = inputs.newOut();
        options = inputs.options(Backend.parse(backend), inputs.newLse()).scheduler(scheduler).build();
        Attention.sdpa(inputs.q, inputs.k, inputs.v, out, options);
        float[] got = out.toFloatArray();
        float[] want = refOut.toFloatArray();
        double err = Compare.relativeError(got, want);
        if (!(err <= TOLERANCE)) {
            throw new IllegalStateException(backend + " disagrees with JAVA_REFERENCE on " + caseId
                    + ": relative error " + err + Compare.firstMismatches(got, want, TOLERANCE, 5));
        }
        gflopPerCall = c.flops() / 1e9;
    }

    @Benchmark
    public void sdpa(GflopCounter counter) {
        Attention.sdpa(inputs.q, inputs.k, inputs.v, out, options);
        counter.gflop += gflopPerCall;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close();
        arena.close();
    }
}

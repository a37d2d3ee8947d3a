package panama.attention.examples.spark;

import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import panama.attention.Attention;
import panama.attention.AttentionMerge;
import panama.attention.AttentionOptions;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * Sequence-sharded attention as a Spark job: the building block of context-parallel attention.
 *
 * <p>One long sequence's keys and values are rows, one per token ({@link KvRow}), split into
 * contiguous ranges across partitions, as a KV cache spread over machines would be. The queries
 * travel to every executor once, as a broadcast. Partition {@code s}, holding the keys
 * {@code [from, to)}, runs {@link Attention#sdpa} for <em>all</em> queries over just those keys,
 * with the log-sum-exp output, under {@link AttentionMerge#shardOptions} (which turns a causal
 * mode that is relative to the whole sequence into what this shard may see), and emits one
 * {@link Partial}: its output and LSE. A {@code reduce} combines partials two at a time with
 * {@link AttentionMerge#merge}: {@code lse = log(e^lse_a + e^lse_b)},
 * {@code out = e^(lse_a − lse)·out_a + e^(lse_b − lse)·out_b}. Since a merged partial is again
 * an (out, lse) pair, the merge is associative, so Spark may combine partials in any order and
 * tree shape and still get the unsharded attention to fp32 rounding.
 *
 * <p>Everything crosses the wire as float arrays (Java-serialisable records); Tensors are rebuilt
 * in the executor, in an arena that lives for the task.
 */
public final class ShardedAttention {
    private ShardedAttention() {
    }

    /**
     * One attention call with batch 1.
     *
     * @param q (heads, seqQ, headDim) row-major
     * @param k (seqK, kvHeads, headDim) row-major: token-major, one row per key
     * @param v (seqK, kvHeads, headDim) row-major
     */
    public record Problem(int heads, int kvHeads, int seqQ, int seqK, int headDim, CausalMode causal,
                          float[] q, float[] k, float[] v) implements Serializable {
        /** Uniform random values in [−1, 1) from {@code seed}. */
        public static Problem random(long seed, int heads, int kvHeads, int seqQ, int seqK, int headDim, CausalMode causal) {
            Random r = new Random(seed);
            return new Problem(heads, kvHeads, seqQ, seqK, headDim, causal,
                    fill(r, heads * seqQ * headDim), fill(r, seqK * kvHeads * headDim), fill(r, seqK * kvHeads * headDim));
        }

        private static float[] fill(Random r, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = r.nextFloat() * 2 - 1;
            }
            return a;
        }

        /** The key and value rows of token {@code t}. */
        KvRow row(int t) {
            int w = kvHeads * headDim;
            float[] kr = new float[w], vr = new float[w];
            System.arraycopy(k, t * w, kr, 0, w);
            System.arraycopy(v, t * w, vr, 0, w);
            return new KvRow(t, kr, vr);
        }

        Shape shape() {
            return new Shape(heads, kvHeads, seqQ, seqK, headDim, causal);
        }
    }

    /** What every partition needs to know about the whole call (everything but the data). */
    public record Shape(int heads, int kvHeads, int seqQ, int seqK, int headDim, CausalMode causal) implements Serializable {
        AttentionOptions options() {
            return AttentionOptions.builder().causal(causal).build();
        }
    }

    /** Token {@code position}'s key and value, (kvHeads, headDim) each. */
    public record KvRow(int position, float[] k, float[] v) implements Serializable {
    }

    /**
     * Attention over some keys: out (heads, seqQ, headDim) and lse (heads, seqQ), and how many
     * shards it combines.
     */
    public record Partial(int heads, int seqQ, int headDim, float[] out, float[] lse, int shards) implements Serializable {
        /** The exact combination of two partials over disjoint keys (itself a partial). */
        public static Partial merge(Partial a, Partial b) {
            try (Arena arena = Arena.ofConfined()) {
                long h = a.heads, lq = a.seqQ, d = a.headDim;
                Tensor out = Tensor.allocate(arena, DType.F32, 1, h, lq, d);
                Tensor lse = Tensor.allocate(arena, DType.F32, 1, h, lq);
                AttentionMerge.merge(
                        List.of(tensor(arena, a.out, 1, h, lq, d), tensor(arena, b.out, 1, h, lq, d)),
                        List.of(tensor(arena, a.lse, 1, h, lq), tensor(arena, b.lse, 1, h, lq)), out, lse);
                return new Partial(a.heads, a.seqQ, a.headDim, floats(out), floats(lse), a.shards + b.shards);
            }
        }
    }

    /**
     * Runs the job over {@code partitions} partitions (contiguous key ranges whose sizes differ by
     * at most one) and returns the merged result.
     */
    public static Partial run(SparkSession spark, Problem p, int partitions, FailOnce failOnce) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<KvRow> rows = new ArrayList<>(p.seqK());
        for (int t = 0; t < p.seqK(); t++) {
            rows.add(p.row(t));
        }
        Broadcast<float[]> q = jsc.broadcast(p.q());
        Shape shape = p.shape();
        try {
            // parallelize cuts the list into contiguous slices, one per partition: partition s
            // holds the keys [seqK·s/P, seqK·(s+1)/P), the split AttentionMerge.sdpaSharded uses
            JavaRDD<Partial> partials = jsc.parallelize(rows, partitions).mapPartitions(it -> {
                failOnce.maybeFail();
                return partial(shape, q.value(), it);
            });
            return partials.reduce(Partial::merge);
        } finally {
            q.destroy();
        }
    }

    /** One partition's work: attention of all queries over the keys it holds (none: no partial). */
    static Iterator<Partial> partial(Shape s, float[] qValues, Iterator<KvRow> it) {
        List<KvRow> kv = new ArrayList<>();
        it.forEachRemaining(kv::add);
        if (kv.isEmpty()) {
            return Collections.emptyIterator();
        }
        kv.sort(Comparator.comparingInt(KvRow::position));
        int from = kv.get(0).position(), to = from + kv.size();
        if (kv.get(kv.size() - 1).position() != to - 1) {
            throw new IllegalStateException("partition keys are not one contiguous range: " + from + ".."
                    + kv.get(kv.size() - 1).position() + " for " + kv.size() + " rows");
        }
        int w = s.kvHeads() * s.headDim();
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = tensor(arena, qValues, 1, s.heads(), s.seqQ(), s.headDim());
            MemorySegment ks = arena.allocate((long) kv.size() * w * Float.BYTES, 64);
            MemorySegment vs = arena.allocate((long) kv.size() * w * Float.BYTES, 64);
            for (int i = 0; i < kv.size(); i++) {
                MemorySegment.copy(kv.get(i).k(), 0, ks, ValueLayout.JAVA_FLOAT, (long) i * w * Float.BYTES, w);
                MemorySegment.copy(kv.get(i).v(), 0, vs, ValueLayout.JAVA_FLOAT, (long) i * w * Float.BYTES, w);
            }
            // rows are token-major: view them as [1, kvHeads, len, headDim] without copying
            Tensor k = Tensor.bshd(ks, DType.F32, 1, kv.size(), s.kvHeads(), s.headDim());
            Tensor v = Tensor.bshd(vs, DType.F32, 1, kv.size(), s.kvHeads(), s.headDim());
            Tensor out = Tensor.allocate(arena, DType.F32, 1, s.heads(), s.seqQ(), s.headDim());
            Tensor lse = Tensor.allocate(arena, DType.F32, 1, s.heads(), s.seqQ());
            AttentionOptions options = AttentionMerge.shardOptions(s.options(), 1, s.seqQ(), s.seqK(), from, to, arena)
                    .toBuilder().lse(lse).build();
            Attention.sdpa(q, k, v, out, options);
            return List.of(new Partial(s.heads(), s.seqQ(), s.headDim(), floats(out), floats(lse), 1)).iterator();
        }
    }

    /** The unsharded call in this thread: out (heads, seqQ, headDim) then lse (heads, seqQ). */
    public static Partial unsharded(Problem p) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = tensor(arena, p.q(), 1, p.heads(), p.seqQ(), p.headDim());
            Tensor k = Tensor.bshd(segment(arena, p.k()), DType.F32, 1, p.seqK(), p.kvHeads(), p.headDim());
            Tensor v = Tensor.bshd(segment(arena, p.v()), DType.F32, 1, p.seqK(), p.kvHeads(), p.headDim());
            Tensor out = Tensor.allocate(arena, DType.F32, 1, p.heads(), p.seqQ(), p.headDim());
            Tensor lse = Tensor.allocate(arena, DType.F32, 1, p.heads(), p.seqQ());
            Attention.sdpa(q, k, v, out, p.shape().options().toBuilder().lse(lse).build());
            return new Partial(p.heads(), p.seqQ(), p.headDim(), floats(out), floats(lse), 1);
        }
    }

    private static MemorySegment segment(Arena arena, float[] values) {
        MemorySegment s = arena.allocate(Math.max(1, (long) values.length * Float.BYTES), 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    private static Tensor tensor(Arena arena, float[] values, long... shape) {
        return Tensor.contiguous(segment(arena, values), DType.F32, shape);
    }

    private static float[] floats(Tensor contiguous) {
        return contiguous.segment().toArray(ValueLayout.JAVA_FLOAT);
    }
}

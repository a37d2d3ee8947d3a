package panama.attention.cli;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.CacheMemory;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.internal.Elements;

/**
 * The layout comparisons of {@code bench}, on NATIVE_CPU (the backend that runs these layouts):
 * {@code --page-size P} times decode (one query per sequence) through a paged cache with a
 * shuffled block table against the same keys stored contiguously; {@code --varlen} and
 * {@code --varlen-random} time a packed batch of variable-length sequences against the padded
 * rectangular batch with key lengths. Both sides run in the same rounds, in alternating order, so
 * a machine whose speed drifts slows both alike; the ratio printed is the median of the
 * per-round ratios, with its quartiles as the spread. Each pair is first checked to give the same
 * rows; a pair that does not is reported and makes bench exit 1.
 */
final class BenchLayouts {
    /** What to compare: pages of {@code pageSize} keys, or packed sequences of these lengths. */
    record Mode(Integer pageSize, List<Integer> varlen) {
    }

    /** The rounds' settings; tests lower them (timings are never asserted). */
    record Rounds(int rounds, long warmupNanos, long sideNanos) {
    }

    static final Rounds DEFAULT_ROUNDS = new Rounds(9, 500_000_000L, 150_000_000L);
    static volatile Rounds rounds = DEFAULT_ROUNDS;

    /** Both sides' medians (ms a call) and the median and quartiles of the per-round ratio a / b. */
    record Ratio(double aMs, double bMs, double median, double q1, double q3) {
        String spread() {
            return String.format(Locale.ROOT, "%.3f [%.3f..%.3f]", median, q1, q3);
        }
    }

    private BenchLayouts() {
    }

    /** The lengths of {@code --varlen-random MIN,MAX,COUNT}: uniform in [MIN, MAX], seeded. */
    static List<Integer> randomLengths(int min, int max, int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(rnd.nextInt(min, max + 1));
        }
        return List.copyOf(out);
    }

    static int run(Bench.Config c, PrintStream out, PrintStream err) throws CliException {
        List<String> failed = new ArrayList<>();
        try (TileScheduler scheduler = TileScheduler.create(c.threads())) {
            if (c.layouts().pageSize() != null) {
                List<Integer> lengths = c.kvSeq() != null ? List.of(c.kvSeq()) : c.seqs();
                for (int d : c.headDims()) {
                    for (int len : lengths) {
                        paged(c, scheduler, c.layouts().pageSize(), len, d, out, err, failed);
                    }
                }
            } else {
                for (int d : c.headDims()) {
                    varlen(c, scheduler, c.layouts().varlen(), d, out, err, failed);
                }
            }
        }
        String load = Bench.loadNote();
        if (load != null) {
            out.println("note: " + load);
        }
        if (!failed.isEmpty()) {
            throw CliException.runtime(failed.size() + " layout check(s) failed: " + String.join(", ", failed));
        }
        return 0;
    }

    private static AttentionOptions.Builder base(Bench.Config c, TileScheduler scheduler) {
        AttentionOptions.Builder b = AttentionOptions.builder().backend(Backend.NATIVE_CPU).causal(c.causals().get(0))
                .scheduler(scheduler).cpuIsa(c.isa()).softcap(c.softcap());
        return c.window() == null ? b : b.window(c.window().left(), c.window().right());
    }

    private static void paged(Bench.Config c, TileScheduler scheduler, int page, int len, int d, PrintStream out,
            PrintStream err, List<String> failed) {
        int batch = c.batch(), heads = c.heads(), kvh = c.kvHeads();
        DType dt = c.dtype();
        String label = String.format(Locale.ROOT, "decode through pages of %d: batch %d, heads %d (kv %d), cache %d,"
                + " d%d, %s, %d thread%s", page, batch, heads, kvh, len, d, Bench.dtypeName(dt), c.threads(),
                c.threads() == 1 ? "" : "s");
        err.println("[layouts] " + label + " ...");
        err.flush();
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(Bench.SEED);
            Tensor q = random(arena, dt, rnd, batch, heads, 1, d);
            // both caches in CacheMemory, as KvCache and PagedKvCache keep them (huge pages where granted)
            Tensor k = randomCache(arena, dt, rnd, batch, kvh, len, d);
            Tensor v = randomCache(arena, dt, rnd, batch, kvh, len, d);
            int perSeq = (len + page - 1) / page, blocks = batch * perSeq;
            int[] order = shuffled(blocks, rnd);
            int[][] table = new int[batch][perSeq];
            int[] lengths = new int[batch];
            // pools [blocks, page, kvHeads, d], heads-first within a block as PagedKvCache stores them
            long[] strides = {(long) page * kvh * d, d, (long) page * d, 1};
            long[] shape = {blocks, page, kvh, d};
            long poolBytes = (long) blocks * page * kvh * d * dt.byteSize();
            Tensor kp = Tensor.of(CacheMemory.allocate(arena, poolBytes), dt, shape, strides);
            Tensor vp = Tensor.of(CacheMemory.allocate(arena, poolBytes), dt, shape, strides);
            for (int b = 0; b < batch; b++) {
                lengths[b] = len;
                for (int i = 0; i < perSeq; i++) {
                    table[b][i] = order[b * perSeq + i];
                }
                for (int j = 0; j < len; j++) {
                    for (int h = 0; h < kvh; h++) {
                        long src = (((long) b * kvh + h) * len + j) * d;
                        long dst = table[b][j / page] * strides[0] + (j % page) * strides[1] + h * strides[2];
                        copyRow(k, src, kp, dst, d);
                        copyRow(v, src, vp, dst, d);
                    }
                }
            }
            Tensor outC = Tensor.allocate(arena, dt, batch, heads, 1, d);
            Tensor outP = Tensor.allocate(arena, dt, batch, heads, 1, d);
            AttentionOptions contiguous = base(c, scheduler).build();
            AttentionOptions paged = base(c, scheduler).keyLengths(lengths).pagedKv(table, page).build();
            Runnable a = () -> Attention.sdpa(q, k, v, outC, contiguous);
            Runnable b = () -> Attention.sdpa(q, kp, vp, outP, paged);
            a.run();
            b.run();
            double diff = relDiff(outP, outC);
            if (diff > 0) {
                // the kernels keep their key blocks across pages, so the sums group alike: bitwise
                out.println(label + ": FAILED, paged rows differ from contiguous ones (rel diff "
                        + String.format(Locale.ROOT, "%.1e", diff) + ")");
                failed.add("paged " + page + " cache " + len + " d" + d);
                return;
            }
            Ratio r = interleaved(a, b);
            out.printf(Locale.ROOT, "%s: contiguous %s ms, paged %s ms; paged speed / contiguous %s (median of %d"
                    + " rounds [quartiles]); paged rows bitwise = contiguous%n", label, Bench.ms(r.aMs()),
                    Bench.ms(r.bMs()), r.spread(), rounds.rounds());
        } catch (RuntimeException e) {
            out.println(label + ": FAILED, " + Main.message(e));
            failed.add("paged " + page + " cache " + len + " d" + d);
        }
    }

    private static void varlen(Bench.Config c, TileScheduler scheduler, List<Integer> lens, int d, PrintStream out,
            PrintStream err, List<String> failed) {
        int n = lens.size(), heads = c.heads(), kvh = c.kvHeads();
        DType dt = c.dtype();
        CausalMode causal = c.causals().get(0);
        int max = 0;
        int[] cu = new int[n + 1];
        for (int i = 0; i < n; i++) {
            max = Math.max(max, lens.get(i));
            cu[i + 1] = cu[i] + lens.get(i);
        }
        int total = cu[n];
        String label = String.format(Locale.ROOT, "varlen %d sequences (%d..%d, %d tokens): heads %d (kv %d), d%d,"
                + " causal %s, %s, %d thread%s", n, lens.stream().mapToInt(x -> x).min().orElse(0), max, total, heads,
                kvh, d, Args.lower(causal), Bench.dtypeName(dt), c.threads(), c.threads() == 1 ? "" : "s");
        err.println("[layouts] " + label + " ...");
        err.flush();
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(Bench.SEED);
            Tensor q = random(arena, dt, rnd, total, heads, d);
            Tensor k = random(arena, dt, rnd, total, kvh, d);
            Tensor v = random(arena, dt, rnd, total, kvh, d);
            Tensor outV = Tensor.allocate(arena, dt, total, heads, d);
            AttentionOptions packed = base(c, scheduler).varlen(cu, cu).build();
            Runnable b = () -> Attention.sdpa(q, k, v, outV, packed);
            b.run();
            double useful = 0, computed = 0;
            for (int len : lens) {
                useful += Attention.flops(1, heads, len, len, d, causal);
                computed += Attention.flops(1, heads, max, len, d, causal); // every padded query row, keys up to len
            }
            // The padded batch twice: heads-first [n, heads, max, d] (each head's rows together) and
            // [n, max, heads, d], the packed batch's own interleaved heads with padding: that one
            // isolates what packing saves from what the layout costs.
            // Lq = Lk per sequence, so both causal modes mean row t sees keys <= t; the padded batch
            // says so with TOP_LEFT, since its BOTTOM_RIGHT would align the rows to max, not to len.
            int[] keyLengths = lens.stream().mapToInt(x -> x).toArray();
            AttentionOptions padOpts = base(c, scheduler).keyLengths(keyLengths)
                    .causal(causal == CausalMode.NONE ? CausalMode.NONE : CausalMode.TOP_LEFT).build();
            for (boolean interleaved : new boolean[] {false, true}) {
                try (Arena padArena = Arena.ofConfined()) { // one padded batch in memory at a time
                    Padded pad = padded(padArena, dt, q, k, v, cu, heads, kvh, max, d, interleaved);
                    Runnable a = () -> Attention.sdpa(pad.q(), pad.k(), pad.v(), pad.out(), padOpts);
                    a.run();
                    double diff = varlenDiff(outV, pad.out(), cu, heads, d);
                    if (!(diff <= panama.attention.measure.Workload.tolerance(dt))) {
                        out.println(label + ": FAILED, packed rows differ from padded " + pad.name()
                                + " ones (rel diff " + String.format(Locale.ROOT, "%.1e", diff) + ")");
                        failed.add("varlen d" + d);
                        return;
                    }
                    Ratio r = interleaved(a, b);
                    double packedGflops = useful / (r.bMs() * 1e6), paddedGflops = computed / (r.aMs() * 1e6);
                    out.printf(Locale.ROOT, "%s: packed %s ms, %.2f GFLOP/s (useful FLOPs); padded %s %s ms,"
                            + " %.2f GFLOP/s (computed FLOPs, %.2f useful); GFLOP/s packed / padded %.3f; packed"
                            + " speed-up over padded %s (median of %d rounds [quartiles])%n", label,
                            Bench.ms(r.bMs()), packedGflops, pad.name(), Bench.ms(r.aMs()), paddedGflops,
                            useful / (r.aMs() * 1e6), packedGflops / paddedGflops, r.spread(), rounds.rounds());
                }
            }
        } catch (RuntimeException e) {
            out.println(label + ": FAILED, " + Main.message(e));
            failed.add("varlen d" + d);
        }
    }

    /** A padded batch: q, k, v and out with logical shape [n, heads, max, d], and its layout's name. */
    private record Padded(String name, Tensor q, Tensor k, Tensor v, Tensor out) {
    }

    /**
     * The packed sequences copied into a padded batch (sequence i in rows [0, len) of its slice,
     * the rest 0), stored heads-first, or with the heads of a row together ({@code interleaved}).
     */
    private static Padded padded(Arena arena, DType dt, Tensor q, Tensor k, Tensor v, int[] cu, int heads, int kvh,
            int max, int d, boolean interleaved) {
        int n = cu.length - 1;
        Tensor qp = paddedTensor(arena, dt, n, heads, max, d, interleaved);
        Tensor kp = paddedTensor(arena, dt, n, kvh, max, d, interleaved);
        Tensor vp = paddedTensor(arena, dt, n, kvh, max, d, interleaved);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < cu[i + 1] - cu[i]; t++) {
                long row = cu[i] + t;
                for (int h = 0; h < heads; h++) {
                    copyRow(q, (row * heads + h) * d, qp, paddedOffset(qp, i, h, t), d);
                }
                for (int h = 0; h < kvh; h++) {
                    copyRow(k, (row * kvh + h) * d, kp, paddedOffset(kp, i, h, t), d);
                    copyRow(v, (row * kvh + h) * d, vp, paddedOffset(vp, i, h, t), d);
                }
            }
        }
        Tensor out = paddedTensor(arena, dt, n, heads, max, d, interleaved);
        return new Padded(interleaved ? "[n, max, heads, d]" : "[n, heads, max, d]", qp, kp, vp, out);
    }

    /** A zeroed [n, heads, max, d] tensor, heads-first or over [n, max, heads, d] memory. */
    private static Tensor paddedTensor(Arena arena, DType dt, int n, int heads, int max, int d, boolean interleaved) {
        if (!interleaved) {
            return Tensor.allocate(arena, dt, n, heads, max, d);
        }
        long[] shape = {n, heads, max, d};
        long[] strides = {(long) max * heads * d, d, (long) heads * d, 1};
        return Tensor.of(arena.allocate((long) n * max * heads * d * dt.byteSize(), 64), dt, shape, strides);
    }

    /** Element offset of row t of head h of sequence i in a padded tensor. */
    private static long paddedOffset(Tensor t, int i, int h, int row) {
        long[] s = t.strides();
        return i * s[0] + h * s[1] + row * s[2];
    }

    /** Times a and b in interleaved rounds; the ratio of a round is a's time / b's time. */
    static Ratio interleaved(Runnable a, Runnable b) {
        Rounds s = rounds;
        int callsA = callsPerRound(a, s), callsB = callsPerRound(b, s);
        double[] ta = new double[s.rounds()], tb = new double[s.rounds()], ratio = new double[s.rounds()];
        for (int i = 0; i < s.rounds(); i++) {
            if (i % 2 == 0) {
                ta[i] = msPerCall(a, callsA);
                tb[i] = msPerCall(b, callsB);
            } else {
                tb[i] = msPerCall(b, callsB);
                ta[i] = msPerCall(a, callsA);
            }
            ratio[i] = ta[i] / tb[i];
        }
        return new Ratio(quantile(ta, 0.5), quantile(tb, 0.5), quantile(ratio, 0.5), quantile(ratio, 0.25),
                quantile(ratio, 0.75));
    }

    /** Warms call up for the warm-up time, then how many calls take a round's side time (at least 1). */
    private static int callsPerRound(Runnable call, Rounds s) {
        long start = System.nanoTime();
        int n = 0;
        do {
            call.run();
            n++;
        } while (System.nanoTime() - start < s.warmupNanos());
        double perCall = (System.nanoTime() - start) / (double) n;
        return (int) Math.max(1, Math.min(1_000_000, Math.round(s.sideNanos() / perCall)));
    }

    private static double msPerCall(Runnable call, int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        return (System.nanoTime() - t0) / 1e6 / calls;
    }

    /** The q-quantile of xs, linear between order statistics. */
    static double quantile(double[] xs, double q) {
        double[] s = xs.clone();
        Arrays.sort(s);
        double at = q * (s.length - 1);
        int lo = (int) Math.floor(at), hi = (int) Math.ceil(at);
        return s[lo] + (s[hi] - s[lo]) * (at - lo);
    }

    private static int[] shuffled(int n, SplittableRandom rnd) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = rnd.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static Tensor random(Arena arena, DType dtype, SplittableRandom rnd, long... dims) {
        return fill(Tensor.allocate(arena, dtype, dims), rnd);
    }

    /** t (row-major) filled with uniform values in [-1, 1). */
    private static Tensor fill(Tensor t, SplittableRandom rnd) {
        MemorySegment s = t.segment();
        long n = t.elementCount();
        for (long i = 0; i < n; i++) {
            Elements.set(s, t.dtype(), i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return t;
    }

    /** As random, in cache memory (CacheMemory): row-major (b, h, n, d). */
    private static Tensor randomCache(Arena arena, DType dtype, SplittableRandom rnd, int b, int h, int n, int d) {
        long[] shape = {b, h, n, d};
        long[] strides = {(long) h * n * d, (long) n * d, d, 1};
        return fill(Tensor.of(CacheMemory.allocate(arena, (long) b * h * n * d * dtype.byteSize()), dtype, shape, strides),
                rnd);
    }

    /** d elements from element offset src of a into element offset dst of b (same dtype). */
    private static void copyRow(Tensor a, long src, Tensor b, long dst, int d) {
        long es = a.dtype().byteSize();
        MemorySegment.copy(a.segment(), src * es, b.segment(), dst * es, d * es);
    }

    /** ||x - y|| / ||y|| over two tensors of the same element count, or 0 when they are bitwise equal. */
    private static double relDiff(Tensor x, Tensor y) {
        if (x.segment().mismatch(y.segment()) < 0) {
            return 0;
        }
        double num = 0, den = 0;
        for (long i = 0; i < x.elementCount(); i++) {
            double a = Elements.get(x.segment(), x.dtype(), i), b = Elements.get(y.segment(), y.dtype(), i);
            num += (a - b) * (a - b);
            den += b * b;
        }
        return Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
    }

    /** The packed rows against the padded batch's live rows: ||packed - padded|| / ||padded||. */
    private static double varlenDiff(Tensor packed, Tensor padded, int[] cu, int heads, int d) {
        double num = 0, den = 0;
        for (int i = 0; i + 1 < cu.length; i++) {
            for (int t = 0; t < cu[i + 1] - cu[i]; t++) {
                for (int h = 0; h < heads; h++) {
                    long pa = (((long) cu[i] + t) * heads + h) * d;
                    long pd = paddedOffset(padded, i, h, t);
                    for (int x = 0; x < d; x++) {
                        double a = Elements.get(packed.segment(), packed.dtype(), pa + x);
                        double b = Elements.get(padded.segment(), padded.dtype(), pd + x);
                        num += (a - b) * (a - b);
                        den += b * b;
                    }
                }
            }
        }
        return Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
    }
}

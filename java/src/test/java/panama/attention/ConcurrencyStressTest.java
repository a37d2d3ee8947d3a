package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Load: {@value #CALLERS} threads call {@link Attention#sdpa} at once for a
 * bounded time over mixed shapes, dtypes, options, backends (AUTO, NATIVE_CPU on every CPU path
 * this machine runs, BLAS, JAVA_REFERENCE, JAVA_VECTOR and any other backend
 * {@link Attention#backends()} reports on) and schedulers (the shared one and private ones of 1, 3
 * and 4 workers). Every result must be bitwise identical to the same call made alone before the
 * storm: each backend is deterministic for a given thread count (a tile is computed by one worker
 * in a fixed order; OpenBLAS runs single-threaded). Across thread counts only NATIVE_CPU's
 * split-KV decode differs: {@code panattn_plan} picks the number of key splits from the
 * thread count, and a different split changes the fp32 rounding of the LSE merge
 * ({@link #resultsDoNotDependOnTheThreadCountExceptSplitKv}).
 *
 * <p>No deadlock: every caller must finish within the run time plus 120 s, else the test fails
 * with a thread dump. No oversubscription: a sampler counts the live threads named
 * {@code panattn-<pool>-worker-<n>} of each scheduler, and {@code TileScheduler.peakRunning()}
 * counts tile ranges running at once; neither may exceed the scheduler's thread count, however
 * many callers.
 *
 * <p>Duration: {@code -Dpanattn.stress.seconds=N} (default 10 in the suite; at most 20 there).
 * The long run: {@code ./mvnw -pl java test -Dtest=ConcurrencyStressTest -Dpanattn.stress.seconds=600}.
 */
class ConcurrencyStressTest {
    static final int CALLERS = 32;
    private static final Pattern WORKER = Pattern.compile("panattn-(\\d+)-worker-\\d+");

    /** One call: inputs (shared, read-only), options without lse, whether it wants lse, and its solo result. */
    record Case(String id, Backend backend, Tensor q, Tensor k, Tensor v, AttentionOptions options, boolean lse,
                float[] out, float[] lseOut) {
    }

    private static Arena inputs;
    private static final List<TileScheduler> PRIVATE = new ArrayList<>();

    @BeforeAll
    static void open() {
        inputs = Arena.ofShared();
        for (int n : new int[] {1, 3, 4}) {
            PRIVATE.add(TileScheduler.create(n));
        }
    }

    @AfterAll
    static void close() {
        PRIVATE.forEach(TileScheduler::close);
        inputs.close();
    }

    static int seconds() {
        int s = Integer.getInteger("panattn.stress.seconds", 10);
        return Math.max(1, s);
    }

    @Test
    void manyCallersGetTheirSoloResultsBitForBit() throws Exception {
        List<TileScheduler> schedulers = new ArrayList<>();
        schedulers.add(TileScheduler.shared());
        schedulers.addAll(PRIVATE);
        Map<String, TileScheduler> pools = poolIds(schedulers);
        List<Case> cases = cases(schedulers, 40, 11);
        assertTrue(cases.size() >= 20, "too few runnable cases: " + cases.size());
        Map<Backend, Integer> perBackendCases = new EnumMap<>(Backend.class);
        cases.forEach(c -> perBackendCases.merge(c.backend(), 1, Integer::sum));
        Map<CpuIsa, Integer> nativeIsas = new EnumMap<>(CpuIsa.class);
        cases.stream().filter(c -> c.backend() == Backend.NATIVE_CPU)
                .forEach(c -> nativeIsas.merge(c.options().cpuIsa(), 1, Integer::sum));

        int seconds = seconds();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        LongAdder calls = new LongAdder();
        Map<Backend, LongAdder> perBackend = new ConcurrentHashMap<>();
        AtomicReference<String> mismatch = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, AtomicInteger> peakLive = new ConcurrentHashMap<>();
        AtomicInteger peakTasks = new AtomicInteger();
        int tasksBefore = liveTasks();

        Thread sampler = Thread.ofPlatform().daemon().name("stress-sampler").start(() -> {
            while (!stop.get()) {
                Map<String, Integer> live = new HashMap<>();
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    Matcher m = WORKER.matcher(t.getName());
                    if (m.matches() && t.isAlive()) {
                        live.merge(m.group(1), 1, Integer::sum);
                    }
                }
                live.forEach((id, n) -> peakLive.computeIfAbsent(id, x -> new AtomicInteger()).accumulateAndGet(n, Math::max));
                peakTasks.accumulateAndGet(liveTasks(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        CountDownLatch start = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < CALLERS; t++) {
            long seed = 1000 + t;
            callers.add(Thread.ofPlatform().name("stress-caller-" + t).start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    start.await();
                    while (System.nanoTime() < deadline && failure.get() == null && mismatch.get() == null) {
                        Case c = cases.get(rnd.nextInt(cases.size()));
                        String bad = runAndCompare(c, rnd.nextBoolean());
                        calls.increment();
                        perBackend.computeIfAbsent(c.backend(), b -> new LongAdder()).increment();
                        if (bad != null) {
                            mismatch.compareAndSet(null, bad);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : callers) {
            long left = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (t.isAlive()) {
                stop.set(true);
                fail("deadlock or stall: " + t.getName() + " still running 120 s after the deadline\n" + threadDump());
            }
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        sampler.join();

        if (failure.get() != null) {
            throw new AssertionError("a caller failed", failure.get());
        }
        assertEquals(null, mismatch.get(), "a concurrent result differs from the same call made alone");

        StringBuilder workers = new StringBuilder();
        for (Map.Entry<String, TileScheduler> e : pools.entrySet()) {
            TileScheduler s = e.getValue();
            int live = peakLive.getOrDefault(e.getKey(), new AtomicInteger()).get();
            workers.append(String.format(" %s: live workers <= %d, tile ranges at once <= %d;", s, live, s.peakRunning()));
            assertTrue(live <= s.threads(), s + " had " + live + " live worker threads");
            assertTrue(s.peakRunning() <= s.threads(), s + " ran " + s.peakRunning() + " tile ranges at once");
        }
        assertTrue(calls.sum() >= CALLERS, "too few calls: " + calls.sum());
        System.out.printf("[stress] %d callers x %d cases (%s; NATIVE_CPU paths %s), %.1f s: %d calls (%.0f/s), per backend %s;%s"
                        + " OS threads %d before, at most %d during%n",
                CALLERS, cases.size(), perBackendCases, nativeIsas, elapsed, calls.sum(), calls.sum() / elapsed, perBackend,
                workers, tasksBefore, peakTasks.get());
    }

    /** Runs c into fresh out/lse, in a confined or a shared arena; null when it matches its solo result. */
    private static String runAndCompare(Case c, boolean confined) {
        try (Arena a = confined ? Arena.ofConfined() : Arena.ofShared()) {
            Tensor out = Tensor.allocate(a, c.q().dtype(), c.q().shape());
            out.segment().fill((byte) 0x7f); // garbage: a missed write shows
            AttentionOptions o = c.options();
            Tensor lse = null;
            if (c.lse()) {
                lse = Tensor.allocate(a, DType.F32, c.q().size(0), c.q().size(1), c.q().size(2));
                o = o.toBuilder().lse(lse).build();
            }
            Attention.sdpa(c.q(), c.k(), c.v(), out, o);
            if (!Robust.sameBits(out.toFloatArray(), c.out())) {
                return c.id() + ": out differs from the solo call";
            }
            if (lse != null && !Robust.sameBits(lse.toFloatArray(), c.lseOut())) {
                return c.id() + ": lse differs from the solo call";
            }
            return null;
        }
    }

    /** The same problems on schedulers of 1, 2 (shared, if so sized), 3 and 4 workers. */
    @Test
    void resultsDoNotDependOnTheThreadCountExceptSplitKv() {
        List<String> differing = new ArrayList<>();
        List<Case> base = cases(List.of(PRIVATE.get(0)), 24, 5);
        for (Case c : base) {
            for (TileScheduler s : PRIVATE.subList(1, PRIVATE.size())) {
                AttentionOptions o = c.options().toBuilder().scheduler(s).build();
                Case other = solo(c.id() + "@" + s.threads(), c.backend(), c.q(), c.k(), c.v(), o, c.lse());
                if (other == null) {
                    continue;
                }
                boolean same = Robust.sameBits(c.out(), other.out())
                        && (!c.lse() || Robust.sameBits(c.lseOut(), other.lseOut()));
                boolean splitKv = (c.backend() == Backend.NATIVE_CPU || c.backend() == Backend.AUTO)
                        && c.q().size(2) <= 16 && c.k().size(2) >= 512;
                if (!same && !splitKv) {
                    differing.add(other.id());
                }
            }
        }
        assertEquals(List.of(), differing, "results that depend on the thread count outside split-KV decode");
    }

    // ------------------------------------------------------------------ cases

    /** Runnable cases over every available backend, with solo results computed one call at a time. */
    static List<Case> cases(List<TileScheduler> schedulers, int perBackendish, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Backend> backends = new ArrayList<>(List.of(Backend.AUTO));
        backends.addAll(Robust.availableBackends());
        List<CpuIsa> isas = TestBackends.supportedIsas();
        List<Case> cases = new ArrayList<>();
        int n = 0;
        int nativeCases = 0;
        for (int i = 0; i < perBackendish * 2 && n < perBackendish + 8; i++) {
            Backend b = backends.get(i % backends.size());
            boolean decode = i % 7 == 3;
            long batch = 1 + rnd.nextInt(2);
            long kvHeads = 1 + rnd.nextInt(2);
            long heads = kvHeads * (1 + rnd.nextInt(2));
            long lq = decode ? 1 + rnd.nextInt(2) : new long[] {1, 7, 64, 65, 130}[rnd.nextInt(5)];
            long lk = decode ? 600 + rnd.nextInt(500) : new long[] {1, 33, 64, 97, 200}[rnd.nextInt(5)];
            long d = new long[] {8, 24, 40, 64}[rnd.nextInt(4)];
            if (b == Backend.JAVA_REFERENCE) {
                lq = Math.min(lq, 65);
                lk = Math.min(lk, 200);
            }
            DType dtype = b == Backend.BLAS ? DType.F32 : DType.values()[rnd.nextInt(DType.values().length)];
            boolean bshd = rnd.nextInt(3) == 0;
            Tensor q = tensor(dtype, batch, heads, lq, d, bshd, rnd);
            Tensor k = tensor(dtype, batch, kvHeads, lk, d, bshd, rnd);
            Tensor v = tensor(dtype, batch, kvHeads, lk, d, bshd, rnd);
            AttentionOptions.Builder o = AttentionOptions.builder().backend(b)
                    .causal(CausalMode.values()[rnd.nextInt(CausalMode.values().length)])
                    .scheduler(schedulers.get(rnd.nextInt(schedulers.size())));
            if (rnd.nextInt(3) == 0) {
                int[] kl = new int[(int) batch];
                for (int x = 0; x < kl.length; x++) {
                    kl[x] = rnd.nextInt((int) lk + 1);
                }
                o.keyLengths(kl);
            }
            if (rnd.nextInt(3) == 0) {
                Tensor mask = Tensor.allocate(inputs, DType.F32, rnd.nextBoolean() ? batch : 1, 1, lq, lk);
                Robust.fill(mask, rnd, 2);
                for (int x = 0; x < 4; x++) {
                    mask.set(Float.NEGATIVE_INFINITY, 0, 0, rnd.nextLong(lq), rnd.nextLong(lk));
                }
                o.mask(mask);
            }
            if (b == Backend.NATIVE_CPU) {
                o.cpuIsa(isas.get(nativeCases++ % isas.size())); // every CPU path, in turn
            }
            Case c = solo(b + "#" + i + "[" + dtype + " B" + batch + " H" + heads + "/" + kvHeads + " Lq" + lq + " Lk" + lk
                    + " d" + d + (bshd ? " bshd" : "") + "]", b, q, k, v, o.build(), rnd.nextBoolean());
            if (c != null) {
                cases.add(c);
                n++;
            }
        }
        return Collections.unmodifiableList(cases);
    }

    /** The call made alone, or null when this backend cannot run it (AttentionException "cannot run"). */
    static Case solo(String id, Backend b, Tensor q, Tensor k, Tensor v, AttentionOptions o, boolean withLse) {
        try (Arena a = Arena.ofConfined()) {
            Tensor out = Tensor.allocate(a, q.dtype(), q.shape());
            Tensor lse = withLse ? Tensor.allocate(a, DType.F32, q.size(0), q.size(1), q.size(2)) : null;
            try {
                Attention.sdpa(q, k, v, out, withLse ? o.toBuilder().lse(lse).build() : o);
            } catch (AttentionException e) {
                if (e.getMessage().contains("cannot run")) {
                    return null;
                }
                throw e;
            }
            return new Case(id, b, q, k, v, o, withLse, out.toFloatArray(), withLse ? lse.toFloatArray() : null);
        }
    }

    private static Tensor tensor(DType dtype, long b, long h, long s, long d, boolean bshd, SplittableRandom rnd) {
        Tensor t = bshd
                ? Tensor.bshd(inputs.allocate(b * s * h * d * dtype.byteSize(), 64), dtype, b, s, h, d)
                : Tensor.allocate(inputs, dtype, b, h, s, d);
        Robust.fill(t, rnd, 1.5f);
        return t;
    }

    /**
     * Pool id (from worker names) of each scheduler: one tile on it tells its workers' name. A
     * platform thread may run the tile itself, so a virtual thread calls (it never does).
     */
    private static Map<String, TileScheduler> poolIds(List<TileScheduler> schedulers) throws InterruptedException {
        Map<String, TileScheduler> ids = new HashMap<>();
        for (TileScheduler s : schedulers) {
            AtomicReference<String> name = new AtomicReference<>();
            Thread.ofVirtual().start(() -> s.run(1, (b, e) -> name.set(Thread.currentThread().getName()))).join();
            Matcher m = WORKER.matcher(name.get());
            assertTrue(m.matches(), "worker thread name " + name.get());
            ids.put(m.group(1), s);
        }
        return ids;
    }

    /** Threads of this process as the OS sees them (Java and native, OpenBLAS's included). */
    private static int liveTasks() {
        try (var s = Files.list(Path.of("/proc/self/task"))) {
            return (int) s.count();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String threadDump() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            sb.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
            for (StackTraceElement e : stack) {
                sb.append("    at ").append(e).append('\n');
            }
        });
        return sb.toString();
    }
}

package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Memory lifetimes: a closed arena, another thread's confined arena, a double
 * close and, above all, closing a SHARED arena while a call on its memory is in flight from
 * another thread. Each gives a documented exception, never a crash or a read of freed memory.
 *
 * <p>The in-flight case is made deterministic: the call's {@link TileScheduler} has one worker,
 * which a blocker task occupies, so the call is parked inside {@code TileScheduler.run} (and so
 * inside {@code panattn_hold}, which keeps the arena acquired) until the test releases it. Remove
 * the hold (NativeHold) and {@code close()} succeeds there: the test fails, and the kernel then
 * runs on freed memory.
 */
class LifetimeTest {
    private static final long B = 1, H = 2, LQ = 70, LK = 90, D = 24;

    static Stream<Backend> tiledBackends() {
        return Stream.of(Backend.NATIVE_CPU, Backend.BLAS, Backend.JAVA_VECTOR);
    }

    @ParameterizedTest
    @MethodSource("tiledBackends")
    void closingASharedArenaWhileACallIsInFlightThrowsInTheClosingThread(Backend backend) throws Exception {
        closeWhileInFlight(backend, LQ, LK);
    }

    /** The split-KV path (decode: one query row, a long cache, more workers than tiles). */
    @Test
    void closingDuringASplitKvCallThrowsToo() throws Exception {
        closeWhileInFlight(Backend.NATIVE_CPU, 1, 1024);
    }

    private static void closeWhileInFlight(Backend backend, long lq, long lk) throws Exception {
        TestBackends.assumeAvailable(backend);
        try (TileScheduler sched = TileScheduler.create(1)) {
            CountDownLatch blockerRunning = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread blocker = Thread.ofPlatform().start(() -> sched.run(1, (b, e) -> {
                blockerRunning.countDown();
                release.await();
            }));
            assertTrue(blockerRunning.await(30, TimeUnit.SECONDS));

            Arena shared = Arena.ofShared();
            Tensor q = Tensor.allocate(shared, DType.F32, B, H, lq, D);
            Tensor k = Tensor.allocate(shared, DType.F32, B, H, lk, D);
            Tensor v = Tensor.allocate(shared, DType.F32, B, H, lk, D);
            Tensor out = Tensor.allocate(shared, DType.F32, B, H, lq, D);
            Tensor lse = Tensor.allocate(shared, DType.F32, B, H, lq);
            SplittableRandom rnd = new SplittableRandom(7);
            Robust.fill(q, rnd, 1);
            Robust.fill(k, rnd, 1);
            Robust.fill(v, rnd, 1);
            AttentionOptions o = AttentionOptions.builder().backend(backend).scheduler(sched).lse(lse)
                    .causal(CausalMode.BOTTOM_RIGHT).build();

            AtomicReference<Throwable> callFailure = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    Attention.sdpa(q, k, v, out, o);
                } catch (Throwable e) {
                    callFailure.set(e);
                }
            });
            awaitParkedInScheduler(caller);

            IllegalStateException refused = assertThrows(IllegalStateException.class, shared::close,
                    backend + ": closing a shared arena under a running call must be refused");
            assertTrue(shared.scope().isAlive(), "the arena stays open");

            release.countDown();
            caller.join(30_000);
            blocker.join(30_000);
            assertNull(callFailure.get(), () -> "the call itself must succeed: " + callFailure.get());
            float[][] want = Robust.reference(q, k, v, o);
            assertTrue(Arrays.equals(want[1], lse.toFloatArray()) || maxDiff(want[1], lse.toFloatArray()) < 1e-4,
                    "lse matches the reference");
            assertTrue(maxDiff(want[0], out.toFloatArray()) < 1e-4, "out matches the reference");

            shared.close(); // no call in flight: now it closes
            assertThrows(IllegalStateException.class, shared::close, "a second close throws, never crashes");
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> Attention.sdpa(q, k, v, out, o));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            System.out.println("[lifetime] " + backend + " Lq=" + lq + " Lk=" + lk + ": close in flight refused: "
                    + refused.getMessage());
        }
    }

    /** Waits until t is blocked inside TileScheduler.run (its tiles queued behind the blocker). */
    private static void awaitParkedInScheduler(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                for (StackTraceElement e : t.getStackTrace()) {
                    if (e.getClassName().equals(TileScheduler.class.getName()) && e.getMethodName().equals("run")) {
                        return;
                    }
                }
            }
            if (s == Thread.State.TERMINATED) {
                fail("the call finished before it could be blocked");
            }
            Thread.sleep(1);
        }
        fail("the call never reached TileScheduler.run");
    }

    /** The oracle runs on the caller's thread with the real segments: a concurrent close makes it throw, safely. */
    @Test
    void referenceBackendFailsCleanlyWhenItsSharedArenaClosesMidCall() throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            Arena shared = Arena.ofShared();
            Tensor q = Tensor.allocate(shared, DType.F32, 1, 2, 200, 32);
            Tensor k = Tensor.allocate(shared, DType.F32, 1, 2, 200, 32);
            Tensor v = Tensor.allocate(shared, DType.F32, 1, 2, 200, 32);
            Tensor out = Tensor.allocate(shared, DType.F32, 1, 2, 200, 32);
            AtomicReference<Throwable> callFailure = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread caller = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    Attention.sdpa(q, k, v, out, AttentionOptions.builder().backend(Backend.JAVA_REFERENCE).build());
                } catch (Throwable e) {
                    callFailure.set(e);
                }
            });
            started.await();
            Thread.sleep(5);
            boolean closed;
            try {
                shared.close();
                closed = true;
            } catch (IllegalStateException e) {
                closed = false; // refused: fine too
            }
            caller.join(60_000);
            Throwable f = callFailure.get();
            if (closed && f != null) {
                assertTrue(f instanceof IllegalStateException, () -> "a closed arena surfaces as IllegalStateException, got " + f);
            } else if (f != null) {
                fail("the call failed although the arena stayed open: " + f);
            }
            if (!closed) {
                shared.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"AUTO", "JAVA_REFERENCE", "NATIVE_CPU", "BLAS", "JAVA_VECTOR"})
    void aClosedArenaIsRefusedBeforeAnyNativeCall(Backend backend) {
        TestBackends.assumeRunnable(backend);
        Tensor q, k, v, out;
        try (Arena a = Arena.ofConfined()) {
            q = Tensor.allocate(a, DType.F32, 1, 1, 4, 8);
            k = Tensor.allocate(a, DType.F32, 1, 1, 4, 8);
            v = Tensor.allocate(a, DType.F32, 1, 1, 4, 8);
        }
        try (Arena live = Arena.ofConfined()) {
            out = Tensor.allocate(live, DType.F32, 1, 1, 4, 8);
            Tensor fq = q, fk = k, fv = v, fout = out;
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Attention.sdpa(fq, fk, fv, fout, AttentionOptions.builder().backend(backend).build()));
            assertEquals("q: its arena is closed", e.getMessage());
        }
        // a closed arena for out, for the mask and for lse
        try (Arena live = Arena.ofConfined()) {
            Tensor lq = Tensor.allocate(live, DType.F32, 1, 1, 4, 8);
            Tensor closedMask;
            Tensor closedLse;
            Tensor closedOut;
            try (Arena a = Arena.ofConfined()) {
                closedMask = Tensor.allocate(a, DType.F32, 1, 1, 4, 4);
                closedLse = Tensor.allocate(a, DType.F32, 1, 1, 4);
                closedOut = Tensor.allocate(a, DType.F32, 1, 1, 4, 8);
            }
            AttentionOptions o = AttentionOptions.builder().backend(backend).build();
            assertThrows(IllegalStateException.class, () -> Attention.sdpa(lq, lq, lq, closedOut, o));
            Tensor liveOut = Tensor.allocate(live, DType.F32, 1, 1, 4, 8);
            assertThrows(IllegalStateException.class,
                    () -> Attention.sdpa(lq, lq, lq, liveOut, o.toBuilder().mask(closedMask).build()));
            assertThrows(IllegalStateException.class,
                    () -> Attention.sdpa(lq, lq, lq, liveOut, o.toBuilder().lse(closedLse).build()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"AUTO", "JAVA_REFERENCE", "NATIVE_CPU", "BLAS", "JAVA_VECTOR"})
    void anotherThreadsConfinedArenaIsRefused(Backend backend) throws Exception {
        TestBackends.assumeRunnable(backend);
        AtomicReference<Tensor> foreign = new AtomicReference<>();
        CountDownLatch made = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread owner = Thread.ofPlatform().start(() -> {
            try (Arena a = Arena.ofConfined()) {
                foreign.set(Tensor.allocate(a, DType.F32, 1, 1, 4, 8));
                made.countDown();
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        made.await();
        try (Arena a = Arena.ofConfined()) {
            Tensor mine = Tensor.allocate(a, DType.F32, 1, 1, 4, 8);
            Tensor out = Tensor.allocate(a, DType.F32, 1, 1, 4, 8);
            AttentionOptions o = AttentionOptions.builder().backend(backend).build();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Attention.sdpa(mine, foreign.get(), mine, out, o));
            assertEquals("k: its segment belongs to a confined arena of another thread", e.getMessage());
            assertThrows(IllegalStateException.class, () -> Attention.sdpa(mine, mine, mine, foreign.get(), o));
        } finally {
            done.countDown();
            owner.join();
        }
    }

    @Test
    void closingThingsTwiceIsHarmless() {
        TestBackends.assumeAvailable(Backend.NATIVE_CPU);
        TileScheduler s = TileScheduler.create(2);
        s.close();
        s.close();
        try (Arena a = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(a, DType.F32, 1, 1, 2, 4);
            Tensor out = Tensor.allocate(a, DType.F32, 1, 1, 2, 4);
            // a closed scheduler refuses work with IllegalStateException, not a hang
            assertThrows(IllegalStateException.class, () -> Attention.sdpa(t, t, t, out,
                    AttentionOptions.builder().backend(Backend.NATIVE_CPU).scheduler(s).build()));
        }
        Arena a = Arena.ofShared();
        a.close();
        assertThrows(IllegalStateException.class, a::close);
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.compare(a[i], b[i]) != 0) {
                m = Math.max(m, Math.abs((double) a[i] - b[i]));
            }
        }
        return m;
    }
}

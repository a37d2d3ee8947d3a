package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The calling thread runs ranges too (a platform thread, while one of the scheduler's permits is
 * free), and nothing about a call's guarantees changes for it: every range once, no more than
 * {@code threads} at once, failures and interrupts as before, nested calls inline.
 */
class TileSchedulerCallerTest {
    @Test
    void aOneThreadSchedulerRunsTheCallOnTheCaller() {
        try (TileScheduler s = TileScheduler.create(1)) {
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            AtomicInteger tiles = new AtomicInteger();
            s.run(50, (b, e) -> {
                ran.add(Thread.currentThread());
                tiles.addAndGet((int) (e - b));
            });
            assertEquals(Set.of(Thread.currentThread()), ran, "no hand-off to a worker");
            assertEquals(50, tiles.get());
        }
    }

    @Test
    void callerAndWorkersShareTheRangesAndNeverExceedTheThreadCount() throws Exception {
        try (TileScheduler s = TileScheduler.create(3)) {
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            AtomicInteger[] hits = new AtomicInteger[400];
            for (int i = 0; i < hits.length; i++) {
                hits[i] = new AtomicInteger();
            }
            s.run(hits.length, (b, e) -> {
                ran.add(Thread.currentThread());
                for (long t = b; t < e; t++) {
                    hits[(int) t].incrementAndGet();
                }
                Thread.sleep(0, 200_000); // long enough for every worker to arrive
            });
            for (int i = 0; i < hits.length; i++) {
                assertEquals(1, hits[i].get(), "tile " + i + " ran once");
            }
            assertTrue(ran.contains(Thread.currentThread()), "the caller took ranges: " + ran);
            assertTrue(ran.size() >= 2 && ran.size() <= 3, "caller plus workers, at most 3 threads: " + ran);
            assertTrue(s.peakRunning() <= 3, "ran " + s.peakRunning() + " ranges at once");
        }
    }

    @Test
    void aVirtualThreadNeverRunsRangesItself() throws Exception {
        try (TileScheduler s = TileScheduler.create(2)) {
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            AtomicReference<Thread> caller = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread v = Thread.ofVirtual().start(() -> {
                caller.set(Thread.currentThread());
                try {
                    s.run(20, (b, e) -> ran.add(Thread.currentThread()));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            v.join();
            assertSame(null, failure.get());
            assertFalse(ran.isEmpty());
            assertFalse(ran.contains(caller.get()), "a virtual caller would pin its carrier for the kernel");
            for (Thread t : ran) {
                assertTrue(t.getName().matches("panattn-\\d+-worker-\\d+"), t.getName());
            }
        }
    }

    @Test
    void manyCallersNeverRunMoreRangesAtOnceThanThreads() throws Exception {
        try (TileScheduler s = TileScheduler.create(2)) {
            int callers = 8;
            AtomicInteger now = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] threads = new Thread[callers];
            for (int c = 0; c < callers; c++) {
                threads[c] = Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int call = 0; call < 20; call++) {
                            s.run(6, (b, e) -> {
                                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                                Thread.sleep(0, 100_000);
                                now.decrementAndGet();
                            });
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            start.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(t.isAlive(), "a caller is stuck");
            }
            assertSame(null, failure.get());
            assertTrue(most.get() <= 2, most.get() + " ranges ran at once on 2 threads");
            assertTrue(s.peakRunning() <= 2);
        }
    }

    @Test
    void aFailureOnAnyThreadStopsTheHandOutAndIsRethrown() {
        try (TileScheduler s = TileScheduler.create(2)) {
            AtomicInteger ran = new AtomicInteger();
            // each range takes 20 us, so stopping is visible: building the exception takes the
            // throwing thread a few microseconds, in which the other may start a range or two
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(10_000, (b, x) -> {
                if (ran.incrementAndGet() == 3) {
                    throw new IllegalArgumentException("range " + b + " refused");
                }
                long end = System.nanoTime() + 20_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }));
            assertTrue(e.getMessage().contains("refused"));
            assertTrue(ran.get() < 1_000, "the hand-out stopped: " + ran.get() + " ranges ran");
            AttentionException wrapped = assertThrows(AttentionException.class, () -> s.run(5, (b, x) -> {
                throw new java.io.IOException("checked");
            }));
            assertTrue(wrapped.getMessage().contains("checked"), wrapped.getMessage());
            s.run(5, (b, x) -> { }); // the scheduler still works after failures
        }
    }

    @Test
    void aNestedCallFromTheCallersRangeRunsInline() {
        try (TileScheduler s = TileScheduler.create(1)) {
            AtomicInteger inner = new AtomicInteger();
            assertTimeoutPreemptively(() -> s.run(3, (b, e) -> s.run(4, (b2, e2) -> inner.addAndGet((int) (e2 - b2)))));
            assertEquals(12, inner.get());
        }
    }

    @Test
    void anInterruptedCallerWaitsForRunningRangesThenThrowsAndKeepsItsFlag() throws Exception {
        try (TileScheduler s = TileScheduler.create(2)) {
            CountDownLatch workerIn = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean workerDone = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            AtomicBoolean returnedAfterWorker = new AtomicBoolean();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    s.run(2, (b, e) -> {
                        if (Thread.currentThread().getName().startsWith("panattn-")) {
                            workerIn.countDown();
                            release.await();
                            workerDone.set(true);
                        } else {
                            // hold the caller's range until a worker has the other, deaf to the
                            // interrupt (an await here would take it as its own)
                            while (workerIn.getCount() > 0) {
                                Thread.onSpinWait();
                            }
                        }
                    });
                } catch (Throwable e) {
                    thrown.set(e);
                }
                returnedAfterWorker.set(workerDone.get());
                flagKept.set(Thread.currentThread().isInterrupted());
            });
            assertTrue(workerIn.await(30, TimeUnit.SECONDS), "a worker took the other range");
            caller.interrupt();
            Thread.sleep(50);
            assertTrue(caller.isAlive(), "the caller must not return while a worker reads its memory");
            release.countDown();
            caller.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(caller.isAlive());
            assertTrue(returnedAfterWorker.get(), "returned only after the worker's range");
            assertTrue(thrown.get() instanceof AttentionException, String.valueOf(thrown.get()));
            assertTrue(flagKept.get(), "interrupt status kept");
        }
    }

    @Test
    void aClosedSchedulerRefusesCalls() {
        TileScheduler s = TileScheduler.create(2);
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.run(4, (b, x) -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    private static void assertTimeoutPreemptively(org.junit.jupiter.api.function.Executable body) {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), body,
                "a nested call must not wait on itself");
    }
}

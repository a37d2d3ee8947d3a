package panama.attention;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongUnaryOperator;

/**
 * Runs the tiles of a CPU attention call on a fixed set of worker threads and the caller.
 *
 * <p>Native kernels have no threads of their own: they compute a range of tiles and return. This
 * scheduler owns the only worker threads, and whoever runs ranges (a worker, or a calling platform
 * thread that found one of the scheduler's permits free) holds a permit, so however many service
 * threads call at once, no more than {@link #threads()} run kernels. Tiles are handed out one at a
 * time from a shared counter (as ggml does), and the kernels number them heaviest first, so causal
 * work stays balanced.
 *
 * <p>{@link #shared()} is sized by the system property {@code panattn.threads} (default: the
 * number of processors). Create your own with {@link #create(int)} and close it when done.
 */
public final class TileScheduler implements AutoCloseable {
    /** A range of tiles {@code [begin, end)}; runs on a worker thread or on the calling thread. */
    @FunctionalInterface
    public interface TileTask {
        void run(long begin, long end) throws Exception;
    }

    private static final ThreadLocal<TileScheduler> CURRENT = new ThreadLocal<>();
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private static final class Shared {
        static final TileScheduler INSTANCE = new TileScheduler(defaultThreads(), true);
    }

    private final int threads;
    private final ExecutorService pool;
    private final boolean shared;
    /** Tile ranges running right now, and the most ever at once (test hook: never above threads). */
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peakRunning = new AtomicInteger();
    /** One per thread: held by whoever runs ranges, a worker or a caller (see runRanges). */
    private final Semaphore permits;

    private TileScheduler(int threads, boolean shared) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.shared = shared;
        this.permits = new Semaphore(threads);
        int id = POOL_IDS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(() -> {
                CURRENT.set(this);
                r.run();
            }, "panattn-" + id + "-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ((ThreadPoolExecutor) pool).allowCoreThreadTimeOut(true);
    }

    /** The process-wide scheduler ({@code -Dpanattn.threads=N}, default: available processors). */
    public static TileScheduler shared() {
        return Shared.INSTANCE;
    }

    /** A scheduler with its own {@code threads} workers; close it when done. */
    public static TileScheduler create(int threads) {
        return new TileScheduler(threads, false);
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over tiles {@code [0, tiles)} on the workers and waits. The first failure
     * stops the hand-out of further tiles and is rethrown here (as {@link AttentionException}
     * unless it is already one or an unchecked argument/state error).
     */
    public void run(long tiles, TileTask task) {
        run(tiles, 1, task);
    }

    /**
     * As {@link #run(long, TileTask)}, but handing out ranges of {@code grain} consecutive tiles
     * (the last may be shorter): for kernels that do better with neighbouring tiles together, such
     * as paged decode, which walks a sequence's heads page by page.
     */
    public void run(long tiles, long grain, TileTask task) {
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be >= 1, got " + grain);
        }
        if (tiles <= 0) {
            return;
        }
        runRanges(tiles, (tiles + grain - 1) / grain, r -> Math.min(tiles, r * grain), task);
    }

    /**
     * As {@link #run(long, TileTask)} over tiles {@code [0, bounds[n])}, handing out the ranges
     * {@code [bounds[i], bounds[i + 1])}: for ranges of unequal length but equal work, such as
     * paged decode's heads cut by their sequences' key lengths. {@code bounds} starts at 0 and
     * increases strictly.
     */
    public void run(long[] bounds, TileTask task) {
        if (bounds == null || bounds.length == 0 || bounds[0] != 0) {
            throw new IllegalArgumentException("bounds must start at 0");
        }
        for (int i = 1; i < bounds.length; i++) {
            if (bounds[i] <= bounds[i - 1]) {
                throw new IllegalArgumentException("bounds must increase strictly: bounds[" + i + "] = " + bounds[i]
                        + " after " + bounds[i - 1]);
            }
        }
        long[] b = bounds.clone();
        long tiles = b[b.length - 1];
        if (tiles > 0) {
            runRanges(tiles, b.length - 1, r -> b[(int) r], task);
        }
    }

    /**
     * Ranges [begin(r), begin(r + 1)) for r in [0, ranges), the last ending at tiles.
     *
     * <p>The calling thread takes ranges too when one of the {@link #threads()} permits is free
     * (platform threads only: a virtual thread would pin its carrier for the whole kernel), so a
     * call wakes one worker fewer, and a one-thread scheduler runs on the caller with no hand-off
     * at all. Waking a parked worker costs tens of microseconds on a virtual machine, more than a
     * decode step's kernel does at small caches. Workers and callers hold a permit while they run
     * ranges, so no more than {@code threads} ranges run at once however many threads call.
     */
    private void runRanges(long tiles, long ranges, LongUnaryOperator begin, TileTask task) {
        if (CURRENT.get() == this) {
            // Called from one of our own workers (a nested call): run inline rather than wait on
            // ourselves, which could deadlock.
            runAll(tiles, task);
            return;
        }
        if (pool.isShutdown()) {
            throw new IllegalStateException("tile scheduler is closed");
        }
        Job job = new Job(tiles, ranges, begin, task);
        boolean joins = !Thread.currentThread().isVirtual() && permits.tryAcquire();
        int helpers = (int) Math.min(threads, ranges) - (joins ? 1 : 0);
        for (int w = 0; w < helpers; w++) {
            try {
                pool.execute(job::help);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                job.fail(new IllegalStateException("tile scheduler is closed"));
                break;
            }
        }
        if (joins) {
            TileScheduler outer = CURRENT.get();
            CURRENT.set(this); // a nested call from the task runs inline, as on a worker
            try {
                job.work();
            } finally {
                CURRENT.set(outer);
                permits.release();
            }
        }
        job.await(joins);
        rethrow(job.failure.get());
    }

    /** One call's ranges, taken by the caller and the workers from a shared counter. */
    private final class Job {
        /**
         * How long a caller that ran ranges spins for the workers' last ones before it parks
         * (about a wake-up's cost). A caller that found no permit free parks at once: the
         * workers are busy, and a spinning caller would take a core from them.
         */
        private static final long SPIN_NANOS = 50_000;

        private final long tiles;
        private final long ranges;
        private final LongUnaryOperator begin;
        private final TileTask task;
        private final AtomicLong next = new AtomicLong();
        /** Threads between "may take a range" and "done with it": raised before a range is taken. */
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread caller = Thread.currentThread();

        Job(long tiles, long ranges, LongUnaryOperator begin, TileTask task) {
            this.tiles = tiles;
            this.ranges = ranges;
            this.begin = begin;
            this.task = task;
        }

        private boolean handedOut() {
            return failure.get() != null || next.get() >= ranges;
        }

        void fail(Throwable e) {
            failure.compareAndSet(null, e);
            LockSupport.unpark(caller);
        }

        /** On a worker: takes a permit only while ranges are left to take. */
        void help() {
            if (handedOut()) {
                return;
            }
            permits.acquireUninterruptibly();
            try {
                work();
            } finally {
                permits.release();
            }
        }

        /** Takes ranges until none are left or one failed. */
        void work() {
            while (true) {
                inFlight.incrementAndGet();
                try {
                    if (failure.get() != null) {
                        return;
                    }
                    long r = next.getAndIncrement();
                    if (r >= ranges) {
                        return;
                    }
                    runCounted(task, begin.applyAsLong(r), r + 1 < ranges ? begin.applyAsLong(r + 1) : tiles);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    return;
                } finally {
                    // the caller waits only for the last range to end: an unpark after every
                    // range was ~9% of the Java time of a one-thread decode call at a small cache
                    if (inFlight.decrementAndGet() == 0 && handedOut() && Thread.currentThread() != caller) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /**
         * Returns once every range is handed out (or one failed) and none is running: workers
         * read the caller's memory, so the caller never returns before they finish, interrupted
         * or not. A thread that raises inFlight after this saw 0 finds nothing to take.
         */
        void await(boolean spin) {
            long spinUntil = spin ? System.nanoTime() + SPIN_NANOS : 0;
            boolean interrupted = false;
            while (!(handedOut() && inFlight.get() == 0)) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                    failure.compareAndSet(null, new InterruptedException("interrupted while tiles ran"));
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runAll(long tiles, TileTask task) {
        try {
            task.run(0, tiles); // on one of our workers, already counted by runCounted
        } catch (Throwable e) {
            rethrow(e);
        }
    }

    private void runCounted(TileTask task, long begin, long end) throws Exception {
        peakRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            task.run(begin, end);
        } finally {
            running.decrementAndGet();
        }
    }

    /** The most tile ranges that ever ran at once on this scheduler's workers (at most {@link #threads()}). */
    int peakRunning() {
        return peakRunning.get();
    }

    private static void rethrow(Throwable e) {
        if (e == null) {
            return;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new AttentionException("attention tile failed: " + e, e);
    }

    /** Stops the workers; the shared scheduler cannot be closed. Safe to call twice. */
    @Override
    public void close() {
        if (shared) {
            return;
        }
        pool.shutdown();
    }

    private static int defaultThreads() {
        String p = System.getProperty("panattn.threads");
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
            System.err.println("panama-attention: ignoring panattn.threads='" + p + "' (not a positive integer)");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public String toString() {
        return "TileScheduler[threads=" + threads + (shared ? ", shared" : "") + "]";
    }
}

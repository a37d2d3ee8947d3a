package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import panama.attention.AttentionException;
import panama.attention.CpuIsa;
import panama.attention.bindings.panattn_h;

/**
 * The CPU's multiply-add ceiling, measured rather than assumed: {@code panattn_fma_peak} (chains of
 * FMAs in registers on one ISA path) on N threads at once, summed. Library sgemm is no ceiling here:
 * an environment can force it onto older kernels. Used by {@code doctor}, {@code bench} and the peer
 * comparison to read every GFLOP/s as a share of what the machine can do.
 */
public final class FmaPeak {
    private FmaPeak() {
    }

    /** Why the probe cannot run (libpanattn is off), or null. */
    public static String unavailable() {
        return Natives.cpuError();
    }

    /** The paths this CPU and build run, widest first (never AUTO). */
    public static List<CpuIsa> supported() {
        Natives.requireCpu();
        List<CpuIsa> isas = new ArrayList<>();
        for (CpuIsa isa : new CpuIsa[] {CpuIsa.AVX512, CpuIsa.AVX2, CpuIsa.SCALAR}) {
            if (panattn_h.panattn_isa_supported(isa.nativeCode()) != 0) {
                isas.add(isa);
            }
        }
        return isas;
    }

    /** Rounds a measurement is split into; the best round counts (a peak: other processes only lower it). */
    static final int ROUNDS = 3;

    /**
     * GFLOP/s of {@code isa} (AUTO: the best path) on {@code threads} platform threads probing at once,
     * summed: threads beyond the cores share them, so the sum stays the machine's rate. The time,
     * about {@code seconds}, is split into {@link #ROUNDS} rounds that every thread starts together;
     * the best round's sum is the peak. Throws {@link AttentionException} with the native status and message when a thread's
     * probe fails (an unsupported path, a bad duration) or libpanattn is off.
     */
    public static double measure(CpuIsa isa, int threads, double seconds) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Natives.requireCpu();
        double[][] rates = new double[ROUNDS][threads];
        AttentionException[] failures = new AttentionException[threads];
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().name("panattn-fma-peak-" + t).daemon().start(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment out = arena.allocate(ValueLayout.JAVA_DOUBLE);
                    for (int round = 0; round < ROUNDS; round++) {
                        // every thread probes at the same time, or the sum overstates; a thread that
                        // never arrives breaks the barrier for the others instead of hanging them
                        start.await(60, TimeUnit.SECONDS);
                        int status = panattn_h.panattn_fma_peak(isa.nativeCode(), seconds / ROUNDS, out);
                        if (status != 0) {
                            // the message is the calling thread's: read it here, before anything else runs
                            failures[id] = new AttentionException(status, NativeStatus.name(status) + ": "
                                    + panattn_h.panattn_last_error().getString(0));
                            start.reset(); // the others stop at the next round instead of waiting for this one
                            return;
                        }
                        rates[round][id] = out.get(ValueLayout.JAVA_DOUBLE, 0);
                    }
                } catch (Exception e) {
                    failures[id] = new AttentionException("FMA peak probe thread " + id + " failed: " + e, e);
                }
            }));
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AttentionException("interrupted while measuring the FMA peak", e);
            }
        }
        for (AttentionException f : failures) {
            if (f != null && !(f.getCause() instanceof java.util.concurrent.BrokenBarrierException)) {
                throw f; // the first real failure, not a thread that only saw the barrier break
            }
        }
        for (AttentionException f : failures) {
            if (f != null) {
                throw f;
            }
        }
        double best = 0;
        for (double[] round : rates) {
            double sum = 0;
            for (double r : round) {
                sum += r;
            }
            best = Math.max(best, sum);
        }
        return best;
    }
}

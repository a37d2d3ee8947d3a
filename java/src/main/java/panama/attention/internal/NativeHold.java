package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import panama.attention.Tensor;
import panama.attention.bindings.panattn_body_fn;
import panama.attention.bindings.panattn_h;

/**
 * Keeps the caller's memory alive for the whole of a CPU call whose workers read it through raw
 * addresses.
 *
 * <p>Workers cannot be given the caller's segments (a confined arena's segments may only be
 * touched by its owner thread), so they get raw addresses, which no arena tracks: without this, a
 * thread that closes a SHARED arena while a call on its memory is in flight would free memory
 * under a running kernel. FFM keeps a segment's scope acquired for as long as a downcall that
 * received the segment as an argument runs, and {@link java.lang.foreign.Arena#close()} refuses
 * (throws {@link IllegalStateException} in the closing thread) while a scope is acquired. So the
 * calling thread downcalls {@code panattn_hold(q, k, v, out, lse, mask, body)} with the real
 * segments, and {@code body} is an upcall back into Java that runs the whole call (tile hand-out
 * and wait included) before the downcall returns.
 *
 * <p>One upcall stub serves every call: it runs the {@link Body} that the calling thread put in a
 * thread-local frame (upcalls run on the thread that made the downcall; frames nest, so a worker
 * making a nested call has its own). The upcall never lets a {@link Throwable} escape (that would
 * end the JVM): it stores it in the frame and returns a status; the caller rethrows it once the
 * downcall is back.
 */
public final class NativeHold {
    /** What runs while the segments are held. */
    @FunctionalInterface
    public interface Body {
        void run();
    }


    private static final class Frame {
        final Body body;
        Throwable failure;
        boolean ran;

        Frame(Body body) {
            this.body = body;
        }
    }

    private static final ThreadLocal<Frame> CURRENT = new ThreadLocal<>();

    private static final class Stub {
        static final MemorySegment ADDR;
        static final String ERROR;

        static {
            MemorySegment addr = null;
            String error = Natives.cpuError();
            if (error == null) {
                try {
                    panattn_h.panattn_hold$address(); // resolves the symbol: an old library lacks it
                    addr = panattn_body_fn.allocate(NativeHold::upcall, Arena.global());
                } catch (Throwable e) {
                    error = "panattn_hold cannot be bound: " + e;
                }
            }
            ADDR = addr;
            ERROR = error;
        }
    }

    private NativeHold() {
    }

    /** Null when {@link #run} can hold memory here, else why not (libpanattn.so is off). */
    public static String error() {
        return Stub.ERROR;
    }

    /**
     * Runs {@code body} on this thread while the arenas of the problem's q, k, v, out, lse and mask
     * cannot be closed. Whatever body throws is rethrown here.
     *
     * @throws IllegalStateException if {@link #error()} is not null, or an arena is already closed
     */
    public static void run(Problem p, Body body) {
        if (Stub.ERROR != null) {
            throw new IllegalStateException("cannot hold the caller's memory: " + Stub.ERROR);
        }
        Frame frame = new Frame(body);
        Frame outer = CURRENT.get();
        CURRENT.set(frame);
        int status;
        try {
            status = panattn_h.panattn_hold(held(p.q()), held(p.k()), held(p.v()), held(p.out()), held(p.lse()),
                    held(p.mask()), Stub.ADDR);
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
        Throwable failure = frame.failure;
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null || !frame.ran || status != 0) {
            throw new panama.attention.AttentionException("panattn_hold failed (" + NativeStatus.name(status) + ")"
                    + (failure == null ? "" : ": " + failure), failure);
        }
    }

    /** The segment to hold: heap memory is the GC's (nothing to hold, and a downcall refuses it). */
    private static MemorySegment held(Tensor t) {
        if (t == null || !t.segment().isNative()) {
            return MemorySegment.NULL;
        }
        return t.segment();
    }

    /** The upcall: never throws. */
    private static int upcall() {
        Frame frame = null;
        try {
            frame = CURRENT.get();
            frame.ran = true;
            frame.body.run();
            return 0;
        } catch (Throwable e) {
            if (frame != null) {
                frame.failure = e;
            }
            return panattn_h.PANATTN_ERR_INTERNAL(); // a constant of the bindings: no call into C
        }
    }
}

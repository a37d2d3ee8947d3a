package panama.attention.examples.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import panama.attention.Attention;
import panama.attention.examples.minilm.MiniLm;

/**
 * One all-MiniLM-L6-v2 engine per JVM: the driver's in local mode, each executor's on a cluster.
 *
 * <p><b>Why a static holder.</b> Spark ships a task's closure to an executor by serialising it; a
 * {@link MiniLm} (off-heap weights, a native tokenizer handle) cannot travel that way, and loading
 * it per task or per partition would parse the 90 MB ONNX file again and again. A class's static
 * state, in contrast, lives exactly once per executor JVM (Spark loads the application jar once per
 * executor), and every task thread of that executor shares it. So {@link #get()} loads the model
 * on the first call in this JVM, under a lock, and hands the same instance to every later task;
 * {@link MiniLm} is thread-safe ({@code MultiHeadAttention.forward} and the tokenizer accept
 * concurrent callers), so an executor with several cores runs several partitions on it at once.
 * The first call also touches {@link Attention#backends()}, which loads {@code libpanattn.so}
 * (and OpenBLAS) from the library jar: native libraries are loaded once per JVM as well.
 *
 * <p><b>Why a shutdown hook, not a TaskContext listener.</b> The engine outlives every task: a
 * {@code TaskContext.addTaskCompletionListener} runs when <em>one</em> task ends, so closing the
 * engine there would throw the model away after each partition (or, worse, under a concurrent
 * task of the same executor). Task listeners are the right tool for per-task resources (an
 * {@code Arena} a lazily consumed iterator still reads after mapPartitions returns); the engine's
 * lifetime is the JVM's, so it is released by a JVM shutdown hook, which runs when the executor
 * (or the local-mode driver) exits normally or is told to stop. A JVM killed outright runs no
 * hook, and then the operating system reclaims the memory anyway.
 */
public final class EmbeddingEngine {
    private static final Object LOCK = new Object();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static volatile MiniLm model;
    private static boolean closed;

    private EmbeddingEngine() {
    }

    /** This JVM's engine, loaded on the first call. */
    public static MiniLm get() {
        MiniLm m = model;
        if (m != null) {
            return m;
        }
        synchronized (LOCK) {
            if (model == null) {
                if (closed) {
                    throw new IllegalStateException("EmbeddingEngine: the JVM is shutting down");
                }
                Attention.backends(); // loads the native libraries once, now, not inside the first batch
                long t0 = System.nanoTime();
                try {
                    model = MiniLm.load();
                } catch (IOException e) {
                    throw new UncheckedIOException("EmbeddingEngine: cannot load all-MiniLM-L6-v2", e);
                }
                LOADS.incrementAndGet();
                // one line per JVM: on a cluster it lands in each executor's stderr log
                System.err.printf(Locale.ROOT, "panama-attention: all-MiniLM-L6-v2 loaded in %.1f s (JVM %d, projections: %s)%n",
                        (System.nanoTime() - t0) / 1e9, ProcessHandle.current().pid(), model.projections());
                Runtime.getRuntime().addShutdownHook(new Thread(EmbeddingEngine::release, "panattn-engine-release"));
            }
            return model;
        }
    }

    /** How many times this JVM loaded the model (1 after any number of tasks). */
    public static int loads() {
        return LOADS.get();
    }

    /** Closes the engine (the shutdown hook calls this); later {@link #get()} calls fail. */
    static void release() {
        synchronized (LOCK) {
            closed = true;
            MiniLm m = model;
            model = null;
            if (m != null) {
                m.close(); // waits for forward calls in flight, then frees the weights and the tokenizer
            }
        }
    }
}

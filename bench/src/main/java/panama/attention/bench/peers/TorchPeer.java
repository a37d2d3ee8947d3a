package panama.attention.bench.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * PyTorch's CPU {@code scaled_dot_product_attention} (its flash kernel), the causal peer the comparison
 * names, as a contender in the same interleaved rounds as ours: a Python subprocess running
 * {@code torch_sdpa_peer.py} (a resource of this jar) that times its own bursts, so no pipe
 * latency lands in its figures. It is checked against our output on our own inputs before it is
 * timed. Python is {@code $PANATTN_TORCH_PYTHON}, else {@code python3}; without torch the
 * harness runs without this peer and says why.
 */
final class TorchPeer implements AutoCloseable {
    /** What {@link #load} hands over, in the names torch_sdpa_peer.py reads. */
    private static final String[] FILES = {"q.f32", "k.f32", "v.f32", "out.f32"};

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final String version;

    private TorchPeer(Process process, BufferedReader out, PrintWriter in, String version) {
        this.process = process;
        this.out = out;
        this.in = in;
        this.version = version;
    }

    /** Starts the peer, or throws {@link IllegalStateException} saying why it cannot run here. */
    static TorchPeer start(int threads) {
        String python = System.getenv().getOrDefault("PANATTN_TORCH_PYTHON", "python3");
        String script;
        try (InputStream s = TorchPeer.class.getResourceAsStream("torch_sdpa_peer.py")) {
            script = new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("torch_sdpa_peer.py is missing from the bench jar", e);
        }
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(python, "-u", "-c", script, Integer.toString(threads));
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + python + " (set PANATTN_TORCH_PYTHON): " + e.getMessage());
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter w = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
        try {
            String first = r.readLine();
            if (first == null || !first.startsWith("ready ")) {
                p.destroy();
                throw new IllegalStateException(first == null ? python + " exited without answering"
                        : first.replaceFirst("^error ", "") + " (set PANATTN_TORCH_PYTHON to a python with torch)");
            }
            return new TorchPeer(p, r, w, first.substring(6).trim());
        } catch (IOException e) {
            p.destroy();
            throw new IllegalStateException("no answer from " + python + ": " + e.getMessage());
        }
    }

    String version() {
        return version;
    }

    /**
     * Hands the peer one shape: our inputs and our output ([1, n, heads, d] float32) go through
     * files in dir; returns the relative error of its output against ours.
     */
    double load(Path dir, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment ours, int n, int heads, int d,
            boolean causal) throws IOException {
        MemorySegment[] parts = {q, k, v, ours};
        for (int i = 0; i < FILES.length; i++) {
            write(dir.resolve(FILES[i]), parts[i]);
        }
        String reply = ask(String.format(Locale.ROOT, "shape %s %d %d %d %d", dir, n, heads, d, causal ? 1 : 0), "ok ");
        return Double.parseDouble(reply);
    }

    /** One burst on the last shape loaded, timed by the peer itself: its median milliseconds. */
    double burstMs(boolean causal) throws IOException {
        return Double.parseDouble(ask(causal ? "burst 1" : "burst 0", "ms "));
    }

    private String ask(String command, String prefix) throws IOException {
        in.println(command);
        String line = out.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IOException("PyTorch peer answered '" + line + "' to '" + command + "'");
        }
        return line.substring(prefix.length()).trim();
    }

    private static final long CHUNK = 1L << 28;

    private static void write(Path file, MemorySegment s) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < s.byteSize(); at += CHUNK) { // a ByteBuffer holds at most 2 GiB
                java.nio.ByteBuffer b = s.asSlice(at, Math.min(CHUNK, s.byteSize() - at)).asByteBuffer();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }

    @Override
    public void close() {
        in.println("quit");
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the files {@link #load} wrote, and the folder. */
    static void deleteShapeFiles(Path dir) throws IOException {
        for (String f : FILES) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
    }
}

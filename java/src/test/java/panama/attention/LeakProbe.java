package panama.attention;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import panama.attention.testing.MallocStats;

/**
 * Run by {@link NativeLeakTest} in a child JVM (with -XX:NativeMemoryTracking=summary): makes
 * {@code callsPerBackend} small calls on every CPU backend, in three equal thirds, and after each
 * third prints one line
 * {@code SAMPLE <third> <calls so far> <native> <NMT committed> <NMT other> <VmRSS> <malloc in use>}
 * (bytes). "malloc in use" is glibc's mallinfo2 (uordblks + hblkhd, all arenas): every native
 * allocation, ours (libpanattn's kernel scratch, OpenBLAS) and the JVM's alike. The JVM's own
 * share moves by megabytes as the JIT compiles, so "native" subtracts what NMT counts as the
 * JVM's malloc and adds back NMT's "Other" (FFM arena memory): it is what libpanattn, OpenBLAS,
 * libc and the FFM arenas hold. With {@code leakBytesPerCall > 0} it leaks on purpose (malloc without free), to
 * show the test's bound catches a leak of that size.
 */
public final class LeakProbe {
    private LeakProbe() {
    }

    public static void main(String[] args) throws Throwable {
        int perBackend = Integer.parseInt(args[0]);
        int leak = Integer.parseInt(args[1]);
        List<Backend> backends = new ArrayList<>();
        for (BackendStatus s : Attention.backends()) {
            if (s.available() && s.backend() != Backend.CUDA) {
                backends.add(s.backend());
            }
        }
        backends.add(Backend.AUTO);
        System.out.println("BACKENDS " + backends);
        Linker linker = Linker.nativeLinker();
        MethodHandle malloc = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

        try (Arena inputs = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(3);
            Tensor q = Tensor.allocate(inputs, DType.F32, 1, 2, 4, 16);
            Tensor k = Tensor.allocate(inputs, DType.F32, 1, 2, 16, 16);
            Tensor v = Tensor.allocate(inputs, DType.F32, 1, 2, 16, 16);
            Tensor qd = Tensor.allocate(inputs, DType.F32, 1, 2, 1, 16);
            Tensor kd = Tensor.allocate(inputs, DType.F32, 1, 2, 512, 16);
            Tensor mask = Tensor.allocate(inputs, DType.F32, 1, 1, 4, 16);
            for (Tensor t : new Tensor[] {q, k, v, qd, kd, mask}) {
                Robust.fill(t, rnd, 1);
            }
            long calls = 0;
            for (int third = 0; third < 3; third++) {
                for (Backend b : backends) {
                    for (int i = 0; i < perBackend / 3; i++) {
                        call(b, i, q, k, v, qd, kd, mask);
                        calls++;
                        if (leak > 0) {
                            MemorySegment lost = (MemorySegment) malloc.invokeExact((long) leak);
                            if (lost.address() == 0) {
                                throw new OutOfMemoryError("malloc");
                            }
                        }
                    }
                }
                System.gc();
                Thread.sleep(300); // let compilations in flight finish: the JVM's own malloc settles
                long before = MallocStats.inUse();
                long[] nmt = nmt();
                long after = MallocStats.inUse();
                // native memory the JVM did not allocate itself (ours, OpenBLAS, libc), plus FFM's (NMT "Other")
                long outside = (before + after) / 2 - nmt[2];
                System.out.println("SAMPLE " + third + " " + calls + " " + (outside + nmt[1]) + " " + nmt[0] + " "
                        + nmt[1] + " " + rss() + " " + after);
            }
        }
    }

    /** Alternates a prefill shape (mask, lse, causal, key lengths, fresh arenas) with a split-KV decode. */
    private static void call(Backend b, int i, Tensor q, Tensor k, Tensor v, Tensor qd, Tensor kd, Tensor mask) {
        try (Arena a = Arena.ofConfined()) {
            if (i % 4 == 3) {
                Tensor out = Tensor.allocate(a, DType.F32, 1, 2, 1, 16);
                Attention.sdpa(qd, kd, kd, out, AttentionOptions.builder().backend(b).build());
                return;
            }
            Tensor out = Tensor.allocate(a, DType.F32, 1, 2, 4, 16);
            AttentionOptions.Builder o = AttentionOptions.builder().backend(b).causal(CausalMode.values()[i % 3]);
            if (i % 2 == 0) {
                o.lse(Tensor.allocate(a, DType.F32, 1, 2, 4)).mask(mask).keyLengths(12);
            }
            Attention.sdpa(q, k, v, out, o.build());
        }
    }

    /** NMT's total committed and its "Other" category (FFM arenas), in bytes, via jcmd. */
    private static long[] nmt() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()),
                "VM.native_memory", "summary").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return new long[] {kb(text, "Total: reserved=\\d+KB, committed=(\\d+)KB"),
            kb(text, "-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB"),
            kb(text, "Total: reserved=\\d+KB, committed=\\d+KB\\s+malloc: (\\d+)KB")};
    }

    private static long kb(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }
}

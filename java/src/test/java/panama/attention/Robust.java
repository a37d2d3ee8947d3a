package panama.attention;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the robustness tests (lifetimes, leaks, loading, fuzzing): inputs, the oracle, child JVMs. */
final class Robust {
    private Robust() {
    }

    /** Fills t with uniform values in [-scale, scale), rounded to its dtype. */
    static void fill(Tensor t, SplittableRandom rnd, float scale) {
        long[] shape = t.shape();
        long[] idx = new long[shape.length];
        long n = t.elementCount();
        for (long e = 0; e < n; e++) {
            t.set((float) ((rnd.nextDouble() * 2 - 1) * scale), idx);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    /** out and lse as JAVA_REFERENCE computes them for the same call (lse null when options has none). */
    static float[][] reference(Tensor q, Tensor k, Tensor v, AttentionOptions o) {
        try (Arena a = Arena.ofConfined()) {
            Tensor out = Tensor.allocate(a, q.dtype(), q.shape());
            Tensor lse = o.lse() == null ? null : Tensor.allocate(a, DType.F32, o.lse().shape());
            Attention.sdpa(q, k, v, out, o.toBuilder().backend(Backend.JAVA_REFERENCE).lse(lse).build());
            return new float[][] {out.toFloatArray(), lse == null ? null : lse.toFloatArray()};
        }
    }

    /** True when both hold the same bits (NaN payloads aside). */
    static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** The available backends that take explicit selection, except the ones named. */
    static List<Backend> availableBackends(Backend... except) {
        List<Backend> list = new ArrayList<>();
        outer:
        for (BackendStatus s : Attention.backends()) {
            for (Backend e : except) {
                if (s.backend() == e) {
                    continue outer;
                }
            }
            if (s.available()) {
                list.add(s.backend());
            }
        }
        return list;
    }

    /** A finished child JVM. */
    record Child(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code mainClass} in a child JVM on this class path (or {@code classPath}), with native
     * access, the test properties that locate the native build, then {@code jvmArgs}.
     */
    static Child java(Path tmp, String classPath, List<String> jvmArgs, String mainClass, List<String> args,
                      int timeoutSeconds) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", classPath == null ? System.getProperty("java.class.path") : classPath));
        for (String prop : new String[] {"panattn.native.build", "panattn.root"}) {
            String v = System.getProperty(prop);
            if (v != null) {
                cmd.add("-D" + prop + "=" + v);
            }
        }
        cmd.addAll(jvmArgs);
        cmd.add(mainClass);
        cmd.addAll(args);
        Path out = Files.createTempFile(tmp, "child", ".out");
        Path err = Files.createTempFile(tmp, "child", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("child JVM " + mainClass + " did not finish in " + timeoutSeconds + " s:\n"
                    + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}

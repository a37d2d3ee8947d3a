package panama.attention;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * Run by {@link NativeLoadingTest} in child JVMs: prints every backend's status
 * ({@code STATUS <backend> <on|off> <detail>}), then runs one small call on each backend that is
 * on and prints {@code CALL <backend> <max abs difference to JAVA_REFERENCE>}, or
 * {@code REFUSED <backend> <exception>} for a forced backend that is off.
 */
public final class LoaderProbe {
    private LoaderProbe() {
    }

    public static void main(String[] args) {
        for (BackendStatus s : Attention.backends()) {
            System.out.println("STATUS " + s.backend() + " " + (s.available() ? "on" : "off") + " "
                    + s.detail().replace('\n', ' '));
        }
        try (Arena a = Arena.ofConfined()) {
            SplittableRandom rnd = new SplittableRandom(1);
            Tensor q = Tensor.allocate(a, DType.F32, 1, 2, 9, 16);
            Tensor k = Tensor.allocate(a, DType.F32, 1, 2, 21, 16);
            Robust.fill(q, rnd, 1);
            Robust.fill(k, rnd, 1);
            float[] want = Robust.reference(q, k, k, AttentionOptions.defaults())[0];
            for (BackendStatus s : Attention.backends()) {
                Tensor out = Tensor.allocate(a, DType.F32, 1, 2, 9, 16);
                try {
                    Attention.sdpa(q, k, k, out, AttentionOptions.builder().backend(s.backend()).build());
                    float[] got = out.toFloatArray();
                    double d = 0;
                    for (int i = 0; i < got.length; i++) {
                        d = Math.max(d, Math.abs(got[i] - want[i]));
                    }
                    System.out.println("CALL " + s.backend() + " " + d);
                } catch (RuntimeException e) {
                    System.out.println("REFUSED " + s.backend() + " " + e.getClass().getSimpleName() + ": "
                            + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
        }
    }
}

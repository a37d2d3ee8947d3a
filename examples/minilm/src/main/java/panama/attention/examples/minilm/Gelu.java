package panama.attention.examples.minilm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * BERT's exact GELU, {@code 0.5·x·(1 + erf(x/√2))}, with erf from Abramowitz and Stegun 7.1.28,
 * {@code erf(a) = 1 - (1 + a1·a + … + a6·a⁶)^-16} for {@code a >= 0} (absolute error below 3e-7).
 * By erf's symmetry {@code x·erf(x/√2) = |x|·erf(|x|/√2)}, so GELU is
 * {@code 0.5·(x + |x|·erf(|x|/√2))}: no branch, no exp, no call, a loop the JIT turns into SIMD
 * code. A general-purpose erf (a continued fraction per call) made the activation a large share of
 * a forward pass.
 */
final class Gelu {
    private static final double A1 = 0.0705230784;
    private static final double A2 = 0.0422820123;
    private static final double A3 = 0.0092705272;
    private static final double A4 = 0.0001520143;
    private static final double A5 = 0.0002765672;
    private static final double A6 = 0.0000430638;
    private static final double INV_SQRT2 = 0.7071067811865476;
    /** Floats converted per chunk: small enough for the stack-allocated-like reuse of one array. */
    private static final int CHUNK = 1536;

    private Gelu() {
    }

    static float gelu(float x) {
        double ax = Math.abs((double) x);
        double a = ax * INV_SQRT2;
        double p = 1.0 + a * (A1 + a * (A2 + a * (A3 + a * (A4 + a * (A5 + a * A6)))));
        double p2 = p * p;
        double p4 = p2 * p2;
        double p8 = p4 * p4;
        double erf = 1.0 - 1.0 / (p8 * p8);
        return (float) (0.5 * (x + ax * erf));
    }

    /** Applies GELU in place to {@code count} floats of {@code s} starting at float index {@code from}. */
    static void apply(MemorySegment s, long from, long count) {
        float[] buf = new float[(int) Math.min(CHUNK, count)];
        for (long done = 0; done < count; done += buf.length) {
            int n = (int) Math.min(buf.length, count - done);
            long at = (from + done) * Float.BYTES;
            MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, at, buf, 0, n);
            for (int i = 0; i < n; i++) {
                buf[i] = gelu(buf[i]);
            }
            MemorySegment.copy(buf, 0, s, ValueLayout.JAVA_FLOAT, at, n);
        }
    }
}

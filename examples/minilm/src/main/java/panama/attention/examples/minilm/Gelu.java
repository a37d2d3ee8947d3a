package panama.attention.examples.minilm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * BERT's exact GELU, {@code 0.5·x·(1 + erf(x/√2))}, with erf from Abramowitz and Stegun 7.1.26
 * (absolute error below 1.5e-7, under fp32 rounding of the GELU itself). A general-purpose erf
 * (a continued fraction per call) made the activation a large share of a forward pass; this one is
 * a polynomial and one exp.
 */
final class Gelu {
    private static final double P = 0.3275911;
    private static final double A1 = 0.254829592;
    private static final double A2 = -0.284496736;
    private static final double A3 = 1.421413741;
    private static final double A4 = -1.453152027;
    private static final double A5 = 1.061405429;
    private static final double INV_SQRT2 = 0.7071067811865476;

    private Gelu() {
    }

    static float gelu(float x) {
        double z = x * INV_SQRT2;
        double a = Math.abs(z);
        double t = 1.0 / (1.0 + P * a);
        double poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        double erfAbs = 1.0 - poly * Math.exp(-a * a);
        double erf = z < 0 ? -erfAbs : erfAbs;
        return (float) (0.5 * x * (1.0 + erf));
    }

    /** Applies GELU in place to {@code count} floats of {@code s} starting at float index {@code from}. */
    static void apply(MemorySegment s, long from, long count) {
        for (long i = from; i < from + count; i++) {
            long at = i * Float.BYTES;
            s.set(ValueLayout.JAVA_FLOAT, at, gelu(s.get(ValueLayout.JAVA_FLOAT, at)));
        }
    }
}

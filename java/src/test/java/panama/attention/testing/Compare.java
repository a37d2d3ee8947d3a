package panama.attention.testing;

import panama.attention.DType;
import panama.attention.internal.Elements;

/** Relative errors and readable mismatch reports (docs/CONVENTIONS.md item 2: print the first few with indices). */
public final class Compare {
    private Compare() {
    }

    /**
     * ‖got − want‖ / ‖want‖ over elements where both are finite; a NaN/inf in one but not the
     * other, or an infinity of the other sign, makes the error infinite.
     */
    public static double relativeError(float[] got, float[] want) {
        if (got.length != want.length) {
            throw new IllegalArgumentException("lengths differ: " + got.length + " vs " + want.length);
        }
        double num = 0, den = 0;
        for (int i = 0; i < got.length; i++) {
            float g = got[i], w = want[i];
            if (Float.isNaN(w) || Float.isInfinite(w) || Float.isNaN(g) || Float.isInfinite(g)) {
                if (Float.compare(g, w) != 0) {
                    return Double.POSITIVE_INFINITY;
                }
                continue;
            }
            double d = (double) g - w;
            num += d * d;
            den += (double) w * w;
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** The relative error of simply rounding want to dtype: the floor any dtype kernel sits on. */
    public static double roundingError(float[] want, DType dtype) {
        float[] rounded = new float[want.length];
        for (int i = 0; i < want.length; i++) {
            rounded[i] = Elements.round(dtype, want[i]);
        }
        return relativeError(rounded, want);
    }

    /** The first few mismatches, for failure messages. */
    public static String firstMismatches(float[] got, float[] want, double tol, int max) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < got.length && shown < max; i++) {
            float g = got[i], w = want[i];
            boolean bad = Float.compare(g, w) != 0
                    && (Float.isNaN(g) || Float.isNaN(w) || Math.abs(g - w) > tol * Math.max(1, Math.abs(w)));
            if (bad) {
                sb.append("\n  [").append(i).append("] got ").append(g).append(" want ").append(w);
                shown++;
            }
        }
        return sb.toString();
    }
}

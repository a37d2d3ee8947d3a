package panama.attention.examples.spark;

/** The error measure of the example and its tests. */
public final class Compare {
    private Compare() {
    }

    /**
     * {@code max_i |got_i − want_i| / max_i |want_i|}: the largest error relative to the largest
     * reference value (element-wise relative error is meaningless for components near zero).
     * Mismatched lengths, NaN or infinities give +∞ unless both sides agree exactly.
     */
    public static double maxRelErr(float[] got, float[] want) {
        if (got == null || want == null || got.length != want.length) {
            return Double.POSITIVE_INFINITY;
        }
        double err = 0, scale = 0;
        for (int i = 0; i < want.length; i++) {
            if (Float.compare(got[i], want[i]) == 0) {
                scale = Math.max(scale, Float.isFinite(want[i]) ? Math.abs(want[i]) : 0);
                continue;
            }
            double d = Math.abs((double) got[i] - want[i]);
            if (!Double.isFinite(d)) {
                return Double.POSITIVE_INFINITY;
            }
            err = Math.max(err, d);
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return err == 0 ? 0 : err / Math.max(scale, Float.MIN_NORMAL);
    }
}

package panama.attention.internal;

/**
 * exp(x) in float for the softmax's range (x ≤ 0 after subtracting the row max), about 1 ulp:
 * Cody–Waite reduction x = n·ln2 + r with a two-part ln2 (r exact to float rounding), a
 * degree-7 Taylor polynomial for e^r on |r| ≤ ln2/2 (truncation below 5e-9), and 2^n built in
 * the exponent bits. Inputs below -87.3 give 0 (also -inf), as the softmax needs; NaN gives NaN.
 */
public final class FastExp {
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;     // ln 2 with the low 12 bits cleared: n·LN2_HI is exact
    private static final float LN2_LO = 1.42860677e-06f;  // ln 2 - LN2_HI
    private static final float MIN_ARG = -87.33654f;      // below: the result is not a normal float
    private static final float MAX_ARG = 88.72283f;

    private FastExp() {
    }

    public static float exp(float x) {
        if (!(x >= MIN_ARG)) {
            return Float.isNaN(x) ? x : 0f;
        }
        if (x > MAX_ARG) {
            return Float.POSITIVE_INFINITY;
        }
        float n = (float) Math.rint(x * LOG2E);
        float r = Math.fma(-n, LN2_HI, x);
        r = Math.fma(-n, LN2_LO, r);
        float p = 1f / 5040f;
        p = Math.fma(p, r, 1f / 720f);
        p = Math.fma(p, r, 1f / 120f);
        p = Math.fma(p, r, 1f / 24f);
        p = Math.fma(p, r, 1f / 6f);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int e = (int) n; // >= -126: MIN_ARG keeps 2^n normal
        if (e > 127) {
            return p * Float.intBitsToFloat((e - 1 + 127) << 23) * 2f;
        }
        return p * Float.intBitsToFloat((e + 127) << 23);
    }
}

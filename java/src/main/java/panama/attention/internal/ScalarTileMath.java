package panama.attention.internal;

/**
 * JAVA_VECTOR's fallback when jdk.incubator.vector is not in the boot layer: the same steps as
 * {@code VectorTileMath} in plain loops, with the query row innermost so the JIT may still
 * auto-vectorise them. Same exp2 (Cephes exp2f polynomial, −∞ clamped to give 0).
 */
final class ScalarTileMath implements TileMath {
    private final String reason;

    /** @param reason what {@link #describe()} says: why the scalar path runs */
    ScalarTileMath(String reason) {
        this.reason = reason;
    }

    /** Rows per strip: a quarter tile, so one strip's scores (64 keys × 32 rows) stay in L1. */
    private static final int SW = 32;

    @Override
    public void scores(float[] qt, int r0, int d, float[] kb, int nk, float[] st, int rows) {
        for (int j = 0; j < nk; j++) {
            int so = j * SW;
            java.util.Arrays.fill(st, so, so + rows, 0f);
            for (int c = 0; c < d; c++) {
                float kv = kb[j * d + c];
                int qo = r0 * d + c * SW;
                for (int i = 0; i < rows; i++) {
                    st[so + i] = Math.fma(qt[qo + i], kv, st[so + i]);
                }
            }
        }
    }

    @Override
    public void softmax(float[] st, int nk, float[] m, float[] l, float[] alpha, int r0, int rows) {
        for (int i = 0; i < rows; i++) {
            int r = r0 + i;
            float mx = m[r];
            for (int j = 0; j < nk; j++) {
                mx = Math.max(mx, st[j * SW + i]);
            }
            float ms = mx == Float.NEGATIVE_INFINITY ? 0f : mx;
            float a = exp2(m[r] - ms);
            float sum = 0;
            for (int j = 0; j < nk; j++) {
                float p = exp2(st[j * SW + i] - ms);
                st[j * SW + i] = p;
                sum += p;
            }
            l[r] = l[r] * a + sum;
            m[r] = mx;
            alpha[r] = a;
        }
    }

    @Override
    public void accumulate(float[] st, int nk, float[] vp, int dPad, float[] ot, float[] alpha, int r0, int rows) {
        for (int c = 0; c < dPad; c++) {
            int oo = c * ROWS + r0;
            for (int i = 0; i < rows; i++) {
                ot[oo + i] *= alpha[r0 + i];
            }
            int vo = c / 4 * 4 * BLOCK_K + c % 4;
            for (int j = 0; j < nk; j++) {
                float vv = vp[vo + 4 * j];
                int so = j * SW;
                for (int i = 0; i < rows; i++) {
                    ot[oo + i] = Math.fma(st[so + i], vv, ot[oo + i]);
                }
            }
        }
    }

    @Override
    public boolean panels(float[] vb, int nk, int d, float[] vp) {
        boolean finite = true;
        int dPad = JavaVectorKernel.padded(d);
        for (int j = 0; j < nk; j++) {
            for (int c = 0; c < dPad; c++) {
                float x = c < d ? vb[j * d + c] : 0f;
                finite &= Float.isFinite(x);
                vp[c / 4 * 4 * BLOCK_K + 4 * j + c % 4] = x;
            }
        }
        return finite;
    }

    @Override
    public int rowMultiple() {
        return 1;
    }

    @Override
    public int stripRows() {
        return SW;
    }

    @Override
    public String describe() {
        return reason;
    }

    /** 2^x for x ≤ 0 (and NaN): the vector kernel's algorithm, one lane. */
    static float exp2(float x) {
        float t = Math.max(x, -127f);
        float z = t + Exp2.MAGIC;
        float n = z - Exp2.MAGIC;
        float r = t - n;
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(z) << 23) + (127 << 23));
        return Exp2.poly(r) * scale;
    }

    /** The constants and polynomial shared with the vector kernel. */
    static final class Exp2 {
        /** 1.5·2^23: adding it rounds a float in [−2^22, 2^22] to an integer held in the low mantissa bits. */
        static final float MAGIC = 0x1.8p23f;
        /**
         * 2^r on [−½, ½]: Cephes exp2f's degree-6 polynomial (peak relative error 1.7e-7 per its
         * header), evaluated by Horner with fma.
         */
        static final float P0 = 1.535336188319500e-4f;
        static final float P1 = 1.339887440266574e-3f;
        static final float P2 = 9.618437357674640e-3f;
        static final float P3 = 5.550332471162809e-2f;
        static final float P4 = 2.402264791363012e-1f;
        static final float P5 = 6.931472028550421e-1f;

        private Exp2() {
        }

        static float poly(float r) {
            float p = Math.fma(P0, r, P1);
            p = Math.fma(p, r, P2);
            p = Math.fma(p, r, P3);
            p = Math.fma(p, r, P4);
            p = Math.fma(p, r, P5);
            return Math.fma(p, r, 1f);
        }
    }
}

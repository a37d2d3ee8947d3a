package panama.attention.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * JAVA_VECTOR's arithmetic on the Vector API. Loaded only when jdk.incubator.vector is in the
 * boot layer ({@link JavaVectorKernel} checks first), so nothing else may refer to this class.
 *
 * <p>Every vector runs along query rows (see {@link TileMath}'s layouts), so the two products
 * are outer-product register tiles and the online softmax is lane-wise, with no horizontal
 * reduction anywhere. A strip is 4 vectors of rows ({@link #SW}); a shorter strip (the tile's
 * last rows) runs 1-vector variants of the same micro-kernels:
 * <ul>
 *   <li>scores: 4 keys × 4 row-vectors = 16 accumulators; per head-dim step 4 loads of Qᵀ,
 *       4 broadcasts of K, 16 FMAs;</li>
 *   <li>P·V: one V panel (4 head-dim columns) × 4 row-vectors = 16 accumulators held over the
 *       whole key block; per key 4 loads of P, 4 broadcasts of V, 16 FMAs;</li>
 *   <li>exp2: n = round(x) by the 1.5·2^23 trick, a degree-6 polynomial for 2^(x−n), 2^n built in
 *       the exponent bits; x is clamped at −127 first, so −∞ gives exactly 0 without a branch.</li>
 * </ul>
 * Species: {@code -Dpanattn.vector.bits=128|256|512}, default the preferred species (see
 * {@link #DEFAULT_MAX_BITS} for the measurement behind it).
 */
final class VectorTileMath implements TileMath {
    /**
     * Cap on the default species width. On the 2-core AMD EPYC this was measured on (CPU family 26,
     * Zen 5: full-width AVX-512), a Java FMA loop reaches about 235 GFLOP/s per core at 512 bits and
     * 118 at 256, and the kernel at 512 bits ran at 0.8-0.87 × NATIVE_CPU against about 0.5 at 256
     * (interleaved rounds, N 2048, docs/CPU-KERNEL.md). So 512 bits (the preferred species here)
     * stays the default; the same register tiles use 4 × 16 lanes.
     */
    static final int DEFAULT_MAX_BITS = 512;

    static final VectorSpecies<Float> S = species();
    static final int L = S.length();
    private static final VectorSpecies<Integer> SI = S.withLanes(int.class);

    static final VectorTileMath INSTANCE = new VectorTileMath();

    private VectorTileMath() {
    }

    private static VectorSpecies<Float> species() {
        int bits = Math.min(FloatVector.SPECIES_PREFERRED.vectorBitSize(), DEFAULT_MAX_BITS);
        String p = System.getProperty("panattn.vector.bits");
        if (p != null && !p.isBlank()) {
            try {
                bits = Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                bits = -1;
            }
        }
        return switch (bits) {
            case 64 -> FloatVector.SPECIES_64;
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("panattn.vector.bits='" + p + "' is not one of 128, 256, 512");
        };
    }

    /** Rows per strip: 4 vectors, the register tiles' width. */
    static final int SW = 4 * L;

    @Override
    public int rowMultiple() {
        return L;
    }

    @Override
    public int stripRows() {
        return SW;
    }

    @Override
    public String describe() {
        return "Vector API, " + S.vectorBitSize() + "-bit species";
    }

    // ---------------------------------------------------------------- scores: st = Kblock · Qᵀ

    @Override
    public void scores(float[] qt, int r0, int d, float[] kb, int nk, float[] st, int rows) {
        int nkp = (nk + KEY_STEP - 1) / KEY_STEP * KEY_STEP; // kb is zero-padded to here
        if (rows == SW) {
            for (int j = 0; j < nkp; j += KEY_STEP) {
                scores4x4(qt, r0, d, kb, j, st);
            }
        } else {
            for (int g = 0; g < rows; g += L) {
                for (int j = 0; j < nkp; j += KEY_STEP) {
                    scores4x1(qt, r0 * d + g, d, kb, j, st, g);
                }
            }
        }
    }

    /** Keys j..j+3 × strip rows r0..r0+4L: 16 accumulators; per head-dim step 4 loads, 4 broadcasts, 16 FMAs. */
    private static void scores4x4(float[] qt, int r0, int d, float[] kb, int j, float[] st) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int k0 = j * d, k1 = k0 + d, k2 = k1 + d, k3 = k2 + d;
        for (int c = 0, q = r0 * d; c < d; c++) {
            int qo = q + c * SW;
            FloatVector q0 = FloatVector.fromArray(S, qt, qo);
            FloatVector q1 = FloatVector.fromArray(S, qt, qo + L);
            FloatVector q2 = FloatVector.fromArray(S, qt, qo + 2 * L);
            FloatVector q3 = FloatVector.fromArray(S, qt, qo + 3 * L);
            FloatVector b = FloatVector.broadcast(S, kb[k0 + c]);
            a00 = q0.fma(b, a00);
            a01 = q1.fma(b, a01);
            a02 = q2.fma(b, a02);
            a03 = q3.fma(b, a03);
            b = FloatVector.broadcast(S, kb[k1 + c]);
            a10 = q0.fma(b, a10);
            a11 = q1.fma(b, a11);
            a12 = q2.fma(b, a12);
            a13 = q3.fma(b, a13);
            b = FloatVector.broadcast(S, kb[k2 + c]);
            a20 = q0.fma(b, a20);
            a21 = q1.fma(b, a21);
            a22 = q2.fma(b, a22);
            a23 = q3.fma(b, a23);
            b = FloatVector.broadcast(S, kb[k3 + c]);
            a30 = q0.fma(b, a30);
            a31 = q1.fma(b, a31);
            a32 = q2.fma(b, a32);
            a33 = q3.fma(b, a33);
        }
        int s = j * SW;
        a00.intoArray(st, s);
        a01.intoArray(st, s + L);
        a02.intoArray(st, s + 2 * L);
        a03.intoArray(st, s + 3 * L);
        s += SW;
        a10.intoArray(st, s);
        a11.intoArray(st, s + L);
        a12.intoArray(st, s + 2 * L);
        a13.intoArray(st, s + 3 * L);
        s += SW;
        a20.intoArray(st, s);
        a21.intoArray(st, s + L);
        a22.intoArray(st, s + 2 * L);
        a23.intoArray(st, s + 3 * L);
        s += SW;
        a30.intoArray(st, s);
        a31.intoArray(st, s + L);
        a32.intoArray(st, s + 2 * L);
        a33.intoArray(st, s + 3 * L);
    }

    /** Keys j..j+3 × strip rows g..g+L (Qᵀ from q), a strip shorter than 4 vectors: the tile's last rows. */
    private static void scores4x1(float[] qt, int q, int d, float[] kb, int j, float[] st, int g) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int k0 = j * d, k1 = k0 + d, k2 = k1 + d, k3 = k2 + d;
        for (int c = 0; c < d; c++) {
            FloatVector x = FloatVector.fromArray(S, qt, q + c * SW);
            a0 = x.fma(FloatVector.broadcast(S, kb[k0 + c]), a0);
            a1 = x.fma(FloatVector.broadcast(S, kb[k1 + c]), a1);
            a2 = x.fma(FloatVector.broadcast(S, kb[k2 + c]), a2);
            a3 = x.fma(FloatVector.broadcast(S, kb[k3 + c]), a3);
        }
        int s = j * SW + g;
        a0.intoArray(st, s);
        a1.intoArray(st, s + SW);
        a2.intoArray(st, s + 2 * SW);
        a3.intoArray(st, s + 3 * SW);
    }

    // ---------------------------------------------------------------- online softmax, lane-wise over rows

    @Override
    public void softmax(float[] st, int nk, float[] m, float[] l, float[] alpha, int r0, int rows) {
        // One exp2 call site only: C2 stops inlining past its node budget, and a non-inlined
        // exp2 boxes every vector (measured: a second site made the softmax cost more than the
        // whole Q·Kᵀ block). So alpha = 2^(m_old − m_new) rides along as an extra "key" in row
        // nk of st, and is taken back out of the sum.
        // The max is FloatVector.max (Math.max rules: a NaN logit makes the row NaN), which C2
        // compiles to a blend/max/unordered-compare sequence. A cheaper compare+blend max was
        // tried: at 256 bits it compiled, but at 512 bits C2 left compare and blend as calls
        // into their Java fallbacks in this method ("missing constant" under -XX:+PrintIntrinsics),
        // a third of the kernel's time.
        int ao = nk * SW;
        for (int g = 0; g < rows; g += L) {
            FloatVector mOld = FloatVector.fromArray(S, m, r0 + g);
            FloatVector mx0 = mOld, mx1 = mOld;
            int j = 0;
            for (; j + 2 <= nk; j += 2) {
                mx0 = mx0.max(FloatVector.fromArray(S, st, j * SW + g));
                mx1 = mx1.max(FloatVector.fromArray(S, st, j * SW + SW + g));
            }
            if (j < nk) {
                mx0 = mx0.max(FloatVector.fromArray(S, st, j * SW + g));
            }
            FloatVector mx = mx0.max(mx1);
            FloatVector ms = mx.blend(0f, mx.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
            mOld.intoArray(st, ao + g);
            mx.intoArray(m, r0 + g);
            FloatVector sum = FloatVector.zero(S);
            for (int o = g; o <= ao + g; o += SW) {
                FloatVector p = exp2(FloatVector.fromArray(S, st, o).sub(ms));
                p.intoArray(st, o);
                sum = sum.add(p);
            }
            FloatVector a = FloatVector.fromArray(S, st, ao + g);
            a.intoArray(alpha, r0 + g);
            FloatVector.fromArray(S, l, r0 + g).fma(a, sum.sub(a)).intoArray(l, r0 + g);
        }
    }

    private static final FloatVector MAGIC = FloatVector.broadcast(S, ScalarTileMath.Exp2.MAGIC);
    private static final FloatVector FLOOR = FloatVector.broadcast(S, -127f);
    private static final IntVector ONE_EXP = IntVector.broadcast(SI, 127 << 23);

    /** 2^x lane-wise for x ≤ 0 (NaN stays NaN; −∞ and x < −126.5 give 0). See {@link ScalarTileMath#exp2}. */
    static FloatVector exp2(FloatVector x) {
        FloatVector t = x.max(FLOOR);
        FloatVector z = t.add(MAGIC);
        FloatVector r = t.sub(z.sub(MAGIC));
        FloatVector scale = z.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23)
                .add(ONE_EXP).reinterpretAsFloats();
        FloatVector p = r.fma(ScalarTileMath.Exp2.P0, ScalarTileMath.Exp2.P1);
        p = p.fma(r, FloatVector.broadcast(S, ScalarTileMath.Exp2.P2));
        p = p.fma(r, FloatVector.broadcast(S, ScalarTileMath.Exp2.P3));
        p = p.fma(r, FloatVector.broadcast(S, ScalarTileMath.Exp2.P4));
        p = p.fma(r, FloatVector.broadcast(S, ScalarTileMath.Exp2.P5));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        return p.mul(scale);
    }

    // ---------------------------------------------------------------- P·V into Oᵀ

    /** Floats per V panel: 4 head-dim columns of every key of a block. */
    private static final int PANEL = 4 * BLOCK_K;
    /** One panel row: 4 floats. */
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;

    @Override
    public boolean panels(float[] vb, int nk, int d, float[] vp) {
        // x − x is 0 for a finite x and NaN for ±inf or NaN, so the sum says whether all were finite
        FloatVector nonFinite = FloatVector.zero(S4);
        int d4 = d & ~3;
        for (int j = 0; j < nk; j++) {
            int src = j * d;
            for (int c = 0; c < d4; c += 4) {
                FloatVector x = FloatVector.fromArray(S4, vb, src + c);
                nonFinite = nonFinite.add(x.sub(x));
                x.intoArray(vp, (c >> 2) * PANEL + 4 * j);
            }
        }
        boolean finite = nonFinite.reduceLanes(VectorOperators.ADD) == 0f;
        if (d4 < d) { // the last panel: its columns past d are zero
            int dst = (d4 >> 2) * PANEL;
            for (int j = 0; j < nk; j++) {
                for (int c = d4; c < d4 + 4; c++) {
                    float x = c < d ? vb[j * d + c] : 0f;
                    finite &= Float.isFinite(x);
                    vp[dst + 4 * j + c - d4] = x;
                }
            }
        }
        return finite;
    }

    @Override
    public void accumulate(float[] st, int nk, float[] vp, int dPad, float[] ot, float[] alpha, int r0, int rows) {
        if (rows == SW) {
            for (int c = 0; c < dPad; c += 4) {
                pv4x4(st, nk, vp, c / 4 * PANEL, ot, c * ROWS + r0, alpha, r0);
            }
        } else {
            for (int g = 0; g < rows; g += L) {
                for (int c = 0; c < dPad; c += 4) {
                    pv4x1(st, nk, vp, c / 4 * PANEL, ot, c * ROWS + r0 + g, alpha, r0 + g, g);
                }
            }
        }
    }


    /**
     * Head-dim columns of one panel (4) × strip rows r0..r0+4L, over the block's keys: 16
     * accumulators; per key 4 loads of P, 4 broadcasts of V, 16 FMAs. The alpha rescale is folded
     * into loading O. Alpha comes as an array, not as vectors: vector arguments of a call C2 does
     * not inline are boxed.
     */
    private static void pv4x4(float[] st, int nk, float[] vp, int v0, float[] ot, int o, float[] alpha, int r0) {
        FloatVector al0 = FloatVector.fromArray(S, alpha, r0);
        FloatVector al1 = FloatVector.fromArray(S, alpha, r0 + L);
        FloatVector al2 = FloatVector.fromArray(S, alpha, r0 + 2 * L);
        FloatVector al3 = FloatVector.fromArray(S, alpha, r0 + 3 * L);
        FloatVector o00 = FloatVector.fromArray(S, ot, o).mul(al0);
        FloatVector o01 = FloatVector.fromArray(S, ot, o + L).mul(al1);
        FloatVector o02 = FloatVector.fromArray(S, ot, o + 2 * L).mul(al2);
        FloatVector o03 = FloatVector.fromArray(S, ot, o + 3 * L).mul(al3);
        FloatVector o10 = FloatVector.fromArray(S, ot, o + ROWS).mul(al0);
        FloatVector o11 = FloatVector.fromArray(S, ot, o + ROWS + L).mul(al1);
        FloatVector o12 = FloatVector.fromArray(S, ot, o + ROWS + 2 * L).mul(al2);
        FloatVector o13 = FloatVector.fromArray(S, ot, o + ROWS + 3 * L).mul(al3);
        FloatVector o20 = FloatVector.fromArray(S, ot, o + 2 * ROWS).mul(al0);
        FloatVector o21 = FloatVector.fromArray(S, ot, o + 2 * ROWS + L).mul(al1);
        FloatVector o22 = FloatVector.fromArray(S, ot, o + 2 * ROWS + 2 * L).mul(al2);
        FloatVector o23 = FloatVector.fromArray(S, ot, o + 2 * ROWS + 3 * L).mul(al3);
        FloatVector o30 = FloatVector.fromArray(S, ot, o + 3 * ROWS).mul(al0);
        FloatVector o31 = FloatVector.fromArray(S, ot, o + 3 * ROWS + L).mul(al1);
        FloatVector o32 = FloatVector.fromArray(S, ot, o + 3 * ROWS + 2 * L).mul(al2);
        FloatVector o33 = FloatVector.fromArray(S, ot, o + 3 * ROWS + 3 * L).mul(al3);
        for (int j = 0; j < nk; j++) {
            int po = j * SW;
            int vo = v0 + 4 * j;
            FloatVector p0 = FloatVector.fromArray(S, st, po);
            FloatVector p1 = FloatVector.fromArray(S, st, po + L);
            FloatVector p2 = FloatVector.fromArray(S, st, po + 2 * L);
            FloatVector p3 = FloatVector.fromArray(S, st, po + 3 * L);
            FloatVector b = FloatVector.broadcast(S, vp[vo]);
            o00 = p0.fma(b, o00);
            o01 = p1.fma(b, o01);
            o02 = p2.fma(b, o02);
            o03 = p3.fma(b, o03);
            b = FloatVector.broadcast(S, vp[vo + 1]);
            o10 = p0.fma(b, o10);
            o11 = p1.fma(b, o11);
            o12 = p2.fma(b, o12);
            o13 = p3.fma(b, o13);
            b = FloatVector.broadcast(S, vp[vo + 2]);
            o20 = p0.fma(b, o20);
            o21 = p1.fma(b, o21);
            o22 = p2.fma(b, o22);
            o23 = p3.fma(b, o23);
            b = FloatVector.broadcast(S, vp[vo + 3]);
            o30 = p0.fma(b, o30);
            o31 = p1.fma(b, o31);
            o32 = p2.fma(b, o32);
            o33 = p3.fma(b, o33);
        }
        o00.intoArray(ot, o);
        o01.intoArray(ot, o + L);
        o02.intoArray(ot, o + 2 * L);
        o03.intoArray(ot, o + 3 * L);
        o10.intoArray(ot, o + ROWS);
        o11.intoArray(ot, o + ROWS + L);
        o12.intoArray(ot, o + ROWS + 2 * L);
        o13.intoArray(ot, o + ROWS + 3 * L);
        o20.intoArray(ot, o + 2 * ROWS);
        o21.intoArray(ot, o + 2 * ROWS + L);
        o22.intoArray(ot, o + 2 * ROWS + 2 * L);
        o23.intoArray(ot, o + 2 * ROWS + 3 * L);
        o30.intoArray(ot, o + 3 * ROWS);
        o31.intoArray(ot, o + 3 * ROWS + L);
        o32.intoArray(ot, o + 3 * ROWS + 2 * L);
        o33.intoArray(ot, o + 3 * ROWS + 3 * L);
    }

    /** One panel's 4 columns × rows r..r+L (strip row g): a strip shorter than 4 vectors. */
    private static void pv4x1(float[] st, int nk, float[] vp, int v0, float[] ot, int o, float[] alpha, int r, int g) {
        FloatVector al = FloatVector.fromArray(S, alpha, r);
        FloatVector o0 = FloatVector.fromArray(S, ot, o).mul(al);
        FloatVector o1 = FloatVector.fromArray(S, ot, o + ROWS).mul(al);
        FloatVector o2 = FloatVector.fromArray(S, ot, o + 2 * ROWS).mul(al);
        FloatVector o3 = FloatVector.fromArray(S, ot, o + 3 * ROWS).mul(al);
        for (int j = 0; j < nk; j++) {
            FloatVector p = FloatVector.fromArray(S, st, j * SW + g);
            int vo = v0 + 4 * j;
            o0 = p.fma(FloatVector.broadcast(S, vp[vo]), o0);
            o1 = p.fma(FloatVector.broadcast(S, vp[vo + 1]), o1);
            o2 = p.fma(FloatVector.broadcast(S, vp[vo + 2]), o2);
            o3 = p.fma(FloatVector.broadcast(S, vp[vo + 3]), o3);
        }
        o0.intoArray(ot, o);
        o1.intoArray(ot, o + ROWS);
        o2.intoArray(ot, o + 2 * ROWS);
        o3.intoArray(ot, o + 3 * ROWS);
    }
}

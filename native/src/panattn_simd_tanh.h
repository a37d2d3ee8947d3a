/*
 * panattn_simd_tanh.h — tanh over a vector, for the logit softcap of the SIMD kernels. Included
 * after a vector vocabulary (panattn_simd_avx2.h or panattn_simd_avx512.h): it uses only their
 * names (v_abs, v_exp2, v_div, v_select_lt, v_copysign, ...).
 *
 * |x| < 0.625: x + x·z·P(z) with z = x² (Cephes tanhf's minimax polynomial), where the form
 * below would lose digits to cancellation. Otherwise (1 - e) / (1 + e) with e = exp(-2|x|)
 * = exp2(-2·log2(e)·|x|) <= 0.29, which v_exp2 serves (its argument is <= 0); e is 0 for
 * |x| >= ~44, giving exactly 1. The sign is copied back from x. tanh(±inf) = ±1, tanh(±0) = ±0,
 * NaN stays NaN (the comparison is false for NaN, and exp2 keeps it). test_tanh measures the
 * error of every ISA against tanh in double.
 */
#ifndef PANATTN_SIMD_TANH_H
#define PANATTN_SIMD_TANH_H

static inline vf v_tanh(vf x) {
    const vf a = v_abs(x);
    const vf z = v_mul(a, a);
    vf p = v_set1(-5.70498872745e-3f);
    p = v_fma(p, z, v_set1(2.06390887954e-2f));
    p = v_fma(p, z, v_set1(-5.37397155531e-2f));
    p = v_fma(p, z, v_set1(1.33314422036e-1f));
    p = v_fma(p, z, v_set1(-3.33332819422e-1f));
    const vf small = v_fma(v_mul(p, z), a, a);
    const vf e = v_exp2(v_mul(a, v_set1(-2.0f * 1.44269504088896340736f)));
    const vf one = v_set1(1.0f);
    const vf large = v_div(v_sub(one, e), v_add(one, e));
    return v_copysign(v_select_lt(a, v_set1(0.625f), small, large), x);
}

#endif /* PANATTN_SIMD_TANH_H */

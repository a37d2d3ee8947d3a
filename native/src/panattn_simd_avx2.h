/*
 * panattn_simd_avx2.h — the vector vocabulary of the AVX2+FMA+F16C kernel: 8 fp32 lanes.
 * Included only by files compiled with -mavx2 -mfma -mf16c (the AVX2 kernel and its exp2
 * test helper); panattn_kernel_simd.h is written against these names only, so the AVX2 and
 * AVX-512 kernels are one algorithm at two widths.
 */
#ifndef PANATTN_SIMD_AVX2_H
#define PANATTN_SIMD_AVX2_H

#include <immintrin.h>
#include <stdint.h>

typedef __m256 vf;
#define VL 8

static inline vf v_zero(void) { return _mm256_setzero_ps(); }
static inline vf v_set1(float x) { return _mm256_set1_ps(x); }
static inline vf v_load(const float *p) { return _mm256_load_ps(p); }   /* 32-byte aligned scratch */
static inline vf v_loadu(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, vf x) { _mm256_store_ps(p, x); }
static inline void v_storeu(float *p, vf x) { _mm256_storeu_ps(p, x); }
static inline vf v_bcast(const float *p) { return _mm256_broadcast_ss(p); }
/* A hint to fetch p's cache line into L1 (never faults, whatever p is). Always inlined, as is
 * v_prefetch_l2: see prefetch_kv_l2 in panattn_kernel_simd.h. */
static inline __attribute__((always_inline)) void v_prefetch(const void *p) {
    _mm_prefetch((const char *)p, _MM_HINT_T0);
}
/* A hint to fetch p's cache line into L2 only (a block needed soon, not this instant). */
static inline __attribute__((always_inline)) void v_prefetch_l2(const void *p) {
    _mm_prefetch((const char *)p, _MM_HINT_T1);
}
static inline vf v_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf v_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf v_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
/* max(a, b) ignoring a NaN in a: maxps returns its second operand when either is NaN. */
static inline vf v_max_skipnan(vf a, vf b) { return _mm256_max_ps(a, b); }
/* x where x != -inf, else 0 (0.0f is all-zero bits). */
static inline vf v_ninf_to_zero(vf x) {
    return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-__builtin_inff()), _CMP_EQ_OQ), x);
}

/* x with its first n (0..VL) lanes set to -inf: the causally hidden rows of one key's column. */
static inline vf v_ninf_first(vf x, int n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256 hide = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane));
    return _mm256_blendv_ps(x, _mm256_set1_ps(-__builtin_inff()), hide);
}

/* First n (0..VL) lanes from p, the rest 0; lanes past n are not read (no fault past a buffer). */
static inline vf v_loadu_n(const float *p, int n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane));
}

/* For v_tanh (panattn_simd_tanh.h): |x|, a / b, (x < t ? a : b) (false for NaN x), and mag with
 * the sign bit of sgn (mag >= 0). */
static inline vf v_abs(vf x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
static inline vf v_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf v_select_lt(vf x, vf t, vf a, vf b) { return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, t, _CMP_LT_OQ)); }
static inline vf v_copysign(vf mag, vf sgn) { return _mm256_or_ps(mag, _mm256_and_ps(sgn, _mm256_set1_ps(-0.0f))); }
/* Lane i holds i (0 .. VL-1), as floats. */
static inline vf v_iota(void) { return _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7); }

/* fp16 / bf16 -> fp32, VL elements. */
static inline vf v_from_f16(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
static inline vf v_from_bf16(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

/* VL fp32 -> fp16 into p, as panattn_f32_to_f16 rounds (nearest even, subnormals exact, NaN
 * quieted with its high payload bits, overflow to inf): the F16C conversion in that mode. */
static inline void v_store_f16(uint16_t *p, vf x) {
    _mm_storeu_si128((__m128i *)p, _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

/* VL fp32 -> bf16 into p, bit for bit panattn_f32_to_bf16: round to nearest even in integer
 * arithmetic, NaN quieted. */
static inline void v_store_bf16(uint16_t *p, vf x) {
    const __m256i b = _mm256_castps_si256(x), hi = _mm256_srli_epi32(b, 16);
    const __m256i odd = _mm256_and_si256(hi, _mm256_set1_epi32(1));
    __m256i r = _mm256_srli_epi32(_mm256_add_epi32(b, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff))), 16);
    const __m256i quiet = _mm256_or_si256(hi, _mm256_set1_epi32(0x40));
    r = _mm256_blendv_epi8(r, quiet, _mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q)));
    /* every lane is in [0, 0xffff]: the saturating pack keeps it */
    _mm_storeu_si128((__m128i *)p, _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1)));
}

/* VL int8 values from p (exactly VL bytes read), widened to fp32 exactly. */
static inline vf v_from_i8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

static inline float v_hsum(vf x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* The sums of a, b, c and e into out[0..4): one reduction for four vectors. Per 128-bit half,
 * unpack pairs and add, shuffle the four partial sums side by side and add; then the halves. */
static inline void v_hsum4(vf a, vf b, vf c, vf e, float *out) {
    const __m256 ab = _mm256_add_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b));
    const __m256 ce = _mm256_add_ps(_mm256_unpacklo_ps(c, e), _mm256_unpackhi_ps(c, e));
    const __m256 s = _mm256_add_ps(_mm256_shuffle_ps(ab, ce, _MM_SHUFFLE(1, 0, 1, 0)),
                                   _mm256_shuffle_ps(ab, ce, _MM_SHUFFLE(3, 2, 3, 2)));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1)));
}

/* Transposes the 8 x 8 block r in place: afterwards r[j] holds element j of every input row
 * (row i in lane i). Pairs of rows interleaved, then quads, then the 128-bit halves swapped. */
static inline void v_transpose(vf r[VL]) {
    vf t[VL], u[VL];
    for (int i = 0; i < VL; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);     /* a0 b0 a1 b1 | a4 b4 a5 b5 */
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]); /* a2 b2 a3 b3 | a6 b6 a7 b7 */
    }
    for (int i = 0; i < VL; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);         /* a0 b0 c0 d0 | a4 b4 c4 d4 */
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);     /* a1 .. d1 | a5 .. d5       */
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44); /* a2 .. d2 | a6 .. d6       */
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE); /* a3 .. d3 | a7 .. d7       */
    }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);     /* column c: rows 0-3, 4-7 */
        r[c + 4] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31); /* column c + 4            */
    }
}

/* 2^x for x <= 0 (and NaN). x is clamped below at -127, so -inf gives exactly 0 with no
 * special case: n = -127 makes the exponent field 0. r = x - round(x) is exact, and 2^r on
 * [-1/2, 1/2] is a degree-6 fit of relative error 2.0e-9 (c0 = 1, so 2^0 is exactly 1);
 * test_exp2 measures <= 2 ulp over [-126, 0]. NaN passes through (maxps returns x when x is
 * NaN; the polynomial keeps it). */
static inline vf v_exp2(vf x) {
    x = _mm256_max_ps(_mm256_set1_ps(-127.0f), x);
    vf n = _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vf r = _mm256_sub_ps(x, n);
    vf p = _mm256_set1_ps(0x1.41fbb8p-13f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0x1.5f3e56p-10f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0x1.3b2d4cp-7f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0x1.c6aee8p-5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0x1.ebfbdcp-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0x1.62e430p-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

#endif /* PANATTN_SIMD_AVX2_H */

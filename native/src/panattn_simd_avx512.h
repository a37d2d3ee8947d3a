/*
 * panattn_simd_avx512.h — the vector vocabulary of the AVX-512 kernel: 16 fp32 lanes.
 * Included only by files compiled with -mavx512f -mavx512bw -mavx512vl -mfma -mf16c. Same
 * names and contracts as panattn_simd_avx2.h.
 */
#ifndef PANATTN_SIMD_AVX512_H
#define PANATTN_SIMD_AVX512_H

#include <immintrin.h>
#include <stdint.h>

typedef __m512 vf;
#define VL 16

static inline vf v_zero(void) { return _mm512_setzero_ps(); }
static inline vf v_set1(float x) { return _mm512_set1_ps(x); }
static inline vf v_load(const float *p) { return _mm512_load_ps(p); }   /* 64-byte aligned scratch */
static inline vf v_loadu(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, vf x) { _mm512_store_ps(p, x); }
static inline void v_storeu(float *p, vf x) { _mm512_storeu_ps(p, x); }
static inline vf v_bcast(const float *p) { return _mm512_set1_ps(*p); }
/* A hint to fetch p's cache line into L1 (never faults, whatever p is). Always inlined, as is
 * v_prefetch_l2: see prefetch_kv_l2 in panattn_kernel_simd.h. */
static inline __attribute__((always_inline)) void v_prefetch(const void *p) {
    _mm_prefetch((const char *)p, _MM_HINT_T0);
}
/* A hint to fetch p's cache line into L2 only (a block needed soon, not this instant). */
static inline __attribute__((always_inline)) void v_prefetch_l2(const void *p) {
    _mm_prefetch((const char *)p, _MM_HINT_T1);
}
static inline vf v_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf v_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf v_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
/* max(a, b) ignoring a NaN in a: vmaxps returns its second operand when either is NaN. */
static inline vf v_max_skipnan(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf v_ninf_to_zero(vf x) {
    __mmask16 inf = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-__builtin_inff()), _CMP_EQ_OQ);
    return _mm512_maskz_mov_ps((__mmask16)~inf, x);
}

/* x with its first n (0..VL) lanes set to -inf: the causally hidden rows of one key's column. */
static inline vf v_ninf_first(vf x, int n) {
    return _mm512_mask_mov_ps(x, (__mmask16)((1u << n) - 1u), _mm512_set1_ps(-__builtin_inff()));
}

/* First n (0..VL) lanes from p, the rest 0; masked lanes are not read. */
static inline vf v_loadu_n(const float *p, int n) {
    return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1u), p);
}

static inline vf v_from_f16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
static inline vf v_from_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}

/* VL fp32 -> fp16 into p, as panattn_f32_to_f16 rounds (nearest even, subnormals exact, NaN
 * quieted with its high payload bits, overflow to inf): the hardware conversion in that mode. */
static inline void v_store_f16(uint16_t *p, vf x) {
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

/* VL fp32 -> bf16 into p, bit for bit panattn_f32_to_bf16: round to nearest even in integer
 * arithmetic, NaN quieted (not vcvtneps2bf16, which AVX-512 without BF16 lacks and which
 * flushes subnormals). */
static inline void v_store_bf16(uint16_t *p, vf x) {
    const __m512i b = _mm512_castps_si512(x), hi = _mm512_srli_epi32(b, 16);
    const __m512i odd = _mm512_and_si512(hi, _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(b, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff))), 16);
    r = _mm512_mask_or_epi32(r, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), hi, _mm512_set1_epi32(0x40));
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtepi32_epi16(r));
}

/* VL int8 values from p (exactly VL bytes read), widened to fp32 exactly. */
static inline vf v_from_i8(const int8_t *p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
}

static inline float v_hsum(vf x) { return _mm512_reduce_add_ps(x); }

/* The sums of a, b, c and e into out[0..4): one reduction for four vectors (13 instructions
 * where four v_hsum take about 32). Per 128-bit lane, unpack pairs and add, then shuffle the
 * four partial sums side by side and add; then the four lanes. */
static inline void v_hsum4(vf a, vf b, vf c, vf e, float *out) {
    const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
    const __m512 ce = _mm512_add_ps(_mm512_unpacklo_ps(c, e), _mm512_unpackhi_ps(c, e));
    const __m512 s = _mm512_add_ps(_mm512_shuffle_ps(ab, ce, _MM_SHUFFLE(1, 0, 1, 0)),
                                   _mm512_shuffle_ps(ab, ce, _MM_SHUFFLE(3, 2, 3, 2)));
    const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(s),
                                   _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
}

/* For v_tanh (panattn_simd_tanh.h): |x|, a / b, (x < t ? a : b) (false for NaN x), and mag with
 * the sign bit of sgn (mag >= 0). */
static inline vf v_abs(vf x) { return _mm512_abs_ps(x); }
static inline vf v_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf v_select_lt(vf x, vf t, vf a, vf b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, t, _CMP_LT_OQ), b, a);
}
static inline vf v_copysign(vf mag, vf sgn) {
    const __m512i sign = _mm512_and_si512(_mm512_castps_si512(sgn), _mm512_set1_epi32((int)0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(mag), sign));
}
/* Lane i holds i (0 .. VL-1), as floats. */
static inline vf v_iota(void) {
    return _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* Transposes the 16 x 16 block r in place: afterwards r[j] holds element j of every input row
 * (row i in lane i). Three stages: pairs of rows interleaved, then quads, then 128-bit lanes. */
static inline void v_transpose(vf r[VL]) {
    vf t[VL], u[VL];
    for (int i = 0; i < VL; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);     /* a0 b0 a1 b1 | a4 b4 a5 b5 | ...  */
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]); /* a2 b2 a3 b3 | a6 b6 a7 b7 | ...  */
    }
    for (int i = 0; i < VL; i += 4) {
        u[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);         /* a0 b0 c0 d0 | a4 .. d4 | ... */
        u[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);     /* a1 .. d1 | a5 .. d5 | ...     */
        u[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44); /* a2 .. d2 | a6 .. d6 | ...     */
        u[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE); /* a3 .. d3 | a7 .. d7 | ...     */
    }
    /* u[4q + c] holds column c + 4L of rows 4q .. 4q+3 in 128-bit lane L */
    for (int c = 0; c < 4; c++) {
        const vf lo0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);  /* cols c, c+8 of rows 0-7  */
        const vf hi0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);  /* cols c+4, c+12 of 0-7    */
        const vf lo1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
        const vf hi1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
        r[c] = _mm512_shuffle_f32x4(lo0, lo1, 0x88);
        r[c + 8] = _mm512_shuffle_f32x4(lo0, lo1, 0xDD);
        r[c + 4] = _mm512_shuffle_f32x4(hi0, hi1, 0x88);
        r[c + 12] = _mm512_shuffle_f32x4(hi0, hi1, 0xDD);
    }
}

/* 2^x for x <= 0 (and NaN); see panattn_simd_avx2.h for the method and its accuracy. */
static inline vf v_exp2(vf x) {
    x = _mm512_max_ps(_mm512_set1_ps(-127.0f), x);
    vf n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vf r = _mm512_sub_ps(x, n);
    vf p = _mm512_set1_ps(0x1.41fbb8p-13f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.5f3e56p-10f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.3b2d4cp-7f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.c6aee8p-5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.ebfbdcp-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.62e430p-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

#endif /* PANATTN_SIMD_AVX512_H */

/*
 * panattn_gemm_layernorm_avx512.c — panattn_add_layernorm's row for AVX-512 (compiled with its
 * flags and without contracted multiply-adds; run only when panattn_isa_supported says so).
 *
 * The same arithmetic in the same order as the portable row (panattn_gemm_layernorm.c), so both
 * give the same bits: the fp32 steps sixteen columns at a time, the double sums in one zmm whose
 * lane j is the portable row's partial sum j (eight floats widened per step), the tail into lane
 * 0, the lanes added by panattn_ln_lane_total.
 */
#include <immintrin.h>
#include <math.h>

#include "panattn_gemm.h"

void panattn_add_layernorm_row_avx512(float *x, const float *residual, int64_t n, const float *gamma,
                                      const float *beta, float eps) {
    int64_t c;
    if (residual != NULL) {
        for (c = 0; c + 16 <= n; c += 16) {
            _mm512_storeu_ps(x + c, _mm512_add_ps(_mm512_loadu_ps(x + c), _mm512_loadu_ps(residual + c)));
        }
        for (; c < n; c++) {
            x[c] = x[c] + residual[c];
        }
    }
    double lanes[PANATTN_LN_LANES];
    __m512d acc = _mm512_setzero_pd();
    for (c = 0; c + PANATTN_LN_LANES <= n; c += PANATTN_LN_LANES) {
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_loadu_ps(x + c)));
    }
    _mm512_storeu_pd(lanes, acc);
    for (; c < n; c++) {
        lanes[0] += (double)x[c];
    }
    float mean = (float)(panattn_ln_lane_total(lanes) / (double)n);
    __m256 mean8 = _mm256_set1_ps(mean);
    acc = _mm512_setzero_pd();
    for (c = 0; c + PANATTN_LN_LANES <= n; c += PANATTN_LN_LANES) {
        __m512d d = _mm512_cvtps_pd(_mm256_sub_ps(_mm256_loadu_ps(x + c), mean8));
        acc = _mm512_add_pd(acc, _mm512_mul_pd(d, d));
    }
    _mm512_storeu_pd(lanes, acc);
    for (; c < n; c++) {
        double d = (double)(x[c] - mean);
        lanes[0] += d * d;
    }
    float inv = (float)(1.0 / sqrt(panattn_ln_lane_total(lanes) / (double)n + (double)eps));
    __m512 mean16 = _mm512_set1_ps(mean);
    __m512 inv16 = _mm512_set1_ps(inv);
    for (c = 0; c + 16 <= n; c += 16) {
        __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + c), mean16), inv16),
                                 _mm512_loadu_ps(gamma + c));
        _mm512_storeu_ps(x + c, _mm512_add_ps(v, _mm512_loadu_ps(beta + c)));
    }
    for (; c < n; c++) {
        x[c] = (x[c] - mean) * inv * gamma[c] + beta[c];
    }
}

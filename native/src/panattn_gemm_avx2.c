/*
 * panattn_gemm_avx2.c — packed dense-layer micro-kernel for AVX2 + FMA (compiled with its flags
 * only; run only when panattn_isa_supported says so).
 *
 * With 16 ymm registers a tile is MR = 6 rows x 16 columns (half a 32-column panel): 12
 * accumulators, two ymm of W and one broadcast per step of k.
 */
#include <immintrin.h>

#include "panattn_gemm.h"

#define MR 6
#define NR 16

static inline __attribute__((always_inline)) __m256 gelu8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    __m256 a = _mm256_mul_ps(ax, _mm256_set1_ps(PANATTN_INV_SQRT2));
    __m256 e = _mm256_fmadd_ps(a, _mm256_set1_ps(PANATTN_ERF_A6), _mm256_set1_ps(PANATTN_ERF_A5));
    e = _mm256_fmadd_ps(a, e, _mm256_set1_ps(PANATTN_ERF_A4));
    e = _mm256_fmadd_ps(a, e, _mm256_set1_ps(PANATTN_ERF_A3));
    e = _mm256_fmadd_ps(a, e, _mm256_set1_ps(PANATTN_ERF_A2));
    e = _mm256_fmadd_ps(a, e, _mm256_set1_ps(PANATTN_ERF_A1));
    e = _mm256_mul_ps(a, e);
    for (int i = 0; i < 4; i++) { /* (1 + e)^2 - 1, see panattn_gemm.h */
        e = _mm256_mul_ps(e, _mm256_add_ps(_mm256_set1_ps(2.0f), e));
    }
    /* min returns its second operand when one is NaN: a NaN x stays NaN. */
    e = _mm256_min_ps(_mm256_set1_ps(PANATTN_ERF_E_CAP), e);
    __m256 erf = _mm256_div_ps(e, _mm256_add_ps(one, e));
    /* Halves first: x + |x|·erf would overflow for |x| above 1.7e38. */
    const __m256 half = _mm256_set1_ps(0.5f);
    return _mm256_fmadd_ps(_mm256_mul_ps(half, ax), erf, _mm256_mul_ps(half, x));
}

/* Lane i of the mask is set when i < count (count may be <= 0 or >= 8). */
static inline __m256i lanes_below(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* rows x 16 columns (cols of them real, 1 to 16) over kc steps; b is the panel line's half. */
static inline __attribute__((always_inline)) void tile(int rows, const float *a, int64_t lda, const float *b,
                                                       int64_t kc, float *c, int64_t ldc, const float *bias, int cols,
                                                       int first, int last, int32_t activation) {
    __m256i m0 = lanes_below(cols);
    __m256i m1 = lanes_below(cols - 8);
    __m256 acc0[MR], acc1[MR];
    if (first) {
        __m256 b0 = bias != NULL ? _mm256_maskload_ps(bias, m0) : _mm256_setzero_ps();
        __m256 b1 = bias != NULL ? _mm256_maskload_ps(bias + 8, m1) : _mm256_setzero_ps();
        for (int r = 0; r < rows; r++) {
            acc0[r] = b0;
            acc1[r] = b1;
        }
    } else {
        for (int r = 0; r < rows; r++) {
            acc0[r] = _mm256_maskload_ps(c + r * ldc, m0);
            acc1[r] = _mm256_maskload_ps(c + r * ldc + 8, m1);
        }
    }
    for (int64_t kk = 0; kk < kc; kk++) {
        __m256 w0 = _mm256_loadu_ps(b + kk * PANATTN_GEMM_PANEL);
        __m256 w1 = _mm256_loadu_ps(b + kk * PANATTN_GEMM_PANEL + 8);
        for (int r = 0; r < rows; r++) {
            __m256 x = _mm256_broadcast_ss(a + r * lda + kk);
            acc0[r] = _mm256_fmadd_ps(x, w0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(x, w1, acc1[r]);
        }
    }
    if (last && activation == PANATTN_ACT_GELU_ERF) {
        for (int r = 0; r < rows; r++) {
            acc0[r] = gelu8(acc0[r]);
            acc1[r] = gelu8(acc1[r]);
        }
    }
    for (int r = 0; r < rows; r++) {
        _mm256_maskstore_ps(c + r * ldc, m0, acc0[r]);
        _mm256_maskstore_ps(c + r * ldc + 8, m1, acc1[r]);
    }
}

#define TILE_CASE(R)                                                                                                 \
    case R:                                                                                                          \
        tile(R, a, lda, b, kc, c, ldc, bias, cols, first, last, activation);                                        \
        break;

static void tile_rows(int rows, const float *a, int64_t lda, const float *b, int64_t kc, float *c, int64_t ldc,
                      const float *bias, int cols, int first, int last, int32_t activation) {
    switch (rows) {
        TILE_CASE(1) TILE_CASE(2) TILE_CASE(3) TILE_CASE(4) TILE_CASE(5)
    default:
        tile(MR, a, lda, b, kc, c, ldc, bias, cols, first, last, activation);
        break;
    }
}

void panattn_gemm_avx2(const panattn_gemm_job *job, int64_t row_begin, int64_t row_end) {
    int64_t k = job->k;
    int64_t chunk = panattn_gemm_chunk_len(k);
    for (int64_t k0 = 0; k0 < k; k0 += chunk) {
        int64_t kc = k - k0 < chunk ? k - k0 : chunk;
        int first = k0 == 0;
        int last = k0 + kc == k;
        for (int64_t j0 = 0; j0 < job->n; j0 += NR) {
            int cols = job->n - j0 < NR ? (int)(job->n - j0) : NR;
            /* Column j0 sits in panel j0 / 32, at offset j0 % 32 (0 or 16) of each line. */
            const float *b = job->panels + (j0 / PANATTN_GEMM_PANEL) * k * PANATTN_GEMM_PANEL +
                             k0 * PANATTN_GEMM_PANEL + j0 % PANATTN_GEMM_PANEL;
            const float *bias = job->bias != NULL ? job->bias + j0 : NULL;
            for (int64_t r0 = row_begin; r0 < row_end; r0 += MR) {
                int rows = row_end - r0 < MR ? (int)(row_end - r0) : MR;
                tile_rows(rows, job->in + r0 * job->lda + k0, job->lda, b, kc, job->out + r0 * job->ldc + j0,
                          job->ldc, bias, cols, first, last, job->activation);
            }
        }
    }
}

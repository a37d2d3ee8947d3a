/*
 * panattn_gemm_avx512.c — packed dense-layer micro-kernel for AVX-512 (compiled with its flags
 * only; run only when panattn_isa_supported says so).
 *
 * A tile is MR = 12 rows x one 32-column panel: 24 zmm accumulators, two zmm of W per step of k,
 * each row's in[r, kk] broadcast straight from memory into its two FMAs. 24 FMAs per 2 loads +
 * 12 broadcasts keeps both FMA pipes busy. Rows of in are read in place (no packing of A): the
 * 12 rows stream through L1 while one panel's k-chunk (48 KiB) stays in L1/L2 for every row block.
 */
#include <immintrin.h>

#include "panattn_gemm.h"

#define MR 12

static inline __attribute__((always_inline)) __m512 gelu16(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 ax = _mm512_abs_ps(x);
    __m512 a = _mm512_mul_ps(ax, _mm512_set1_ps(PANATTN_INV_SQRT2));
    __m512 e = _mm512_fmadd_ps(a, _mm512_set1_ps(PANATTN_ERF_A6), _mm512_set1_ps(PANATTN_ERF_A5));
    e = _mm512_fmadd_ps(a, e, _mm512_set1_ps(PANATTN_ERF_A4));
    e = _mm512_fmadd_ps(a, e, _mm512_set1_ps(PANATTN_ERF_A3));
    e = _mm512_fmadd_ps(a, e, _mm512_set1_ps(PANATTN_ERF_A2));
    e = _mm512_fmadd_ps(a, e, _mm512_set1_ps(PANATTN_ERF_A1));
    e = _mm512_mul_ps(a, e);
    for (int i = 0; i < 4; i++) { /* (1 + e)^2 - 1, see panattn_gemm.h */
        e = _mm512_mul_ps(e, _mm512_add_ps(_mm512_set1_ps(2.0f), e));
    }
    /* min returns its second operand when one is NaN: a NaN x stays NaN. */
    e = _mm512_min_ps(_mm512_set1_ps(PANATTN_ERF_E_CAP), e);
    __m512 erf = _mm512_div_ps(e, _mm512_add_ps(one, e));
    /* Halves first: x + |x|·erf would overflow for |x| above 1.7e38. */
    const __m512 half = _mm512_set1_ps(0.5f);
    return _mm512_fmadd_ps(_mm512_mul_ps(half, ax), erf, _mm512_mul_ps(half, x));
}

/* rows x 32 columns (cols of them real) over k steps [k0, k0 + kc): starts from the bias (first
 * chunk) or from out, applies the activation after the last chunk. `rows` is a constant in every
 * inlined copy, so the accumulators live in registers. */
static inline __attribute__((always_inline)) void tile(int rows, const float *a, int64_t lda, const float *b,
                                                       const float *b_next, int64_t kc, float *c, int64_t ldc,
                                                       const float *bias, int cols, int first, int last,
                                                       int32_t activation) {
    __mmask16 m0 = cols >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? (__mmask16)0xffff : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    __m512 acc0[MR], acc1[MR];
    if (first) {
        __m512 b0 = bias != NULL ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
        __m512 b1 = bias != NULL ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
        for (int r = 0; r < rows; r++) {
            acc0[r] = b0;
            acc1[r] = b1;
        }
    } else {
        for (int r = 0; r < rows; r++) {
            acc0[r] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
            acc1[r] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
        }
    }
    for (int64_t kk = 0; kk < kc; kk++) {
        __m512 w0 = _mm512_loadu_ps(b + kk * PANATTN_GEMM_PANEL);
        __m512 w1 = _mm512_loadu_ps(b + kk * PANATTN_GEMM_PANEL + 16);
        if (b_next != NULL) { /* a constant in every inlined copy: no test in the loop */
            _mm_prefetch((const char *)(b_next + kk * PANATTN_GEMM_PANEL), _MM_HINT_T1);
            _mm_prefetch((const char *)(b_next + kk * PANATTN_GEMM_PANEL + 16), _MM_HINT_T1);
        }
        for (int r = 0; r < rows; r++) {
            __m512 x = _mm512_set1_ps(a[r * lda + kk]);
            acc0[r] = _mm512_fmadd_ps(x, w0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(x, w1, acc1[r]);
        }
    }
    if (last && activation == PANATTN_ACT_GELU_ERF) {
        for (int r = 0; r < rows; r++) {
            acc0[r] = gelu16(acc0[r]);
            acc1[r] = gelu16(acc1[r]);
        }
    }
    for (int r = 0; r < rows; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, m0, acc0[r]);
        _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc1[r]);
    }
}

#define TILE_CASE(R, NEXT)                                                                                           \
    case R:                                                                                                          \
        tile(R, a, lda, b, NEXT, kc, c, ldc, bias, cols, first, last, activation);                                  \
        break;

/* The same tile with `rows` known at compile time (1 to MR), and with or without the prefetch
 * (without it, the loop keeps every row pointer in a register). */
static void tile_rows(int rows, const float *a, int64_t lda, const float *b, const float *b_next, int64_t kc, float *c,
                      int64_t ldc, const float *bias, int cols, int first, int last, int32_t activation) {
    if (b_next == NULL) {
        switch (rows) {
            TILE_CASE(1, NULL) TILE_CASE(2, NULL) TILE_CASE(3, NULL) TILE_CASE(4, NULL) TILE_CASE(5, NULL)
            TILE_CASE(6, NULL) TILE_CASE(7, NULL) TILE_CASE(8, NULL) TILE_CASE(9, NULL) TILE_CASE(10, NULL)
            TILE_CASE(11, NULL)
        default:
            tile(MR, a, lda, b, NULL, kc, c, ldc, bias, cols, first, last, activation);
            break;
        }
        return;
    }
    switch (rows) {
        TILE_CASE(1, b_next) TILE_CASE(2, b_next) TILE_CASE(3, b_next) TILE_CASE(4, b_next) TILE_CASE(5, b_next)
        TILE_CASE(6, b_next) TILE_CASE(7, b_next) TILE_CASE(8, b_next) TILE_CASE(9, b_next) TILE_CASE(10, b_next)
        TILE_CASE(11, b_next)
    default:
        tile(MR, a, lda, b, b_next, kc, c, ldc, bias, cols, first, last, activation);
        break;
    }
}

void panattn_gemm_avx512(const panattn_gemm_job *job, int64_t row_begin, int64_t row_end) {
    int64_t k = job->k;
    int64_t chunk = panattn_gemm_chunk_len(k);
    for (int64_t k0 = 0; k0 < k; k0 += chunk) {
        int64_t kc = k - k0 < chunk ? k - k0 : chunk;
        int first = k0 == 0;
        int last = k0 + kc == k;
        for (int64_t j0 = 0; j0 < job->n; j0 += PANATTN_GEMM_PANEL) {
            int cols = job->n - j0 < PANATTN_GEMM_PANEL ? (int)(job->n - j0) : PANATTN_GEMM_PANEL;
            const float *b = job->panels + (j0 / PANATTN_GEMM_PANEL) * k * PANATTN_GEMM_PANEL + k0 * PANATTN_GEMM_PANEL;
            const float *bias = job->bias != NULL ? job->bias + j0 : NULL;
            /* The slice of W the next panel (or the next chunk's first panel) reads: the last row
             * tile of this panel prefetches it into L2, so that the next panel's first tile does not
             * wait on L3 for every line (the hardware prefetcher starts only after a few misses;
             * measured: 165 -> 195 GFLOP/s over MiniLM's layers with their weights out of L2).
             * The next slice is never shorter than this one except before a shorter last chunk,
             * where nothing is prefetched. */
            int64_t next_kc = k - (k0 + kc) < chunk ? k - (k0 + kc) : chunk;
            const float *next = j0 + PANATTN_GEMM_PANEL < job->n ? b + k * PANATTN_GEMM_PANEL
                                : next_kc >= kc                ? job->panels + (k0 + kc) * PANATTN_GEMM_PANEL
                                                               : NULL;
            for (int64_t r0 = row_begin; r0 < row_end; r0 += MR) {
                int rows = row_end - r0 < MR ? (int)(row_end - r0) : MR;
                const float *pf = r0 + MR >= row_end ? next : NULL;
                tile_rows(rows, job->in + r0 * job->lda + k0, job->lda, b, pf, kc, job->out + r0 * job->ldc + j0,
                          job->ldc, bias, cols, first, last, job->activation);
            }
        }
    }
}

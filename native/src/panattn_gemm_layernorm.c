/*
 * panattn_gemm_layernorm.c — x = LayerNorm(x + residual) over rows, the step that follows an
 * encoder's output and feed-forward projections (BERT: h = LN(x + W·a + b)). One pass per row
 * while the rows the projection just wrote are still in cache, instead of a round of copies and
 * scalar double sums in Java.
 *
 * The arithmetic is the encoder's reference order: the sum in fp32 per element (x + residual),
 * mean and variance accumulated in double, the mean and 1/sqrt(var + eps) rounded to fp32, then
 * ((v - mean)·inv)·gamma + beta in fp32. The double sums run in LANES independent partial sums,
 * added pairwise at the end: no reassociation is left to the compiler, which can then keep them
 * in vector registers. This file is baseline code (SSE2 on x86-64); where the CPU has AVX-512 the
 * rows go to panattn_gemm_layernorm_avx512.c, which gives the same bits four times as wide (in
 * Java this step was 4% of a MiniLM forward pass, in SSE2 2.5%).
 */
#include <math.h>
#include <stdint.h>

#include "panattn_gemm.h"
#include "panattn_internal.h"

#define LANES PANATTN_LN_LANES

void panattn_add_layernorm_row_portable(float *x, const float *residual, int64_t n, const float *gamma,
                                        const float *beta, float eps) {
    if (residual != NULL) {
        for (int64_t c = 0; c < n; c++) {
            x[c] = x[c] + residual[c];
        }
    }
    double sums[LANES] = {0};
    int64_t c = 0;
    for (; c + LANES <= n; c += LANES) {
        for (int j = 0; j < LANES; j++) {
            sums[j] += (double)x[c + j];
        }
    }
    for (; c < n; c++) {
        sums[0] += (double)x[c];
    }
    float mean = (float)(panattn_ln_lane_total(sums) / (double)n);
    double squares[LANES] = {0};
    for (c = 0; c + LANES <= n; c += LANES) {
        for (int j = 0; j < LANES; j++) {
            double d = (double)(x[c + j] - mean);
            squares[j] += d * d;
        }
    }
    for (; c < n; c++) {
        double d = (double)(x[c] - mean);
        squares[0] += d * d;
    }
    float inv = (float)(1.0 / sqrt(panattn_ln_lane_total(squares) / (double)n + (double)eps));
    for (c = 0; c < n; c++) {
        x[c] = (x[c] - mean) * inv * gamma[c] + beta[c];
    }
}

/* Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte. */
static int overlaps(const void *a, int64_t a_bytes, const void *b, int64_t b_bytes) {
    uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
    return a0 < b0 + (uintptr_t)b_bytes && b0 < a0 + (uintptr_t)a_bytes;
}

PANATTN_API int32_t panattn_add_layernorm(float *x, int64_t x_row_stride, const float *residual,
                                          int64_t residual_row_stride, int64_t n, const float *gamma,
                                          const float *beta, float eps, int64_t row_begin, int64_t row_end) {
    static const char fn[] = "panattn_add_layernorm";
    if (n < 1 || n > PANATTN_GEMM_MAX_DIM) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: n (%lld) must be in [1, %lld]", fn, (long long)n,
                            (long long)PANATTN_GEMM_MAX_DIM);
    }
    if (x == NULL || gamma == NULL || beta == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: %s is NULL", fn,
                            x == NULL ? "x" : gamma == NULL ? "gamma" : "beta");
    }
    if (x_row_stride < n) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: x_row_stride (%lld) is less than n (%lld)", fn,
                            (long long)x_row_stride, (long long)n);
    }
    if (residual != NULL && residual_row_stride < n) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: residual_row_stride (%lld) is less than n (%lld)", fn,
                            (long long)residual_row_stride, (long long)n);
    }
    if (!(eps > 0.0f) || isinf(eps)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: eps (%g) must be positive and finite", fn, (double)eps);
    }
    if (row_begin < 0 || row_end < row_begin) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: row range [%lld, %lld) is not 0 <= begin <= end", fn,
                            (long long)row_begin, (long long)row_end);
    }
    int64_t res_stride = residual != NULL ? residual_row_stride : 0;
    if (row_end > 0 && (x_row_stride > (INT64_C(1) << 60) / row_end || res_stride > (INT64_C(1) << 60) / row_end)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: rows up to %lld with row strides %lld and %lld pass 2^60 floats",
                            fn, (long long)row_end, (long long)x_row_stride, (long long)res_stride);
    }
    if (row_end == row_begin) {
        return PANATTN_OK;
    }
    /* The rows written must not be read as residual, gamma or beta meanwhile. */
    float *x_first = x + row_begin * x_row_stride;
    int64_t x_bytes = ((row_end - row_begin - 1) * x_row_stride + n) * (int64_t)sizeof(float);
    int64_t vec_bytes = n * (int64_t)sizeof(float);
    if (residual != NULL) {
        const float *res_first = residual + row_begin * residual_row_stride;
        int64_t res_bytes = ((row_end - row_begin - 1) * residual_row_stride + n) * (int64_t)sizeof(float);
        if (overlaps(x_first, x_bytes, res_first, res_bytes)) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: x overlaps residual", fn);
        }
    }
    if (overlaps(x_first, x_bytes, gamma, vec_bytes) || overlaps(x_first, x_bytes, beta, vec_bytes)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: x overlaps %s", fn,
                            overlaps(x_first, x_bytes, gamma, vec_bytes) ? "gamma" : "beta");
    }
    void (*row_fn)(float *, const float *, int64_t, const float *, const float *, float) =
        panattn_add_layernorm_row_portable;
#if defined(PANATTN_HAVE_X86_SIMD)
    if (panattn_isa_supported(PANATTN_ISA_AVX512)) {
        row_fn = panattn_add_layernorm_row_avx512;
    }
#endif
    for (int64_t r = row_begin; r < row_end; r++) {
        row_fn(x + r * x_row_stride, residual != NULL ? residual + r * residual_row_stride : NULL, n, gamma, beta, eps);
    }
    return PANATTN_OK;
}

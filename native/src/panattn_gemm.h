/*
 * panattn_gemm.h — what the packed dense-layer files share (panattn_gemm.c and one micro-kernel
 * file per ISA); nothing here is exported.
 *
 * Packed layout: a header of PANATTN_GEMM_HEADER_BYTES (magic, k, n), then ceil(n / 32) column
 * panels; panel p holds, for every row kk of W, the 32 floats W[kk, 32p .. 32p + 31] (zeros past
 * n). A micro-kernel then reads one contiguous 128-byte line of W per step of k, whatever the ISA:
 * two zmm (AVX-512), four ymm (AVX2) or 32 scalars, so one packing serves every path.
 */
#ifndef PANATTN_GEMM_H
#define PANATTN_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "panattn.h"

#define PANATTN_GEMM_PANEL 32
#define PANATTN_GEMM_HEADER_BYTES 64
/* Largest k and n accepted: keeps every size and offset computation far from int64 overflow. */
#define PANATTN_GEMM_MAX_DIM (INT64_C(1) << 24)
/* Steps of k per pass over the rows: one panel's slice (384 x 128 bytes = 48 KiB) stays in L1/L2
 * while every row block of the range streams past it. */
#define PANATTN_GEMM_K_CHUNK 384

/* Rows per pass: the micro-kernels read in's rows in place, once per 32-column panel, so a pass
 * keeps them to 120 rows (at most 180 KiB of a k-chunk), which stay in L2 across the panels.
 * Over 2048 rows at once, in would come from L3 or memory for every panel (half the speed). */
#define PANATTN_GEMM_ROW_BLOCK 120

/* One validated call. */
typedef struct panattn_gemm_job {
    const float *in;     /* row 0 of in; row r at in + r * lda */
    int64_t lda;
    const float *panels; /* panel p at panels + p * k * PANATTN_GEMM_PANEL */
    int64_t k;
    int64_t n;
    const float *bias;   /* n floats or NULL */
    int32_t activation;  /* PANATTN_ACT_* */
    float *out;          /* row 0 of out; row r at out + r * ldc */
    int64_t ldc;
} panattn_gemm_job;

/* A micro-kernel file: rows [row_begin, row_end) of a validated job, at most
 * PANATTN_GEMM_ROW_BLOCK of them (the caller cuts a call into such passes). Cannot fail (no
 * memory of its own: the A rows are read in place, W is already packed). */
typedef void (*panattn_gemm_fn)(const panattn_gemm_job *job, int64_t row_begin, int64_t row_end);

void panattn_gemm_portable(const panattn_gemm_job *job, int64_t row_begin, int64_t row_end);
void panattn_gemm_avx2(const panattn_gemm_job *job, int64_t row_begin, int64_t row_end);
void panattn_gemm_avx512(const panattn_gemm_job *job, int64_t row_begin, int64_t row_end);

/* The k range of chunk c: k is cut into equal chunks of at most PANATTN_GEMM_K_CHUNK steps, so
 * that k = 385 runs as 193 + 192 rather than 384 + 1. */
static inline int64_t panattn_gemm_chunk_len(int64_t k) {
    int64_t chunks = (k + PANATTN_GEMM_K_CHUNK - 1) / PANATTN_GEMM_K_CHUNK;
    return (k + chunks - 1) / chunks;
}

/* Residual add + layer norm of one row (panattn_gemm_layernorm.c; the AVX-512 one in
 * panattn_gemm_layernorm_avx512.c): x = LN(x + residual)·gamma + beta over n floats, residual
 * may be NULL. Both sum in PANATTN_LN_LANES double partial sums (lane j: columns c + j for c in
 * steps of PANATTN_LN_LANES, the tail into lane 0), added by panattn_ln_lane_total, and both
 * are built without contracted multiply-adds: the two give the same bits. */
#define PANATTN_LN_LANES 8

static inline double panattn_ln_lane_total(const double *lanes) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

void panattn_add_layernorm_row_portable(float *x, const float *residual, int64_t n, const float *gamma,
                                        const float *beta, float eps);
void panattn_add_layernorm_row_avx512(float *x, const float *residual, int64_t n, const float *gamma,
                                      const float *beta, float eps);

/* GELU's erf by Abramowitz and Stegun 7.1.28: erf(a) = 1 - (1 + a1·a + ... + a6·a^6)^-16 for
 * a >= 0, absolute error below 3e-7. No exp and no branch: each ISA evaluates it in its own
 * vectors. GELU(x) = 0.5·x + 0.5·|x|·erf(|x|/√2) by erf's symmetry.
 *
 * In fp32, forming p = 1 + u and then 1 - 1/p^16 would lose u's low bits to the rounding of 1 + u
 * (erf errors near 1e-6 for small a). Instead e = p^16 - 1 is squared up from u directly,
 * (1 + e)^2 - 1 = e·(2 + e), which keeps a few ulps of relative error at every step, and
 * erf = e / (1 + e). e is capped at 1e30 (erf is 1 in fp32 long before), so an overflow to inf
 * cannot make inf / inf. */
#define PANATTN_ERF_A1 0.0705230784f
#define PANATTN_ERF_A2 0.0422820123f
#define PANATTN_ERF_A3 0.0092705272f
#define PANATTN_ERF_A4 0.0001520143f
#define PANATTN_ERF_A5 0.0002765672f
#define PANATTN_ERF_A6 0.0000430638f
#define PANATTN_INV_SQRT2 0.70710678118654752f
#define PANATTN_ERF_E_CAP 1e30f

static inline float panattn_gelu_scalar(float x) {
    float ax = x < 0 ? -x : x;
    float a = ax * PANATTN_INV_SQRT2;
    float e = a * (PANATTN_ERF_A1 +
                   a * (PANATTN_ERF_A2 +
                        a * (PANATTN_ERF_A3 + a * (PANATTN_ERF_A4 + a * (PANATTN_ERF_A5 + a * PANATTN_ERF_A6)))));
    for (int i = 0; i < 4; i++) {
        e = e * (2.0f + e);
    }
    e = e > PANATTN_ERF_E_CAP ? PANATTN_ERF_E_CAP : e; /* a NaN stays NaN */
    float erf = e / (1.0f + e);
    return 0.5f * ax * erf + 0.5f * x; /* halves first: x + |x|·erf overflows above 1.7e38 */
}

#endif /* PANATTN_GEMM_H */

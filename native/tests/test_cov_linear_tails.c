/*
 * test_cov_linear_tails.c — every micro-kernel edge of panattn_linear on every ISA this CPU runs,
 * against a float64 oracle with test_gemm.c's error bound.
 *
 * The AVX-512 micro-kernel is compiled once per row count 1..12 of a tile (12 x 32), with and
 * without the prefetch of the next panel; the AVX2 one per row count 1..6 (6 x 16). Each copy has
 * its own branches: the first k chunk (bias or zero) or a later one (accumulate into out), the
 * last chunk with or without GELU, column masks for a full panel, a tail under 16 columns and one
 * between 16 and 32. So every row count m = 1..25 meets n = 8 (one short panel), n = 61 (a
 * full panel, then a 29-column tail) and n = 64 (two full panels), with k = 400 (two equal
 * chunks: the prefetch reaches the next chunk from the last panel) and k = 5 (one chunk), each
 * with bias and GELU and without; then 131 rows (two passes of 120). Columns past n must keep
 * their sentinel.
 */
#include <string.h>

#include "panattn.h"
#include "test_common.h"

#define SENTINEL 12345.0f

static double gelu_ref(double x) {
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
}

/* One call of m rows (all of them), k, n on `isa`; out rows are n + 3 wide. */
static void check(int32_t isa, int64_t m, int64_t k, int64_t n, int with_bias, int32_t act, uint64_t seed) {
    const int64_t ldc = n + 3;
    rng r = {seed};
    float *in = malloc(sizeof(float) * (size_t)(m * k)), *w = malloc(sizeof(float) * (size_t)(k * n));
    float *bias = malloc(sizeof(float) * (size_t)n), *out = malloc(sizeof(float) * (size_t)(m * ldc));
    for (int64_t i = 0; i < m * k; i++) in[i] = rng_sym(&r) * 2.0f;
    for (int64_t i = 0; i < k * n; i++) w[i] = rng_sym(&r) / (float)sqrt((double)k);
    for (int64_t j = 0; j < n; j++) bias[j] = rng_sym(&r);
    for (int64_t i = 0; i < m * ldc; i++) out[i] = SENTINEL;
    int64_t bytes = 0;
    int32_t st = panattn_linear_packed_bytes(k, n, &bytes);
    void *packed = st == PANATTN_OK ? aligned_alloc(64, (size_t)((bytes + 63) / 64 * 64)) : NULL;
    if (packed != NULL) {
        st = panattn_linear_pack(w, k, n, n, packed, bytes);
    }
    if (st == PANATTN_OK && packed != NULL) {
        st = panattn_linear(in, k, packed, k, n, with_bias ? bias : NULL, act, out, ldc, 0, m, isa);
    }
    /* The bound of test_gemm.c: fp32 summation k·2^-24·Σ|a·w|, and for GELU its slope times that,
     * the erf approximation's error over |x|/2 and fp32 rounding. */
    double worst = 0;
    int64_t touched = 0;
    for (int64_t i = 0; st == PANATTN_OK && i < m; i++) {
        for (int64_t j = 0; j < ldc; j++) {
            const float got = out[i * ldc + j];
            if (j >= n) {
                touched += got != SENTINEL;
                continue;
            }
            double acc = with_bias ? bias[j] : 0.0, mag = with_bias ? fabs(bias[j]) : 0.0;
            for (int64_t kk = 0; kk < k; kk++) {
                const double p = (double)in[i * k + kk] * w[kk * n + j];
                acc += p, mag += fabs(p);
            }
            double t = (double)(k + 2) * 0x1p-24 * mag;
            if (act == PANATTN_ACT_GELU_ERF) {
                t = 1.13 * t + 2e-7 * fabs(acc) + 4.0 * 0x1p-24 * fabs(gelu_ref(acc));
                acc = gelu_ref(acc);
            }
            const double e = fabs(got - acc) / t;
            worst = e <= worst ? worst : isnan(e) ? INFINITY : e;
        }
    }
    char name[160], detail[200];
    snprintf(name, sizeof name, "isa %d m %lld k %lld n %lld bias %d act %d", (int)isa, (long long)m, (long long)k,
             (long long)n, with_bias, (int)act);
    snprintf(detail, sizeof detail, "status %d (%s), worst error/bound %.3g, %lld cells past n written", (int)st,
             st == PANATTN_OK ? "" : panattn_last_error(), worst, (long long)touched);
    report(st == PANATTN_OK && worst <= 1.0 && touched == 0, name, detail);
    free(in), free(w), free(bias), free(out), free(packed);
}

int main(void) {
    static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};
    static const int64_t ns[] = {8, 61, 64};
    uint64_t seed = 11;
    for (size_t v = 0; v < sizeof isas / sizeof isas[0]; v++) {
        if (!panattn_isa_supported(isas[v])) {
            printf("skip ISA %d: not supported by this CPU or build\n", (int)isas[v]);
            continue;
        }
        for (int64_t m = 1; m <= 25; m++) {
            for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
                check(isas[v], m, 400, ns[j], 1, PANATTN_ACT_GELU_ERF, seed++);
                check(isas[v], m, 400, ns[j], 0, PANATTN_ACT_NONE, seed++);
                check(isas[v], m, 5, ns[j], 0, PANATTN_ACT_NONE, seed++);
                check(isas[v], m, 5, ns[j], 1, PANATTN_ACT_GELU_ERF, seed++);
            }
        }
        /* More rows than one pass keeps in L2 (PANATTN_GEMM_ROW_BLOCK = 120): a second pass. */
        check(isas[v], 131, 9, 40, 1, PANATTN_ACT_NONE, seed++);
    }
    return summary("test_cov_linear_tails");
}

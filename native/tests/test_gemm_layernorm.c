/*
 * test_gemm_layernorm.c — panattn_add_layernorm against a float64 oracle: awkward widths (1, 7,
 * 33, 383, 385), row strides wider than the rows, row ranges that leave the other rows and the
 * stride gaps untouched, with a residual or without; in a build with test hooks, the AVX-512 rows
 * and the portable ones (the ISA capped below AVX-512) to the same bits; then every refusal with
 * its message.
 */
#define _POSIX_C_SOURCE 200112L /* setenv, unsetenv */
#include <string.h>

#include "panattn.h"
#include "test_common.h"

/* Written around and between the rows a call may write: must survive untouched. */
#define SENTINEL 12345.0f

typedef struct shape {
    int64_t m, n;
    int64_t ldx, ldr;        /* row strides of x and residual (>= n) */
    int64_t row_begin, row_end;
    int with_residual;
} shape;

static void check_shape(const shape *s, uint64_t seed) {
    rng r = {seed};
    const float eps = 1e-12f;
    float *x = malloc(sizeof(float) * (size_t)(s->m * s->ldx));
    float *res = malloc(sizeof(float) * (size_t)(s->m * s->ldr));
    float *gamma = malloc(sizeof(float) * (size_t)s->n);
    float *beta = malloc(sizeof(float) * (size_t)s->n);
    double *ref = malloc(sizeof(double) * (size_t)(s->m * s->n));
    if (!x || !res || !gamma || !beta || !ref) {
        report(0, "allocate test buffers", "");
        goto done;
    }
    for (int64_t i = 0; i < s->m * s->ldx; i++) {
        x[i] = i % s->ldx < s->n ? rng_sym(&r) * 3.0f + 0.5f : SENTINEL;
    }
    for (int64_t i = 0; i < s->m * s->ldr; i++) {
        res[i] = rng_sym(&r);
    }
    for (int64_t c = 0; c < s->n; c++) {
        gamma[c] = 1.0f + rng_sym(&r) * 0.5f;
        beta[c] = rng_sym(&r) * 0.25f;
    }
    /* Oracle: everything in double from the fp32 inputs. */
    for (int64_t row = 0; row < s->m; row++) {
        double mean = 0, var = 0;
        for (int64_t c = 0; c < s->n; c++) {
            double v = (double)x[row * s->ldx + c] + (s->with_residual ? (double)res[row * s->ldr + c] : 0.0);
            mean += v;
        }
        mean /= (double)s->n;
        for (int64_t c = 0; c < s->n; c++) {
            double v = (double)x[row * s->ldx + c] + (s->with_residual ? (double)res[row * s->ldr + c] : 0.0);
            var += (v - mean) * (v - mean);
        }
        var /= (double)s->n;
        for (int64_t c = 0; c < s->n; c++) {
            double v = (double)x[row * s->ldx + c] + (s->with_residual ? (double)res[row * s->ldr + c] : 0.0);
            ref[row * s->n + c] = (v - mean) / sqrt(var + (double)eps) * gamma[c] + beta[c];
        }
    }
    float *before = malloc(sizeof(float) * (size_t)(s->m * s->ldx));
    if (before == NULL) {
        report(0, "allocate test buffers", "");
        goto done;
    }
    memcpy(before, x, sizeof(float) * (size_t)(s->m * s->ldx));
    int32_t st = panattn_add_layernorm(x, s->ldx, s->with_residual ? res : NULL, s->ldr, s->n, gamma, beta, eps,
                                       s->row_begin, s->row_end);
    double worst = 0;
    int untouched = 1;
    for (int64_t row = 0; row < s->m; row++) {
        for (int64_t c = 0; c < s->ldx; c++) {
            float got = x[row * s->ldx + c];
            if (row >= s->row_begin && row < s->row_end && c < s->n) {
                /* A few fp32 roundings of values of order 1 (the normalised row is O(1), at most
                 * sqrt(n) for one outlier): 2e-6 relative to them, 50 ulps and more. */
                double err = fabs(got - ref[row * s->n + c]) / (1.0 + fabs(ref[row * s->n + c]));
                worst = err > worst || isnan(err) ? err : worst;
            } else if (memcmp(&got, &before[row * s->ldx + c], sizeof got) != 0) {
                untouched = 0;
            }
        }
    }
    char name[160], detail[200];
    snprintf(name, sizeof name, "add_layernorm m=%lld n=%lld ldx=%lld ldr=%lld rows [%lld, %lld) %s",
             (long long)s->m, (long long)s->n, (long long)s->ldx, (long long)s->ldr, (long long)s->row_begin,
             (long long)s->row_end, s->with_residual ? "residual" : "no residual");
    snprintf(detail, sizeof detail, "status %d, worst error %.3g, other floats %s", (int)st, worst,
             untouched ? "untouched" : "CHANGED");
    report(st == PANATTN_OK && worst <= 2e-6 && untouched, name, st == PANATTN_OK ? detail : panattn_last_error());
    free(before);
done:
    free(x);
    free(res);
    free(gamma);
    free(beta);
    free(ref);
}

static void sizes(void) {
    static const int64_t widths[] = {1, 7, 33, 383, 384, 385};
    uint64_t seed = 1;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        int64_t n = widths[i];
        shape all = {7, n, n, n, 0, 7, 1};
        shape strided = {7, n, n + 5, n + 3, 2, 6, 1};
        shape plain = {33, n, n + 1, n, 0, 33, 0};
        shape one = {1, n, n, n, 0, 1, 1};
        check_shape(&all, seed++);
        check_shape(&strided, seed++);
        check_shape(&plain, seed++);
        check_shape(&one, seed++);
    }
}

/* With n = 1 every row is its own mean: the output is beta exactly, whatever x holds. */
static void width_one(void) {
    float x[3] = {5.0f, -2.0f, 1e30f}, res[3] = {1.0f, 2.0f, 3.0f}, gamma[1] = {7.0f}, beta[1] = {0.25f};
    int32_t st = panattn_add_layernorm(x, 1, res, 1, 1, gamma, beta, 1e-5f, 0, 3);
    report(st == PANATTN_OK && x[0] == 0.25f && x[1] == 0.25f && x[2] == 0.25f, "n = 1 gives beta", "");
}

#if defined(PANATTN_TEST_HOOKS)
/* The same rows with and without AVX-512 (PANATTN_TEST_ISA_MAX=avx2 hides it): the same bits. */
static void paths_agree(void) {
    const char *outer = getenv("PANATTN_TEST_ISA_MAX"); /* a coverage pass may have set one */
    char saved[32] = "";
    if (outer != NULL) {
        snprintf(saved, sizeof saved, "%s", outer);
    }
    static const int64_t widths[] = {1, 7, 33, 383, 385};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        int64_t n = widths[i], m = 5;
        rng r = {100 + i};
        float *a = malloc(sizeof(float) * (size_t)(m * n)), *b = malloc(sizeof(float) * (size_t)(m * n));
        float *res = malloc(sizeof(float) * (size_t)(m * n));
        float *g = malloc(sizeof(float) * (size_t)n), *be = malloc(sizeof(float) * (size_t)n);
        if (!a || !b || !res || !g || !be) {
            report(0, "allocate test buffers", "");
        } else {
            for (int64_t k = 0; k < m * n; k++) {
                a[k] = b[k] = rng_sym(&r) * 3.0f + 0.5f;
                res[k] = rng_sym(&r);
            }
            for (int64_t c = 0; c < n; c++) {
                g[c] = 1.0f + rng_sym(&r) * 0.5f;
                be[c] = rng_sym(&r) * 0.25f;
            }
            unsetenv("PANATTN_TEST_ISA_MAX");
            int32_t st1 = panattn_add_layernorm(a, n, res, n, n, g, be, 1e-12f, 0, m);
            setenv("PANATTN_TEST_ISA_MAX", "avx2", 1);
            int32_t st2 = panattn_add_layernorm(b, n, res, n, n, g, be, 1e-12f, 0, m);
            char name[96];
            snprintf(name, sizeof name, "n=%lld: the best path and the portable one give the same bits", (long long)n);
            report(st1 == PANATTN_OK && st2 == PANATTN_OK && memcmp(a, b, sizeof(float) * (size_t)(m * n)) == 0,
                   name, "");
        }
        free(a);
        free(b);
        free(res);
        free(g);
        free(be);
    }
    if (outer != NULL) {
        setenv("PANATTN_TEST_ISA_MAX", saved, 1);
    } else {
        unsetenv("PANATTN_TEST_ISA_MAX");
    }
}
#endif

/* One refusal: the expected status and a message naming `mention`. */
static void expect(int32_t st, const char *name, const char *mention) {
    char detail[600];
    const char *msg = panattn_last_error();
    snprintf(detail, sizeof detail, "status %d, message \"%s\"", (int)st, msg);
    report(st == PANATTN_ERR_INVALID_ARGUMENT && strstr(msg, mention) != NULL, name, detail);
}

static void refusals(void) {
    float x[16] = {0}, res[16] = {0}, g[8] = {1, 1, 1, 1, 1, 1, 1, 1}, b[8] = {0};
    expect(panattn_add_layernorm(NULL, 4, res, 4, 4, g, b, 1e-5f, 0, 2), "NULL x", "x is NULL");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, NULL, b, 1e-5f, 0, 2), "NULL gamma", "gamma is NULL");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, NULL, 1e-5f, 0, 2), "NULL beta", "beta is NULL");
    expect(panattn_add_layernorm(x, 4, res, 4, 0, g, b, 1e-5f, 0, 2), "n = 0", "n (0)");
    expect(panattn_add_layernorm(x, 4, res, 4, (INT64_C(1) << 24) + 1, g, b, 1e-5f, 0, 2), "n past 2^24", "n (");
    expect(panattn_add_layernorm(x, 3, res, 4, 4, g, b, 1e-5f, 0, 2), "x stride < n", "x_row_stride (3)");
    expect(panattn_add_layernorm(x, 4, res, 3, 4, g, b, 1e-5f, 0, 2), "residual stride < n", "residual_row_stride (3)");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, b, 0.0f, 0, 2), "eps = 0", "eps");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, b, -1e-5f, 0, 2), "negative eps", "eps");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, b, INFINITY, 0, 2), "infinite eps", "eps");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, b, NAN, 0, 2), "NaN eps", "eps");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, b, 1e-5f, -1, 2), "negative row_begin", "row range");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, b, 1e-5f, 3, 2), "row_end < row_begin", "row range");
    expect(panattn_add_layernorm(x, INT64_C(1) << 40, res, 4, 4, g, b, 1e-5f, 0, INT64_C(1) << 30), "offsets past 2^60",
           "2^60");
    expect(panattn_add_layernorm(x, 4, x + 4, 4, 4, g, b, 1e-5f, 0, 2), "x overlaps residual", "overlaps residual");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, x + 2, b, 1e-5f, 0, 2), "x overlaps gamma", "overlaps gamma");
    expect(panattn_add_layernorm(x, 4, res, 4, 4, g, x + 5, 1e-5f, 0, 2), "x overlaps beta", "overlaps beta");
    /* A residual stride is ignored without a residual; an empty range writes nothing. */
    float y[4] = {1, 2, 3, 4};
    int32_t st = panattn_add_layernorm(y, 4, NULL, 0, 4, g, b, 1e-5f, 1, 1);
    report(st == PANATTN_OK && y[0] == 1 && y[3] == 4, "empty row range, no residual", "");
}

int main(void) {
    sizes();
    width_one();
#if defined(PANATTN_TEST_HOOKS)
    paths_agree();
#endif
    refusals();
    return summary("test_gemm_layernorm");
}

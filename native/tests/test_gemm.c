/*
 * test_gemm.c — the packed dense layers (panattn_linear_pack / panattn_linear) against a float64
 * oracle on every ISA path this CPU runs: awkward sizes (1, 7, 33, 383, 385, several k chunks),
 * strides wider than the rows, row ranges that leave the other rows untouched, bias or none,
 * GELU (oracle: libm's erf) or none; then every refusal with its message.
 */
#include <string.h>

#include "panattn.h"
#include "test_common.h"

static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};

/* Sentinel written around and between the rows a call may write: must survive untouched. */
#define SENTINEL 12345.0f

typedef struct shape {
    int64_t m, k, n;
    int64_t lda, ldc;        /* row strides (>= k, >= n) */
    int64_t row_begin, row_end;
    int with_bias;
    int32_t activation;
} shape;

static double gelu_ref(double x) {
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
}

static void *pack_or_die(const float *w, int64_t k, int64_t n) {
    int64_t bytes = 0;
    if (panattn_linear_packed_bytes(k, n, &bytes) != PANATTN_OK) {
        return NULL;
    }
    void *packed = aligned_alloc(64, (size_t)((bytes + 63) / 64 * 64));
    if (packed != NULL && panattn_linear_pack(w, k, n, n, packed, bytes) != PANATTN_OK) {
        free(packed);
        return NULL;
    }
    return packed;
}

/* Runs one shape on every supported ISA; reports one verdict per ISA. */
static void check_shape(const shape *s, uint64_t seed) {
    rng r = {seed};
    float *in = malloc(sizeof(float) * (size_t)(s->m * s->lda));
    float *w = malloc(sizeof(float) * (size_t)(s->k * s->n));
    float *bias = malloc(sizeof(float) * (size_t)s->n);
    float *out = malloc(sizeof(float) * (size_t)(s->m * s->ldc));
    double *ref = malloc(sizeof(double) * (size_t)(s->m * s->n));
    double *tol = malloc(sizeof(double) * (size_t)(s->m * s->n));
    if (!in || !w || !bias || !out || !ref || !tol) {
        report(0, "allocate test buffers", "");
        goto done;
    }
    for (int64_t i = 0; i < s->m * s->lda; i++) {
        in[i] = rng_sym(&r) * 2.0f; /* pre-activations of a few units: GELU's curved part */
    }
    for (int64_t i = 0; i < s->k * s->n; i++) {
        w[i] = rng_sym(&r) / (float)sqrt((double)s->k);
    }
    for (int64_t j = 0; j < s->n; j++) {
        bias[j] = rng_sym(&r);
    }
    /* Oracle, and a bound from the fp32 summation: k·2^-24·Σ|a·w| (+|bias|), plus for GELU its
     * slope (< 1.13) times that and the erf approximation's 3e-7 over |x|/2 with fp32 rounding. */
    for (int64_t i = 0; i < s->m; i++) {
        for (int64_t j = 0; j < s->n; j++) {
            double acc = s->with_bias ? bias[j] : 0.0;
            double mag = s->with_bias ? fabs(bias[j]) : 0.0;
            for (int64_t kk = 0; kk < s->k; kk++) {
                double p = (double)in[i * s->lda + kk] * w[kk * s->n + j];
                acc += p;
                mag += fabs(p);
            }
            double t = (double)(s->k + 2) * 0x1p-24 * mag;
            if (s->activation == PANATTN_ACT_GELU_ERF) {
                t = 1.13 * t + 2e-7 * fabs(acc) + 4.0 * 0x1p-24 * fabs(gelu_ref(acc));
                acc = gelu_ref(acc);
            }
            ref[i * s->n + j] = acc;
            tol[i * s->n + j] = t;
        }
    }
    void *packed = pack_or_die(w, s->k, s->n);
    if (packed == NULL) {
        report(0, "pack W", panattn_last_error());
        goto done;
    }
    for (size_t v = 0; v < sizeof isas / sizeof isas[0]; v++) {
        if (!panattn_isa_supported(isas[v])) {
            continue;
        }
        for (int64_t i = 0; i < s->m * s->ldc; i++) {
            out[i] = SENTINEL;
        }
        int32_t st = panattn_linear(in, s->lda, packed, s->k, s->n, s->with_bias ? bias : NULL, s->activation, out,
                                    s->ldc, s->row_begin, s->row_end, isas[v]);
        double worst = 0; /* error / tolerance */
        int64_t bad_i = -1, bad_j = -1, touched = 0;
        for (int64_t i = 0; st == PANATTN_OK && i < s->m; i++) {
            for (int64_t j = 0; j < s->ldc; j++) {
                float got = out[i * s->ldc + j];
                int inside = i >= s->row_begin && i < s->row_end && j < s->n;
                if (!inside) {
                    touched += got != SENTINEL;
                    continue;
                }
                double e = fabs(got - ref[i * s->n + j]) / tol[i * s->n + j];
                if (!(e <= worst)) { /* NaN counts as the worst */
                    worst = isnan(e) ? INFINITY : e;
                    bad_i = i, bad_j = j;
                }
            }
        }
        char name[160], detail[200];
        snprintf(name, sizeof name, "isa %d m %lld k %lld n %lld lda %lld ldc %lld rows [%lld, %lld) bias %d act %d",
                 (int)isas[v], (long long)s->m, (long long)s->k, (long long)s->n, (long long)s->lda,
                 (long long)s->ldc, (long long)s->row_begin, (long long)s->row_end, s->with_bias,
                 (int)s->activation);
        if (st != PANATTN_OK) {
            snprintf(detail, sizeof detail, "status %d: %s", (int)st, panattn_last_error());
        } else {
            snprintf(detail, sizeof detail, "worst error/bound %.3g at (%lld, %lld); %lld cells outside written",
                     worst, (long long)bad_i, (long long)bad_j, (long long)touched);
        }
        report(st == PANATTN_OK && worst <= 1.0 && touched == 0, name, detail);
    }
    free(packed);
done:
    free(in);
    free(w);
    free(bias);
    free(out);
    free(ref);
    free(tol);
}

static void sizes(void) {
    static const int64_t ms[] = {1, 7, 13, 33};
    static const int64_t ks[] = {1, 7, 33, 383, 385};
    static const int64_t ns[] = {1, 7, 33, 383, 385};
    uint64_t seed = 1;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++) {
        for (size_t b = 0; b < sizeof ks / sizeof ks[0]; b++) {
            for (size_t c = 0; c < sizeof ns / sizeof ns[0]; c++) {
                shape s = {ms[a], ks[b], ns[c], ks[b], ns[c], 0, ms[a], (int)(seed % 2),
                           seed % 3 == 0 ? PANATTN_ACT_GELU_ERF : PANATTN_ACT_NONE};
                check_shape(&s, seed++);
            }
        }
    }
    /* MiniLM's own shapes (k 1536 runs in four chunks), wide strides, and row ranges inside. */
    shape minilm_up = {29, 384, 1536, 384, 1536, 0, 29, 1, PANATTN_ACT_GELU_ERF};
    shape minilm_down = {25, 1536, 384, 1536, 384, 0, 25, 1, PANATTN_ACT_NONE};
    shape strided = {20, 33, 47, 40, 51, 3, 17, 1, PANATTN_ACT_GELU_ERF};
    shape three_chunks = {9, 1100, 65, 1103, 70, 2, 9, 0, PANATTN_ACT_NONE};
    shape empty_range = {5, 7, 7, 7, 7, 3, 3, 1, PANATTN_ACT_NONE};
    check_shape(&minilm_up, 100);
    check_shape(&minilm_down, 101);
    check_shape(&strided, 102);
    check_shape(&three_chunks, 103);
    check_shape(&empty_range, 104);
}

/* One refusal: the expected status and a message naming `mention`. */
static void expect(int32_t st, int32_t want, const char *name, const char *mention) {
    char detail[600];
    const char *msg = panattn_last_error();
    snprintf(detail, sizeof detail, "status %d, message \"%s\"", (int)st, msg);
    report(st == want && strstr(msg, mention) != NULL, name, detail);
}

static void refusals(void) {
    float w[12] = {0}, in[8] = {0}, out[16] = {0}, bias[4] = {0};
    int64_t bytes = 0;
    expect(panattn_linear_packed_bytes(0, 4, &bytes), PANATTN_ERR_INVALID_ARGUMENT, "packed_bytes k 0", "k (0)");
    expect(panattn_linear_packed_bytes(3, (INT64_C(1) << 24) + 1, &bytes), PANATTN_ERR_INVALID_ARGUMENT,
           "packed_bytes n too large", "n (16777217)");
    expect(panattn_linear_packed_bytes(3, 4, NULL), PANATTN_ERR_INVALID_ARGUMENT, "packed_bytes NULL", "bytes is NULL");
    int32_t st = panattn_linear_packed_bytes(3, 4, &bytes);
    report(st == PANATTN_OK && bytes >= 3 * 32 * 4, "packed_bytes 3 x 4", panattn_last_error());
    void *packed = aligned_alloc(64, (size_t)((bytes + 63) / 64 * 64));
    if (packed == NULL) {
        report(0, "allocate packed", "");
        return;
    }
    expect(panattn_linear_pack(NULL, 3, 4, 4, packed, bytes), PANATTN_ERR_INVALID_ARGUMENT, "pack w NULL", "w is NULL");
    expect(panattn_linear_pack(w, 3, 4, 4, NULL, bytes), PANATTN_ERR_INVALID_ARGUMENT, "pack packed NULL",
           "packed is NULL");
    expect(panattn_linear_pack(w, 3, 4, 3, packed, bytes), PANATTN_ERR_INVALID_ARGUMENT, "pack stride < n",
           "w_row_stride (3)");
    expect(panattn_linear_pack(w, 3, 4, 4, packed, bytes - 1), PANATTN_ERR_INVALID_ARGUMENT, "pack buffer too small",
           "needs");
    expect(panattn_linear_pack(w, 3, 4, 4, (char *)packed + 2, bytes), PANATTN_ERR_INVALID_ARGUMENT,
           "pack misaligned", "aligned");
    memset(packed, 0, (size_t)bytes);
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, 0, 2, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear on an unpacked buffer", "not filled by panattn_linear_pack");
    st = panattn_linear_pack(w, 3, 4, 4, packed, bytes);
    report(st == PANATTN_OK, "pack 3 x 4", panattn_last_error());
    expect(panattn_linear(in, 3, packed, 3, 5, bias, PANATTN_ACT_NONE, out, 5, 0, 2, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear with another shape", "3 x 4, but the call says 3 x 5");
    expect(panattn_linear(NULL, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, 0, 2, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear in NULL", "in is NULL");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, NULL, 4, 0, 2, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear out NULL", "out is NULL");
    expect(panattn_linear(in, 2, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, 0, 2, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear in stride < k", "in_row_stride (2)");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 3, 0, 2, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear out stride < n", "out_row_stride (3)");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, 2, 1, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear rows reversed", "[2, 1)");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, -1, 1, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear rows negative", "[-1, 1)");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, 7, out, 4, 0, 2, PANATTN_ISA_AUTO), PANATTN_ERR_INVALID_ARGUMENT,
           "linear unknown activation", "activation (7)");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, 0, 2, 99),
           PANATTN_ERR_INVALID_ARGUMENT, "linear unknown isa", "isa (99)");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, in + 1, 4, 0, 1, PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear out overlaps in", "out overlaps in");
    expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, (float *)packed + 20, 4, 0, 1,
                          PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear out overlaps packed", "out overlaps packed");
    expect(panattn_linear(in, INT64_C(1) << 60, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, 0, 2,
                          PANATTN_ISA_AUTO),
           PANATTN_ERR_INVALID_ARGUMENT, "linear strides overflow", "2^60");
    for (size_t v = 0; v < sizeof isas / sizeof isas[0]; v++) {
        if (!panattn_isa_supported(isas[v])) {
            expect(panattn_linear(in, 3, packed, 3, 4, bias, PANATTN_ACT_NONE, out, 4, 0, 2, isas[v]),
                   PANATTN_ERR_UNSUPPORTED, "linear on an ISA this CPU lacks", "cannot run");
        }
    }
    free(packed);
}

/* GELU at its edges: exact zero, large magnitudes (erf saturates, no inf/inf), NaN passes. */
static void gelu_edges(void) {
    static const float xs[] = {0.0f, -0.0f, 1e-6f, -1e-6f, 3.0f, -3.0f, 12.0f, -12.0f, 1e20f, -1e20f, 3e38f, NAN};
    enum { N = sizeof xs / sizeof xs[0] };
    float w[1] = {1.0f}, out[N];
    int64_t bytes = 0;
    panattn_linear_packed_bytes(1, 1, &bytes);
    void *packed = aligned_alloc(64, (size_t)((bytes + 63) / 64 * 64));
    if (packed == NULL || panattn_linear_pack(w, 1, 1, 1, packed, bytes) != PANATTN_OK) {
        report(0, "pack the identity", panattn_last_error());
        free(packed);
        return;
    }
    for (size_t v = 0; v < sizeof isas / sizeof isas[0]; v++) {
        if (!panattn_isa_supported(isas[v])) {
            continue;
        }
        int32_t st = panattn_linear(xs, 1, packed, 1, 1, NULL, PANATTN_ACT_GELU_ERF, out, 1, 0, N, isas[v]);
        int ok = st == PANATTN_OK;
        char detail[200] = "";
        for (int i = 0; ok && i < N; i++) {
            double want = isnan(xs[i]) ? NAN : xs[i] > 1e19f ? xs[i] : xs[i] < -1e19f ? 0.0 : gelu_ref(xs[i]);
            double err = fabs(out[i] - want);
            int good = isnan(want) ? isnan(out[i]) : err <= 2e-7 * fabs(xs[i]) + 4.0 * 0x1p-24 * fabs(want) + 1e-30;
            if (!good) {
                ok = 0;
                snprintf(detail, sizeof detail, "gelu(%g) = %.9g, want %.9g", xs[i], out[i], want);
            }
        }
        char name[64];
        snprintf(name, sizeof name, "gelu edges isa %d", (int)isas[v]);
        report(ok, name, st == PANATTN_OK ? detail : panattn_last_error());
    }
    free(packed);
}

int main(void) {
    sizes();
    refusals();
    gelu_edges();
    return summary("test_gemm");
}

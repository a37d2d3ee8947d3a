/*
 * panattn_gemm.c — the packed dense-layer entry points of panattn.h: packing W, validating a
 * call and handing it to the micro-kernel file of the chosen ISA (panattn_gemm_<isa>.c).
 */
#include <stddef.h>
#include <string.h>

#include "panattn_gemm.h"
#include "panattn_internal.h"

/* "PAGEMM01" as a little-endian integer: marks a buffer panattn_linear_pack filled. */
#define PACKED_MAGIC UINT64_C(0x31304d4d45474150)

typedef struct packed_header {
    uint64_t magic;
    int64_t k;
    int64_t n;
} packed_header;

_Static_assert(sizeof(packed_header) <= PANATTN_GEMM_HEADER_BYTES, "the header fits its reserved bytes");

typedef struct gemm_path {
    int32_t isa;
    panattn_gemm_fn kernel;
} gemm_path;

/* Best first. Whether a path may run is the attention kernels' CPUID selection's answer
 * (panattn_isa_supported), so both always agree on what this CPU can do. */
static const gemm_path paths[] = {
#if defined(PANATTN_HAVE_X86_SIMD)
    {PANATTN_ISA_AVX512, panattn_gemm_avx512},
    {PANATTN_ISA_AVX2, panattn_gemm_avx2},
#endif
    {PANATTN_ISA_SCALAR, panattn_gemm_portable},
};

static int32_t check_dims(const char *fn, int64_t k, int64_t n) {
    if (k < 1 || k > PANATTN_GEMM_MAX_DIM) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: k (%lld) must be in [1, %lld]", fn, (long long)k,
                            (long long)PANATTN_GEMM_MAX_DIM);
    }
    if (n < 1 || n > PANATTN_GEMM_MAX_DIM) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: n (%lld) must be in [1, %lld]", fn, (long long)n,
                            (long long)PANATTN_GEMM_MAX_DIM);
    }
    return PANATTN_OK;
}

static int64_t packed_bytes(int64_t k, int64_t n) {
    int64_t panels = (n + PANATTN_GEMM_PANEL - 1) / PANATTN_GEMM_PANEL;
    return PANATTN_GEMM_HEADER_BYTES + panels * k * PANATTN_GEMM_PANEL * (int64_t)sizeof(float);
}

PANATTN_API int32_t panattn_linear_packed_bytes(int64_t k, int64_t n, int64_t *bytes) {
    if (bytes == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_linear_packed_bytes: bytes is NULL");
    }
    *bytes = 0;
    int32_t st = check_dims("panattn_linear_packed_bytes", k, n);
    if (st != PANATTN_OK) {
        return st;
    }
    *bytes = packed_bytes(k, n);
    return PANATTN_OK;
}

PANATTN_API int32_t panattn_linear_pack(const float *w, int64_t k, int64_t n, int64_t w_row_stride, void *packed,
                                        int64_t packed_bytes_given) {
    static const char fn[] = "panattn_linear_pack";
    int32_t st = check_dims(fn, k, n);
    if (st != PANATTN_OK) {
        return st;
    }
    if (w == NULL || packed == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: %s is NULL", fn, w == NULL ? "w" : "packed");
    }
    if (w_row_stride < n) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: w_row_stride (%lld) is less than n (%lld)", fn,
                            (long long)w_row_stride, (long long)n);
    }
    if (((uintptr_t)packed & (sizeof(float) - 1)) != 0) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: packed is not 4-byte aligned", fn);
    }
    int64_t need = packed_bytes(k, n);
    if (packed_bytes_given < need) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "%s: packed holds %lld bytes, but W (%lld x %lld) needs %lld", fn,
                            (long long)packed_bytes_given, (long long)k, (long long)n, (long long)need);
    }
    packed_header h = {PACKED_MAGIC, k, n};
    memset(packed, 0, PANATTN_GEMM_HEADER_BYTES);
    memcpy(packed, &h, sizeof h);
    float *panels = (float *)((char *)packed + PANATTN_GEMM_HEADER_BYTES);
    for (int64_t j0 = 0; j0 < n; j0 += PANATTN_GEMM_PANEL) {
        int64_t cols = n - j0 < PANATTN_GEMM_PANEL ? n - j0 : PANATTN_GEMM_PANEL;
        float *panel = panels + (j0 / PANATTN_GEMM_PANEL) * k * PANATTN_GEMM_PANEL;
        for (int64_t kk = 0; kk < k; kk++) {
            float *line = panel + kk * PANATTN_GEMM_PANEL;
            memcpy(line, w + kk * w_row_stride + j0, (size_t)cols * sizeof(float));
            for (int64_t c = cols; c < PANATTN_GEMM_PANEL; c++) {
                line[c] = 0.0f;
            }
        }
    }
    return PANATTN_OK;
}

static const gemm_path *find_path(int32_t isa) {
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if ((isa == PANATTN_ISA_AUTO || isa == paths[i].isa) && panattn_isa_supported(paths[i].isa)) {
            return &paths[i];
        }
    }
    return NULL;
}

/* Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte. */
static int overlaps(const void *a, int64_t a_bytes, const void *b, int64_t b_bytes) {
    uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
    return a0 < b0 + (uintptr_t)b_bytes && b0 < a0 + (uintptr_t)a_bytes;
}

PANATTN_API int32_t panattn_linear(const float *in, int64_t in_row_stride, const void *packed, int64_t k, int64_t n,
                                   const float *bias, int32_t activation, float *out, int64_t out_row_stride,
                                   int64_t row_begin, int64_t row_end, int32_t isa) {
    static const char fn[] = "panattn_linear";
    int32_t st = check_dims(fn, k, n);
    if (st != PANATTN_OK) {
        return st;
    }
    if (in == NULL || packed == NULL || out == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: %s is NULL", fn,
                            in == NULL ? "in" : packed == NULL ? "packed" : "out");
    }
    if (in_row_stride < k) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: in_row_stride (%lld) is less than k (%lld)", fn,
                            (long long)in_row_stride, (long long)k);
    }
    if (out_row_stride < n) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: out_row_stride (%lld) is less than n (%lld)", fn,
                            (long long)out_row_stride, (long long)n);
    }
    if (row_begin < 0 || row_end < row_begin) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: row range [%lld, %lld) is not 0 <= begin <= end", fn,
                            (long long)row_begin, (long long)row_end);
    }
    if (row_end > 0 && (in_row_stride > (INT64_C(1) << 60) / row_end || out_row_stride > (INT64_C(1) << 60) / row_end)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: rows up to %lld with row strides %lld and %lld pass 2^60 floats",
                            fn, (long long)row_end, (long long)in_row_stride, (long long)out_row_stride);
    }
    if (activation != PANATTN_ACT_NONE && activation != PANATTN_ACT_GELU_ERF) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: activation (%d) is not a PANATTN_ACT_* value", fn,
                            (int)activation);
    }
    if (((uintptr_t)packed & (sizeof(float) - 1)) != 0) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: packed is not 4-byte aligned", fn);
    }
    packed_header h;
    memcpy(&h, packed, sizeof h);
    if (h.magic != PACKED_MAGIC) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: packed was not filled by panattn_linear_pack", fn);
    }
    if (h.k != k || h.n != n) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: packed holds W of %lld x %lld, but the call says %lld x %lld",
                            fn, (long long)h.k, (long long)h.n, (long long)k, (long long)n);
    }
    if (isa < PANATTN_ISA_AUTO || isa > PANATTN_ISA_AVX512) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: isa (%d) is not a PANATTN_ISA_* value this build knows",
                            fn, (int)isa);
    }
    const gemm_path *path = find_path(isa);
    if (path == NULL) {
        return panattn_fail(PANATTN_ERR_UNSUPPORTED, "%s: this CPU or build cannot run ISA path %d", fn, (int)isa);
    }
    if (row_end == row_begin) {
        return PANATTN_OK;
    }
    /* The rows this call writes must not be read as input or weights meanwhile. */
    const float *out_first = out + row_begin * out_row_stride;
    int64_t out_bytes = ((row_end - row_begin - 1) * out_row_stride + n) * (int64_t)sizeof(float);
    const float *in_first = in + row_begin * in_row_stride;
    int64_t in_bytes = ((row_end - row_begin - 1) * in_row_stride + k) * (int64_t)sizeof(float);
    if (overlaps(out_first, out_bytes, in_first, in_bytes) || overlaps(out_first, out_bytes, packed, packed_bytes(k, n))) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: out overlaps %s", fn,
                            overlaps(out_first, out_bytes, in_first, in_bytes) ? "in" : "packed");
    }
    panattn_gemm_job job = {in, in_row_stride, (const float *)((const char *)packed + PANATTN_GEMM_HEADER_BYTES),
                            k, n, bias, activation, out, out_row_stride};
    for (int64_t r0 = row_begin; r0 < row_end; r0 += PANATTN_GEMM_ROW_BLOCK) { /* passes, see ROW_BLOCK */
        path->kernel(&job, r0, row_end - r0 < PANATTN_GEMM_ROW_BLOCK ? row_end : r0 + PANATTN_GEMM_ROW_BLOCK);
    }
    return PANATTN_OK;
}

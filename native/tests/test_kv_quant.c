/*
 * test_kv_quant.c — quantised and mixed K/V (panattn_params.kv_dtype, ABI 7): fp32 queries with
 * K and V stored as int8 (one fp32 scale per batch, kv head and key, symmetric: max |x| / 127), as
 * fp16 or as bf16, on every ISA this machine runs, against the float64 oracle of
 * attention_case.h computed from the DEQUANTISED values, so the check measures the kernel's error
 * alone (fp32 tolerance); the quantisation error against the unquantised inputs is printed
 * beside it. Decode shapes (1, 4, 7 query rows, split-KV), a prefill tile, awkward head dims, GQA,
 * both causal alignments, key lengths, masks, padded strides and scales laid out [b, s, h]; then
 * the exact messages of the validation.
 */
#include <math.h>
#include <string.h>

#include "attention_case.h"
#include "kv_store_row.h"
#include "panattn_half.h"

/* Replaces c's fp32 K and V by kv_dtype storage with the same strides. c->k / c->v keep the
 * dequantised values (what the oracle reads); *orig receives the unquantised K, V copy. */
typedef struct quant {
    void *k, *v;
    float *k_scale, *v_scale;
    float *k_orig, *v_orig;
} quant;

static void quantise_one(attn_case *c, int which, int32_t kvd, int scale_bsh, quant *qz) {
    const attn_shape *s = &c->s;
    float *x = which == 0 ? c->k : c->v;
    const int64_t elems = which == 0 ? c->k_elems : c->v_elems;
    const int64_t ld = which == 0 ? c->p.k_row_stride : c->p.v_row_stride;
    float *orig = malloc((size_t)elems * sizeof(float));
    memcpy(orig, x, (size_t)elems * sizeof(float));
    void *store = malloc((size_t)elems * (kvd == PANATTN_DTYPE_I8 ? 1 : 2));
    memset(store, 0, (size_t)elems * (kvd == PANATTN_DTYPE_I8 ? 1 : 2));
    float *scale = NULL;
    if (kvd == PANATTN_DTYPE_I8) {
        scale = malloc((size_t)(s->batch * s->kv_heads * s->seq_k) * sizeof(float));
    }
    for (int64_t b = 0; b < s->batch; b++)
        for (int64_t h = 0; h < s->kv_heads; h++)
            for (int64_t j = 0; j < s->seq_k; j++) {
                float *row = x + ac_row(s->kv_heads, s->seq_k, ld, b, h, j);
                const int64_t at = ac_row(s->kv_heads, s->seq_k, ld, b, h, j);
                const float sc = kv_store_row(row, s->head_dim, kvd, store, at);
                if (kvd == PANATTN_DTYPE_I8) {
                    scale[scale_bsh ? (b * s->seq_k + j) * s->kv_heads + h : (b * s->kv_heads + h) * s->seq_k + j] = sc;
                }
            }
    panattn_params *p = &c->p;
    p->kv_dtype = kvd;
    if (which == 0) {
        qz->k = store, qz->k_scale = scale, qz->k_orig = orig;
        p->k = store, p->k_scale = scale;
    } else {
        qz->v = store, qz->v_scale = scale, qz->v_orig = orig;
        p->v = store, p->v_scale = scale;
    }
    if (kvd == PANATTN_DTYPE_I8) {
        const int64_t bs = s->kv_heads * s->seq_k;
        const int64_t hs = scale_bsh ? 1 : s->seq_k, rs = scale_bsh ? s->kv_heads : 1;
        if (which == 0) {
            p->k_scale_batch_stride = bs, p->k_scale_head_stride = hs, p->k_scale_row_stride = rs;
        } else {
            p->v_scale_batch_stride = bs, p->v_scale_head_stride = hs, p->v_scale_row_stride = rs;
        }
    }
}

static void quant_free(quant *qz) {
    free(qz->k), free(qz->v), free(qz->k_scale), free(qz->v_scale), free(qz->k_orig), free(qz->v_orig);
}

/* Relative RMS of out against the float64 result of the unquantised K and V (the quantisation
 * error the caller buys), computed by swapping the originals back into the oracle. */
static double quantisation_error(attn_case *c, quant *qz) {
    attn_case o = *c;
    o.k = qz->k_orig, o.v = qz->v_orig, o.ref_out = NULL, o.ref_lse = NULL;
    ac_reference(&o);
    const attn_shape *s = &c->s;
    double e2 = 0, r2 = 0;
    for (int64_t b = 0; b < s->batch; b++)
        for (int64_t h = 0; h < s->heads; h++)
            for (int64_t i = 0; i < s->seq_q; i++)
                for (int64_t x = 0; x < s->head_dim; x++) {
                    const double got = ((float *)c->out)[ac_row(s->heads, s->seq_q, c->p.out_row_stride, b, h, i) + x];
                    const double want = o.ref_out[((b * s->heads + h) * s->seq_q + i) * s->head_dim + x];
                    if (isfinite(got) && isfinite(want)) {
                        e2 += (got - want) * (got - want), r2 += want * want;
                    }
                }
    free(o.ref_out), free(o.ref_lse);
    return r2 > 0 ? sqrt(e2 / r2) : sqrt(e2);
}

static const char *kv_name(int32_t kvd) {
    return kvd == PANATTN_DTYPE_I8 ? "i8" : kvd == PANATTN_DTYPE_F16 ? "f16" : "bf16";
}

static void run_case(const attn_shape *s, int32_t kvd, int scale_bsh, int split, uint64_t seed) {
    attn_case c;
    quant qz = {0};
    ac_build(&c, s, seed);
    float *fk = c.k, *fv = c.v; /* fp32 buffers: now the dequantised values the oracle reads */
    quantise_one(&c, 0, kvd, scale_bsh, &qz);
    quantise_one(&c, 1, kvd, scale_bsh, &qz);
    int32_t st = split ? ac_forward_split(&c, split) : ac_forward(&c);
    char name[300], detail[300];
    snprintf(name, sizeof name, "[%s] q f32, kv %s%s b%lld h%lld/%lld sq%lld sk%lld d%lld causal %d%s%s%s", ac_isa_name(s->isa),
             kv_name(kvd), scale_bsh ? " (scales [b,s,h])" : "", (long long)s->batch, (long long)s->heads,
             (long long)s->kv_heads, (long long)s->seq_q, (long long)s->seq_k, (long long)s->head_dim, (int)s->causal,
             s->key_lengths ? " keylen" : "", s->mask != MASK_NONE ? " mask" : "", split ? " split" : "");
    if (st != PANATTN_OK) {
        snprintf(detail, sizeof detail, "status %d: %s", (int)st, panattn_last_error());
        report(0, name, detail);
    } else {
        int ok = ac_check(&c, detail, sizeof detail);
        const double qerr = quantisation_error(&c, &qz);
        char full[400];
        snprintf(full, sizeof full, "%s; vs unquantised K/V %.2e", detail, qerr);
        report(ok, name, full);
    }
    c.k = fk, c.v = fv;
    ac_destroy(&c);
    quant_free(&qz);
}

static void sweep(int32_t isa) {
    static const int32_t lens[] = {300, 1, 0};
    const attn_shape shapes[] = {
        /* batch heads kv  sq   sk   d  causal                       dtype              isa pads mask */
        {1, 4, 4, 1, 777, 128, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
        {1, 8, 2, 1, 300, 40, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 0, 3, 1, 0, MASK_NONE, 1, NULL, 2.0},
        {3, 2, 1, 4, 300, 59, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 1, 0, 2, 0, MASK_RANDOM, 1, lens, 1.0},
        {1, 2, 2, 7, 1, 80, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
        {1, 2, 1, 129, 300, 64, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS, 1,
         NULL, 1.0},
    };
    static const int32_t kvds[] = {PANATTN_DTYPE_I8, PANATTN_DTYPE_F16, PANATTN_DTYPE_BF16};
    uint64_t seed = 300;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        for (size_t k = 0; k < sizeof kvds / sizeof kvds[0]; k++) {
            run_case(&shapes[i], kvds[k], 0, 0, seed);
            if (kvds[k] == PANATTN_DTYPE_I8) {
                run_case(&shapes[i], kvds[k], 1, 0, seed);
                if (shapes[i].seq_k >= 3) {
                    run_case(&shapes[i], kvds[k], 0, 3, seed);
                }
            }
            seed++;
        }
    }
}

/* int8, fp16 and bf16 rows read in place, widened in registers (the row path, whole vectors per
 * row): decode at every head dim that is a multiple of 8 up to 128, so each register count of O
 * (head_dim / VL) on AVX2 and AVX-512 runs, with key lengths that end inside a key block and a
 * mask that excludes keys (p = 0: the V row is skipped), one and three query rows, GQA. */
static void in_register_widths(int32_t isa) {
    static const int32_t lens[] = {300, 131, 5};
    uint64_t seed = 900;
    for (int64_t d = 8; d <= 128; d += 8) {
        const attn_shape shapes[] = {
            {1, 4, 2, 1, 300, d, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
            {3, 2, 1, 3, 300, d, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, lens,
             1.0},
        };
        static const int32_t kvds[] = {PANATTN_DTYPE_I8, PANATTN_DTYPE_F16, PANATTN_DTYPE_BF16};
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            for (size_t k = 0; k < sizeof kvds / sizeof kvds[0]; k++) {
                run_case(&shapes[i], kvds[k], kvds[k] == PANATTN_DTYPE_I8 && d / 8 % 2, 0, seed++);
            }
        }
    }
}

static void expect(const char *what, const panattn_params *p, int32_t want, const char *message) {
    struct panattn_plan plan;
    int32_t st = panattn_plan(p, 1, &plan);
    char detail[400];
    snprintf(detail, sizeof detail, "status %d, \"%s\"", (int)st, panattn_last_error());
    report(st == want && strcmp(panattn_last_error(), message) == 0, what, detail);
}

static void validation(void) {
    const attn_shape s = {1, 2, 1, 1, 9, 16, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, PANATTN_ISA_AUTO, 0, 0, 0, 0,
                          MASK_NONE, 0, NULL, 1.0};
    attn_case c;
    quant qz = {0};
    ac_build(&c, &s, 5);
    float *fk = c.k, *fv = c.v;
    quantise_one(&c, 0, PANATTN_DTYPE_I8, 0, &qz);
    quantise_one(&c, 1, PANATTN_DTYPE_I8, 0, &qz);
    panattn_params p = c.p;
    struct panattn_plan plan;
    report(panattn_plan(&p, 1, &plan) == PANATTN_OK, "int8 K/V with scales plans", panattn_last_error());
    p.kv_dtype = 4;
    expect("kv_dtype out of range", &p, PANATTN_ERR_INVALID_ARGUMENT,
           "kv_dtype (4) must be 0 (same as dtype), F16 (1), BF16 (2) or I8 (3)");
    p = c.p, p.dtype = PANATTN_DTYPE_BF16;
    expect("kv_dtype needs fp32 queries", &p, PANATTN_ERR_UNSUPPORTED,
           "kv_dtype (3) needs dtype F32 (0), got 2: quantised or mixed K/V take fp32 queries");
    p = c.p, p.k_scale = NULL;
    expect("k_scale required for I8", &p, PANATTN_ERR_INVALID_ARGUMENT, "k_scale must not be NULL when kv_dtype is I8 (3)");
    p = c.p, p.v_scale = NULL;
    expect("v_scale required for I8", &p, PANATTN_ERR_INVALID_ARGUMENT, "v_scale must not be NULL when kv_dtype is I8 (3)");
    p = c.p, p.kv_dtype = PANATTN_DTYPE_F16;
    expect("scales only for I8", &p, PANATTN_ERR_INVALID_ARGUMENT,
           "k_scale and v_scale must be NULL unless kv_dtype is I8 (3), got kv_dtype 1");
    p = c.p, p.v_scale_row_stride = -1;
    expect("scale strides >= 0", &p, PANATTN_ERR_INVALID_ARGUMENT, "v_scale_row_stride (-1) must be >= 0");
    p = c.p, p.k_scale_row_stride = INT64_MAX / 4;
    expect("scale extent overflow", &p, PANATTN_ERR_INVALID_ARGUMENT,
           "k_scale: largest element offset overflows int64 (batch = 1, k_scale_batch_stride = 9, kv_heads = 1, "
           "k_scale_head_stride = 9)");
    c.k = fk, c.v = fv;
    ac_destroy(&c);
    quant_free(&qz);
}

int main(void) {
    static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512, PANATTN_ISA_AVX512_BF16,
                                   PANATTN_ISA_AMX_BF16};
    for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
        if (!panattn_isa_supported(isas[k])) {
            printf("skip ISA %s: not supported by this CPU or build\n", ac_isa_name(isas[k]));
            continue;
        }
        sweep(isas[k]);
        in_register_widths(isas[k]);
    }
    validation();
    return summary("test_kv_quant");
}

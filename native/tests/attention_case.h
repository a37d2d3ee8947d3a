/*
 * attention_case.h — one attention call for the coverage tests: buffers in any dtype with a
 * padded row stride per tensor, optional mask / lse / key lengths, the call itself (planned, then
 * plain or split-KV; the plan's tile count must match the tiling panattn.h documents) and a
 * float64 oracle that shares no code with the library. Contiguous (batch, heads, seq, head_dim) order; row strides are
 * head_dim + pad, so K and V can be strided independently.
 */
#ifndef ATTENTION_CASE_H
#define ATTENTION_CASE_H

#include <string.h>

#include "panattn.h"
#include "test_common.h"

enum { MASK_NONE, MASK_RANDOM, MASK_SOME_DEAD_ROWS };

typedef struct attn_shape {
    int64_t batch, heads, kv_heads, seq_q, seq_k, head_dim;
    int32_t causal, dtype, isa;
    int64_t q_pad, k_pad, v_pad, out_pad; /* row stride = head_dim + pad */
    int mask;                             /* MASK_*; per (batch, head) */
    int lse;                              /* ask for lse */
    const int32_t *key_lengths;           /* NULL or batch entries */
    double gain;                          /* softmax_scale = gain / sqrt(head_dim) */
} attn_shape;

typedef struct attn_case {
    attn_shape s;
    panattn_params p;
    void *q, *k, *v, *out;
    float *lse, *mask;
    int64_t q_elems, k_elems, v_elems, out_elems, mask_elems, lse_elems;
    double *ref_out, *ref_lse;
} attn_case;

static inline size_t ac_esize(int32_t dtype) {
    return dtype == PANATTN_DTYPE_F32 ? 4 : 2;
}

static inline double ac_get(const void *buf, int64_t i, int32_t dtype) {
    if (dtype == PANATTN_DTYPE_F32) {
        return ((const float *)buf)[i];
    }
    uint16_t h = ((const uint16_t *)buf)[i];
    return dtype == PANATTN_DTYPE_F16 ? ref_f16_decode(h) : ref_bf16_decode(h);
}

/* A random value exact in dtype, magnitude about 2^-6 .. 2, built from its bit fields. */
static inline void ac_put_random(void *buf, int64_t i, int32_t dtype, rng *r) {
    uint64_t x = rng_next(r);
    if (dtype == PANATTN_DTYPE_F32) {
        ((float *)buf)[i] = rng_sym(r);
    } else if (dtype == PANATTN_DTYPE_F16) {
        ((uint16_t *)buf)[i] = (uint16_t)((x & 0x8000) | ((9 + (x >> 16) % 7) << 10) | ((x >> 32) & 0x3ff));
    } else {
        ((uint16_t *)buf)[i] = (uint16_t)((x & 0x8000) | ((121 + (x >> 16) % 7) << 7) | ((x >> 32) & 0x7f));
    }
}

static inline int64_t ac_tile_count(const panattn_params *p) {
    return p->batch * p->heads * ((p->seq_q + PANATTN_TILE_Q - 1) / PANATTN_TILE_Q);
}

/* Element offset of row (b, h, i) of a (batch, n_heads, seq, head_dim + pad) tensor. */
static inline int64_t ac_row(int64_t n_heads, int64_t seq, int64_t ld, int64_t b, int64_t h, int64_t i) {
    return ((b * n_heads + h) * seq + i) * ld;
}

static inline void ac_build(attn_case *c, const attn_shape *s, uint64_t seed) {
    memset(c, 0, sizeof *c);
    c->s = *s;
    rng r = {seed * 0x9E3779B97F4A7C15ull + 7};
    const int64_t d = s->head_dim;
    const size_t es = ac_esize(s->dtype);
    c->q_elems = s->batch * s->heads * s->seq_q * (d + s->q_pad);
    c->k_elems = s->batch * s->kv_heads * s->seq_k * (d + s->k_pad);
    c->v_elems = s->batch * s->kv_heads * s->seq_k * (d + s->v_pad);
    c->out_elems = s->batch * s->heads * s->seq_q * (d + s->out_pad);
    c->q = malloc((size_t)c->q_elems * es);
    c->k = malloc((size_t)c->k_elems * es);
    c->v = malloc((size_t)c->v_elems * es);
    c->out = malloc((size_t)c->out_elems * es);
    for (int64_t i = 0; i < c->q_elems; i++) ac_put_random(c->q, i, s->dtype, &r);
    for (int64_t i = 0; i < c->k_elems; i++) ac_put_random(c->k, i, s->dtype, &r);
    for (int64_t i = 0; i < c->v_elems; i++) ac_put_random(c->v, i, s->dtype, &r);
    memset(c->out, 0xA5, (size_t)c->out_elems * es);
    if (s->lse) {
        c->lse_elems = s->batch * s->heads * s->seq_q;
        c->lse = malloc((size_t)c->lse_elems * sizeof(float));
        memset(c->lse, 0xA5, (size_t)c->lse_elems * sizeof(float));
    }
    if (s->mask != MASK_NONE) {
        c->mask_elems = s->batch * s->heads * s->seq_q * s->seq_k;
        c->mask = malloc((size_t)c->mask_elems * sizeof(float));
        for (int64_t i = 0; i < c->mask_elems; i++) {
            uint64_t x = rng_next(&r);
            c->mask[i] = (x & 7) == 0 ? -INFINITY : 1.5f * rng_sym(&r); /* 1 key in 8 excluded */
            if (s->mask == MASK_SOME_DEAD_ROWS && (i / s->seq_k) % 3 == 1) {
                c->mask[i] = -INFINITY; /* every third query row sees no key */
            }
        }
    }
    panattn_params *p = &c->p;
    p->q = c->q, p->k = c->k, p->v = c->v, p->out = c->out, p->lse = c->lse, p->mask = c->mask;
    p->key_lengths = s->key_lengths;
    p->batch = s->batch, p->heads = s->heads, p->kv_heads = s->kv_heads;
    p->seq_q = s->seq_q, p->seq_k = s->seq_k, p->head_dim = d;
    p->q_row_stride = d + s->q_pad, p->q_head_stride = s->seq_q * p->q_row_stride;
    p->q_batch_stride = s->heads * p->q_head_stride;
    p->k_row_stride = d + s->k_pad, p->k_head_stride = s->seq_k * p->k_row_stride;
    p->k_batch_stride = s->kv_heads * p->k_head_stride;
    p->v_row_stride = d + s->v_pad, p->v_head_stride = s->seq_k * p->v_row_stride;
    p->v_batch_stride = s->kv_heads * p->v_head_stride;
    p->out_row_stride = d + s->out_pad, p->out_head_stride = s->seq_q * p->out_row_stride;
    p->out_batch_stride = s->heads * p->out_head_stride;
    p->lse_head_stride = s->seq_q, p->lse_batch_stride = s->heads * s->seq_q;
    p->mask_row_stride = s->seq_k, p->mask_head_stride = s->seq_q * s->seq_k;
    p->mask_batch_stride = s->heads * p->mask_head_stride;
    p->softmax_scale = (float)(s->gain / sqrt((double)d));
    p->causal = s->causal, p->dtype = s->dtype, p->isa = s->isa;
}

static inline void ac_destroy(attn_case *c) {
    free(c->q), free(c->k), free(c->v), free(c->out), free(c->lse), free(c->mask);
    free(c->ref_out), free(c->ref_lse);
}

/* Plans the call on one thread; the plan's tile count must be the tiling panattn.h documents. */
static inline int32_t ac_plan(attn_case *c, struct panattn_plan *plan) {
    int32_t st = panattn_plan(&c->p, 1, plan);
    if (st == PANATTN_OK && plan->tiles != ac_tile_count(&c->p)) {
        fprintf(stderr, "plan has %lld tiles, the documented tiling %lld\n", (long long)plan->tiles,
                (long long)ac_tile_count(&c->p));
        return PANATTN_ERR_INTERNAL;
    }
    return st;
}

/* The forward pass over every tile of a fresh plan. */
static inline int32_t ac_forward(attn_case *c) {
    struct panattn_plan plan;
    int32_t st = ac_plan(c, &plan);
    return st != PANATTN_OK ? st : panattn_forward(&c->p, &plan, 0, plan.tiles);
}

/* Split-KV over every tile with `splits` forced into the plan: partial tiles, then the merge. */
static inline int32_t ac_forward_split(attn_case *c, int64_t splits) {
    const panattn_params *p = &c->p;
    struct panattn_plan plan;
    int32_t st = ac_plan(c, &plan);
    if (st != PANATTN_OK) {
        return st;
    }
    plan.splits = splits;
    size_t floats = (size_t)(p->batch * p->heads * p->seq_q * splits * (p->head_dim + 1));
    float *ws = malloc(floats * sizeof(float));
    for (size_t i = 0; i < floats; i++) {
        ws[i] = NAN; /* every record must be written before the merge reads it */
    }
    st = panattn_forward_partial(p, &plan, ws, 0, plan.tiles * splits);
    st = st != PANATTN_OK ? st : panattn_merge_partial(p, &plan, ws, 0, plan.tiles);
    free(ws);
    return st;
}

/* The float64 oracle: softmax(softcap(scale * q.k) + alibi + mask) v over the keys a row may see
 * (key lengths, causal, sliding window: p's window fields, read here on their own terms). A NaN
 * anywhere in a row's included logits makes that row's output and lse NaN. */
static inline void ac_reference(attn_case *c) {
    const panattn_params *p = &c->p;
    const attn_shape *s = &c->s;
    const int64_t B = s->batch, H = s->heads, SQ = s->seq_q, SK = s->seq_k, D = s->head_dim;
    c->ref_out = malloc((size_t)(B * H * SQ * D) * sizeof(double));
    c->ref_lse = malloc((size_t)(B * H * SQ) * sizeof(double));
    double *logit = malloc((size_t)SK * sizeof(double));
    char *in = malloc((size_t)SK);
    for (int64_t b = 0; b < B; b++) {
        const int64_t kv_len = s->key_lengths ? s->key_lengths[b] : SK;
        const int64_t offset = s->causal == PANATTN_CAUSAL_BOTTOM_RIGHT ? kv_len - SQ : 0;
        const int64_t left = p->window ? p->window_left : -1;
        const int64_t right = s->causal != PANATTN_CAUSAL_NONE ? 0 : p->window ? p->window_right : -1;
        for (int64_t h = 0; h < H; h++) {
            const int64_t kvh = h / (H / s->kv_heads);
            for (int64_t i = 0; i < SQ; i++) {
                const int64_t qo = ac_row(H, SQ, p->q_row_stride, b, h, i);
                double max = -INFINITY;
                int nan = 0;
                for (int64_t j = 0; j < SK; j++) {
                    const double m = c->mask ? c->mask[((b * H + h) * SQ + i) * SK + j] : 0.0;
                    in[j] = j < kv_len && !(right >= 0 && j > i + offset + right) &&
                            !(left >= 0 && j < i + offset - left) && m != -INFINITY;
                    if (!in[j]) {
                        continue;
                    }
                    const int64_t ko = ac_row(s->kv_heads, SK, p->k_row_stride, b, kvh, j);
                    double dot = 0;
                    for (int64_t x = 0; x < D; x++) {
                        dot += ac_get(c->q, qo + x, s->dtype) * ac_get(c->k, ko + x, s->dtype);
                    }
                    double x = (double)p->softmax_scale * dot;
                    if (p->softcap > 0) {
                        x = p->softcap * tanh(x / p->softcap);
                    }
                    if (p->alibi_slopes != NULL) {
                        x -= (double)p->alibi_slopes[h] * fabs((double)(i + offset - j));
                    }
                    logit[j] = x + m;
                    nan |= isnan(logit[j]);
                    max = logit[j] > max ? logit[j] : max;
                }
                double *o = c->ref_out + ((b * H + h) * SQ + i) * D;
                double *lse = c->ref_lse + (b * H + h) * SQ + i;
                if (nan) {
                    for (int64_t x = 0; x < D; x++) o[x] = NAN;
                    *lse = NAN;
                    continue;
                }
                for (int64_t x = 0; x < D; x++) o[x] = 0;
                if (max == -INFINITY) {
                    *lse = -INFINITY;
                    continue;
                }
                double sum = 0;
                for (int64_t j = 0; j < SK; j++) sum += in[j] ? exp(logit[j] - max) : 0;
                for (int64_t j = 0; j < SK; j++) {
                    if (!in[j]) continue;
                    const double w = exp(logit[j] - max) / sum;
                    const int64_t vo = ac_row(s->kv_heads, SK, p->v_row_stride, b, kvh, j);
                    for (int64_t x = 0; x < D; x++) o[x] += w * ac_get(c->v, vo + x, s->dtype);
                }
                *lse = max + log(sum);
            }
        }
    }
    free(logit), free(in);
}

static inline double ac_tolerance(int32_t dtype) {
    return dtype == PANATTN_DTYPE_F32 ? 1e-5 : dtype == PANATTN_DTYPE_F16 ? 2e-3 : 1e-2;
}

/* Compares out and lse with the oracle: relative RMS error of the finite rows within the dtype's
 * tolerance, lse within 1e-5 relative to 1 + |lse|, rows without keys exactly 0 and -inf, NaN
 * exactly where the oracle has NaN. Writes a one-line verdict into detail; returns 1 when good. */
static inline int ac_check(attn_case *c, char *detail, size_t detail_size) {
    ac_reference(c);
    const attn_shape *s = &c->s;
    const panattn_params *p = &c->p;
    const int64_t B = s->batch, H = s->heads, SQ = s->seq_q, D = s->head_dim;
    double err2 = 0, ref2 = 0, lse_err = 0;
    int64_t bad = 0;
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t i = 0; i < SQ; i++) {
                const double rl = c->ref_lse[(b * H + h) * SQ + i];
                for (int64_t x = 0; x < D; x++) {
                    const double got = ac_get(c->out, ac_row(H, SQ, p->out_row_stride, b, h, i) + x, s->dtype);
                    const double want = c->ref_out[((b * H + h) * SQ + i) * D + x];
                    if (isnan(want) || isnan(got)) {
                        bad += isnan(want) != isnan(got);
                        continue;
                    }
                    bad += rl == -INFINITY && got != 0.0;
                    err2 += (got - want) * (got - want);
                    ref2 += want * want;
                }
                if (c->lse != NULL) {
                    const double got = c->lse[(b * H + h) * SQ + i];
                    if (isnan(rl) || isnan(got) || rl == -INFINITY) {
                        bad += !(isnan(rl) && isnan(got)) && got != rl;
                    } else {
                        const double e = fabs(got - rl) / (1 + fabs(rl));
                        lse_err = e > lse_err ? e : lse_err;
                    }
                }
            }
    const double rel = ref2 > 0 ? sqrt(err2 / ref2) : sqrt(err2);
    const double tol = ac_tolerance(s->dtype);
    snprintf(detail, detail_size, "rel err %.2e (tol %.0e), lse err %.1e, %lld wrong specials/empty rows", rel, tol,
             lse_err, (long long)bad);
    return rel <= tol && lse_err <= 1e-5 && bad == 0;
}

/* Reports case `name`: the call's status when it failed, else the check against the float64
 * oracle; then frees the case. */
static inline void ac_report_and_destroy(attn_case *c, int32_t status, const char *name) {
    char detail[300];
    if (status != PANATTN_OK) {
        snprintf(detail, sizeof detail, "status %d: %s", (int)status, panattn_last_error());
        report(0, name, detail);
    } else {
        report(ac_check(c, detail, sizeof detail), name, detail);
    }
    ac_destroy(c);
}

/* Serving options a case may add (the bf16 tests' table): a sliding window (left, right), a
 * softcap, ALiBi slopes for up to 8 heads. */
typedef struct ac_extras {
    int window;
    int64_t left, right;
    float softcap;
    int alibi;
} ac_extras;

static const float ac_slopes[8] = {0.25f, 0.125f, 0.0625f, 0.03125f, 0.05f, 0.01f, 0.3f, 0.002f};

/* Sets e's options on c (nothing for NULL). */
static inline void ac_apply_extras(attn_case *c, const ac_extras *e) {
    if (e != NULL) {
        c->p.window = e->window;
        c->p.window_left = e->left;
        c->p.window_right = e->right;
        c->p.softcap = e->softcap;
        c->p.alibi_slopes = e->alibi ? ac_slopes : NULL;
    }
}

static inline const char *ac_isa_name(int32_t isa) {
    return isa == PANATTN_ISA_AMX_BF16      ? "AMX_BF16"
           : isa == PANATTN_ISA_AVX512_BF16 ? "AVX512_BF16"
           : isa == PANATTN_ISA_AVX512    ? "AVX512"
           : isa == PANATTN_ISA_AVX2      ? "AVX2"
           : isa == PANATTN_ISA_AUTO      ? "AUTO"
                                          : "SCALAR";
}

static inline const char *ac_dtype_name(int32_t dtype) {
    return dtype == PANATTN_DTYPE_F32 ? "f32" : dtype == PANATTN_DTYPE_F16 ? "f16" : "bf16";
}

#endif /* ATTENTION_CASE_H */

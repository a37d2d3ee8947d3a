/*
 * test_cov_varlen.c — packed variable-length batches (cu_seqlens_q / cu_seqlens_k) on every path
 * this CPU runs, the AVX512_BF16 kernel forced for every dtype included, against the float64
 * oracle: each sequence is its own attention case of attention_case.h, copied into the packed
 * (heads, tokens, head_dim) tensors, and the packed call's rows and LSE are read back into it.
 * Sequences of 0, 1, 3, 7 and 40 queries (row and strip tiles), with keys beyond the queries,
 * one sequence without keys, every causal alignment, window, softcap + ALiBi, fp32 / fp16 / bf16,
 * head dims with and without a tail.
 */
#include "test_cov_variants.h"

enum { B = 6, H = 4, KVH = 2 };

typedef struct varlen_opts {
    int32_t causal, dtype;
    int64_t d;
    int window, extras;
} varlen_opts;

static void run_varlen(int32_t isa, const varlen_opts *o, uint64_t seed) {
    static const int32_t qlen[B] = {7, 0, 1, 40, 3, 2};
    static const int32_t klen[B] = {7, 5, 1, 51, 4, 0};
    const int64_t d = o->d;
    const size_t es = ac_esize(o->dtype);
    int32_t cuq[B + 1] = {0}, cuk[B + 1] = {0};
    for (int b = 0; b < B; b++) {
        cuq[b + 1] = cuq[b] + qlen[b];
        cuk[b + 1] = cuk[b] + klen[b];
    }
    const int64_t T = cuq[B], S = cuk[B];
    unsigned char *q = calloc((size_t)(H * T * d), es), *k = calloc((size_t)(KVH * S * d), es);
    unsigned char *v = calloc((size_t)(KVH * S * d), es), *out = calloc((size_t)(H * T * d), es);
    float *lse = calloc((size_t)(H * T), sizeof(float));
    attn_case cases[B];
    for (int b = 0; b < B; b++) {
        /* one sequence: (1, H, qlen, d) queries over (1, KVH, klen, d) keys */
        const attn_shape s = {1, H, KVH, qlen[b], klen[b], d, o->causal, o->dtype, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL,
                              1.0};
        ac_build(&cases[b], &s, seed * 16 + (uint64_t)b);
        for (int64_t h = 0; h < H; h++) {
            for (int64_t i = 0; i < qlen[b]; i++) {
                memcpy(q + (size_t)((h * T + cuq[b] + i) * d) * es, (unsigned char *)cases[b].q + (size_t)((h * qlen[b] + i) * d) * es,
                       (size_t)d * es);
            }
        }
        for (int64_t h = 0; h < KVH; h++) {
            for (int64_t j = 0; j < klen[b]; j++) {
                const size_t to = (size_t)((h * S + cuk[b] + j) * d) * es, from = (size_t)((h * klen[b] + j) * d) * es;
                memcpy(k + to, (unsigned char *)cases[b].k + from, (size_t)d * es);
                memcpy(v + to, (unsigned char *)cases[b].v + from, (size_t)d * es);
            }
        }
    }
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = q, p.k = k, p.v = v, p.out = out, p.lse = lse;
    p.batch = B, p.heads = H, p.kv_heads = KVH, p.seq_q = T, p.seq_k = S, p.head_dim = d;
    p.q_head_stride = p.out_head_stride = T * d, p.q_row_stride = p.out_row_stride = d;
    p.k_head_stride = p.v_head_stride = S * d, p.k_row_stride = p.v_row_stride = d;
    p.lse_head_stride = T;
    p.softmax_scale = cases[0].p.softmax_scale, p.causal = o->causal, p.dtype = o->dtype, p.isa = isa;
    p.cu_seqlens_q = cuq, p.cu_seqlens_k = cuk;
    if (o->window) {
        p.window = 1, p.window_left = 5, p.window_right = 2;
    }
    if (o->extras) {
        p.softcap = 3.5f, p.alibi_slopes = cv_slopes;
    }
    struct panattn_plan plan;
    int32_t st = panattn_plan(&p, 1, &plan);
    if (st == PANATTN_OK) {
        st = panattn_forward(&p, &plan, 0, plan.tiles);
    }
    for (int b = 0; b < B; b++) {
        attn_case *c = &cases[b];
        c->p.window = p.window, c->p.window_left = p.window_left, c->p.window_right = p.window_right;
        c->p.softcap = p.softcap, c->p.alibi_slopes = p.alibi_slopes;
        for (int64_t h = 0; h < H; h++) {
            for (int64_t i = 0; i < qlen[b]; i++) {
                memcpy((unsigned char *)c->out + (size_t)((h * qlen[b] + i) * d) * es,
                       out + (size_t)((h * T + cuq[b] + i) * d) * es, (size_t)d * es);
                c->lse[h * qlen[b] + i] = lse[h * T + cuq[b] + i];
            }
        }
        char name[240];
        snprintf(name, sizeof name, "[%s] packed %s d%lld causal %d%s%s: sequence %d (%d queries, %d keys)",
                 ac_isa_name(isa), ac_dtype_name(o->dtype), (long long)d, (int)o->causal, o->window ? " window" : "",
                 o->extras ? " softcap alibi" : "", b, (int)qlen[b], (int)klen[b]);
        ac_report_and_destroy(c, st, name);
    }
    free(q), free(k), free(v), free(out), free(lse);
}

int main(void) {
    const int32_t F32 = PANATTN_DTYPE_F32, F16 = PANATTN_DTYPE_F16, BF16 = PANATTN_DTYPE_BF16;
    const int32_t NONE = PANATTN_CAUSAL_NONE, TL = PANATTN_CAUSAL_TOP_LEFT, BR = PANATTN_CAUSAL_BOTTOM_RIGHT;
    uint64_t seed = 1;
    for (size_t i = 0; i < sizeof cv_isas / sizeof cv_isas[0]; i++) {
        const int32_t isa = cv_isas[i];
        if (!panattn_isa_supported(isa)) {
            printf("skip ISA %s: not supported by this CPU or build\n", ac_isa_name(isa));
            continue;
        }
        const int64_t vl = cv_lanes(isa);
        const varlen_opts opts[] = {
            {NONE, F32, 2 * vl, 0, 0}, {BR, F32, 3 * vl - 3, 1, 1}, {TL, BF16, 2 * vl, 0, 1},
            {BR, BF16, vl + 5, 1, 0},  {NONE, F16, 4 * vl, 1, 0},   {BR, F16, 2 * vl - 1, 0, 1},
        };
        for (size_t j = 0; j < sizeof opts / sizeof opts[0]; j++) {
            run_varlen(isa, &opts[j], seed++);
        }
    }
    return summary("test_cov_varlen");
}

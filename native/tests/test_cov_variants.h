/*
 * test_cov_variants.h — one attention case of attention_case.h run in a variant of its layout or
 * options, for the coverage case tables: K and V in a shuffled pool of pages (block table), K and
 * V stored as int8 / fp16 / bf16 under fp32 queries, softcap, ALiBi, a sliding window, split-KV.
 * The float64 oracle of attention_case.h always reads the contiguous fp32 (or dtype) K and V the
 * variant was built from (for int8: the dequantised values), so each result is checked against
 * what the call was asked to compute, with the dtype's tolerance of attention_case.h.
 */
#ifndef TEST_COV_VARIANTS_H
#define TEST_COV_VARIANTS_H

#include <string.h>

#include "attention_case.h"
#include "kv_store_row.h"
#include "panattn_half.h"

typedef struct variant {
    int64_t block_size; /* > 0: K and V in a pool of pages of this many rows, block table shuffled */
    int32_t kv_dtype;   /* 0, or PANATTN_DTYPE_F16 / _BF16 / _I8 for K and V (fp32 queries) */
    float softcap;      /* > 0: softcap */
    int alibi;          /* 1: an ALiBi slope per head */
    int window;         /* 1: window_left / window_right below */
    int64_t window_left, window_right;
    int64_t splits; /* > 1: split-KV with that many splits */
} variant;

static const float cv_slopes[8] = {0.5f, 0.25f, 0.125f, 0.0625f, 0.3f, 0.02f, 0.7f, 0.01f};

/* Replaces one of c's fp32 K / V tensors by kv_dtype storage with the same strides; c's own fp32
 * buffer keeps the values the kernel must see (dequantised / rounded), which the oracle reads.
 * Scales are laid out (batch, kv_heads, seq_k), symmetric max |x| / 127 per row. */
static inline void cv_quantise(attn_case *c, int which, int32_t kvd, void **store_out, float **scale_out) {
    const attn_shape *s = &c->s;
    float *x = which == 0 ? c->k : c->v;
    const int64_t elems = which == 0 ? c->k_elems : c->v_elems;
    const int64_t ld = which == 0 ? c->p.k_row_stride : c->p.v_row_stride;
    const size_t es = kvd == PANATTN_DTYPE_I8 ? 1 : 2;
    void *store = calloc((size_t)elems, es);
    float *scale = kvd == PANATTN_DTYPE_I8 ? malloc((size_t)(s->batch * s->kv_heads * s->seq_k) * sizeof(float)) : NULL;
    for (int64_t b = 0; b < s->batch; b++)
        for (int64_t h = 0; h < s->kv_heads; h++)
            for (int64_t j = 0; j < s->seq_k; j++) {
                const int64_t at = ac_row(s->kv_heads, s->seq_k, ld, b, h, j);
                float *row = x + at;
                const float sc = kv_store_row(row, s->head_dim, kvd, store, at);
                if (scale != NULL) {
                    scale[(b * s->kv_heads + h) * s->seq_k + j] = sc;
                }
            }
    panattn_params *p = &c->p;
    p->kv_dtype = kvd;
    if (which == 0) {
        p->k = store, p->k_scale = scale;
    } else {
        p->v = store, p->v_scale = scale;
    }
    if (scale != NULL) {
        const int64_t bs = s->kv_heads * s->seq_k;
        if (which == 0) {
            p->k_scale_batch_stride = bs, p->k_scale_head_stride = s->seq_k, p->k_scale_row_stride = 1;
        } else {
            p->v_scale_batch_stride = bs, p->v_scale_head_stride = s->seq_k, p->v_scale_row_stride = 1;
        }
    }
    *store_out = store, *scale_out = scale;
}

/* A pool of pages holding c's K and V (pool layout (blocks, kv_heads, block_size, row stride) with
 * c's row strides), the pages of all sequences in one shuffled order, two spare pages; rows no
 * sequence owns hold NaN, so a read of a wrong row shows in the result. Fills *pp: c's params
 * reading that pool. */
typedef struct cv_pool {
    unsigned char *k, *v;
    int32_t *table;
} cv_pool;

static inline void cv_page(const attn_case *c, int64_t bs, uint64_t seed, cv_pool *pool, panattn_params *pp) {
    const attn_shape *s = &c->s;
    const panattn_params *p = &c->p;
    const size_t es = ac_esize(s->dtype);
    const int64_t mb = (s->seq_k + bs - 1) / bs, kld = p->k_row_stride, vld = p->v_row_stride;
    int64_t used = 0;
    for (int64_t b = 0; b < s->batch; b++) {
        used += (s->key_lengths[b] + bs - 1) / bs;
    }
    const int64_t nblocks = used + 2;
    int32_t *perm = malloc((size_t)nblocks * sizeof(int32_t));
    rng r = {seed * 0x2545F4914F6CDD1Dull + 3};
    for (int64_t i = 0; i < nblocks; i++) perm[i] = (int32_t)i;
    for (int64_t i = nblocks - 1; i > 0; i--) { /* Fisher-Yates */
        const int64_t j = (int64_t)(rng_next(&r) % (uint64_t)(i + 1));
        const int32_t t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    pool->k = malloc((size_t)(nblocks * s->kv_heads * bs * kld) * es);
    pool->v = malloc((size_t)(nblocks * s->kv_heads * bs * vld) * es);
    memset(pool->k, 0xff, (size_t)(nblocks * s->kv_heads * bs * kld) * es); /* NaN in every dtype */
    memset(pool->v, 0xff, (size_t)(nblocks * s->kv_heads * bs * vld) * es);
    pool->table = malloc((size_t)(s->batch * mb) * sizeof(int32_t));
    int64_t next = 0;
    for (int64_t b = 0; b < s->batch; b++) {
        for (int64_t i = 0; i < mb; i++) {
            const int reached = i * bs < s->key_lengths[b];
            pool->table[b * mb + i] = reached ? perm[next++] : -1; /* unreached entries are never read */
        }
        for (int64_t h = 0; h < s->kv_heads; h++) {
            for (int64_t j = 0; j < s->key_lengths[b]; j++) {
                const int64_t blk = pool->table[b * mb + j / bs];
                memcpy(pool->k + (size_t)(((blk * s->kv_heads + h) * bs + j % bs) * kld) * es,
                       (const unsigned char *)c->k + (size_t)ac_row(s->kv_heads, s->seq_k, kld, b, h, j) * es,
                       (size_t)s->head_dim * es);
                memcpy(pool->v + (size_t)(((blk * s->kv_heads + h) * bs + j % bs) * vld) * es,
                       (const unsigned char *)c->v + (size_t)ac_row(s->kv_heads, s->seq_k, vld, b, h, j) * es,
                       (size_t)s->head_dim * es);
            }
        }
    }
    free(perm);
    *pp = *p;
    pp->k = pool->k, pp->v = pool->v;
    pp->k_batch_stride = s->kv_heads * bs * kld, pp->k_head_stride = bs * kld;
    pp->v_batch_stride = s->kv_heads * bs * vld, pp->v_head_stride = bs * vld;
    pp->block_table = pool->table, pp->block_table_stride = mb, pp->max_blocks_per_seq = mb;
    pp->block_size = bs, pp->num_blocks = nblocks;
}

/* Builds shape s (seed), applies variant v, runs the call and reports it against the oracle.
 * Paged variants need key lengths: without them in s, every sequence gets seq_k keys. */
static inline void cv_run(const char *what, attn_shape s, const variant *v, uint64_t seed) {
    int32_t full[64];
    if (v->block_size > 0 && s.key_lengths == NULL) {
        for (int64_t b = 0; b < s.batch && b < 64; b++) full[b] = (int32_t)s.seq_k;
        s.key_lengths = full;
    }
    if (s.gain == 0) {
        s.gain = 1.0;
    }
    char name[300];
    snprintf(name, sizeof name,
             "[%s] %s %s b%lld h%lld/%lld d%lld sq%lld sk%lld causal %d%s%s%s%s%s%s kv %d pages %lld splits %lld",
             ac_isa_name(s.isa), what, ac_dtype_name(s.dtype), (long long)s.batch, (long long)s.heads,
             (long long)s.kv_heads, (long long)s.head_dim, (long long)s.seq_q, (long long)s.seq_k, (int)s.causal,
             s.mask == MASK_RANDOM ? " mask" : s.mask == MASK_SOME_DEAD_ROWS ? " mask+dead rows" : "",
             s.lse ? " lse" : "", s.key_lengths ? " keylen" : "", v->softcap > 0 ? " softcap" : "",
             v->alibi ? " alibi" : "", v->window ? " window" : "", (int)v->kv_dtype, (long long)v->block_size,
             (long long)v->splits);
    attn_case c;
    ac_build(&c, &s, seed);
    void *kstore = NULL, *vstore = NULL;
    float *kscale = NULL, *vscale = NULL;
    if (v->kv_dtype != 0) {
        cv_quantise(&c, 0, v->kv_dtype, &kstore, &kscale);
        cv_quantise(&c, 1, v->kv_dtype, &vstore, &vscale);
    }
    c.p.softcap = v->softcap;
    c.p.alibi_slopes = v->alibi ? cv_slopes : NULL;
    if (v->window) {
        c.p.window = 1, c.p.window_left = v->window_left, c.p.window_right = v->window_right;
    }
    cv_pool pool = {NULL, NULL, NULL};
    const panattn_params planned = c.p; /* what the oracle reads: the contiguous layout */
    if (v->block_size > 0) {
        cv_page(&c, v->block_size, seed, &pool, &c.p);
    }
    const int32_t st = v->splits > 1 ? ac_forward_split(&c, v->splits) : ac_forward(&c);
    c.p = planned;
    ac_report_and_destroy(&c, st, name);
    free(kstore), free(vstore), free(kscale), free(vscale);
    free(pool.k), free(pool.v), free(pool.table);
}

/* Every path the tables run where the CPU (or the coverage build's ISA cap) allows: the SIMD
 * kernels they are written for, and the portable kernel on the same shapes, so a table always
 * has verdicts even where only SCALAR runs. */
static const int32_t cv_isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512, PANATTN_ISA_AVX512_BF16,
                                  PANATTN_ISA_AMX_BF16};

/* Runs table(isa) on every ISA of cv_isas this CPU and build run, saying which it skips. */
static inline void cv_each_isa(void (*table)(int32_t isa)) {
    for (size_t i = 0; i < sizeof cv_isas / sizeof cv_isas[0]; i++) {
        if (!panattn_isa_supported(cv_isas[i])) {
            printf("skip ISA %s: not supported by this CPU or build\n", ac_isa_name(cv_isas[i]));
            continue;
        }
        table(cv_isas[i]);
    }
}

/* Floats per vector of the path, which sets the widths the tables aim at (8 for SCALAR: any
 * width will do there). */
static inline int64_t cv_lanes(int32_t isa) {
    return isa == PANATTN_ISA_AVX2 || isa == PANATTN_ISA_SCALAR ? 8 : 16;
}

#endif /* TEST_COV_VARIANTS_H */

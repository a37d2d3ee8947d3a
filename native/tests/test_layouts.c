/*
 * test_layouts.c — packed variable-length batches and paged K/V on every ISA this machine runs:
 *   - a packed batch gives bitwise the rows of each sequence run alone (lengths 0, 1, 7, 129,
 *     300; GQA; every causal mode; window, softcap and ALiBi; fp16), writes nothing past its
 *     last sequence, and puts the LSE at (head, token);
 *   - paged keys give bitwise the same result for any block-table permutation and pool layout,
 *     and bitwise the contiguous result (output and LSE) at every page size (1, 7, 16, 256),
 *     decode and prefill; split-KV through pages alike;
 *   - the exact messages of the new validation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panattn.h"
#include "test_common.h"

static const int32_t ISAS[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};
static const char *const ISA_NAMES[] = {"SCALAR", "AVX2", "AVX512"};

/* Plans p on one thread and runs its tiles in ranges of `grain` (a kernel may walk the tiles of a
 * range together: paged decode walks a sequence's heads page by page). */
static int32_t run_ranges(const panattn_params *p, int64_t grain) {
    struct panattn_plan plan;
    int32_t st = panattn_plan(p, 1, &plan);
    for (int64_t t = 0; st == PANATTN_OK && t < plan.tiles; t += grain) {
        st = panattn_forward(p, &plan, t, t + grain < plan.tiles ? t + grain : plan.tiles);
    }
    return st;
}

/* Plans p on one thread and runs every tile; splits > 1 forces split-KV with that many splits,
 * whose partial tiles go in ranges of `grain` (0: all at once). */
static int32_t run_split(const panattn_params *p, int64_t splits, int64_t grain) {
    struct panattn_plan plan;
    int32_t st = panattn_plan(p, 1, &plan);
    if (st != PANATTN_OK) {
        return st;
    }
    if (splits <= 1) {
        return panattn_forward(p, &plan, 0, plan.tiles);
    }
    plan.splits = splits;
    size_t bytes = (size_t)(p->batch * p->heads * p->seq_q * splits * (p->head_dim + 1)) * sizeof(float);
    float *ws = malloc(bytes);
    if (ws == NULL) {
        return PANATTN_ERR_OUT_OF_MEMORY;
    }
    const int64_t all = plan.tiles * splits, step = grain > 0 ? grain : all;
    for (int64_t t = 0; st == PANATTN_OK && t < all; t += step) {
        st = panattn_forward_partial(p, &plan, ws, t, t + step < all ? t + step : all);
    }
    if (st == PANATTN_OK) {
        st = panattn_merge_partial(p, &plan, ws, 0, plan.tiles);
    }
    free(ws);
    return st;
}

static int32_t run(const panattn_params *p, int64_t splits) {
    return run_split(p, splits, 0);
}

static void fill(float *x, size_t n, rng *r) {
    for (size_t i = 0; i < n; i++) {
        x[i] = rng_sym(r);
    }
}

static float half_slopes[8] = {0.5f, 0.25f, 0.125f, 0.0625f, 0.3f, 0.02f, 0.7f, 0.01f};

/* ---- packed variable-length batches ---------------------------------------------------------- */

typedef struct varlen_case {
    int32_t causal;
    int64_t d;
    int window, alibi;
    float softcap;
    int32_t dtype;
} varlen_case;

/* Packed q (T, H, d) and k/v (S, KVH, d); each sequence run alone as a batch of 1 over views of the
 * same memory must give bitwise the packed call's rows and LSE. */
static void varlen_bitwise(int32_t isa, const char *isa_name, const varlen_case *vc, uint64_t seed) {
    enum { B = 6, H = 4, KVH = 2 };
    static const int32_t qlen[B] = {7, 0, 1, 300, 129, 3};
    static const int32_t extra[B] = {0, 5, 0, 11, 1, 0}; /* keys beyond the queries (BOTTOM_RIGHT offset) */
    const int64_t d = vc->d, es = vc->dtype == PANATTN_DTYPE_F32 ? 4 : 2;
    int32_t cuq[B + 1] = {0}, cuk[B + 1] = {0};
    for (int b = 0; b < B; b++) {
        cuq[b + 1] = cuq[b] + qlen[b];
        cuk[b + 1] = cuk[b] + qlen[b] + extra[b];
    }
    const int64_t T = cuq[B] + 5, S = cuk[B] + 3; /* tensors longer than the batch: rows past it are untouched */
    rng r = {seed};
    float *qf = malloc(sizeof(float) * T * H * d), *kf = malloc(sizeof(float) * S * KVH * d),
          *vf = malloc(sizeof(float) * S * KVH * d);
    fill(qf, T * H * d, &r), fill(kf, S * KVH * d, &r), fill(vf, S * KVH * d, &r);
    void *q = qf, *k = kf, *v = vf;
    if (vc->dtype != PANATTN_DTYPE_F32) { /* f16: bits from the fp32 values, rounded by truncation */
        uint16_t *arr[3];
        float *src[3] = {qf, kf, vf};
        size_t n[3] = {T * H * d, S * KVH * d, S * KVH * d};
        for (int t = 0; t < 3; t++) {
            arr[t] = malloc(n[t] * 2);
            for (size_t i = 0; i < n[t]; i++) {
                uint32_t bits;
                memcpy(&bits, &src[t][i], 4);
                arr[t][i] = (uint16_t)(bits >> 16); /* bf16 */
            }
        }
        q = arr[0], k = arr[1], v = arr[2];
    }
    unsigned char *out = malloc(T * H * d * es), *alone = malloc(T * H * d * es);
    float *lse = malloc(sizeof(float) * H * T), *lse1 = malloc(sizeof(float) * H * T);
    memset(out, 0x5a, T * H * d * es);
    memset(alone, 0x5a, T * H * d * es);
    for (int64_t i = 0; i < H * T; i++) {
        lse[i] = lse1[i] = 12345.0f;
    }

    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = q, p.k = k, p.v = v, p.out = out, p.lse = lse;
    p.batch = B, p.heads = H, p.kv_heads = KVH, p.seq_q = T, p.seq_k = S, p.head_dim = d;
    p.q_head_stride = d, p.q_row_stride = H * d;
    p.k_head_stride = p.v_head_stride = d, p.k_row_stride = p.v_row_stride = KVH * d;
    p.out_head_stride = d, p.out_row_stride = H * d;
    p.lse_head_stride = T;
    p.softmax_scale = 0.3f, p.causal = vc->causal, p.dtype = vc->dtype, p.isa = isa;
    if (vc->window) {
        p.window = 1, p.window_left = 9, p.window_right = 2;
    }
    p.softcap = vc->softcap;
    p.alibi_slopes = vc->alibi ? half_slopes : NULL;
    p.cu_seqlens_q = cuq, p.cu_seqlens_k = cuk;
    int32_t st = run(&p, 1);

    int32_t st1 = PANATTN_OK;
    for (int b = 0; b < B && st1 == PANATTN_OK; b++) {
        if (qlen[b] == 0) {
            continue; /* nothing to compute; the packed call must not have written for it either */
        }
        panattn_params s = p;
        const int64_t lk = qlen[b] + extra[b];
        int32_t zero = 0;
        s.cu_seqlens_q = s.cu_seqlens_k = NULL;
        s.batch = 1, s.seq_q = qlen[b], s.seq_k = lk > 0 ? lk : 1;
        s.key_lengths = lk > 0 ? NULL : &zero;
        s.q = (const char *)q + (size_t)cuq[b] * H * d * es;
        s.out = alone + (size_t)cuq[b] * H * d * es;
        s.k = (const char *)k + (size_t)cuk[b] * KVH * d * es;
        s.v = (const char *)v + (size_t)cuk[b] * KVH * d * es;
        s.lse = lse1 + cuq[b];
        s.lse_head_stride = T;
        st1 = run(&s, 1);
    }
    const int same = memcmp(out, alone, T * H * d * es) == 0 && memcmp(lse, lse1, sizeof(float) * H * T) == 0;
    int untouched = 1; /* rows past the last sequence keep their sentinel */
    for (int64_t i = (int64_t)cuq[B] * H * d * es; i < T * H * d * es; i++) {
        untouched &= out[i] == 0x5a;
    }
    for (int64_t h = 0; h < H; h++) {
        for (int64_t i = cuq[B]; i < T; i++) {
            untouched &= lse[h * T + i] == 12345.0f;
        }
    }
    char name[200];
    snprintf(name, sizeof name, "[%s] varlen bitwise = each sequence alone, d%lld causal %d%s%s%s%s", isa_name,
             (long long)d, (int)vc->causal, vc->window ? " window" : "", vc->alibi ? " alibi" : "",
             vc->softcap > 0 ? " softcap" : "", vc->dtype != PANATTN_DTYPE_F32 ? " bf16" : "");
    char detail[200];
    snprintf(detail, sizeof detail, "status %d / %d (%s), same %d, untouched %d", (int)st, (int)st1,
             panattn_last_error(), same, untouched);
    report(st == PANATTN_OK && st1 == PANATTN_OK && same && untouched, name, detail);
    if (q != qf) {
        free(q), free(k), free(v);
    }
    free(qf), free(kf), free(vf), free(out), free(alone), free(lse), free(lse1);
}

/* ---- paged keys --------------------------------------------------------------------------- */

typedef struct paged_case {
    int64_t seq_q, d, block_size;
    int32_t causal;
    int interleaved; /* pool as (blocks, block_size, kv_heads, d), vLLM's; else (blocks, kv_heads, block_size, d) */
    int extras;      /* softcap and ALiBi slopes */
    int mask;        /* an additive mask (batch, head, row, key) with some -inf entries */
} paged_case;

typedef struct pool {
    float *k, *v;
    int64_t num_blocks, bstride, hstride, rstride;
} pool;

/* Copies the contiguous keys (B, KVH, SK, d) into a pool whose blocks follow `order`. */
static void fill_pool(pool *pl, const float *kc, const float *vc, const int32_t *table, int64_t mb,
                      const int32_t *lens, int64_t B, int64_t KVH, int64_t SK, int64_t d, int64_t bs) {
    memset(pl->k, 0xff, sizeof(float) * pl->num_blocks * bs * KVH * d); /* NaN: unused rows must never be read */
    memset(pl->v, 0xff, sizeof(float) * pl->num_blocks * bs * KVH * d);
    for (int64_t b = 0; b < B; b++) {
        for (int64_t j = 0; j < lens[b]; j++) {
            const int64_t blk = table[b * mb + j / bs], row = j % bs;
            for (int64_t h = 0; h < KVH; h++) {
                const int64_t src = ((b * KVH + h) * SK + j) * d;
                const int64_t dst = blk * pl->bstride + h * pl->hstride + row * pl->rstride;
                memcpy(pl->k + dst, kc + src, sizeof(float) * d);
                memcpy(pl->v + dst, vc + src, sizeof(float) * d);
            }
        }
    }
}

static double rel_rms(const float *a, const float *b, size_t n) {
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        den += (double)b[i] * b[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

static void paged_case_run(int32_t isa, const char *isa_name, const paged_case *pc, uint64_t seed) {
    enum { B = 3, H = 4, KVH = 2 };
    /* 600 keys: two splits are 256-key aligned ([0, 256), [256, 600)), so split sequences walk
     * page-major too; three are 200 keys, not aligned: head after head */
    int32_t lens[B] = {600, 0, 17};
    const int64_t SK = 600, SQ = pc->seq_q, d = pc->d, bs = pc->block_size;
    const int64_t mb = (SK + bs - 1) / bs + 1; /* one spare column per row: never reached */
    rng r = {seed};
    float *q = malloc(sizeof(float) * B * H * SQ * d), *kc = malloc(sizeof(float) * B * KVH * SK * d),
          *vc = malloc(sizeof(float) * B * KVH * SK * d);
    fill(q, B * H * SQ * d, &r), fill(kc, B * KVH * SK * d, &r), fill(vc, B * KVH * SK * d, &r);
    int64_t used = 0;
    for (int b = 0; b < B; b++) {
        used += (lens[b] + bs - 1) / bs;
    }
    pool pl;
    pl.num_blocks = used + 3;
    pl.k = malloc(sizeof(float) * pl.num_blocks * bs * KVH * d);
    pl.v = malloc(sizeof(float) * pl.num_blocks * bs * KVH * d);
    pl.bstride = bs * KVH * d;
    pl.hstride = pc->interleaved ? d : bs * d;
    pl.rstride = pc->interleaved ? KVH * d : d;
    int32_t *perm = malloc(sizeof(int32_t) * pl.num_blocks), *ident = malloc(sizeof(int32_t) * B * mb),
            *shuf = malloc(sizeof(int32_t) * B * mb);
    for (int64_t i = 0; i < pl.num_blocks; i++) {
        perm[i] = (int32_t)i;
    }
    for (int64_t i = pl.num_blocks - 1; i > 0; i--) { /* Fisher-Yates */
        int64_t j = (int64_t)(rng_next(&r) % (uint64_t)(i + 1));
        int32_t t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    int64_t next = 0;
    for (int64_t b = 0; b < B; b++) {
        for (int64_t i = 0; i < mb; i++) {
            const int reached = i * bs < lens[b];
            ident[b * mb + i] = reached ? (int32_t)next : -1; /* unreached entries are garbage: never read */
            shuf[b * mb + i] = reached ? perm[next] : 1 << 30;
            next += reached;
        }
    }
    float *out_c = malloc(sizeof(float) * B * H * SQ * d), *out_i = malloc(sizeof(float) * B * H * SQ * d),
          *out_s = malloc(sizeof(float) * B * H * SQ * d);
    float *lse_c = malloc(sizeof(float) * B * H * SQ), *lse_i = malloc(sizeof(float) * B * H * SQ),
          *lse_s = malloc(sizeof(float) * B * H * SQ);

    panattn_params c;
    memset(&c, 0, sizeof c);
    c.q = q, c.k = kc, c.v = vc, c.out = out_c, c.lse = lse_c, c.key_lengths = lens;
    c.batch = B, c.heads = H, c.kv_heads = KVH, c.seq_q = SQ, c.seq_k = SK, c.head_dim = d;
    c.q_batch_stride = H * SQ * d, c.q_head_stride = SQ * d, c.q_row_stride = d;
    c.k_batch_stride = c.v_batch_stride = KVH * SK * d, c.k_head_stride = c.v_head_stride = SK * d;
    c.k_row_stride = c.v_row_stride = d;
    c.out_batch_stride = H * SQ * d, c.out_head_stride = SQ * d, c.out_row_stride = d;
    c.lse_batch_stride = H * SQ, c.lse_head_stride = SQ;
    c.softmax_scale = 0.2f, c.causal = pc->causal, c.isa = isa;
    static const float slopes[H] = {0.5f, 0.25f, 0.125f, 0.0625f};
    if (pc->extras) {
        c.softcap = 2.5f, c.alibi_slopes = slopes;
    }
    float *mask = NULL;
    if (pc->mask) {
        mask = malloc(sizeof(float) * B * H * SQ * SK);
        for (int64_t i = 0; i < B * H * SQ * SK; i++) {
            mask[i] = rng_next(&r) % 5 == 0 ? -INFINITY : rng_sym(&r);
        }
        c.mask = mask;
        c.mask_batch_stride = H * SQ * SK, c.mask_head_stride = SQ * SK, c.mask_row_stride = SK;
    }

    panattn_params pg = c;
    pg.k = pl.k, pg.v = pl.v;
    pg.k_batch_stride = pg.v_batch_stride = pl.bstride;
    pg.k_head_stride = pg.v_head_stride = pl.hstride;
    pg.k_row_stride = pg.v_row_stride = pl.rstride;
    pg.block_table_stride = mb, pg.max_blocks_per_seq = mb, pg.block_size = bs, pg.num_blocks = pl.num_blocks;

    const size_t n_out = (size_t)(B * H * SQ * d);
    float *unsplit = malloc(sizeof(float) * n_out);
    for (int split = 1; split <= 3; split++) {
        int32_t st = run(&c, split);
        if (split == 1) {
            memcpy(unsplit, out_c, sizeof(float) * n_out);
        }
        fill_pool(&pl, kc, vc, ident, mb, lens, B, KVH, SK, d, bs);
        pg.block_table = ident, pg.out = out_i, pg.lse = lse_i;
        int32_t st_i = run(&pg, split);
        fill_pool(&pl, kc, vc, shuf, mb, lens, B, KVH, SK, d, bs);
        pg.block_table = shuf, pg.out = out_s, pg.lse = lse_s;
        int32_t st_s = run(&pg, split);
        const size_t n = (size_t)(B * H * SQ * d);
        const int perm_same = memcmp(out_i, out_s, n * 4) == 0 && memcmp(lse_i, lse_s, (size_t)(B * H * SQ) * 4) == 0;
        const int cont_same = memcmp(out_i, out_c, n * 4) == 0 && memcmp(lse_i, lse_c, (size_t)(B * H * SQ) * 4) == 0;
        const double err = rel_rms(out_s, out_c, n), split_err = rel_rms(out_c, unsplit, n);
        char name[200], detail[240];
        snprintf(name, sizeof name, "[%s] paged %s bs%lld sq%lld d%lld causal %d mask %d split %d", isa_name,
                 pc->interleaved ? "(blocks, bs, kvh, d)" : "(blocks, kvh, bs, d)", (long long)bs, (long long)SQ,
                 (long long)d, (int)pc->causal, pc->mask, split);
        snprintf(detail, sizeof detail,
                 "status %d/%d/%d (%s), permutation bitwise %d, contiguous bitwise %d, rel err %.2e, split vs unsplit %.2e",
                 (int)st, (int)st_i, (int)st_s, panattn_last_error(), perm_same, cont_same, err, split_err);
        /* split or not, the same attention: the merge only regroups fp32 sums */
        report(st == PANATTN_OK && st_i == PANATTN_OK && st_s == PANATTN_OK && perm_same && split_err < 1e-5 &&
                   /* Kernels keep their key blocks across pages, so the fp32 sums group as in the
                    * contiguous call, split or not: bitwise for every page size. */
                   cont_same,
               name, detail);
    }
    /* However the tiles are handed out (one at a time, in threes, all at once: a range of a
     * sequence's heads walks page-major), the rows are the same bits. */
    pg.block_table = shuf, pg.out = out_s, pg.lse = lse_s;
    const int32_t st_one = run(&pg, 1);
    for (int64_t grain = 1; grain <= 3; grain += 2) {
        pg.out = out_i, pg.lse = lse_i;
        const int32_t st = st_one != PANATTN_OK ? st_one : run_ranges(&pg, grain);
        const size_t n = (size_t)(B * H * SQ * d);
        const int same = memcmp(out_i, out_s, n * 4) == 0 && memcmp(lse_i, lse_s, (size_t)(B * H * SQ) * 4) == 0;
        char name[200], detail[200];
        snprintf(name, sizeof name, "[%s] paged bs%lld sq%lld d%lld causal %d extras %d: ranges of %lld tiles", isa_name,
                 (long long)bs, (long long)SQ, (long long)d, (int)pc->causal, pc->extras, (long long)grain);
        snprintf(detail, sizeof detail, "status %d (%s), bitwise the one-range call %d", (int)st, panattn_last_error(),
                 same);
        report(st == PANATTN_OK && same, name, detail);
    }
    /* Split in two (256-key aligned), the partial tiles numbered split by split: ranges of one
     * tile, of three (crossing from one split to the next) and of all give the same bits. */
    const int32_t st_two = run_split(&pg, 2, 0);
    memcpy(unsplit, out_i, sizeof(float) * n_out);
    for (int64_t grain = 1; grain <= 3; grain += 2) {
        pg.out = out_s, pg.lse = lse_s;
        const int32_t st = st_two != PANATTN_OK ? st_two : run_split(&pg, 2, grain);
        const int same = memcmp(out_s, unsplit, n_out * 4) == 0;
        char name[200], detail[200];
        snprintf(name, sizeof name, "[%s] paged bs%lld sq%lld d%lld causal %d extras %d: 2 splits, ranges of %lld",
                 isa_name, (long long)bs, (long long)SQ, (long long)d, (int)pc->causal, pc->extras, (long long)grain);
        snprintf(detail, sizeof detail, "status %d (%s), bitwise the one-range call %d", (int)st, panattn_last_error(),
                 same);
        report(st == PANATTN_OK && same, name, detail);
    }
    free(unsplit);
    free(mask);
    free(q), free(kc), free(vc), free(pl.k), free(pl.v), free(perm), free(ident), free(shuf);
    free(out_c), free(out_i), free(out_s), free(lse_c), free(lse_i), free(lse_s);
}

/* ---- validation messages ------------------------------------------------------------------ */

static void expect(const panattn_params *p, int64_t splits, const char *want, const char *name) {
    int32_t st = run(p, splits);
    const char *msg = panattn_last_error();
    char detail[400];
    snprintf(detail, sizeof detail, "status %d, \"%s\"", (int)st, msg);
    report(st == PANATTN_ERR_INVALID_ARGUMENT && strcmp(msg, want) == 0, name, detail);
}

static void validation(void) {
    enum { B = 2, H = 2, D = 8, T = 10 };
    /* k and v hold T rows for the packed cases and the paged cases' pools of 8 blocks of 2 rows */
    static float q[T * H * D], k[8 * 2 * H * D], v[8 * 2 * H * D], out[T * H * D], mask[T * T];
    static int32_t table[B * 4] = {0, 1, 2, 3, 4, 5, 6, 7};
    panattn_params base;
    memset(&base, 0, sizeof base);
    base.q = q, base.k = k, base.v = v, base.out = out;
    base.batch = B, base.heads = H, base.kv_heads = H, base.seq_q = T, base.seq_k = T, base.head_dim = D;
    base.q_head_stride = base.k_head_stride = base.v_head_stride = base.out_head_stride = D;
    base.q_row_stride = base.k_row_stride = base.v_row_stride = base.out_row_stride = H * D;
    base.softmax_scale = 1.0f;
    int32_t cuq[B + 1] = {0, 4, 10}, cuk[B + 1] = {0, 3, 9};

    panattn_params p = base;
    p.cu_seqlens_q = cuq, p.cu_seqlens_k = cuk;
    report(run(&p, 1) == PANATTN_OK, "valid packed batch runs", panattn_last_error());
    expect(&p, 2, "splits (2) must be 1 with cu_seqlens_q (packed sequences are not split)", "varlen refuses splits");
    int32_t neg[B + 1] = {0, -1, 3};
    p.cu_seqlens_q = neg;
    expect(&p, 1, "cu_seqlens_q[1] = -1 is negative", "cu negative");
    int32_t first[B + 1] = {1, 4, 10};
    p.cu_seqlens_q = first;
    expect(&p, 1, "cu_seqlens_q[0] = 1 must be 0", "cu[0] != 0");
    int32_t down[B + 1] = {0, 4, 2};
    p.cu_seqlens_q = cuq, p.cu_seqlens_k = down;
    expect(&p, 1, "cu_seqlens_k[2] = 2 is below cu_seqlens_k[1] = 4 (offsets must not decrease)", "cu not monotone");
    int32_t past[B + 1] = {0, 4, 11};
    p.cu_seqlens_k = past;
    expect(&p, 1, "cu_seqlens_k[2] = 11 is past the tensor's seq_k = 10 rows", "cu past the tensor");
    p = base;
    p.cu_seqlens_k = cuk;
    expect(&p, 1, "cu_seqlens_k needs cu_seqlens_q (packed keys pair with packed queries)", "cu_k without cu_q");
    p = base;
    p.cu_seqlens_q = cuq, p.mask = mask, p.mask_row_stride = T;
    expect(&p, 1,
           "mask is not supported with cu_seqlens_q (packed sequences have no common [seq_q, seq_k] shape); use causal "
           "modes, windows or key lengths",
           "varlen refuses a mask");
    int32_t lens[B] = {3, 4};
    p = base;
    p.cu_seqlens_q = cuq, p.cu_seqlens_k = cuk, p.key_lengths = lens;
    expect(&p, 1,
           "key_lengths must be NULL with cu_seqlens_k (a packed sequence has cu_seqlens_k[b + 1] - cu_seqlens_k[b] keys)",
           "key lengths with packed keys");

    /* paged: pools of 8 blocks of 2 rows, (blocks, kvh, bs, d) */
    panattn_params g = base;
    g.q_batch_stride = g.out_batch_stride = 0;
    g.seq_q = 1;
    g.seq_k = 8;
    g.k_batch_stride = g.v_batch_stride = H * 2 * D, g.k_head_stride = g.v_head_stride = 2 * D;
    g.k_row_stride = g.v_row_stride = D;
    g.q_batch_stride = g.out_batch_stride = H * D;
    g.block_table = table, g.block_table_stride = 4, g.max_blocks_per_seq = 4, g.block_size = 2, g.num_blocks = 5;
    expect(&g, 1, "key_lengths must be given with block_table (they are the sequence lengths)", "paged needs lengths");
    int32_t glens[B] = {8, 3};
    g.key_lengths = glens;
    expect(&g, 1, "block_table[1][1] = 5 is outside [0, num_blocks = 5) (key_lengths[1] = 3 reaches 2 blocks)",
           "block id past the pool");
    g.num_blocks = 8;
    report(run(&g, 1) == PANATTN_OK, "valid paged call runs", panattn_last_error());
    report(run(&g, 3) == PANATTN_OK, "paged split-KV runs", panattn_last_error());
    int32_t bad[B * 4] = {0, 1, 2, 3, -2, 5, 6, 7};
    g.block_table = bad;
    expect(&g, 1, "block_table[1][0] = -2 is outside [0, num_blocks = 8) (key_lengths[1] = 3 reaches 2 blocks)",
           "negative block id");
    int32_t unreached[B * 4] = {0, 1, 2, 3, 4, 5, -7, 99};
    g.block_table = unreached;
    report(run(&g, 1) == PANATTN_OK, "entries past a sequence's length are not read", panattn_last_error());
    g.block_table = table;
    g.seq_k = 9;
    expect(&g, 1, "seq_k (9) exceeds max_blocks_per_seq (4) * block_size (2) keys", "seq_k past the table");
    g.seq_k = 8;
    g.cu_seqlens_k = cuk, g.cu_seqlens_q = cuq;
    expect(&g, 1, "cu_seqlens_k and block_table are two layouts of the keys: give one", "packed and paged keys");
    g.cu_seqlens_k = NULL, g.cu_seqlens_q = NULL;
    g.block_size = 0;
    expect(&g, 1, "block_size (0) must be >= 1", "block size 0");
}

int main(void) {
    for (int ii = 0; ii < 3; ii++) {
        if (!panattn_isa_supported(ISAS[ii])) {
            printf("skip %s: not supported here\n", ISA_NAMES[ii]);
            continue;
        }
        const varlen_case vcs[] = {
            {PANATTN_CAUSAL_NONE, 64, 0, 0, 0.0f, PANATTN_DTYPE_F32},
            {PANATTN_CAUSAL_TOP_LEFT, 40, 0, 0, 0.0f, PANATTN_DTYPE_F32},
            {PANATTN_CAUSAL_BOTTOM_RIGHT, 59, 0, 0, 0.0f, PANATTN_DTYPE_F32},
            {PANATTN_CAUSAL_BOTTOM_RIGHT, 64, 1, 1, 5.0f, PANATTN_DTYPE_F32},
            {PANATTN_CAUSAL_NONE, 80, 1, 0, 0.0f, PANATTN_DTYPE_BF16},
        };
        for (size_t i = 0; i < sizeof vcs / sizeof vcs[0]; i++) {
            varlen_bitwise(ISAS[ii], ISA_NAMES[ii], &vcs[i], 100 + i);
        }
        const paged_case pcs[] = {
            {1, 64, 16, PANATTN_CAUSAL_NONE, 0, 0, 0},       {1, 128, 16, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 0, 0},
            {5, 40, 7, PANATTN_CAUSAL_BOTTOM_RIGHT, 0, 0, 0}, {37, 64, 16, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 0, 0},
            {37, 59, 256, PANATTN_CAUSAL_NONE, 0, 0, 0},     {3, 64, 256, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 0, 0},
            {130, 32, 1, PANATTN_CAUSAL_TOP_LEFT, 0, 0, 0},  {1, 48, 1, PANATTN_CAUSAL_NONE, 1, 0, 0},
            {2, 200, 7, PANATTN_CAUSAL_BOTTOM_RIGHT, 0, 0, 0},
            /* page-major decode: several rows, GQA (4 heads on 2), softcap + ALiBi, TOP_LEFT
             * (row i sees keys up to i), pages of 32 and 64, head_dim 48 (3 AVX-512 vectors) */
            {3, 128, 16, PANATTN_CAUSAL_NONE, 0, 1, 0},   {4, 48, 32, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 1, 0},
            {2, 64, 64, PANATTN_CAUSAL_TOP_LEFT, 0, 0, 0}, {1, 96, 16, PANATTN_CAUSAL_NONE, 1, 1, 0},
            /* pages of 48 keys do not tile a key block: head after head, through row addresses */
            {1, 64, 48, PANATTN_CAUSAL_NONE, 0, 0, 0},
            /* 130 rows: the last query block's 2-row tiles walk page-major, the 128-row ones do not */
            {130, 64, 16, PANATTN_CAUSAL_TOP_LEFT, 0, 1, 0},
            /* masks through the page-major walk, both pool layouts */
            {1, 64, 16, PANATTN_CAUSAL_NONE, 1, 0, 1},   {3, 32, 32, PANATTN_CAUSAL_BOTTOM_RIGHT, 0, 1, 1},
            /* heads wider than 8 vectors (d 128 at AVX2, 256 at both): O in memory, walked
             * page-major and head after head, with masks, extras and both pool layouts */
            {2, 128, 16, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 1, 1}, {1, 256, 32, PANATTN_CAUSAL_NONE, 0, 1, 1},
            {4, 136, 16, PANATTN_CAUSAL_TOP_LEFT, 1, 0, 0},     {1, 256, 48, PANATTN_CAUSAL_NONE, 1, 1, 0},
        };
        for (size_t i = 0; i < sizeof pcs / sizeof pcs[0]; i++) {
            paged_case_run(ISAS[ii], ISA_NAMES[ii], &pcs[i], 200 + i);
        }
    }
    validation();
    return summary("test_layouts");
}

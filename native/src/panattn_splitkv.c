/*
 * panattn_splitkv.c — split-KV: the split decision panattn_plan makes, the partial forward (the
 * kernel variants do the arithmetic, see panattn_run) and the LSE merge.
 *
 * Why: a decode call (one query row, B·H tiles) with B·H below the thread count leaves
 * threads idle, and decode is bandwidth-bound, so every core must stream (docs/CPU-KERNEL.md, "Split-KV decode and the LSE merge":
 * one core reads about half the machine's bandwidth). Splitting the keys, as ggml and
 * SGLang do, gives every thread a share of each head's cache.
 */
#include <math.h>
#include <stddef.h>

#include "panattn_internal.h"

/* The shortest split worth its record and merge: 256 keys of d = 128 are 256 KiB of K+V
 * against a 516-byte record (the same reason gives 256-key split blocks elsewhere). */
enum { MIN_SPLIT_KEYS = 256, MAX_DECODE_ROWS = 16 };

/* Bytes of the workspace for splits of a validated p, or -1 when that overflows int64.
 * batch * heads cannot: panattn_plan proved batch * heads * (query blocks >= 1) fits. */
static int64_t workspace_size(const panattn_params *p, int64_t splits) {
    int64_t n = p->batch * p->heads;
    if (__builtin_mul_overflow(n, p->seq_q, &n) ||
        __builtin_mul_overflow(n, splits, &n) || __builtin_mul_overflow(n, p->head_dim + 1, &n) ||
        __builtin_mul_overflow(n, (int64_t)sizeof(float), &n)) {
        return -1;
    }
    return n;
}

void panattn_split_decide(const panattn_params *p, int64_t tiles, int32_t threads, int64_t *splits,
                          int64_t *workspace_bytes) {
    int64_t n = 1;
    const int64_t want = 2 * (int64_t)threads; /* two tiles per thread evens out unequal splits */
    /* Packed sequences are not split: their records would need a per-token numbering (a packed
     * decode batch has a tile per sequence and head anyway). Paged keys split like contiguous
     * ones: a split is a range of logical keys, and the kernels cut it at page ends.
     * Fewer sequences than threads split too, one split per thread, whatever the head count: a
     * paged cache's page holds all heads of its keys, and two threads that share every page by
     * heads read it at about 0.4-0.55x the contiguous speed, where two threads on two halves of
     * the pages read 0.8-0.95x (reads alone; docs/CPU-KERNEL.md, "Paged decode on several
     * threads"). Contiguous calls split alike, so paged decode stays bitwise the contiguous one. */
    const int64_t by_batch = p->batch < threads ? (threads + p->batch - 1) / p->batch : 1;
    if (p->cu_seqlens_q == NULL && p->seq_q <= MAX_DECODE_ROWS && (tiles < want || by_batch > 1)) {
        n = (want + tiles - 1) / tiles;
        n = n > by_batch ? n : by_batch;
        int64_t cap = panattn_longest_keys(p) / MIN_SPLIT_KEYS; /* what panattn_split_chunk cuts */
        n = n < cap ? n : cap;
        n = n < 1 ? 1 : n;
    }
    /* A workspace too large for int64 (heads beyond any model) leaves the call unsplit. */
    const int64_t bytes = n > 1 ? workspace_size(p, n) : 0;
    *splits = bytes < 0 ? 1 : n;
    *workspace_bytes = bytes < 0 ? 0 : bytes;
}

/* The checks a split-KV tile range keeps although p was validated: plan->splits is the caller's
 * to set (tests force counts), and it decides every record index, so it must lie in [1, seq_k]
 * and keep tiles * splits and the workspace size inside int64; the workspace is written
 * through float pointers, so it must exist and be float-aligned. */
static int32_t check_split_run(const panattn_params *p, const struct panattn_plan *plan, const void *workspace,
                               int64_t tiles, int64_t *split_tiles) {
    const int64_t splits = plan->splits;
    if (splits < 1 || splits > p->seq_k) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "splits (%lld) must lie in [1, seq_k = %lld]",
                            (long long)splits, (long long)p->seq_k);
    }
    if (splits > 1 && p->cu_seqlens_q != NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "splits (%lld) must be 1 with cu_seqlens_q (packed sequences are not split)",
                            (long long)splits);
    }
    if (workspace == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "workspace must not be NULL");
    }
    if (((uintptr_t)workspace & 3u) != 0) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "workspace (%p) must be 4-byte aligned", workspace);
    }
    if (workspace_size(p, splits) < 0) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "workspace for splits (%lld) overflows int64",
                            (long long)splits);
    }
    /* No overflow: tiles <= batch * heads * seq_q, so tiles * splits is below the workspace's
     * float count, which was just shown to fit. */
    *split_tiles = tiles * splits;
    return PANATTN_OK;
}

PANATTN_API int32_t panattn_forward_partial(const panattn_params *p, const struct panattn_plan *plan, void *workspace,
                                            int64_t tile_begin, int64_t tile_end) {
    int64_t tiles = 0, split_tiles = 0;
    CHECK(panattn_planned(p, plan, &tiles));
    CHECK(check_split_run(p, plan, workspace, tiles, &split_tiles));
    CHECK(panattn_check_range(tile_begin, tile_end, split_tiles));
    if (tile_begin == tile_end) {
        return PANATTN_OK;
    }
    panattn_kernel_fn kernel = panattn_planned_kernel(p);
    if (kernel == NULL) {
        return PANATTN_ERR_UNSUPPORTED;
    }
    const panattn_run run = {plan->splits, (float *)workspace, tiles, panattn_split_chunk(p, plan->splits)};
    return kernel(p, &run, tile_begin, tile_end);
}

PANATTN_API int32_t panattn_merge_partial(const panattn_params *p, const struct panattn_plan *plan, const void *workspace,
                                          int64_t tile_begin, int64_t tile_end) {
    int64_t tiles = 0, split_tiles = 0;
    CHECK(panattn_planned(p, plan, &tiles));
    CHECK(check_split_run(p, plan, workspace, tiles, &split_tiles));
    CHECK(panattn_check_range(tile_begin, tile_end, tiles));
    const int64_t splits = plan->splits;
    const panattn_run split_run = {splits, (float *)(uintptr_t)workspace, tiles, 0}; /* records only */
    const panattn_run plain = {1, NULL, 0, 0};
    const int64_t d = p->head_dim;
    float row[1024]; /* head_dim <= 1024 (validated) */
    for (int64_t t = tile_begin; t < tile_end; t++) {
        const panattn_tile tile = panattn_tile_at(p, t);
        for (int64_t i = tile.q_begin; i < tile.q_end; i++) {
            /* `>` skips NaN for the max; a NaN lse still reaches the sum through exp(NaN). */
            float m = -INFINITY;
            int nan = 0;
            for (int64_t s = 0; s < splits; s++) {
                float l = panattn_partial_record(p, &split_run, tile.b, tile.h, i, s)[d];
                m = l > m ? l : m;
                nan |= isnan(l);
            }
            float lse;
            if (m == -INFINITY && !nan) {
                for (int64_t x = 0; x < d; x++) {
                    row[x] = 0.0f;
                }
                lse = -INFINITY;
            } else {
                float sum = 0.0f;
                for (int64_t x = 0; x < d; x++) {
                    row[x] = 0.0f;
                }
                for (int64_t s = 0; s < splits; s++) {
                    const float *rec = panattn_partial_record(p, &split_run, tile.b, tile.h, i, s);
                    if (rec[d] == -INFINITY) {
                        continue; /* saw no key: contributes nothing (its O is 0 anyway) */
                    }
                    const float w = expf(rec[d] - m);
                    sum += w;
                    for (int64_t x = 0; x < d; x++) {
                        row[x] += w * rec[x];
                    }
                }
                const float inv = 1.0f / sum;
                for (int64_t x = 0; x < d; x++) {
                    row[x] *= inv;
                }
                lse = m + logf(sum);
            }
            panattn_emit_row(p, &plain, tile.b, tile.h, i, 0, row, lse);
        }
    }
    return PANATTN_OK;
}

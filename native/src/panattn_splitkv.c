/*
 * panattn_splitkv.c — split-KV entry points of panattn.h: the plan, the partial forward (the
 * kernel variants do the arithmetic, see panattn_run) and the LSE merge.
 *
 * Why: a decode call (one query row, B·H tiles) with B·H below the thread count leaves
 * threads idle, and decode is bandwidth-bound, so every core must stream (notes §6:
 * one core reads about half the machine's bandwidth). Splitting the keys, as ggml and
 * SGLang do, gives every thread a share of each head's cache.
 */
#include <math.h>
#include <stddef.h>

#include "panattn_internal.h"

/* The shortest split worth its record and merge: 256 keys of d = 128 are 256 KiB of K+V
 * against a 516-byte record (notes §6 use 256-key blocks for the same reason). */
enum { MIN_SPLIT_KEYS = 256, MAX_DECODE_ROWS = 16 };

/* Bytes of the workspace for splits, or -1 when that overflows int64. */
static int64_t workspace_size(const panattn_params *p, int64_t splits) {
    int64_t n = 0;
    if (__builtin_mul_overflow(p->batch, p->heads, &n) || __builtin_mul_overflow(n, p->seq_q, &n) ||
        __builtin_mul_overflow(n, splits, &n) || __builtin_mul_overflow(n, p->head_dim + 1, &n) ||
        __builtin_mul_overflow(n, (int64_t)sizeof(float), &n)) {
        return -1;
    }
    return n;
}

PANATTN_API int32_t panattn_splitkv_plan(const panattn_params *p, int32_t threads, int64_t *splits,
                                         int64_t *workspace_bytes) {
    int64_t count;
    if (splits == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "splits must not be NULL");
    }
    if (workspace_bytes == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "workspace_bytes must not be NULL");
    }
    if (threads < 1) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "threads (%d) must be >= 1", (int)threads);
    }
    CHECK(panattn_check(p, &count));
    int64_t n = 1;
    const int64_t want = 2 * (int64_t)threads; /* two tiles per thread evens out unequal splits */
    if (p->seq_q <= MAX_DECODE_ROWS && count < want) {
        n = (want + count - 1) / count;
        int64_t cap = p->seq_k / MIN_SPLIT_KEYS;
        n = n < cap ? n : cap;
        n = n < 1 ? 1 : n;
    }
    int64_t bytes = n > 1 ? workspace_size(p, n) : 0;
    if (bytes < 0) {
        n = 1, bytes = 0; /* a workspace that large cannot exist: run unsplit */
    }
    *splits = n;
    *workspace_bytes = bytes;
    return PANATTN_OK;
}

static int32_t check_splits(const panattn_params *p, int64_t splits, const void *workspace, int64_t count,
                            int64_t tile_begin, int64_t tile_end, int64_t *total) {
    if (splits < 1 || splits > p->seq_k) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "splits (%lld) must lie in [1, seq_k = %lld]",
                            (long long)splits, (long long)p->seq_k);
    }
    if (workspace == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "workspace must not be NULL");
    }
    if (((uintptr_t)workspace & 3u) != 0) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "workspace (%p) must be 4-byte aligned", workspace);
    }
    if (workspace_size(p, splits) < 0 || __builtin_mul_overflow(count, splits, total)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "workspace for splits (%lld) overflows int64",
                            (long long)splits);
    }
    if (tile_begin < 0 || tile_begin > tile_end || tile_end > *total) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "tile range [tile_begin = %lld, tile_end = %lld) must lie within [0, tile count = %lld]",
                            (long long)tile_begin, (long long)tile_end, (long long)*total);
    }
    return PANATTN_OK;
}

PANATTN_API int32_t panattn_forward_partial(const panattn_params *p, int64_t splits, void *workspace,
                                            int64_t tile_begin, int64_t tile_end) {
    int64_t count, total;
    CHECK(panattn_check(p, &count));
    CHECK(check_splits(p, splits, workspace, count, tile_begin, tile_end, &total));
    if (tile_begin == tile_end) {
        return PANATTN_OK;
    }
    const panattn_run run = {splits, (float *)workspace};
    return panattn_kernel_select(p->isa)(p, &run, tile_begin, tile_end);
}

PANATTN_API int32_t panattn_merge_partial(const panattn_params *p, int64_t splits, const void *workspace,
                                          int64_t tile_begin, int64_t tile_end) {
    int64_t count, total;
    CHECK(panattn_check(p, &count));
    CHECK(check_splits(p, splits, workspace, count, tile_begin, tile_end, &total));
    if (tile_end > count) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "tile range [tile_begin = %lld, tile_end = %lld) must lie within [0, tile count = %lld]",
                            (long long)tile_begin, (long long)tile_end, (long long)count);
    }
    const panattn_run split_run = {splits, (float *)(uintptr_t)workspace}; /* only read here */
    const panattn_run plain = {1, NULL};
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

/*
 * panattn_internal.h — what the library's own files share; nothing here is exported
 * (the library is built with hidden visibility, so only PANATTN_API functions leave it).
 */
#ifndef PANATTN_INTERNAL_H
#define PANATTN_INTERNAL_H

#include <stdint.h>

#include "panattn.h"

/* Keys streamed per step of the online softmax. 64 keys x 64 query rows keeps the score
 * block at 16 KiB, and a K/V block at head_dim 128 at 32 KiB each: all in L2. */
#define PANATTN_KEY_BLOCK 64

/* Records a formatted message in the calling thread's error buffer and returns status, so a
 * failing check reads `return panattn_fail(PANATTN_ERR_..., "field (%lld) ...", ...)`. */
int32_t panattn_fail(int32_t status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A kernel variant computes tiles [tile_begin, tile_end) of an already validated p. It owns
 * its scratch (so variants with different blocking need no shared workspace query) and
 * reports failures through panattn_fail. */
typedef int32_t (*panattn_kernel_fn)(const panattn_params *p, int64_t tile_begin, int64_t tile_end);

/* The one selector: the kernel for a PANATTN_ISA_* value (AUTO resolves to the best path),
 * or NULL when this CPU or build cannot run it. panattn_isa_supported, panattn_isa_best and
 * panattn_forward all ask it, so "supported" and "what runs" cannot disagree. */
panattn_kernel_fn panattn_kernel_select(int32_t isa);

/* Kernel variants, one file each. */
int32_t panattn_kernel_portable(const panattn_params *p, int64_t tile_begin, int64_t tile_end);

/* A tile: batch b, head h, query rows [q_begin, q_end). */
typedef struct panattn_tile {
    int64_t b;
    int64_t h;
    int64_t q_begin;
    int64_t q_end;
} panattn_tile;

/* Tiles are numbered heaviest first: the last query block (which, with causal masking, sees
 * the most keys) of every (b, h) comes first, so handing tiles out in order balances work. */
static inline panattn_tile panattn_tile_at(const panattn_params *p, int64_t t) {
    int64_t bh_count = p->batch * p->heads;
    int64_t q_blocks = (p->seq_q + PANATTN_TILE_Q - 1) / PANATTN_TILE_Q;
    int64_t qb = q_blocks - 1 - t / bh_count;
    int64_t bh = t % bh_count;
    panattn_tile tile;
    tile.b = bh / p->heads;
    tile.h = bh % p->heads;
    tile.q_begin = qb * PANATTN_TILE_Q;
    tile.q_end = tile.q_begin + PANATTN_TILE_Q < p->seq_q ? tile.q_begin + PANATTN_TILE_Q : p->seq_q;
    return tile;
}

static inline int64_t panattn_dtype_size(int32_t dtype) {
    return dtype == PANATTN_DTYPE_F32 ? 4 : 2;
}

#endif /* PANATTN_INTERNAL_H */

/*
 * panattn_internal.h — what the library's own files share; nothing here is exported
 * (the library is built with hidden visibility, so only PANATTN_API functions leave it).
 */
#ifndef PANATTN_INTERNAL_H
#define PANATTN_INTERNAL_H

#include <stdint.h>

#include "panattn.h"

/* Keys streamed per step of the portable kernel's online softmax. 64 keys x 128 query rows
 * keeps the score block at 32 KiB, and a K/V block at head_dim 128 at 32 KiB each: all in L2. */
#define PANATTN_KEY_BLOCK 64

/* Records a formatted message in the calling thread's error buffer and returns status, so a
 * failing check reads `return panattn_fail(PANATTN_ERR_..., "field (%lld) ...", ...)`. */
int32_t panattn_fail(int32_t status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What a kernel call writes. splits == 1 and partial == NULL: the plain forward pass, tiles
 * as panattn_tile_at, results into out (and lse). splits >= 1 and partial != NULL: split-KV
 * tiles numbered split by split, t = split * tiles + tile (so a range of them holds one split of
 * many heads: a paged decode walks such a range page by page); split s sees only its keys (see
 * panattn_run_tile), and writes per query row one record of head_dim + 1 floats (normalised O,
 * then its natural-log LSE) into partial; see panattn_partial_record. */
typedef struct panattn_run {
    int64_t splits;
    float *partial;
    int64_t tiles; /* split-KV runs only: tiles of the plain pass (numbering above) */
    int64_t chunk; /* split-KV runs only: panattn_split_chunk */
} panattn_run;

/* A kernel variant computes tiles [tile_begin, tile_end) of an already validated p. It owns
 * its scratch (so variants with different blocking need no shared workspace query) and
 * reports failures through panattn_fail. */
typedef int32_t (*panattn_kernel_fn)(const panattn_params *p, const panattn_run *run, int64_t tile_begin,
                                     int64_t tile_end);

/* The one selector: the kernel for a PANATTN_ISA_* value (AUTO resolves to the best path),
 * or NULL when this CPU or build cannot run it. panattn_isa_supported, panattn_isa_best and
 * panattn_forward all ask it, so "supported" and "what runs" cannot disagree. */
panattn_kernel_fn panattn_kernel_select(int32_t isa, int32_t dtype);

/* Kernel variants, one file each (the SIMD ones exist only when the build compiled them). */
int32_t panattn_kernel_portable(const panattn_params *p, const panattn_run *run, int64_t tile_begin, int64_t tile_end);
int32_t panattn_kernel_avx2(const panattn_params *p, const panattn_run *run, int64_t tile_begin, int64_t tile_end);
int32_t panattn_kernel_avx512(const panattn_params *p, const panattn_run *run, int64_t tile_begin, int64_t tile_end);
int32_t panattn_kernel_avx512bf16(const panattn_params *p, const panattn_run *run, int64_t tile_begin,
                                  int64_t tile_end);
int32_t panattn_kernel_amxbf16(const panattn_params *p, const panattn_run *run, int64_t tile_begin, int64_t tile_end);

/* The full validation panattn_plan runs (panattn_validate.c): PANATTN_OK and the tile count. */
int32_t panattn_validate_params(const panattn_params *p, int64_t *tile_count);

/* Planning (panattn_plan.c). The digest fingerprints every field of p. panattn_planned is what
 * a tile-range entry point checks instead of validating again: p and plan are not NULL, p is
 * the struct the plan validated; it gives the tile count. panattn_check_range checks
 * [tile_begin, tile_end) against a tile count. */
uint64_t panattn_params_digest(const panattn_params *p);
int32_t panattn_planned(const panattn_params *p, const struct panattn_plan *plan, int64_t *tiles);
int32_t panattn_check_range(int64_t tile_begin, int64_t tile_end, int64_t tiles);

/* The split-KV decision for a validated p with `tiles` tiles on `threads` threads
 * (panattn_splitkv.c): the number of key splits (1: none) and the workspace bytes they need. */
void panattn_split_decide(const panattn_params *p, int64_t tiles, int32_t threads, int64_t *splits,
                          int64_t *workspace_bytes);

/* The kernel a planned p runs on: NULL (with the message set) only if the plan's ISA check no
 * longer holds, which guards a call through a NULL pointer rather than expecting it. */
panattn_kernel_fn panattn_planned_kernel(const panattn_params *p);

/* A tile: batch b, head h, query rows [q_begin, q_end). */
typedef struct panattn_tile {
    int64_t b;
    int64_t h;
    int64_t q_begin;
    int64_t q_end;
} panattn_tile;

/* Varlen (packed sequences): the tile numbering and count, in panattn_plan.c. Numbering as the
 * batched one, heaviest first: every sequence's last query block (which, with causal masking,
 * sees the most keys), then every sequence's second-to-last, and so on, heads innermost; a tile
 * never spans two sequences and no tile exists for a sequence's padding. O(batch * blocks) per
 * lookup, no stored table: the library keeps no state between calls. */
panattn_tile panattn_varlen_tile_at(const panattn_params *p, int64_t t);
int64_t panattn_varlen_tile_count(const panattn_params *p);

/* Query rows of sequence b: cu_seqlens_q[b + 1] - cu_seqlens_q[b] when packed, else seq_q. */
static inline int64_t panattn_q_len(const panattn_params *p, int64_t b) {
    return p->cu_seqlens_q != NULL ? (int64_t)p->cu_seqlens_q[b + 1] - p->cu_seqlens_q[b] : p->seq_q;
}

/* Keys of sequence b: packed (cu_seqlens_k), else key_lengths (batched or paged), else seq_k. */
static inline int64_t panattn_kv_len(const panattn_params *p, int64_t b) {
    if (p->cu_seqlens_k != NULL) {
        return (int64_t)p->cu_seqlens_k[b + 1] - p->cu_seqlens_k[b];
    }
    return p->key_lengths != NULL ? p->key_lengths[b] : p->seq_k;
}

/* Tiles are numbered heaviest first: the last query block (which, with causal masking, sees
 * the most keys) of every (b, h) comes first, so handing tiles out in order balances work. */
static inline panattn_tile panattn_tile_at(const panattn_params *p, int64_t t) {
    if (p->cu_seqlens_q != NULL) {
        return panattn_varlen_tile_at(p, t);
    }
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

/* Keys per split of a split-KV run (the last split also takes the keys past splits * chunk), cut
 * from the longest sequence's keys, not seq_k: a cache's capacity may be far beyond what it holds,
 * and splits of seq_k would then leave all keys to the first. Splits of at least SPLIT_ALIGN keys
 * start at multiples of it: every key block of the kernels (128 or 256 keys up to head_dim 128)
 * and every page size that tiles one then starts on a split start, so a paged split walks whole
 * pages in the steps the contiguous split walks (bitwise the same result). Forced small splits
 * (tests) keep ceil(keys / splits). O(batch): computed once per call (panattn_run.chunk). */
enum { SPLIT_ALIGN = 256 };

/* The most keys any sequence of the batch has (what split-KV cuts). O(batch). */
static inline int64_t panattn_longest_keys(const panattn_params *p) {
    int64_t longest = 0;
    for (int64_t b = 0; b < p->batch; b++) {
        const int64_t n = panattn_kv_len(p, b);
        longest = n > longest ? n : longest;
    }
    return longest;
}

static inline int64_t panattn_split_chunk(const panattn_params *p, int64_t splits) {
    const int64_t longest = panattn_longest_keys(p);
    const int64_t chunk = (longest + splits - 1) / splits;
    if (chunk < SPLIT_ALIGN) {
        return chunk > 0 ? chunk : 1;
    }
    const int64_t aligned = longest / splits / SPLIT_ALIGN * SPLIT_ALIGN;
    return aligned > SPLIT_ALIGN ? aligned : SPLIT_ALIGN;
}

/* The tile and key range [*key_lo, *key_hi) of kernel tile t of run (all keys when not split). */
static inline panattn_tile panattn_run_tile(const panattn_params *p, const panattn_run *run, int64_t t,
                                            int64_t *key_lo, int64_t *key_hi, int64_t *split) {
    if (run->partial == NULL) {
        *key_lo = 0, *key_hi = p->seq_k, *split = 0;
        return panattn_tile_at(p, t);
    }
    const int64_t chunk = run->chunk;
    *split = t / run->tiles;
    *key_lo = *split * chunk < p->seq_k ? *split * chunk : p->seq_k;
    *key_hi = *split == run->splits - 1 || *key_lo + chunk > p->seq_k ? p->seq_k : *key_lo + chunk;
    return panattn_tile_at(p, t % run->tiles);
}

/* The partial record of (b, h, query row i, split): head_dim floats of normalised O, then the
 * row's LSE (natural log; -inf when the split saw no finite logit, and then O is 0). */
static inline float *panattn_partial_record(const panattn_params *p, const panattn_run *run, int64_t b, int64_t h,
                                            int64_t i, int64_t split) {
    return run->partial + (((b * p->heads + h) * p->seq_q + i) * run->splits + split) * (p->head_dim + 1);
}

/* Which keys a query row sees, besides key lengths: row i sees key j iff
 * j >= i + lo_off (when has_lo: the window's left edge) and j <= i + hi_off (when has_hi: causal,
 * or the window's right edge; causal caps the window's right at 0). offset is the causal
 * alignment's (kv_len - q_len of the row's sequence for BOTTOM_RIGHT, else 0), which ALiBi's
 * distance uses too. */
typedef struct panattn_band {
    int64_t offset;
    int has_lo, has_hi;
    int64_t lo_off, hi_off;
} panattn_band;

static inline panattn_band panattn_band_of(const panattn_params *p, int64_t q_len, int64_t kv_len) {
    panattn_band band;
    band.offset = p->causal == PANATTN_CAUSAL_BOTTOM_RIGHT ? kv_len - q_len : 0;
    /* A window wider than seq_q + seq_k hides nothing; clamping it keeps i + offset +- window
     * far from int64 overflow. */
    const int64_t span = p->seq_q + p->seq_k;
    int64_t left = !p->window || p->window_left > span ? -1 : p->window_left;
    int64_t right = !p->window || p->window_right > span ? -1 : p->window_right;
    if (p->causal != PANATTN_CAUSAL_NONE) {
        right = 0;
    }
    band.has_lo = left >= 0;
    band.has_hi = right >= 0;
    band.lo_off = band.offset - (left >= 0 ? left : 0);
    band.hi_off = band.offset + (right >= 0 ? right : 0);
    return band;
}

/* The keys [*lo, *hi) of [k0, k0 + n) that row i sees, as block columns (0 <= *lo <= *hi <= n). */
static inline void panattn_band_cols(const panattn_band *band, int64_t i, int64_t k0, int64_t n, int64_t *lo,
                                     int64_t *hi) {
    int64_t a = 0, b = n;
    if (band->has_lo) {
        const int64_t first = i + band->lo_off - k0;
        a = first < 0 ? 0 : first > n ? n : first;
    }
    if (band->has_hi) {
        const int64_t end = i + band->hi_off + 1 - k0;
        b = end < 0 ? 0 : end > n ? n : end;
    }
    *lo = a;
    *hi = b < a ? a : b;
}

/* 1 when p asks for a logit transform (softcap or ALiBi): the kernels branch on it per block. */
static inline int panattn_has_logit_extras(const panattn_params *p) {
    return p->softcap > 0.0f || p->alibi_slopes != NULL;
}

/* Element offsets of query row i (of its sequence) of (b, h) in q, in out, and of its entry in
 * lse. Packed queries live at token row cu_seqlens_q[b] + i, and lse is then (heads, seq_q). */
static inline int64_t panattn_q_offset(const panattn_params *p, int64_t b, int64_t h, int64_t i) {
    if (p->cu_seqlens_q != NULL) {
        return h * p->q_head_stride + (p->cu_seqlens_q[b] + i) * p->q_row_stride;
    }
    return b * p->q_batch_stride + h * p->q_head_stride + i * p->q_row_stride;
}
static inline int64_t panattn_out_offset(const panattn_params *p, int64_t b, int64_t h, int64_t i) {
    if (p->cu_seqlens_q != NULL) {
        return h * p->out_head_stride + (p->cu_seqlens_q[b] + i) * p->out_row_stride;
    }
    return b * p->out_batch_stride + h * p->out_head_stride + i * p->out_row_stride;
}
static inline int64_t panattn_lse_offset(const panattn_params *p, int64_t b, int64_t h, int64_t i) {
    if (p->cu_seqlens_q != NULL) {
        return h * p->lse_head_stride + p->cu_seqlens_q[b] + i;
    }
    return b * p->lse_batch_stride + h * p->lse_head_stride + i;
}

/* Where key j of sequence b (kv head kvh) lives: its element offsets in k and v, and how many of
 * the keys [j, j + n) follow it at one row stride, which is all n unless the keys are paged, when
 * the run stops at the end of j's page. Kernels walk a key block's runs to find its rows (one
 * table lookup per page, none per key) and keep the contiguous call's block sizes. */
static inline int64_t panattn_key_run(const panattn_params *p, int64_t b, int64_t kvh, int64_t j, int64_t n,
                                      int64_t *k_off, int64_t *v_off) {
    if (p->block_table != NULL) {
        const int64_t blk = p->block_table[b * p->block_table_stride + j / p->block_size];
        const int64_t row = j % p->block_size;
        *k_off = blk * p->k_batch_stride + kvh * p->k_head_stride + row * p->k_row_stride;
        *v_off = blk * p->v_batch_stride + kvh * p->v_head_stride + row * p->v_row_stride;
        const int64_t left = p->block_size - row;
        return n < left ? n : left;
    }
    if (p->cu_seqlens_k != NULL) {
        const int64_t r = p->cu_seqlens_k[b] + j;
        *k_off = kvh * p->k_head_stride + r * p->k_row_stride;
        *v_off = kvh * p->v_head_stride + r * p->v_row_stride;
        return n;
    }
    *k_off = b * p->k_batch_stride + kvh * p->k_head_stride + j * p->k_row_stride;
    *v_off = b * p->v_batch_stride + kvh * p->v_head_stride + j * p->v_row_stride;
    return n;
}

/* Writes one finished query row: row is head_dim normalised fp32 values, lse its natural-log
 * LSE. Into out/lse (converted to p->dtype) for a plain run, into the partial record for a
 * split one (panattn_emit.c). */
void panattn_emit_row(const panattn_params *p, const panattn_run *run, int64_t b, int64_t h, int64_t i,
                      int64_t split, const float *row, float lse);

static inline int64_t panattn_dtype_size(int32_t dtype) {
    return dtype == PANATTN_DTYPE_F32 ? 4 : dtype == PANATTN_DTYPE_I8 ? 1 : 2;
}

/* The element type of k and v: kv_dtype when set (quantised or mixed KV), else q's dtype. */
static inline int32_t panattn_kv_dtype(const panattn_params *p) {
    return p->kv_dtype != 0 ? (int32_t)p->kv_dtype : p->dtype;
}

/* Element scale of key j of (b, kv head h) in k (which = 0) or v (which = 1): I8 only, else 1. */
static inline float panattn_kv_scale(const panattn_params *p, int which, int64_t b, int64_t h, int64_t j) {
    if (p->kv_dtype != PANATTN_DTYPE_I8) {
        return 1.0f;
    }
    return which == 0 ? p->k_scale[b * p->k_scale_batch_stride + h * p->k_scale_head_stride + j * p->k_scale_row_stride]
                      : p->v_scale[b * p->v_scale_batch_stride + h * p->v_scale_head_stride + j * p->v_scale_row_stride];
}

/* Returns the status of expr from the enclosing function when it is not PANATTN_OK. */
#define CHECK(expr)                                                                                \
    do {                                                                                           \
        int32_t status_ = (expr);                                                                  \
        if (status_ != PANATTN_OK) {                                                               \
            return status_;                                                                        \
        }                                                                                          \
    } while (0)

#endif /* PANATTN_INTERNAL_H */

/*
 * panattn.h — the C boundary of panama-attention.
 *
 * Pure functions over caller-owned memory: no threads of their own, no global mutable
 * state, so many JVM threads may call at once. Every entry point returns a status code
 * (PANATTN_OK or PANATTN_ERR_*); on failure panattn_last_error() gives a message that
 * belongs to the calling thread and stays valid until that thread's next call.
 *
 * Tensors are described by one flat params struct (after FlashAttention's Flash_fwd_params):
 * a pointer, the sizes and the strides in ELEMENTS for each tensor. The head dimension is
 * always contiguous (stride 1), so [batch, heads, seq, head_dim] and the interleaved
 * [batch, seq, heads, head_dim] layout share this one entry point.
 *
 * Keep prototypes as `f(void)` when there are no parameters: jextract turns `f()` into a
 * variadic invoker.
 */
#ifndef PANATTN_H
#define PANATTN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PANATTN_API __attribute__((visibility("default")))
#else
#define PANATTN_API
#endif

/* Bumped whenever a prototype, the params struct or a constant changes meaning. */
#define PANATTN_ABI_VERSION 4

/* Status codes. */
#define PANATTN_OK 0
#define PANATTN_ERR_INVALID_ARGUMENT 1
#define PANATTN_ERR_UNSUPPORTED 2
#define PANATTN_ERR_OUT_OF_MEMORY 3
#define PANATTN_ERR_INTERNAL 4

/* Causal alignment. Query i may see key j when j <= i + offset, where offset is 0 for
 * TOP_LEFT (PyTorch's is_causal) and kv_len - seq_q for BOTTOM_RIGHT (FlashAttention,
 * KV-cache decoding); kv_len is key_lengths[b] when given, else seq_k. */
#define PANATTN_CAUSAL_NONE 0
#define PANATTN_CAUSAL_TOP_LEFT 1
#define PANATTN_CAUSAL_BOTTOM_RIGHT 2

/* Element types of q, k, v and out (all four share one). Accumulation is always fp32. */
#define PANATTN_DTYPE_F32 0
#define PANATTN_DTYPE_F16 1
#define PANATTN_DTYPE_BF16 2

/* Instruction-set paths of the CPU kernel; AUTO picks the best one CPUID allows. */
#define PANATTN_ISA_AUTO 0
#define PANATTN_ISA_SCALAR 1
#define PANATTN_ISA_AVX2 2
#define PANATTN_ISA_AVX512 3

/* Query rows per tile: a tile is (batch b, head h, a block of PANATTN_TILE_Q query rows).
 * 128 rows: every key/value block a tile streams serves twice the rows it did at 64, which
 * halves K/V traffic from L3 once a head's K and V outgrow L2 (N = 4096, d 64: +5-8%). */
#define PANATTN_TILE_Q 128

typedef struct panattn_params {
    const void *q;               /* q is (batch, heads, seq_q, head_dim)            */
    const void *k;               /* k is (batch, kv_heads, seq_k, head_dim)         */
    const void *v;               /* v is (batch, kv_heads, seq_k, head_dim)         */
    void *out;                   /* out is (batch, heads, seq_q, head_dim)          */
    float *lse;                  /* optional, (batch, heads, seq_q), natural log; NULL for none */
    const float *mask;           /* optional additive, (batch|1, heads|1, seq_q, seq_k); a
                                    stride of 0 broadcasts that dimension; NULL for none */
    const int32_t *key_lengths;  /* optional, (batch): keys [0, key_lengths[b]) are valid   */
    int64_t batch;
    int64_t heads;
    int64_t kv_heads;            /* divides heads; query head h reads kv head h / (heads / kv_heads) */
    int64_t seq_q;
    int64_t seq_k;
    int64_t head_dim;
    int64_t q_batch_stride;
    int64_t q_head_stride;
    int64_t q_row_stride;
    int64_t k_batch_stride;
    int64_t k_head_stride;
    int64_t k_row_stride;
    int64_t v_batch_stride;
    int64_t v_head_stride;
    int64_t v_row_stride;
    int64_t out_batch_stride;
    int64_t out_head_stride;
    int64_t out_row_stride;
    int64_t lse_batch_stride;
    int64_t lse_head_stride;     /* lse rows are contiguous (stride 1 along seq_q) */
    int64_t mask_batch_stride;
    int64_t mask_head_stride;
    int64_t mask_row_stride;     /* mask columns are contiguous (stride 1 along seq_k) */
    float softmax_scale;         /* logits are softmax_scale * q.k + mask */
    int32_t causal;              /* PANATTN_CAUSAL_* */
    int32_t dtype;               /* PANATTN_DTYPE_* */
    int32_t isa;                 /* PANATTN_ISA_*; AUTO unless a test or benchmark forces a path */
} panattn_params;

/* PANATTN_ABI_VERSION of the built library; the Java side refuses a mismatch. */
PANATTN_API int32_t panattn_abi_version(void);

/* The library's version and build, e.g. "0.1.0 (gcc 12.2, avx2 avx512)". Static storage. */
PANATTN_API const char *panattn_version_string(void);

/* The message of the calling thread's last failed call ("" if none). Thread-local storage. */
PANATTN_API const char *panattn_last_error(void);

/* Checks every size, stride, option and key length of p: PANATTN_OK, PANATTN_ERR_INVALID_ARGUMENT,
 * or PANATTN_ERR_UNSUPPORTED for an ISA this CPU or build cannot run. */
PANATTN_API int32_t panattn_validate(const panattn_params *p);

/* Writes the number of tiles of p to *count. Tiles are numbered heaviest first, so a
 * scheduler that hands them out in order balances causal work. */
PANATTN_API int32_t panattn_tile_count(const panattn_params *p, int64_t *count);

/* Computes tiles [tile_begin, tile_end) of the forward pass: out (and lse when asked).
 * Reentrant; disjoint tile ranges may run on different threads at once. */
PANATTN_API int32_t panattn_forward(const panattn_params *p, int64_t tile_begin, int64_t tile_end);

/* Split-KV (decode): when a call has too few tiles to keep every thread busy (few heads, one
 * or a few query rows, long caches), the keys are cut into `splits` equal chunks
 * (ceil(seq_k / splits) keys each) and computed as separate tiles, then merged by LSE:
 *   panattn_splitkv_plan     -> splits and the workspace size for this p and thread count
 *   panattn_forward_partial  over tiles [0, tile count * splits), on any threads
 *   panattn_merge_partial    over tiles [0, tile count), after every partial tile is done.
 * The result equals panattn_forward's up to fp32 rounding. */

/* Writes the number of key splits for p on `threads` threads to *splits (1: no split, use
 * panattn_forward) and the workspace panattn_forward_partial needs to *workspace_bytes (0 when
 * *splits is 1). Splits when seq_q <= 16 and p has fewer than 2 * threads tiles: then as many
 * splits as give 2 * threads tiles, but no split shorter than 256 keys. */
PANATTN_API int32_t panattn_splitkv_plan(const panattn_params *p, int32_t threads, int64_t *splits,
                                         int64_t *workspace_bytes);

/* Computes split-KV tiles [tile_begin, tile_end) of p: tile t is (panattn_forward's tile
 * t / splits, key split t % splits), so there are panattn_tile_count * splits tiles. Writes no
 * output; workspace (at least the bytes panattn_splitkv_plan gave, 4-byte aligned) receives,
 * for every (b, h, query row i, split s), a record of head_dim + 1 floats at float index
 * (((b * heads + h) * seq_q + i) * splits + s) * (head_dim + 1): the split's NORMALISED output
 * row, then its LSE (natural log; -inf with an all-zero row when the split sees no key).
 * splits must lie in [1, seq_k]. Reentrant over disjoint tile ranges. */
PANATTN_API int32_t panattn_forward_partial(const panattn_params *p, int64_t splits, void *workspace,
                                            int64_t tile_begin, int64_t tile_end);

/* Merges the split records of tiles [tile_begin, tile_end) (numbered as panattn_tile_count)
 * into out (and lse): out = sum_s exp(lse_s - M) * O_s / sum_s exp(lse_s - M) with M the
 * largest lse_s, lse = M + log(sum). Splits with lse -inf contribute nothing; rows where all
 * are -inf get 0 and lse -inf. */
PANATTN_API int32_t panattn_merge_partial(const panattn_params *p, int64_t splits, const void *workspace,
                                          int64_t tile_begin, int64_t tile_end);

/* The body panattn_hold runs: returns a status code. */
typedef int32_t (*panattn_body_fn)(void);

/* Calls body() and returns what it returns (PANATTN_ERR_INVALID_ARGUMENT when body is NULL).
 * a..f are not read: they exist so that a caller's foreign-function layer keeps the memory
 * they point into alive while body runs. The Java side passes the caller's q, k, v, out, lse
 * and mask segments here, and body (an upcall) hands tiles to worker threads that receive raw
 * addresses; FFM keeps every segment argument's arena open for the duration of this downcall,
 * so closing a shared arena from another thread meanwhile throws instead of freeing memory
 * under a running kernel (docs/THREAT-MODEL.md). */
PANATTN_API int32_t panattn_hold(const void *a, const void *b, const void *c, void *d, void *e, const void *f,
                                 panattn_body_fn body);

/* 1 when this CPU and this build can run the given PANATTN_ISA_* path, else 0. */
PANATTN_API int32_t panattn_isa_supported(int32_t isa);

/* The path PANATTN_ISA_AUTO resolves to on this CPU. */
PANATTN_API int32_t panattn_isa_best(void);

#ifdef __cplusplus
}
#endif

#endif /* PANATTN_H */

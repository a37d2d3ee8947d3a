/*
 * panattn.h — the C boundary of panama-attention.
 *
 * Pure functions over caller-owned memory: no threads of their own, no global mutable
 * state, so many JVM threads may call at once. Every entry point returns a panattn_status
 * code (PANATTN_OK or PANATTN_ERR_*) as an int32_t; on failure panattn_last_error() gives a
 * message that belongs to the calling thread and stays valid until that thread's next call.
 *
 * A call is planned once and then run in tile ranges, on as many threads as the caller likes:
 *   panattn_plan             validates p and decides tiles, key splits and workspace
 *   panattn_forward          tiles [begin, end) of the plan (splits == 1)
 *   panattn_forward_partial  split tiles, then panattn_merge_partial  (splits > 1)
 * Only panattn_plan validates p in full; the tile-range calls check that p is the struct that
 * was planned and keep the few checks that bound their own memory accesses.
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

/* Bumped whenever a prototype, a struct or a constant changes meaning. */
#define PANATTN_ABI_VERSION 9

/* What every entry point returns. Functions return it as int32_t, not as panattn_status: the
 * size of an enum type is the compiler's choice, a fixed-width return is the ABI's. */
typedef enum panattn_status {
    PANATTN_OK = 0,
    PANATTN_ERR_INVALID_ARGUMENT = 1, /* a size, stride, pointer, option or tile range is wrong */
    PANATTN_ERR_UNSUPPORTED = 2,      /* valid, but this CPU, build or device cannot run it */
    PANATTN_ERR_OUT_OF_MEMORY = 3,
    PANATTN_ERR_INTERNAL = 4          /* a bug, or a failure of something underneath (CUDA) */
} panattn_status;

/* Causal alignment. Query i may see key j when j <= i + offset, where offset is 0 for
 * TOP_LEFT (PyTorch's is_causal) and kv_len - seq_q for BOTTOM_RIGHT (FlashAttention,
 * KV-cache decoding); kv_len is key_lengths[b] when given, else seq_k. The sliding window and
 * ALiBi distances use the same offset (0 for NONE). */
#define PANATTN_CAUSAL_NONE 0
#define PANATTN_CAUSAL_TOP_LEFT 1
#define PANATTN_CAUSAL_BOTTOM_RIGHT 2

/* Element types of q, k, v and out (all four share one). Accumulation is always fp32. */
#define PANATTN_DTYPE_F32 0
#define PANATTN_DTYPE_F16 1
#define PANATTN_DTYPE_BF16 2
/* int8 with an fp32 scale per (batch, kv head, key): only as panattn_params.kv_dtype. */
#define PANATTN_DTYPE_I8 3

/* Instruction-set paths of the CPU kernel; AUTO picks the best one CPUID allows for the call's
 * dtype. AVX512_BF16 computes bf16 Q·Kᵀ and P·V with vdpbf16ps, AMX_BF16 with AMX tiles (both:
 * fp32 accumulation; P carried as two bf16 terms unless panattn_params.weights allows one); AUTO
 * takes them only for dtype BF16 (AMX_BF16 first; AVX512_BF16 only on AMD CPUs, where it beats
 * converting to fp32), and forced on F32/F16 they run the AVX512 algorithm. AMX_BF16 needs the CPU's AMX-BF16 and Linux's permission for the tile state, which
 * the library asks for (once per process) the first time it checks. */
#define PANATTN_ISA_AUTO 0
#define PANATTN_ISA_SCALAR 1
#define PANATTN_ISA_AVX2 2
#define PANATTN_ISA_AVX512 3
#define PANATTN_ISA_AVX512_BF16 4
#define PANATTN_ISA_AMX_BF16 5

/* How the softmax weights P enter P·V (panattn_params.weights). FP32, the default: at fp32
 * accuracy, whatever the dtype. BF16: a bf16 call may round each weight to bf16 once (relative
 * error at most 2^-8), which lets vdpbf16ps take a key pair in one instruction instead of two; an
 * output element may then differ from the exact one by up to 2^-8 * sum_j p_j |v_j| (at most
 * 2^-8 * max |v|) more, before its own rounding to bf16. A permission, not an order: paths with
 * no such form (other dtypes, CPUs without AVX512_BF16, the portable kernel, CUDA) stay exact. */
#define PANATTN_WEIGHTS_FP32 0
#define PANATTN_WEIGHTS_BF16 1

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
    /* Serving options (ABI 6). Logits are softcap(softmax_scale * q.k) + alibi + mask; then keys
     * the row cannot see (causal, window, key lengths) are assigned -inf, never consulted. */
    const float *alibi_slopes;   /* optional, (heads): adds -alibi_slopes[h] * |i + offset - j|; NULL for none */
    int64_t window_left;         /* sliding window: row i sees j >= i + offset - window_left; -1: unbounded */
    int64_t window_right;        /* and j <= i + offset + window_right; -1: unbounded (causal caps it at 0) */
    float softcap;               /* > 0: the logit becomes softcap * tanh(logit / softcap); 0: off */
    int32_t window;              /* 1: window_left / window_right apply; 0: no window (a zeroed struct
                                    asks for none of these options) */
    /* Varlen and paged KV (ABI 7). NULL pointers keep the batched layout above.
     * Packed queries (FlashAttention's varlen): q and out are (seq_q = total tokens, heads, head_dim)
     * through their head and row strides (the batch strides are not read); sequence b's queries are
     * rows cu_seqlens_q[b] .. cu_seqlens_q[b + 1] - 1, and its lse entries (lse is (heads, seq_q):
     * lse_head_stride, rows contiguous) the same rows. Tiles never span two sequences. No mask.
     * Packed keys: k and v are (seq_k = total tokens, kv_heads, head_dim), sequence b's keys rows
     * cu_seqlens_k[b] .. cu_seqlens_k[b + 1] - 1; needs cu_seqlens_q, and no key_lengths.
     * Paged keys (vLLM's block tables): k and v are pools (num_blocks, kv_heads, block_size, head_dim)
     * through their batch (= block), head and row strides; key j of sequence b is row j % block_size
     * of block block_table[b * block_table_stride + j / block_size]. key_lengths (each <= seq_k <=
     * max_blocks_per_seq * block_size) give the sequence lengths and are required. */
    const int32_t *cu_seqlens_q; /* optional, (batch + 1): 0, non-decreasing, at most seq_q */
    const int32_t *cu_seqlens_k; /* optional, (batch + 1): 0, non-decreasing, at most seq_k */
    const int32_t *block_table;  /* optional, (batch, max_blocks_per_seq) block ids in [0, num_blocks) */
    int64_t block_table_stride;  /* int32 elements between two sequences' rows of block_table */
    int64_t max_blocks_per_seq;
    int64_t block_size;          /* keys per block */
    int64_t num_blocks;          /* blocks in the k and v pools */
    /* Quantised KV (ABI 7). kv_dtype 0 (a zeroed struct): k and v have dtype's element type. Else
     * dtype must be F32 and k, v hold PANATTN_DTYPE_F16, _BF16 or _I8 elements (strides still in
     * elements). I8 is symmetric, one scale per (batch, kv head, key) for each of k and v:
     * k[b][h][j][x] = k_scale[b * k_scale_batch_stride + h * k_scale_head_stride + j * k_scale_row_stride]
     * * (float)k_int8[b][h][j][x], likewise v (typically scale = max |x| / 127 over the row). */
    int64_t kv_dtype;            /* 0 or PANATTN_DTYPE_F16 / _BF16 / _I8; 64-bit keeps the struct free of padding */
    const float *k_scale;        /* I8 only (else NULL): (batch, kv_heads, seq_k) */
    const float *v_scale;        /* I8 only (else NULL): (batch, kv_heads, seq_k) */
    int64_t k_scale_batch_stride;
    int64_t k_scale_head_stride;
    int64_t k_scale_row_stride;
    int64_t v_scale_batch_stride;
    int64_t v_scale_head_stride;
    int64_t v_scale_row_stride;
    /* Precision of the softmax weights in P·V (ABI 8): PANATTN_WEIGHTS_FP32 (0, a zeroed struct)
     * or PANATTN_WEIGHTS_BF16 (see there). 64-bit keeps the struct free of padding. */
    int64_t weights;
} panattn_params;

/* PANATTN_ABI_VERSION of the built library; the Java side refuses a mismatch. */
PANATTN_API int32_t panattn_abi_version(void);

/* The library's version and build, e.g. "0.1.0 (gcc 12.2, avx2 avx512)". Static storage. */
PANATTN_API const char *panattn_version_string(void);

/* The message of the calling thread's last failed call ("" if none). Thread-local storage. */
PANATTN_API const char *panattn_last_error(void);

/* The name of a panattn_status ("PANATTN_ERR_UNSUPPORTED"), or "PANATTN_STATUS_UNKNOWN" for a
 * value that is none of them. Static storage. */
PANATTN_API const char *panattn_status_str(int32_t status);

/* What panattn_plan decided for one call. A struct tag without a typedef, as POSIX's struct stat
 * beside stat(): the function and the struct share their name. */
struct panattn_plan {
    int64_t tiles;           /* tiles of panattn_forward, numbered heaviest first (batch * heads *
                                ceil(seq_q / PANATTN_TILE_Q)) */
    int64_t splits;          /* key splits: 1 runs panattn_forward; more run panattn_forward_partial
                                over tiles * splits tiles, then panattn_merge_partial */
    int64_t workspace_bytes; /* what panattn_forward_partial needs for these splits; 0 when 1 */
    uint64_t params_digest;  /* fingerprint of the params struct that was validated */
};

/* Validates every size, stride, pointer, option and key length of p once and plans the call for
 * `threads` worker threads into *plan. Splits keys (split-KV decode) when seq_q <= 16 and p has
 * fewer than 2 * threads tiles: then as many splits as give 2 * threads tiles, but no split
 * shorter than 256 keys. PANATTN_ERR_INVALID_ARGUMENT for a bad p, threads < 1 or a NULL plan,
 * PANATTN_ERR_UNSUPPORTED for an ISA this CPU or build cannot run. The tile-range calls below
 * take the plan with the same p, which must not change in between (they refuse one that did),
 * nor may the key lengths p points to. */
PANATTN_API int32_t panattn_plan(const panattn_params *p, int32_t threads, struct panattn_plan *plan);

/* Computes tiles [tile_begin, tile_end) of the forward pass of a planned p: out (and lse when
 * asked). Reentrant; disjoint tile ranges may run on different threads at once. Ignores
 * plan->splits: running every tile here is always correct, splitting is only faster. */
PANATTN_API int32_t panattn_forward(const panattn_params *p, const struct panattn_plan *plan, int64_t tile_begin,
                                    int64_t tile_end);

/* Split-KV (decode): when a call has too few tiles to keep every thread busy (few heads, one
 * or a few query rows, long caches) or fewer sequences than threads, the keys are cut into
 * plan->splits chunks and computed as separate tiles, then merged by LSE. Chunks are cut from the
 * longest sequence's keys: ceil(longest / splits) keys each while that is under 256, else
 * floor(longest / splits) rounded down to a multiple of 256; the last split runs to seq_k:
 *   panattn_forward_partial  over tiles [0, plan->tiles * plan->splits), on any threads
 *   panattn_merge_partial    over tiles [0, plan->tiles), after every partial tile is done.
 * The result equals panattn_forward's up to fp32 rounding. A caller may set plan->splits to any
 * value in [1, seq_k] itself (tests force split counts), with a workspace of
 * batch * heads * seq_q * splits * (head_dim + 1) floats. */

/* Computes split-KV tiles [tile_begin, tile_end) of p: tile t is (panattn_forward's tile
 * t % plan->tiles, key split t / plan->tiles), so a range holds one split of many tiles. Writes
 * no output; workspace (at least
 * plan->workspace_bytes, 4-byte aligned) receives, for every (b, h, query row i, split s), a
 * record of head_dim + 1 floats at float index
 * (((b * heads + h) * seq_q + i) * splits + s) * (head_dim + 1): the split's NORMALISED output
 * row, then its LSE (natural log; -inf with an all-zero row when the split sees no key).
 * Reentrant over disjoint tile ranges. */
PANATTN_API int32_t panattn_forward_partial(const panattn_params *p, const struct panattn_plan *plan, void *workspace,
                                            int64_t tile_begin, int64_t tile_end);

/* Merges the split records of tiles [tile_begin, tile_end) (panattn_forward's numbering) into
 * out (and lse): out = sum_s exp(lse_s - M) * O_s / sum_s exp(lse_s - M) with M the largest
 * lse_s, lse = M + log(sum). Splits with lse -inf contribute nothing; rows where all are -inf
 * get 0 and lse -inf. */
PANATTN_API int32_t panattn_merge_partial(const panattn_params *p, const struct panattn_plan *plan, const void *workspace,
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

/* The path PANATTN_ISA_AUTO resolves to on this CPU for dtype F32 (and F16); for BF16 it is
 * PANATTN_ISA_AMX_BF16 when panattn_isa_supported says so, else on AMD CPUs PANATTN_ISA_AVX512_BF16
 * when supported. */
PANATTN_API int32_t panattn_isa_best(void);

/* The path PANATTN_ISA_AUTO resolves to on this CPU for a PANATTN_DTYPE_* value (ABI 9): for F32
 * and F16 panattn_isa_best(); for BF16 the product path AUTO takes, if any. -1 for a dtype that is
 * none of F32, F16, BF16. */
PANATTN_API int32_t panattn_isa_auto(int32_t dtype);

/* Measures the calling thread's multiply-add throughput on one PANATTN_ISA_* path (AUTO: the best
 * one) for about `seconds` (in (0, 60]) and writes it to *gflops, counting 2 flops per lane per
 * multiply-add: 12 independent chains in registers, 128-bit multiply then add for SCALAR (what
 * baseline code has), 256-bit FMA for AVX2, 512-bit FMA for AVX512. The ceiling a kernel's GFLOP/s
 * is read against; a caller wanting the machine's runs it on every thread at once and sums.
 * PANATTN_ERR_INVALID_ARGUMENT for a NULL gflops, a bad seconds or isa, PANATTN_ERR_UNSUPPORTED
 * for a path this CPU or build cannot run. */
PANATTN_API int32_t panattn_fma_peak(int32_t isa, double seconds, double *gflops);

/* ---- Packed dense layers ---------------------------------------------------------------
 * out[r, :] = act(in[r, :] · W + bias) in fp32, for the projections of an encoder (MiniLM's Q/K/V,
 * output and feed-forward layers). W is k x n, row-major (ONNX MatMul's [in, out]); it is packed
 * once into a caller-owned buffer of panattn_linear_packed_bytes bytes (column panels laid out for
 * the register-blocked micro-kernels, padded with zeros), then any number of threads compute
 * disjoint row ranges of out from it. The packed buffer starts with a header naming k and n, so a
 * call with another shape is refused rather than reading past the buffer. No threads, no state. */

/* Activations applied to every output element after the bias. */
#define PANATTN_ACT_NONE 0
#define PANATTN_ACT_GELU_ERF 1 /* 0.5·x·(1 + erf(x/√2)), BERT's exact GELU (erf to 3e-7 absolute) */

/* The size in bytes of W (k x n, both in [1, 2^24]) once packed, into *bytes. */
PANATTN_API int32_t panattn_linear_packed_bytes(int64_t k, int64_t n, int64_t *bytes);

/* Packs W (k x n, row stride w_row_stride >= n floats) into packed, which holds packed_bytes
 * (at least panattn_linear_packed_bytes) bytes, 4-byte aligned (64 reads fastest). */
PANATTN_API int32_t panattn_linear_pack(const float *w, int64_t k, int64_t n, int64_t w_row_stride, void *packed,
                                        int64_t packed_bytes);

/* out[r, :] = act(in[r, :] · W + bias) for rows r in [row_begin, row_end) (0 <= row_begin <=
 * row_end); in and out point at row 0, with row strides in_row_stride >= k and out_row_stride >= n
 * floats; bias (n floats) may be NULL; activation is a PANATTN_ACT_* value; isa a PANATTN_ISA_*
 * path (AUTO: the best this CPU runs). out must not overlap in or packed. Reentrant: disjoint row
 * ranges may run on different threads at once. */
PANATTN_API int32_t panattn_linear(const float *in, int64_t in_row_stride, const void *packed, int64_t k, int64_t n,
                                   const float *bias, int32_t activation, float *out, int64_t out_row_stride,
                                   int64_t row_begin, int64_t row_end, int32_t isa);

/* ---- Residual add and layer norm after a dense layer ---------------------------------------
 * x[r, :] = LN(x[r, :] + residual[r, :])·gamma + beta for rows r in [row_begin, row_end), in
 * place: BERT's h = LN(x + W·a + b) after the output and feed-forward projections (residual NULL:
 * LN(x) alone). The sum per element in fp32, mean and variance (biased, over n) accumulated in
 * double, the mean and 1/sqrt(var + eps) rounded to fp32, then ((v - mean)·inv)·gamma + beta in
 * fp32. x and residual point at row 0 with row strides >= n floats; gamma and beta hold n floats;
 * n in [1, 2^24]; eps positive and finite. The rows written must not overlap residual, gamma or
 * beta. No threads, no state: disjoint row ranges may run on different threads at once. */
PANATTN_API int32_t panattn_add_layernorm(float *x, int64_t x_row_stride, const float *residual,
                                          int64_t residual_row_stride, int64_t n, const float *gamma,
                                          const float *beta, float eps, int64_t row_begin, int64_t row_end);

#ifdef __cplusplus
}
#endif

#endif /* PANATTN_H */

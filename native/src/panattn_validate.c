/*
 * panattn_validate.c — the full check of a params struct, run once per call by panattn_plan:
 * sizes, strides, pointers, options, key lengths, and that no offset the kernels compute can
 * overflow. The tile-range entry points rely on it and do not repeat it.
 *
 * Every check names the field it rejects, because the message travels unchanged into the
 * Java AttentionException; a caller should not need the C source to understand it.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "panattn_internal.h"

/* Only called with an isa already checked to lie in [AUTO, AMX_BF16] (p->isa after its range
 * check, or panattn_isa_best()), so a table needs no fallback for other values. */
static const char *isa_name(int32_t isa) {
    static const char *const names[] = {"AUTO", "SCALAR", "AVX2", "AVX512", "AVX512_BF16", "AMX_BF16"};
    return names[isa];
}

static int32_t check_size(const char *name, int64_t value) {
    if (value < 1) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s (%lld) must be >= 1", name, (long long)value);
    }
    return PANATTN_OK;
}

static int32_t check_stride(const char *name, int64_t value) {
    if (value < 0) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s (%lld) must be >= 0", name, (long long)value);
    }
    return PANATTN_OK;
}

/* The largest element offset a tensor reaches is sum (size_i - 1) * stride_i over its
 * dimensions; the kernel computes offsets as exactly such sums, so if this one fits int64
 * (and, times the element size, still fits as a byte offset) every offset does. */
static int32_t check_extent(const char *tensor, int n, const int64_t *sizes, const int64_t *strides,
                            const char *const *size_names, const char *const *stride_names, int64_t elem_size) {
    int64_t total = 0;
    int overflow = 0;
    for (int i = 0; i < n && !overflow; i++) {
        int64_t term;
        overflow = __builtin_mul_overflow(sizes[i] - 1, strides[i], &term) ||
                   __builtin_add_overflow(total, term, &total);
    }
    int64_t bytes;
    if (!overflow && !__builtin_mul_overflow(total, elem_size, &bytes)) {
        return PANATTN_OK;
    }
    /* Name every size and stride involved: which one is "wrong" is the caller's call. At most 3
     * terms of at most 75 characters (names of 8 and 17, two 20-digit numbers) fit in 320, so
     * `used < sizeof terms` never fails today; it stays so that longer names would truncate the
     * message rather than wrap snprintf's size argument and write past the buffer. */
    char terms[320];
    size_t used = 0;
    for (int i = 0; i < n - 1 && used < sizeof terms; i++) {
        int w = snprintf(terms + used, sizeof terms - used, "%s%s = %lld, %s = %lld", i ? ", " : "", size_names[i],
                         (long long)sizes[i], stride_names[i], (long long)strides[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s: largest %s offset overflows int64 (%s)", tensor,
                        overflow ? "element" : "byte", terms);
}

static int32_t check_tensors(const panattn_params *p) {
    int64_t es = panattn_dtype_size(p->dtype), kv_es = panattn_dtype_size(panattn_kv_dtype(p));
    int64_t one = 1;
    /* Packed tensors have no batch dimension (their batch strides are not read); paged K and V
     * are pools of num_blocks blocks of block_size rows. */
    const int packed_q = p->cu_seqlens_q != NULL, packed_k = p->cu_seqlens_k != NULL, paged = p->block_table != NULL;
    const int64_t q_batch = packed_q ? 1 : p->batch;
    const int64_t k_batch = packed_k ? 1 : paged ? p->num_blocks : p->batch;
    const int64_t k_rows = paged ? p->block_size : p->seq_k;
    const char *k_batch_name = paged ? "num_blocks" : "batch", *k_rows_name = paged ? "block_size" : "seq_k";
    {
        int64_t sizes[] = {q_batch, p->heads, p->seq_q, p->head_dim};
        int64_t strides[] = {p->q_batch_stride, p->q_head_stride, p->q_row_stride, one};
        const char *dims[] = {"batch", "heads", "seq_q"};
        const char *names[] = {"q_batch_stride", "q_head_stride", "q_row_stride"};
        CHECK(check_extent("q", 4, sizes, strides, dims, names, es));
    }
    {
        int64_t sizes[] = {k_batch, p->kv_heads, k_rows, p->head_dim};
        int64_t strides[] = {p->k_batch_stride, p->k_head_stride, p->k_row_stride, one};
        const char *dims[] = {k_batch_name, "kv_heads", k_rows_name};
        const char *names[] = {"k_batch_stride", "k_head_stride", "k_row_stride"};
        CHECK(check_extent("k", 4, sizes, strides, dims, names, kv_es));
    }
    {
        int64_t sizes[] = {k_batch, p->kv_heads, k_rows, p->head_dim};
        int64_t strides[] = {p->v_batch_stride, p->v_head_stride, p->v_row_stride, one};
        const char *dims[] = {k_batch_name, "kv_heads", k_rows_name};
        const char *names[] = {"v_batch_stride", "v_head_stride", "v_row_stride"};
        CHECK(check_extent("v", 4, sizes, strides, dims, names, kv_es));
    }
    {
        int64_t sizes[] = {q_batch, p->heads, p->seq_q, p->head_dim};
        int64_t strides[] = {p->out_batch_stride, p->out_head_stride, p->out_row_stride, one};
        const char *dims[] = {"batch", "heads", "seq_q"};
        const char *names[] = {"out_batch_stride", "out_head_stride", "out_row_stride"};
        CHECK(check_extent("out", 4, sizes, strides, dims, names, es));
    }
    if (p->lse != NULL) {
        int64_t sizes[] = {q_batch, p->heads, p->seq_q};
        int64_t strides[] = {p->lse_batch_stride, p->lse_head_stride, one};
        const char *dims[] = {"batch", "heads"};
        const char *names[] = {"lse_batch_stride", "lse_head_stride"};
        CHECK(check_extent("lse", 3, sizes, strides, dims, names, 4));
    }
    if (p->kv_dtype == PANATTN_DTYPE_I8) {
        int64_t sizes[] = {p->batch, p->kv_heads, p->seq_k};
        int64_t ks[] = {p->k_scale_batch_stride, p->k_scale_head_stride, p->k_scale_row_stride};
        int64_t vs[] = {p->v_scale_batch_stride, p->v_scale_head_stride, p->v_scale_row_stride};
        const char *dims[] = {"batch", "kv_heads", "seq_k"};
        const char *knames[] = {"k_scale_batch_stride", "k_scale_head_stride", "k_scale_row_stride"};
        const char *vnames[] = {"v_scale_batch_stride", "v_scale_head_stride", "v_scale_row_stride"};
        CHECK(check_extent("k_scale", 3, sizes, ks, dims, knames, 4));
        CHECK(check_extent("v_scale", 3, sizes, vs, dims, vnames, 4));
    }
    if (p->mask != NULL) {
        int64_t sizes[] = {p->batch, p->heads, p->seq_q, p->seq_k};
        int64_t strides[] = {p->mask_batch_stride, p->mask_head_stride, p->mask_row_stride, one};
        const char *dims[] = {"batch", "heads", "seq_q"};
        const char *names[] = {"mask_batch_stride", "mask_head_stride", "mask_row_stride"};
        CHECK(check_extent("mask", 4, sizes, strides, dims, names, 4));
    }
    return PANATTN_OK;
}

/* Quantised KV: the K/V element type, and the int8 scales exactly when it is I8. */
static int32_t check_kv(const panattn_params *p) {
    if (p->kv_dtype < 0 || p->kv_dtype > PANATTN_DTYPE_I8) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "kv_dtype (%lld) must be 0 (same as dtype), F16 (1), BF16 (2) or I8 (3)",
                            (long long)p->kv_dtype);
    }
    if (p->kv_dtype != 0 && p->dtype != PANATTN_DTYPE_F32) {
        return panattn_fail(PANATTN_ERR_UNSUPPORTED,
                            "kv_dtype (%lld) needs dtype F32 (0), got %d: quantised or mixed K/V take fp32 queries",
                            (long long)p->kv_dtype, (int)p->dtype);
    }
    const int i8 = p->kv_dtype == PANATTN_DTYPE_I8;
    if (i8 && p->k_scale == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "k_scale must not be NULL when kv_dtype is I8 (3)");
    }
    if (i8 && p->v_scale == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "v_scale must not be NULL when kv_dtype is I8 (3)");
    }
    if (!i8 && (p->k_scale != NULL || p->v_scale != NULL)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "k_scale and v_scale must be NULL unless kv_dtype is I8 (3), got kv_dtype %lld",
                            (long long)p->kv_dtype);
    }
    if (i8) {
        CHECK(check_stride("k_scale_batch_stride", p->k_scale_batch_stride));
        CHECK(check_stride("k_scale_head_stride", p->k_scale_head_stride));
        CHECK(check_stride("k_scale_row_stride", p->k_scale_row_stride));
        CHECK(check_stride("v_scale_batch_stride", p->v_scale_batch_stride));
        CHECK(check_stride("v_scale_head_stride", p->v_scale_head_stride));
        CHECK(check_stride("v_scale_row_stride", p->v_scale_row_stride));
    }
    return PANATTN_OK;
}

/* The serving options: window bounds, softcap and ALiBi slopes. */
static int32_t check_options(const panattn_params *p) {
    if (p->window != 0 && p->window != 1) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "window (%d) must be 0 (off) or 1 (on)", (int)p->window);
    }
    /* The bounds of an absent window are not read, so they are not judged either. */
    if (p->window && p->window_left < -1) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "window_left (%lld) must be >= -1 (-1: unbounded)",
                            (long long)p->window_left);
    }
    if (p->window && p->window_right < -1) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "window_right (%lld) must be >= -1 (-1: unbounded)",
                            (long long)p->window_right);
    }
    /* !(x >= 0) also rejects NaN */
    if (!(p->softcap >= 0.0f) || isinf(p->softcap)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "softcap (%g) must be finite and >= 0 (0: off)",
                            (double)p->softcap);
    }
    if (p->alibi_slopes != NULL) {
        for (int64_t h = 0; h < p->heads; h++) {
            if (!isfinite(p->alibi_slopes[h])) {
                return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "alibi_slopes[%lld] (%g) must be finite",
                                    (long long)h, (double)p->alibi_slopes[h]);
            }
        }
    }
    return PANATTN_OK;
}

/* One cumulative-offsets array of a packed batch: batch + 1 entries, cu[0] = 0, non-decreasing,
 * none past the tensor's `tokens` rows. */
static int32_t check_cu_seqlens(const char *name, const int32_t *cu, int64_t batch, const char *tokens_name,
                                int64_t tokens) {
    for (int64_t b = 0; b <= batch; b++) {
        if (cu[b] < 0) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s[%lld] = %d is negative", name, (long long)b,
                                (int)cu[b]);
        }
        if (b == 0 && cu[0] != 0) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s[0] = %d must be 0", name, (int)cu[0]);
        }
        if (b > 0 && cu[b] < cu[b - 1]) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                                "%s[%lld] = %d is below %s[%lld] = %d (offsets must not decrease)", name, (long long)b,
                                (int)cu[b], name, (long long)(b - 1), (int)cu[b - 1]);
        }
        if (cu[b] > tokens) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "%s[%lld] = %d is past the tensor's %s = %lld rows",
                                name, (long long)b, (int)cu[b], tokens_name, (long long)tokens);
        }
    }
    return PANATTN_OK;
}

/* Packed sequences and paged keys: which combinations exist, their sizes and offsets. The block
 * ids are checked with the key lengths (validate_params), which say how many blocks each
 * sequence reaches. */
static int32_t check_layout(const panattn_params *p) {
    if (p->cu_seqlens_k != NULL && p->cu_seqlens_q == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "cu_seqlens_k needs cu_seqlens_q (packed keys pair with packed queries)");
    }
    if (p->cu_seqlens_k != NULL && p->block_table != NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "cu_seqlens_k and block_table are two layouts of the keys: give one");
    }
    if (p->cu_seqlens_k != NULL && p->key_lengths != NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "key_lengths must be NULL with cu_seqlens_k (a packed sequence has "
                            "cu_seqlens_k[b + 1] - cu_seqlens_k[b] keys)");
    }
    if (p->cu_seqlens_q != NULL && p->mask != NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "mask is not supported with cu_seqlens_q (packed sequences have no common "
                            "[seq_q, seq_k] shape); use causal modes, windows or key lengths");
    }
    if (p->cu_seqlens_q != NULL) {
        CHECK(check_cu_seqlens("cu_seqlens_q", p->cu_seqlens_q, p->batch, "seq_q", p->seq_q));
    }
    if (p->cu_seqlens_k != NULL) {
        CHECK(check_cu_seqlens("cu_seqlens_k", p->cu_seqlens_k, p->batch, "seq_k", p->seq_k));
    }
    if (p->block_table != NULL) {
        CHECK(check_size("block_size", p->block_size));
        CHECK(check_size("num_blocks", p->num_blocks));
        CHECK(check_size("max_blocks_per_seq", p->max_blocks_per_seq));
        CHECK(check_stride("block_table_stride", p->block_table_stride));
        if (p->key_lengths == NULL) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                                "key_lengths must be given with block_table (they are the sequence lengths)");
        }
        int64_t capacity;
        if (__builtin_mul_overflow(p->max_blocks_per_seq, p->block_size, &capacity) || p->seq_k > capacity) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                                "seq_k (%lld) exceeds max_blocks_per_seq (%lld) * block_size (%lld) keys",
                                (long long)p->seq_k, (long long)p->max_blocks_per_seq, (long long)p->block_size);
        }
        int64_t last_row, term;
        if (__builtin_mul_overflow(p->batch - 1, p->block_table_stride, &last_row) ||
            __builtin_add_overflow(last_row, p->max_blocks_per_seq - 1, &term)) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                                "block_table: largest offset overflows int64 (batch = %lld, block_table_stride = %lld)",
                                (long long)p->batch, (long long)p->block_table_stride);
        }
    }
    return PANATTN_OK;
}

/* The blocks each sequence's length reaches must be ids of the pool: the kernels read them. */
static int32_t check_block_ids(const panattn_params *p) {
    for (int64_t b = 0; b < p->batch; b++) {
        const int64_t reached = ((int64_t)p->key_lengths[b] + p->block_size - 1) / p->block_size;
        const int32_t *row = p->block_table + b * p->block_table_stride;
        for (int64_t i = 0; i < reached; i++) {
            if (row[i] < 0 || row[i] >= p->num_blocks) {
                return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                                    "block_table[%lld][%lld] = %d is outside [0, num_blocks = %lld) (key_lengths[%lld] "
                                    "= %d reaches %lld blocks)",
                                    (long long)b, (long long)i, (int)row[i], (long long)p->num_blocks, (long long)b,
                                    (int)p->key_lengths[b], (long long)reached);
            }
        }
    }
    return PANATTN_OK;
}

/* Every check panattn_plan promises, and a tile count that cannot overflow. */
int32_t panattn_validate_params(const panattn_params *p, int64_t *tile_count) {
    if (p == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "params must not be NULL");
    }
    CHECK(check_size("batch", p->batch));
    CHECK(check_size("heads", p->heads));
    CHECK(check_size("kv_heads", p->kv_heads));
    CHECK(check_size("seq_q", p->seq_q));
    CHECK(check_size("seq_k", p->seq_k));
    CHECK(check_size("head_dim", p->head_dim));
    if (p->head_dim > 1024) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "head_dim (%lld) must be <= 1024",
                            (long long)p->head_dim);
    }
    if (p->heads % p->kv_heads != 0) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "kv_heads (%lld) must divide heads (%lld)",
                            (long long)p->kv_heads, (long long)p->heads);
    }
    CHECK(check_stride("q_batch_stride", p->q_batch_stride));
    CHECK(check_stride("q_head_stride", p->q_head_stride));
    CHECK(check_stride("q_row_stride", p->q_row_stride));
    CHECK(check_stride("k_batch_stride", p->k_batch_stride));
    CHECK(check_stride("k_head_stride", p->k_head_stride));
    CHECK(check_stride("k_row_stride", p->k_row_stride));
    CHECK(check_stride("v_batch_stride", p->v_batch_stride));
    CHECK(check_stride("v_head_stride", p->v_head_stride));
    CHECK(check_stride("v_row_stride", p->v_row_stride));
    CHECK(check_stride("out_batch_stride", p->out_batch_stride));
    CHECK(check_stride("out_head_stride", p->out_head_stride));
    CHECK(check_stride("out_row_stride", p->out_row_stride));
    /* Strides of absent optional tensors are not read, so they are not judged either. */
    if (p->lse != NULL) {
        CHECK(check_stride("lse_batch_stride", p->lse_batch_stride));
        CHECK(check_stride("lse_head_stride", p->lse_head_stride));
    }
    if (p->mask != NULL) {
        CHECK(check_stride("mask_batch_stride", p->mask_batch_stride));
        CHECK(check_stride("mask_head_stride", p->mask_head_stride));
        CHECK(check_stride("mask_row_stride", p->mask_row_stride));
    }
    if (p->q == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "q must not be NULL");
    }
    if (p->k == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "k must not be NULL");
    }
    if (p->v == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "v must not be NULL");
    }
    if (p->out == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "out must not be NULL");
    }
    if (p->causal < PANATTN_CAUSAL_NONE || p->causal > PANATTN_CAUSAL_BOTTOM_RIGHT) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "causal (%d) must be NONE (0), TOP_LEFT (1) or BOTTOM_RIGHT (2)", (int)p->causal);
    }
    if (p->dtype < PANATTN_DTYPE_F32 || p->dtype > PANATTN_DTYPE_BF16) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "dtype (%d) must be F32 (0), F16 (1) or BF16 (2)",
                            (int)p->dtype);
    }
    if (p->isa < PANATTN_ISA_AUTO || p->isa > PANATTN_ISA_AMX_BF16) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "isa (%d) must be AUTO (0), SCALAR (1), AVX2 (2), AVX512 (3), AVX512_BF16 (4) or "
                            "AMX_BF16 (5)",
                            (int)p->isa);
    }
    if (p->weights != PANATTN_WEIGHTS_FP32 && p->weights != PANATTN_WEIGHTS_BF16) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "weights (%lld) must be FP32 (0) or BF16 (1)",
                            (long long)p->weights);
    }
    CHECK(check_layout(p));
    CHECK(check_kv(p)); /* before the extents: k and v's element size depends on it */
    if (p->kv_dtype != 0 && (p->block_table != NULL || p->cu_seqlens_k != NULL)) {
        /* the scales are indexed by (batch, kv head, key) of a batched cache */
        return panattn_fail(PANATTN_ERR_UNSUPPORTED, "kv_dtype %lld with %s: quantised or mixed K/V is implemented for "
                            "batched caches only", (long long)p->kv_dtype,
                            p->block_table != NULL ? "block_table (paged keys)" : "cu_seqlens_k (packed keys)");
    }
    CHECK(check_tensors(p));
    CHECK(check_options(p));
    int64_t bh, count;
    int64_t q_blocks = (p->seq_q + PANATTN_TILE_Q - 1) / PANATTN_TILE_Q; /* seq_q >= 1: no overflow */
    if (p->cu_seqlens_q != NULL) {
        /* packed: at most seq_q blocks in all (each sequence's blocks <= its rows) */
        if (__builtin_mul_overflow(p->heads, p->seq_q, &bh)) {
            return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "tile count heads (%lld) * seq_q (%lld) overflows int64",
                                (long long)p->heads, (long long)p->seq_q);
        }
        count = panattn_varlen_tile_count(p);
    } else if (__builtin_mul_overflow(p->batch, p->heads, &bh) || __builtin_mul_overflow(bh, q_blocks, &count)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "tile count batch (%lld) * heads (%lld) * ceil(seq_q (%lld) / %d) overflows int64",
                            (long long)p->batch, (long long)p->heads, (long long)p->seq_q, PANATTN_TILE_Q);
    }
    if (p->key_lengths != NULL) {
        for (int64_t b = 0; b < p->batch; b++) {
            int32_t len = p->key_lengths[b];
            if (len < 0 || len > p->seq_k) {
                return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "key_lengths[%lld] = %d is outside [0, seq_k = %lld]",
                                    (long long)b, (int)len, (long long)p->seq_k);
            }
        }
    }
    if (p->block_table != NULL) {
        CHECK(check_block_ids(p));
    }
    if (panattn_kernel_select(p->isa, p->dtype) == NULL) {
        return panattn_fail(PANATTN_ERR_UNSUPPORTED, "isa %s (%d) is not supported by this CPU or build (best: %s)",
                            isa_name(p->isa), (int)p->isa, isa_name(panattn_isa_best()));
    }
    *tile_count = count;
    return PANATTN_OK;
}

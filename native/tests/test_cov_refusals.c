/*
 * test_cov_refusals.c — the refusals no other test asserts one by one, each with its status and
 * exact message: the int8 scale strides and extents, scales given for fp16 K/V, quantised K/V with
 * paged or packed keys, the block table's sizes, capacity and offset overflows, the packed tile
 * count's overflow; and panattn_linear's dimension, NULL, alignment, shape, stride and ISA checks.
 */
#include <string.h>

#include "attention_case.h"

static void expect(const char *what, int32_t got, int32_t want, const char *message) {
    char detail[600];
    const char *msg = panattn_last_error();
    snprintf(detail, sizeof detail, "status %d (want %d), message \"%s\"", (int)got, (int)want, msg);
    report(got == want && strcmp(msg, message) == 0, what, detail);
}

static int32_t plan(const panattn_params *p) {
    struct panattn_plan pl;
    return panattn_plan(p, 1, &pl);
}

static void quantised(void) {
    const int32_t BAD = PANATTN_ERR_INVALID_ARGUMENT;
    const attn_shape s = {1, 2, 1, 1, 9, 16, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, PANATTN_ISA_AUTO, 0, 0, 0, 0,
                          MASK_NONE, 0, NULL, 1.0};
    attn_case c;
    ac_build(&c, &s, 9);
    static int8_t k8[9 * 16], v8[9 * 16];
    static float ks[9], vs[9];
    for (int i = 0; i < 9; i++) ks[i] = vs[i] = 0.01f;
    panattn_params q = c.p;
    q.kv_dtype = PANATTN_DTYPE_I8, q.k = k8, q.v = v8, q.k_scale = ks, q.v_scale = vs;
    q.k_scale_batch_stride = q.v_scale_batch_stride = 9, q.k_scale_head_stride = q.v_scale_head_stride = 9;
    q.k_scale_row_stride = q.v_scale_row_stride = 1;
    report(plan(&q) == PANATTN_OK, "int8 K/V plans", panattn_last_error());

    panattn_params p = q;
    p.kv_dtype = -1;
    expect("kv_dtype negative", plan(&p), BAD, "kv_dtype (-1) must be 0 (same as dtype), F16 (1), BF16 (2) or I8 (3)");
    p = q, p.kv_dtype = PANATTN_DTYPE_F16, p.k_scale = NULL;
    expect("v_scale alone for fp16 K/V", plan(&p), BAD,
           "k_scale and v_scale must be NULL unless kv_dtype is I8 (3), got kv_dtype 1");
    static const char *const names[] = {"k_scale_batch_stride", "k_scale_head_stride", "k_scale_row_stride",
                                        "v_scale_batch_stride", "v_scale_head_stride", "v_scale_row_stride"};
    for (int i = 0; i < 6; i++) {
        p = q;
        int64_t *field[] = {&p.k_scale_batch_stride, &p.k_scale_head_stride, &p.k_scale_row_stride,
                            &p.v_scale_batch_stride, &p.v_scale_head_stride, &p.v_scale_row_stride};
        *field[i] = -2;
        char want[200];
        snprintf(want, sizeof want, "%s (-2) must be >= 0", names[i]);
        expect(names[i], plan(&p), BAD, want);
    }
    p = q, p.v_scale_row_stride = INT64_MAX / 4;
    expect("v_scale extent overflow", plan(&p), BAD,
           "v_scale: largest element offset overflows int64 (batch = 1, v_scale_batch_stride = 9, kv_heads = 1, "
           "v_scale_head_stride = 9)");

    /* Quantised or mixed K/V read a batched cache only. */
    static int32_t lens[1] = {9}, table[3] = {0, 1, 2}, cuq[2] = {0, 1}, cuk[2] = {0, 9};
    p = c.p, p.kv_dtype = PANATTN_DTYPE_F16, p.k = k8, p.v = v8; /* 9 x 16 bytes: room for 9 x 8 fp16 rows */
    p.head_dim = 8, p.k_row_stride = p.v_row_stride = 8, p.k_head_stride = p.v_head_stride = 72;
    p.q_row_stride = p.out_row_stride = 16;
    panattn_params g = p;
    g.block_table = table, g.block_table_stride = 3, g.max_blocks_per_seq = 3, g.block_size = 3, g.num_blocks = 3;
    g.k_batch_stride = g.v_batch_stride = 24, g.k_head_stride = g.v_head_stride = 24, g.key_lengths = lens;
    expect("fp16 K/V with a block table", plan(&g), PANATTN_ERR_UNSUPPORTED,
           "kv_dtype 1 with block_table (paged keys): quantised or mixed K/V is implemented for batched caches only");
    panattn_params v = p;
    v.cu_seqlens_q = cuq, v.cu_seqlens_k = cuk;
    expect("fp16 K/V with packed keys", plan(&v), PANATTN_ERR_UNSUPPORTED,
           "kv_dtype 1 with cu_seqlens_k (packed keys): quantised or mixed K/V is implemented for batched caches only");
    ac_destroy(&c);
}

static void paged(void) {
    const int32_t BAD = PANATTN_ERR_INVALID_ARGUMENT;
    /* One head of d 8, pools of 4 blocks of 2 rows, sequences of 3 keys. */
    static float q[2 * 8], k[4 * 2 * 8], v[4 * 2 * 8], out[2 * 8];
    static int32_t table[2 * 2] = {0, 1, 2, 3}, lens[2] = {3, 3};
    panattn_params g;
    memset(&g, 0, sizeof g);
    g.q = q, g.k = k, g.v = v, g.out = out, g.key_lengths = lens;
    g.batch = 2, g.heads = 1, g.kv_heads = 1, g.seq_q = 1, g.seq_k = 3, g.head_dim = 8;
    g.q_batch_stride = g.out_batch_stride = 8, g.q_head_stride = g.out_head_stride = 8;
    g.q_row_stride = g.out_row_stride = 8;
    g.k_batch_stride = g.v_batch_stride = 16, g.k_head_stride = g.v_head_stride = 16;
    g.k_row_stride = g.v_row_stride = 8;
    g.softmax_scale = 1.0f;
    g.block_table = table, g.block_table_stride = 2, g.max_blocks_per_seq = 2, g.block_size = 2, g.num_blocks = 4;
    report(plan(&g) == PANATTN_OK, "valid paged params plan", panattn_last_error());
    panattn_params p = g;
    p.num_blocks = 0;
    expect("num_blocks 0", plan(&p), BAD, "num_blocks (0) must be >= 1");
    p = g, p.max_blocks_per_seq = 0;
    expect("max_blocks_per_seq 0", plan(&p), BAD, "max_blocks_per_seq (0) must be >= 1");
    p = g, p.block_table_stride = -1;
    expect("block_table_stride negative", plan(&p), BAD, "block_table_stride (-1) must be >= 0");
    p = g, p.max_blocks_per_seq = INT64_C(1) << 62;
    expect("table capacity overflows", plan(&p), BAD,
           "seq_k (3) exceeds max_blocks_per_seq (4611686018427387904) * block_size (2) keys");
    p = g, p.block_table_stride = INT64_MAX / 2 + 1, p.batch = 3;
    int32_t lens3[3] = {3, 3, 3};
    p.key_lengths = lens3;
    expect("table offset overflows at batch * stride", plan(&p), BAD,
           "block_table: largest offset overflows int64 (batch = 3, block_table_stride = 4611686018427387904)");
    p = g, p.block_table_stride = INT64_MAX;
    expect("table offset overflows at + max_blocks_per_seq", plan(&p), BAD,
           "block_table: largest offset overflows int64 (batch = 2, block_table_stride = 9223372036854775807)");
}

static void packed_tile_count(void) {
    /* Packed queries with zero strides: any head count passes the extents, the tile count not. */
    static float buf[8];
    static int32_t cuq[2] = {0, 1};
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = p.k = p.v = buf, p.out = buf;
    p.batch = 1, p.heads = INT64_C(1) << 40, p.kv_heads = 1, p.seq_q = INT64_C(1) << 30, p.seq_k = 1, p.head_dim = 8;
    p.softmax_scale = 1.0f;
    p.cu_seqlens_q = cuq;
    expect("packed tile count overflows", plan(&p), PANATTN_ERR_INVALID_ARGUMENT,
           "tile count heads (1099511627776) * seq_q (1073741824) overflows int64");
}

static void linear(void) {
    const int32_t BAD = PANATTN_ERR_INVALID_ARGUMENT;
    static float w[12], in[8], out[16];
    int64_t bytes = 0;
    expect("packed_bytes k too large", panattn_linear_packed_bytes((INT64_C(1) << 24) + 1, 4, &bytes), BAD,
           "panattn_linear_packed_bytes: k (16777217) must be in [1, 16777216]");
    expect("packed_bytes n 0", panattn_linear_packed_bytes(3, 0, &bytes), BAD,
           "panattn_linear_packed_bytes: n (0) must be in [1, 16777216]");
    report(panattn_linear_packed_bytes(3, 4, &bytes) == PANATTN_OK, "packed_bytes 3 x 4", panattn_last_error());
    float *packed = aligned_alloc(64, (size_t)((bytes + 63) / 64 * 64) + 64);
    expect("pack k 0", panattn_linear_pack(w, 0, 4, 4, packed, bytes), BAD,
           "panattn_linear_pack: k (0) must be in [1, 16777216]");
    report(panattn_linear_pack(w, 3, 4, 4, packed, bytes) == PANATTN_OK, "pack 3 x 4", panattn_last_error());
    expect("linear n 0", panattn_linear(in, 3, packed, 3, 0, NULL, PANATTN_ACT_NONE, out, 4, 0, 2, PANATTN_ISA_AUTO),
           BAD, "panattn_linear: n (0) must be in [1, 16777216]");
    expect("linear packed NULL", panattn_linear(in, 3, NULL, 3, 4, NULL, PANATTN_ACT_NONE, out, 4, 0, 2,
                                                PANATTN_ISA_AUTO),
           BAD, "panattn_linear: packed is NULL");
    expect("linear out stride overflows", panattn_linear(in, 3, packed, 3, 4, NULL, PANATTN_ACT_NONE, out,
                                                         INT64_C(1) << 60, 0, 2, PANATTN_ISA_AUTO),
           BAD, "panattn_linear: rows up to 2 with row strides 3 and 1152921504606846976 pass 2^60 floats");
    expect("linear packed misaligned", panattn_linear(in, 3, (char *)packed + 2, 3, 4, NULL, PANATTN_ACT_NONE, out, 4,
                                                      0, 2, PANATTN_ISA_AUTO),
           BAD, "panattn_linear: packed is not 4-byte aligned");
    expect("linear with another k", panattn_linear(in, 4, packed, 4, 4, NULL, PANATTN_ACT_NONE, out, 4, 0, 2,
                                                   PANATTN_ISA_AUTO),
           BAD, "panattn_linear: packed holds W of 3 x 4, but the call says 4 x 4");
    expect("linear isa negative", panattn_linear(in, 3, packed, 3, 4, NULL, PANATTN_ACT_NONE, out, 4, 0, 2, -1), BAD,
           "panattn_linear: isa (-1) is not a PANATTN_ISA_* value this build knows");
    free(packed);
}

int main(void) {
    quantised();
    paged();
    packed_tile_count();
    linear();
    return summary("test_cov_refusals");
}

/*
 * test_cov_strip_widths.c — the prefill strip path of every SIMD kernel at every P·V width,
 * against the float64 oracle.
 *
 * The strip path multiplies P·V 1..NVMAX vectors at a time (pv_tile, NVMAX = 3 at AVX2, 4 at
 * AVX-512), so head dims of 1 .. 2 * NVMAX + 1 vectors land on every width as a full group and as
 * the partial group after one. Each width runs, on every SIMD ISA this CPU runs (AVX512_BF16
 * forced for fp32 and fp16 too, where its bf16 calls take the vdpbf16ps form; the portable kernel
 * runs the same table): fp32 K and V in
 * place and strided, tails of head_dim, converted fp16 / bf16, a mask with dead rows, softcap +
 * ALiBi, a sliding window, pages gathered per block, split-KV, int8 K/V; and V rows holding inf
 * or NaN at keys no row sees, which must not leak into the output (the guarded P·V); a NaN query
 * row (NaN output and LSE); split-KV without LSE; a window wider than the keys.
 */
#include "test_cov_variants.h"

/* V's key row `key` of (batch 0, kv head 0) set to `bad`, the mask hiding that key from every
 * row: the result must be the oracle's, which never reads an excluded key's V. */
static void nonfinite_v(int32_t isa, int32_t dtype, int64_t d, int64_t seq_q, float bad, uint64_t seed) {
    const attn_shape s = {1, 1, 1, seq_q, 150, d, PANATTN_CAUSAL_NONE, dtype, isa, 0, 0, 0, 0, MASK_RANDOM, 1,
                          NULL, 1.0};
    attn_case c;
    ac_build(&c, &s, seed);
    const int64_t key = 37;
    for (int64_t i = 0; i < seq_q; i++) {
        c.mask[i * s.seq_k + key] = -INFINITY;
    }
    for (int64_t x = 0; x < d; x++) {
        const int64_t at = ac_row(1, s.seq_k, c.p.v_row_stride, 0, 0, key) + x;
        if (dtype == PANATTN_DTYPE_F32) {
            ((float *)c.v)[at] = bad;
        } else {
            const uint16_t h = isnan(bad) ? (dtype == PANATTN_DTYPE_F16 ? 0x7e00 : 0x7fc0)
                                          : (dtype == PANATTN_DTYPE_F16 ? 0x7c00 : 0x7f80);
            ((uint16_t *)c.v)[at] = h;
        }
    }
    char name[200];
    snprintf(name, sizeof name, "[%s] %s V row with %s at a masked key, d%lld sq%lld", ac_isa_name(isa),
             ac_dtype_name(dtype), isnan(bad) ? "NaN" : "inf", (long long)d, (long long)seq_q);
    const int32_t st = ac_forward(&c);
    ac_report_and_destroy(&c, st, name);
}

/* A NaN in one query row: that row's logits are all NaN, so its output and LSE must be NaN (the
 * running max stays -inf, the sum is NaN), and the other rows untouched by it. */
static void nan_query(int32_t isa, int32_t dtype, int64_t d, int64_t seq_q, uint64_t seed) {
    const attn_shape s = {1, 2, 1, seq_q, 150, d, PANATTN_CAUSAL_NONE, dtype, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0};
    attn_case c;
    ac_build(&c, &s, seed);
    const int64_t at = ac_row(2, seq_q, c.p.q_row_stride, 0, 1, seq_q - 1) + d / 2;
    if (dtype == PANATTN_DTYPE_F32) {
        ((float *)c.q)[at] = NAN;
    } else {
        ((uint16_t *)c.q)[at] = dtype == PANATTN_DTYPE_F16 ? 0x7e00 : 0x7fc0;
    }
    char name[200];
    snprintf(name, sizeof name, "[%s] %s NaN in a query row, d%lld sq%lld", ac_isa_name(isa), ac_dtype_name(dtype),
             (long long)d, (long long)seq_q);
    const int32_t st = ac_forward(&c);
    ac_report_and_destroy(&c, st, name);
}

static void widths(int32_t isa) {
    const int32_t F32 = PANATTN_DTYPE_F32, F16 = PANATTN_DTYPE_F16, BF16 = PANATTN_DTYPE_BF16;
    const int32_t NONE = PANATTN_CAUSAL_NONE, TL = PANATTN_CAUSAL_TOP_LEFT, BR = PANATTN_CAUSAL_BOTTOM_RIGHT;
    const int64_t vl = cv_lanes(isa), nvmax = isa == PANATTN_ISA_AVX2 ? 3 : 4;
    static const int32_t lengths[2] = {300, 77}, short_lengths[2] = {200, 77};
    uint64_t seed = 9000 * (uint64_t)isa;
    const variant plain = {0}, extras = {0, 0, 4.0f, 1, 0, 0, 0, 0}, window = {0, 0, 0, 0, 1, 40, 3, 0};
    const variant paged = {16, 0, 0, 0, 0, 0, 0, 0}, paged7 = {7, 0, 0, 0, 0, 0, 0, 0};
    const variant split = {0, 0, 0, 0, 0, 0, 0, 3}, i8 = {0, PANATTN_DTYPE_I8, 0, 0, 0, 0, 0, 0};
    for (int64_t nv = 1; nv <= 2 * nvmax + 1; nv++) {
        const int64_t d = nv * vl;
        cv_run("strip, V strided", (attn_shape){1, 2, 1, 37, 300, d, BR, F32, isa, 0, 0, 4, 0, MASK_RANDOM, 1, NULL, 0},
               &plain, seed++);
        cv_run("strip, K strided, tail", (attn_shape){1, 2, 2, 37, 300, d - 3, NONE, F32, isa, 0, 4, 0, 3, MASK_NONE, 0,
                                                      NULL, 0},
               &extras, seed++);
        cv_run("strip, bf16", (attn_shape){1, 1, 1, 37, 200, d, TL, BF16, isa, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS, 1, NULL,
                                           0},
               &plain, seed++);
        cv_run("strip, bf16 tail, extras", (attn_shape){2, 1, 1, 37, 200, d - 1, BR, BF16, isa, 0, 0, 0, 0, MASK_NONE, 1,
                                                        short_lengths, 0},
               &extras, seed++);
        cv_run("strip, f16 tail, window", (attn_shape){1, 1, 1, 37, 200, d - 5 > 0 ? d - 5 : 1, NONE, F16, isa, 0, 0, 0,
                                                       0, MASK_NONE, 1, NULL, 0},
               &window, seed++);
        cv_run("strip, paged", (attn_shape){2, 1, 1, 37, 300, d, BR, F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, lengths, 0},
               &paged, seed++);
        cv_run("strip, paged bf16", (attn_shape){1, 2, 2, 37, 140, d, NONE, BF16, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 0},
               &paged7, seed++);
        cv_run("strip, split", (attn_shape){1, 1, 1, 37, 300, d, BR, F32, isa, 0, 0, 0, 0, MASK_NONE, nv % 2, NULL, 0},
               &split, seed++);
        cv_run("strip, int8 K/V", (attn_shape){1, 1, 1, 37, 200, d, NONE, F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 0},
               &i8, seed++);
    }
    static const int32_t dtypes[3] = {PANATTN_DTYPE_F32, PANATTN_DTYPE_F16, PANATTN_DTYPE_BF16};
    for (int t = 0; t < 3; t++) {
        nonfinite_v(isa, dtypes[t], 2 * vl, 37, INFINITY, seed++);
        nonfinite_v(isa, dtypes[t], 3 * vl - 2, 37, NAN, seed++);
        nonfinite_v(isa, dtypes[t], 2 * vl, 3, INFINITY, seed++); /* the row path skips it too */
        nan_query(isa, dtypes[t], 2 * vl, 37, seed++);
        nan_query(isa, dtypes[t], 2 * vl, 2, seed++);
    }
    /* Strided K/V whose next key block holds 2 keys, fewer than the tile's 4 strips: the strips
     * that share out its prefetch get 0 or 1 rows each. */
    const int64_t kb = isa == PANATTN_ISA_AVX2 ? 256 : isa == PANATTN_ISA_SCALAR ? 64 : 128;
    cv_run("strip, strided, short next block", (attn_shape){1, 1, 1, 4 * 2 * vl, kb + 2, 2 * vl, NONE, F32, isa, 0, 0,
                                                            4, 0, MASK_NONE, 1, NULL, 0},
           &plain, seed++);
    /* A window wider than the keys: the band has no edge on either side. */
    const variant wide = {0, 0, 0, 0, 1, 1000, 1000, 0};
    cv_run("strip, window wider than the keys", (attn_shape){1, 2, 1, 37, 300, 2 * vl, NONE, BF16, isa, 0, 0, 0, 0,
                                                             MASK_NONE, 1, NULL, 0},
           &wide, seed++);
}

int main(void) {
    cv_each_isa(widths);
    return summary("test_cov_strip_widths");
}

/*
 * test_cov_half_io.c — fp16/bf16 special values through every kernel, end to end: zeros of both
 * signs, subnormals, the largest finite values, infinities and NaNs (with payloads) in V must
 * come out unchanged. With one key, every row's softmax weight is exactly 1 (exp of 0), so out
 * equals that key's V row exactly, and lse equals the logit: any error is in the conversions
 * (load into fp32, store back to the dtype), not in rounding. The SIMD kernels convert whole
 * vectors in hardware and the tail of a row in C, so head_dim 29 puts specials in the tail at
 * both vector widths, and each head rotates the specials so every one lands in every region.
 */
#include <string.h>

#include "panattn.h"
#include "test_common.h"

enum { H = 3, D = 29 };

static const uint16_t f16_specials[] = {
    0x0000, 0x8000, /* +0, -0 */
    0x0001, 0x8001, 0x03ff, 0x0200, /* subnormals: smallest, largest, a middle one */
    0x0400, 0x7bff, 0xfbff, /* smallest normal, largest finite of each sign */
    0x7c00, 0xfc00, /* infinities */
    0x7e00, 0xfe01, 0x7d00, /* NaNs: quiet, negative with payload, signalling with payload */
    0x3c00, 0x3555,
};

static const uint16_t bf16_specials[] = {
    0x0000, 0x8000, 0x0001, 0x8001, 0x007f, 0x0040, 0x0080, 0x7f7f, 0xff7f,
    0x7f80, 0xff80, 0x7fc0, 0xffc1, 0x7f81, 0x3f80, 0x3eab,
};

static double decode(uint16_t h, int32_t dtype) {
    return dtype == PANATTN_DTYPE_F16 ? ref_f16_decode(h) : ref_bf16_decode(h);
}

static void check(int32_t isa, int32_t dtype, int64_t seq_q) {
    const uint16_t *specials = dtype == PANATTN_DTYPE_F16 ? f16_specials : bf16_specials;
    const int n_specials = 16;
    uint16_t q[H * 8 * D], k[H * D], v[H * D], out[H * 8 * D];
    float lse[H * 8];
    rng r = {0x5eed0000u + (uint64_t)(isa * 10 + dtype)};
    /* q and k: finite, exact in both dtypes (small integers over 8), so logits are finite. */
    for (int i = 0; i < H * 8 * D; i++) {
        q[i] = dtype == PANATTN_DTYPE_F16 ? (uint16_t)(0x3000 + rng_next(&r) % 0x800) : (uint16_t)(0x3e00 + rng_next(&r) % 0x100);
    }
    for (int i = 0; i < H * D; i++) {
        k[i] = dtype == PANATTN_DTYPE_F16 ? (uint16_t)(0x3000 + rng_next(&r) % 0x800) : (uint16_t)(0x3e00 + rng_next(&r) % 0x100);
    }
    for (int h = 0; h < H; h++) {
        for (int x = 0; x < D; x++) {
            v[h * D + x] = specials[(x + 5 * h) % n_specials];
        }
    }
    memset(out, 0xA5, sizeof out);
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = q, p.k = k, p.v = v, p.out = out, p.lse = lse;
    p.batch = 1, p.heads = H, p.kv_heads = H, p.seq_q = seq_q, p.seq_k = 1, p.head_dim = D;
    p.q_batch_stride = H * seq_q * D, p.q_head_stride = seq_q * D, p.q_row_stride = D;
    p.k_batch_stride = H * D, p.k_head_stride = D, p.k_row_stride = D;
    p.v_batch_stride = H * D, p.v_head_stride = D, p.v_row_stride = D;
    p.out_batch_stride = H * seq_q * D, p.out_head_stride = seq_q * D, p.out_row_stride = D;
    p.lse_batch_stride = H * seq_q, p.lse_head_stride = seq_q;
    p.softmax_scale = 0.25f;
    p.dtype = dtype, p.isa = isa;
    struct panattn_plan plan;
    int32_t st = panattn_plan(&p, 1, &plan);
    st = st != PANATTN_OK ? st : panattn_forward(&p, &plan, 0, plan.tiles);
    int64_t wrong = 0;
    double lse_err = 0;
    char detail[300] = "";
    for (int h = 0; h < H && st == PANATTN_OK; h++) {
        for (int64_t i = 0; i < seq_q; i++) {
            double logit = 0;
            for (int x = 0; x < D; x++) {
                logit += decode(q[(h * seq_q + i) * D + x], dtype) * decode(k[h * D + x], dtype);
                double want = decode(v[h * D + x], dtype), got = decode(out[(h * seq_q + i) * D + x], dtype);
                int ok = isnan(want) ? isnan(got) : got == want; /* -0 may become +0: 0 + 1 * -0 */
                if (!ok && wrong++ == 0) {
                    snprintf(detail, sizeof detail, "head %d row %lld col %d: V 0x%04x came out 0x%04x", h,
                             (long long)i, x, v[h * D + x], out[(h * seq_q + i) * D + x]);
                }
            }
            logit *= 0.25;
            double e = fabs(lse[h * seq_q + i] - logit) / (1 + fabs(logit));
            lse_err = e > lse_err || isnan(e) ? e : lse_err;
        }
    }
    if (st != PANATTN_OK) {
        snprintf(detail, sizeof detail, "status %d: %s", (int)st, panattn_last_error());
    } else if (wrong == 0) {
        snprintf(detail, sizeof detail, "lse err %.1e", lse_err);
    }
    char name[160];
    snprintf(name, sizeof name, "[%s] %s specials in V pass through unchanged (%s path)",
             isa == PANATTN_ISA_AVX512 ? "AVX512" : isa == PANATTN_ISA_AVX2 ? "AVX2" : "SCALAR",
             dtype == PANATTN_DTYPE_F16 ? "f16" : "bf16", seq_q <= 4 ? "row" : "strip");
    report(st == PANATTN_OK && wrong == 0 && lse_err <= 1e-5, name, detail);
}

int main(void) {
    static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!panattn_isa_supported(isas[i])) {
            printf("skip ISA %d: not supported by this CPU or build\n", (int)isas[i]);
            continue;
        }
        for (int32_t dtype = PANATTN_DTYPE_F16; dtype <= PANATTN_DTYPE_BF16; dtype++) {
            check(isas[i], dtype, 1);
            check(isas[i], dtype, 6);
        }
    }
    return summary("test_cov_half_io");
}

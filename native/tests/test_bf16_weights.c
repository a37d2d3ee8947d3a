/*
 * test_bf16_weights.c — panattn_params.weights = PANATTN_WEIGHTS_BF16: a bf16 call on a bf16
 * product path (AMX_BF16, AVX512_BF16) may round each softmax weight to bf16 once before P·V.
 *
 * The contract (panattn.h): every output element is within the exact path's error plus
 * 2^-8 · sum_j p_j |v_j| of the float64 oracle. Checked element by element on the awkward shapes
 * (sizes 1, 7, odd; head dims 1, 3, 59, 80, 128; GQA; both causal alignments; key lengths; masks
 * with rows that see nothing; padded strides; split-KV; window/softcap/ALiBi), where the exact
 * part is SdpaFuzzTest's: max|v| · (1e-5 + 4 · logit error) + one bf16 ulp of the element. The
 * sum is the oracle's own, computed by running it on |V|.
 *
 * Both product paths are held to it. Then that the permission is used and only where it may be:
 * on those paths (forced, or where AUTO takes one: panattn_isa_auto) it changes bits and some
 * element moves by more than the exact bound allows (so the check above is not passed by an
 * exact result); anywhere else (AVX512 or AVX2 kernels, fp32 calls) the bits are those of the
 * default. And validation refuses any other value by name.
 */
#include <stdlib.h>
#include <string.h>

#include "attention_case.h"

static double max_abs(const attn_case *c, const void *buf, int64_t elems) {
    double m = 0;
    for (int64_t i = 0; i < elems; i++) {
        const double x = fabs(ac_get(buf, i, c->s.dtype));
        m = x > m ? x : m;
    }
    return m;
}

/* Per output element: how far it is from the oracle, and the largest distance the exact path
 * (exact) and the rounded weights (rounded = exact + 2^-8 * sum p|v|) may have. */
typedef struct errors {
    double worst_ratio;   /* max over elements of error / rounded bound: <= 1 passes */
    double beyond_exact;  /* max of error / exact bound: > 1 shows the weights were rounded */
} errors;

/* c has run and passed ac_check (so c->ref_out holds the oracle); abs_v is the same case with
 * |V|, whose oracle output is sum_j p_j |v_j|. */
static errors element_errors(attn_case *c, attn_case *abs_v) {
    ac_reference(abs_v);
    const attn_shape *s = &c->s;
    const double vmax = max_abs(c, c->v, c->v_elems);
    const double logit_err = 1.2e-7 * fabs(c->p.softmax_scale) * max_abs(c, c->q, c->q_elems) *
                             max_abs(c, c->k, c->k_elems) * (double)s->head_dim;
    errors e = {0, 0};
    const int64_t B = s->batch, H = s->heads, SQ = s->seq_q, D = s->head_dim;
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t i = 0; i < SQ; i++)
                for (int64_t x = 0; x < D; x++) {
                    const int64_t r = ((b * H + h) * SQ + i) * D + x;
                    const double want = c->ref_out[r];
                    const double got = ac_get(c->out, ac_row(H, SQ, c->p.out_row_stride, b, h, i) + x, s->dtype);
                    if (isnan(want)) {
                        continue; /* ac_check matched the NaN pattern */
                    }
                    const double exact = vmax * (1e-5 + 4 * logit_err) + ldexp(fabs(want), -7) + 1e-30;
                    const double rounded = exact + ldexp(abs_v->ref_out[r], -8);
                    const double err = fabs(got - want);
                    e.worst_ratio = err / rounded > e.worst_ratio ? err / rounded : e.worst_ratio;
                    e.beyond_exact = err / exact > e.beyond_exact ? err / exact : e.beyond_exact;
                }
    return e;
}

/* One shape with weights BF16, plain and (decode-sized queries) split-KV; the case's worst ratio
 * to the exact bound goes into *beyond. */
static void run_case(const attn_shape *s, const ac_extras *e, uint64_t seed, double *beyond) {
    for (int split = 0; split < (s->seq_q <= 16 ? 2 : 1); split++) {
        attn_case c, a;
        ac_build(&c, s, seed);
        ac_build(&a, s, seed);
        ac_apply_extras(&c, e), ac_apply_extras(&a, e);
        c.p.weights = PANATTN_WEIGHTS_BF16;
        uint16_t *av = a.v;
        for (int64_t j = 0; j < a.v_elems; j++) {
            av[j] &= 0x7fff; /* |v| */
        }
        const int64_t splits = s->seq_k < 3 ? s->seq_k : 3;
        const int32_t st = split ? ac_forward_split(&c, splits) : ac_forward(&c);
        char name[300], detail[300] = "";
        snprintf(name, sizeof name, "weights bf16: b%lld h%lld/%lld sq%lld sk%lld d%lld causal %d pad %lld%s%s%s%s",
                 (long long)s->batch, (long long)s->heads, (long long)s->kv_heads, (long long)s->seq_q,
                 (long long)s->seq_k, (long long)s->head_dim, (int)s->causal, (long long)s->k_pad,
                 s->key_lengths ? " keylen" : "", s->mask != MASK_NONE ? " mask" : "",
                 e != NULL ? " window/softcap/alibi" : "", split ? " split 3" : "");
        int ok = st == PANATTN_OK;
        if (!ok) {
            snprintf(detail, sizeof detail, "status %d: %s", (int)st, panattn_last_error());
        } else if ((ok = ac_check(&c, detail, sizeof detail))) {
            const errors er = element_errors(&c, &a);
            ok = er.worst_ratio <= 1.0;
            *beyond = er.beyond_exact > *beyond ? er.beyond_exact : *beyond;
            snprintf(detail, sizeof detail, "worst error / (exact bound + 2^-8 sum p|v|) = %.3f", er.worst_ratio);
        }
        report(ok, name, detail);
        ac_destroy(&c), ac_destroy(&a);
    }
}

static void contract(int32_t isa) {
    static const int32_t lens[] = {200, 0};
    static const int32_t lens3[] = {7, 1, 300};
    static const int64_t sizes[] = {1, 7, 33, 300};
    static const int64_t dims[] = {1, 3, 59, 80, 128};
    double beyond = 0;
    uint64_t seed = 500;
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++) {
            const attn_shape s = {1, 2, 1, sizes[a], sizes[b], dims[(a + b) % (sizeof dims / sizeof dims[0])],
                                  (int32_t)((a + b) % 3), PANATTN_DTYPE_BF16, isa,
                                  0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0};
            run_case(&s, NULL, seed++, &beyond);
        }
    }
    const attn_shape shapes[] = {
        {2, 2, 2, 200, 300, 128, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0,
         MASK_SOME_DEAD_ROWS, 1, lens, 1.0},
        {3, 2, 1, 65, 300, 59, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_BF16, isa, 1, 3, 1, 2,
         MASK_RANDOM, 1, lens3, 1.0},
        {1, 4, 2, 129, 300, 40, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_BF16, isa, 3, 1, 5, 0,
         MASK_NONE, 1, NULL, 3.0},
    };
    const ac_extras opts = {1, 17, 3, 2.0f, 1};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        run_case(&shapes[i], NULL, seed++, &beyond);
        run_case(&shapes[i], &opts, seed++, &beyond);
    }
    char detail[120];
    char name[160];
    snprintf(detail, sizeof detail, "largest error / exact bound %.2f", beyond);
    snprintf(name, sizeof name,
             "weights bf16 rounds on %s: some element is farther from the oracle than the exact path may be",
             ac_isa_name(isa));
    report(beyond > 1.0, name, detail);
}

/* Bits of a call with weights FP32 and BF16 on one isa and dtype; *differ says whether they differ. */
static int32_t both(int32_t isa, int32_t dtype, int *differ) {
    const attn_shape s = {1, 4, 2, 200, 300, 64, PANATTN_CAUSAL_BOTTOM_RIGHT, dtype, isa, 0, 0, 0, 0, MASK_NONE, 1,
                          NULL, 1.0};
    attn_case a, b;
    ac_build(&a, &s, 77);
    ac_build(&b, &s, 77);
    b.p.weights = PANATTN_WEIGHTS_BF16;
    int32_t st = ac_forward(&a);
    st = st != PANATTN_OK ? st : ac_forward(&b);
    *differ = memcmp(a.out, b.out, (size_t)a.out_elems * ac_esize(dtype)) != 0 ||
              memcmp(a.lse, b.lse, (size_t)a.lse_elems * sizeof(float)) != 0;
    ac_destroy(&a), ac_destroy(&b);
    return st;
}

static void where_it_applies(void) {
    const int32_t isas[] = {PANATTN_ISA_AUTO,   PANATTN_ISA_AMX_BF16, PANATTN_ISA_AVX512_BF16,
                            PANATTN_ISA_AVX512, PANATTN_ISA_AVX2,     PANATTN_ISA_SCALAR};
    const int32_t dtypes[] = {PANATTN_DTYPE_BF16, PANATTN_DTYPE_F16, PANATTN_DTYPE_F32};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (isas[i] != PANATTN_ISA_AUTO && !panattn_isa_supported(isas[i])) {
            printf("skip weights bf16 on %s: not supported by this CPU or build\n", ac_isa_name(isas[i]));
            continue;
        }
        for (size_t t = 0; t < sizeof dtypes / sizeof dtypes[0]; t++) {
            /* a product path runs for bf16 where forced, or where AUTO takes one */
            const int32_t path = isas[i] == PANATTN_ISA_AUTO ? panattn_isa_auto(PANATTN_DTYPE_BF16) : isas[i];
            const int rounds = dtypes[t] == PANATTN_DTYPE_BF16 &&
                               (path == PANATTN_ISA_AMX_BF16 || path == PANATTN_ISA_AVX512_BF16);
            int differ = 0;
            const int32_t st = both(isas[i], dtypes[t], &differ);
            char name[160];
            snprintf(name, sizeof name, "weights bf16 on %s, %s: %s", ac_isa_name(isas[i]), ac_dtype_name(dtypes[t]),
                     rounds ? "other bits than the default" : "the default's bits");
            report(st == PANATTN_OK && differ == rounds, name, st == PANATTN_OK ? "" : panattn_last_error());
        }
    }
}

static void refusal(void) {
    const attn_shape s = {1, 1, 1, 3, 3, 8, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_BF16, PANATTN_ISA_AUTO, 0, 0, 0, 0,
                          MASK_NONE, 0, NULL, 1.0};
    const int64_t bad[] = {2, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        attn_case c;
        ac_build(&c, &s, 3);
        c.p.weights = bad[i];
        const int32_t st = ac_forward(&c);
        char want[80], detail[200];
        snprintf(want, sizeof want, "weights (%lld) must be FP32 (0) or BF16 (1)", (long long)bad[i]);
        snprintf(detail, sizeof detail, "status %d, \"%s\"", (int)st, panattn_last_error());
        report(st == PANATTN_ERR_INVALID_ARGUMENT && strcmp(panattn_last_error(), want) == 0,
               "weights outside {FP32, BF16} is refused by name", detail);
        ac_destroy(&c);
    }
}

int main(void) {
    const int32_t paths[] = {PANATTN_ISA_AMX_BF16, PANATTN_ISA_AVX512_BF16};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (panattn_isa_supported(paths[i])) {
            contract(paths[i]);
        } else {
            printf("skip the rounded-weights contract on %s: not supported by this CPU or build\n",
                   ac_isa_name(paths[i]));
        }
    }
    where_it_applies();
    refusal();
    return summary("test_bf16_weights");
}

/*
 * test_serving.c — the serving options (sliding window, logit softcap, ALiBi slopes) on every
 * ISA this machine runs, against the float64 oracle of attention_case.h: awkward sizes (1, 7,
 * odd lengths, head dims 40 / 80 / 59), GQA, both causal alignments, key lengths, masks, rows
 * that see no key, split-KV, fp16; NaN/inf in K and V outside every window never leaking; and
 * the exact messages of the options' validation.
 */
#include "attention_case.h"

static const char *isa_label(int32_t isa) {
    return ac_isa_name(isa);
}

typedef struct options {
    int window;
    int64_t left, right;
    float softcap;
    int alibi;
} options;

static float slopes[16] = {0.25f, 0.125f, 0.0625f, 0.03125f, 0.05f, 0.01f, 0.3f, 0.002f,
                           0.2f, 0.1f, 0.07f, 0.0f, 0.5f, 0.04f, 0.02f, 0.01f};

static void apply(attn_case *c, const options *o) {
    c->p.window = o->window;
    c->p.window_left = o->left;
    c->p.window_right = o->right;
    c->p.softcap = o->softcap;
    c->p.alibi_slopes = o->alibi ? slopes : NULL;
}

static void describe(char *buf, size_t size, const attn_shape *s, const options *o, const char *extra) {
    snprintf(buf, size, "[%s] %s b%lld h%lld/%lld sq%lld sk%lld d%lld causal %d%s window %s(%lld,%lld) softcap %g%s%s",
             isa_label(s->isa), ac_dtype_name(s->dtype), (long long)s->batch, (long long)s->heads,
             (long long)s->kv_heads, (long long)s->seq_q, (long long)s->seq_k, (long long)s->head_dim,
             (int)s->causal, s->key_lengths ? " keylen" : "", o->window ? "" : "off ", (long long)o->left,
             (long long)o->right, (double)o->softcap, o->alibi ? " alibi" : "", extra);
}

/* One shape and options, plain and split 3 ways (fewer when there are fewer keys). */
static void run_case(const attn_shape *s, const options *o, uint64_t seed) {
    for (int split = 0; split < 2; split++) {
        attn_case c;
        ac_build(&c, s, seed);
        apply(&c, o);
        int32_t st = split ? ac_forward_split(&c, s->seq_k < 3 ? s->seq_k : 3) : ac_forward(&c);
        char name[256];
        describe(name, sizeof name, s, o, split ? " split 3" : "");
        ac_report_and_destroy(&c, st, name);
    }
}

static void sweep(int32_t isa) {
    static const int32_t lens_a[] = {200, 0, 7};
    static const int32_t lens_b[] = {1, 300};
    const attn_shape shapes[] = {
        /* batch heads kv  sq   sk   d  causal                       dtype              isa */
        {1, 1, 1, 1, 1, 40, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
        {1, 3, 3, 7, 7, 80, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
        {1, 4, 2, 129, 300, 40, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 3, 0, 5, 0, MASK_NONE, 1, NULL, 2.0},
        {1, 2, 2, 300, 129, 80, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 1.0},
        {1, 2, 1, 300, 300, 64, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.5},
        {3, 1, 1, 65, 300, 59, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS, 1,
         lens_a, 1.0},
        {2, 2, 2, 3, 300, 40, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, lens_b, 1.0},
        {1, 2, 2, 1, 777, 128, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 1.0},
        {1, 2, 1, 97, 129, 80, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F16, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
        {1, 1, 1, 257, 513, 16, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
    };
    const options opts[] = {
        {1, 0, 0, 0, 0},    {1, 7, -1, 0, 0},   {1, -1, 5, 0, 0},   {1, 33, 2, 0, 0},  {1, 130, 129, 0, 0},
        {1, -1, -1, 0, 0},  {1, 1000, 1000, 0, 0}, {0, 0, 0, 1.25f, 0}, {0, 0, 0, 30.0f, 0}, {0, 0, 0, 0, 1},
        {1, 17, 3, 2.0f, 1}, {1, 64, 0, 0.5f, 1},
    };
    uint64_t seed = 1;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
            run_case(&shapes[i], &opts[k], seed++);
        }
    }
}

/* Keys outside every row's window hold NaN and inf in K and V: the output must equal the oracle's
 * (which never reads them) and be finite. */
static void poisoned(int32_t isa) {
    const attn_shape shapes[] = {
        {1, 2, 2, 129, 600, 64, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
        {1, 2, 2, 2, 600, 40, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 1.0},
        {1, 1, 1, 200, 200, 80, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const attn_shape *s = &shapes[i];
        /* window (40, 0) after the diagonal i + offset: keys below offset - 40 and (NONE) above
         * seq_q - 1 + 0 are outside every window */
        const options o = {1, 40, 0, 2.0f, 1};
        attn_case c;
        ac_build(&c, s, 99 + i);
        apply(&c, &o);
        const int64_t offset = s->causal == PANATTN_CAUSAL_BOTTOM_RIGHT ? s->seq_k - s->seq_q : 0;
        const int64_t below = offset - 40, above = s->seq_q - 1 + offset;
        float *k = c.k, *v = c.v;
        for (int64_t h = 0; h < s->kv_heads; h++) {
            for (int64_t j = 0; j < s->seq_k; j++) {
                if (j >= below && j <= above) {
                    continue;
                }
                for (int64_t x = 0; x < s->head_dim; x++) {
                    k[ac_row(s->kv_heads, s->seq_k, c.p.k_row_stride, 0, h, j) + x] = j % 2 ? NAN : INFINITY;
                    v[ac_row(s->kv_heads, s->seq_k, c.p.v_row_stride, 0, h, j) + x] = j % 3 ? -INFINITY : NAN;
                }
            }
        }
        int32_t st = ac_forward(&c);
        char name[256], detail[200];
        describe(name, sizeof name, s, &o, " poisoned outside the window");
        int finite = 1;
        for (int64_t e = 0; e < c.out_elems; e++) {
            finite &= isfinite(((float *)c.out)[e]) != 0;
        }
        if (st != PANATTN_OK) {
            snprintf(detail, sizeof detail, "status %d: %s", (int)st, panattn_last_error());
            report(0, name, detail);
        } else {
            int ok = ac_check(&c, detail, sizeof detail);
            report(ok && finite, name, detail);
        }
        ac_destroy(&c);
    }
}

static void expect_invalid(const char *what, attn_case *c, const char *message) {
    struct panattn_plan plan;
    int32_t st = panattn_plan(&c->p, 1, &plan);
    char detail[300];
    snprintf(detail, sizeof detail, "status %d, \"%s\"", (int)st, panattn_last_error());
    report(st == PANATTN_ERR_INVALID_ARGUMENT && strcmp(panattn_last_error(), message) == 0, what, detail);
}

static void validation(void) {
    const attn_shape s = {1, 2, 2, 7, 7, 16, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, PANATTN_ISA_AUTO,
                          0, 0, 0, 0, MASK_NONE, 0, NULL, 1.0};
    attn_case c;
    ac_build(&c, &s, 5);
    c.p.window = 2;
    expect_invalid("window must be 0 or 1", &c, "window (2) must be 0 (off) or 1 (on)");
    c.p.window = 1, c.p.window_left = -2, c.p.window_right = 0;
    expect_invalid("window_left >= -1", &c, "window_left (-2) must be >= -1 (-1: unbounded)");
    c.p.window_left = 3, c.p.window_right = -7;
    expect_invalid("window_right >= -1", &c, "window_right (-7) must be >= -1 (-1: unbounded)");
    c.p.window = 0; /* bounds of an absent window are not judged */
    struct panattn_plan plan;
    report(panattn_plan(&c.p, 1, &plan) == PANATTN_OK, "absent window: bounds not judged", panattn_last_error());
    c.p.softcap = -1.0f;
    expect_invalid("softcap >= 0", &c, "softcap (-1) must be finite and >= 0 (0: off)");
    c.p.softcap = NAN;
    expect_invalid("softcap not NaN", &c, "softcap (nan) must be finite and >= 0 (0: off)");
    c.p.softcap = INFINITY;
    expect_invalid("softcap finite", &c, "softcap (inf) must be finite and >= 0 (0: off)");
    c.p.softcap = 0.0f;
    float bad[2] = {0.5f, INFINITY};
    c.p.alibi_slopes = bad;
    expect_invalid("alibi slopes finite", &c, "alibi_slopes[1] (inf) must be finite");
    ac_destroy(&c);
}

int main(void) {
    static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};
    for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
        if (!panattn_isa_supported(isas[k])) {
            printf("skip ISA %s: not supported by this CPU or build\n", isa_label(isas[k]));
            continue;
        }
        sweep(isas[k]);
        poisoned(isas[k]);
    }
    validation();
    return summary("test_serving");
}

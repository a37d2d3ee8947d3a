/*
 * test_bf16_dp.c — the bf16 product paths, AMX_BF16 (tiles) and AVX512_BF16 (vdpbf16ps), against
 * the float64 oracle of attention_case.h: awkward sizes (1, 7, odd lengths), head dims 1, 3, 40,
 * 59, 72, 80, 96, 128, 256 (odd ones exercise the zero-extended last pair; those not a multiple of
 * 32 the tiles' padded K), GQA, both causal alignments, key lengths (0 included), masks with rows
 * that see no key, LSE, padded odd strides (unaligned pairs), split-KV, sliding window / softcap /
 * ALiBi, and inf/NaN in V or K of excluded keys.
 *
 * Then the dispatch: AUTO picks AMX_BF16, else (on AMD) AVX512_BF16, for bf16 only (bit-identical
 * to forcing it, and for F32 bit-identical to AVX512); each path really runs (its bf16-rounded P
 * gives other bits than AVX512's fp32 P·V); and with the selector capped (test-hook builds) at
 * avx512bf16 AUTO falls back to AVX512_BF16 (AVX512 on other CPUs than AMD's), at avx512 to the
 * AVX-512 kernel, and forcing the path above the cap is refused with its message. On a CPU or build without a path its cases are skipped and say so.
 */
#define _POSIX_C_SOURCE 200112L /* setenv, unsetenv */

#include <stdlib.h>
#include <string.h>

#include "attention_case.h"

static void describe(char *buf, size_t size, const attn_shape *s, const ac_extras *e, const char *extra) {
    snprintf(buf, size, "[%s] bf16 b%lld h%lld/%lld sq%lld sk%lld d%lld causal %d pad %lld/%lld/%lld%s%s%s%s",
             ac_isa_name(s->isa), (long long)s->batch, (long long)s->heads, (long long)s->kv_heads,
             (long long)s->seq_q, (long long)s->seq_k, (long long)s->head_dim, (int)s->causal, (long long)s->q_pad,
             (long long)s->k_pad, (long long)s->v_pad, s->key_lengths ? " keylen" : "",
             s->mask == MASK_RANDOM ? " mask" : s->mask == MASK_SOME_DEAD_ROWS ? " dead-rows" : "",
             e != NULL && (e->window || e->softcap > 0 || e->alibi) ? " window/softcap/alibi" : "", extra);
}

/* One shape plain, then (decode-sized queries, where the plan splits keys) split-KV 3 ways. */
static void run_case(const attn_shape *s, const ac_extras *e, uint64_t seed) {
    for (int split = 0; split < (s->seq_q <= 16 ? 2 : 1); split++) {
        attn_case c;
        ac_build(&c, s, seed);
        ac_apply_extras(&c, e);
        const int64_t splits = s->seq_k < 3 ? s->seq_k : 3;
        int32_t st = split ? ac_forward_split(&c, splits) : ac_forward(&c);
        char name[300];
        describe(name, sizeof name, s, e, split ? " split 3" : "");
        ac_report_and_destroy(&c, st, name);
    }
}

static void sweep(int32_t isa) {
    static const int32_t lens2[] = {200, 0};
    static const int32_t lens3[] = {7, 1, 300};
    static const int64_t sizes[] = {1, 7, 33, 129, 300};
    static const int64_t dims[] = {1, 3, 40, 59, 80, 96, 128};
    uint64_t seed = 100;
    /* every (seq_q, seq_k) pair at two head dims, non-causal and bottom-right */
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++) {
            const int64_t d = dims[(a + b) % (sizeof dims / sizeof dims[0])];
            const attn_shape s = {1, 2, 1, sizes[a], sizes[b], d, (int32_t)((a + b) % 3), PANATTN_DTYPE_BF16,
                                  isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0};
            run_case(&s, NULL, seed++);
        }
    }
    const attn_shape shapes[] = {
        /* batch heads kv  sq   sk   d  causal                       dtype               isa pads       mask */
        {1, 4, 2, 129, 300, 40, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_BF16, isa, 3, 1, 5, 0, MASK_NONE, 1, NULL, 2.0},
        {1, 2, 2, 300, 129, 80, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 1.0},
        {1, 3, 1, 256, 256, 96, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.5},
        {2, 2, 2, 200, 300, 128, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS, 1,
         lens2, 1.0},
        {3, 2, 1, 65, 300, 59, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_BF16, isa, 1, 3, 1, 2, MASK_RANDOM, 1, lens3,
         1.0},
        {1, 8, 8, 130, 131, 128, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_NONE, 0, NULL, 3.0},
        {1, 2, 2, 7, 513, 64, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0},
        {1, 1, 1, 97, 97, 3, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_BF16, isa, 1, 1, 1, 1, MASK_RANDOM, 1, NULL, 1.0},
        {1, 2, 1, 150, 700, 256, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL,
         1.0},
        {1, 2, 2, 260, 400, 72, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_BF16, isa, 0, 2, 0, 0, MASK_NONE, 1, NULL, 1.0},
    };
    const ac_extras opts[] = {
        {1, 7, -1, 0, 0}, {1, 33, 2, 0, 0}, {1, 130, 129, 0, 0}, {0, 0, 0, 1.25f, 0}, {0, 0, 0, 0, 1}, {1, 17, 3, 2.0f, 1},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        run_case(&shapes[i], NULL, seed++);
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
            run_case(&shapes[i], &opts[k], seed++);
        }
    }
}

/* inf/NaN in V (and K) of keys that are excluded (masked -inf, causally hidden or past the key
 * length) must not reach the output; in V of a key a row does see, they must. */
static void non_finite(int32_t isa) {
    static const int32_t lens[] = {150};
    const attn_shape shapes[] = {
        {1, 2, 2, 150, 200, 40, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0, MASK_RANDOM, 1, lens, 1.0},
        {1, 1, 1, 64, 129, 59, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_BF16, isa, 0, 1, 1, 0, MASK_NONE, 1, NULL, 1.0},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const attn_shape *s = &shapes[i];
        for (int seen = 0; seen < 2; seen++) {
            attn_case c;
            ac_build(&c, s, 900 + i);
            uint16_t *k = c.k, *v = c.v;
            const int64_t kv_len = s->key_lengths ? s->key_lengths[0] : s->seq_k;
            int64_t poisoned = 0;
            for (int64_t j = 0; j < s->seq_k; j++) {
                /* hidden from every row: masked for all rows (first shape), past the key length,
                 * or (causal) after the last row's limit; row 0 sees key 0 in both shapes */
                int hidden = j >= kv_len;
                if (s->causal == PANATTN_CAUSAL_TOP_LEFT && j > s->seq_q - 1) {
                    hidden = 1;
                }
                if (c.mask != NULL && j % 5 == 3) {
                    for (int64_t r = 0; r < s->heads * s->seq_q; r++) {
                        c.mask[r * s->seq_k + j] = -INFINITY;
                    }
                    hidden = 1;
                }
                if (seen ? j != 0 : !hidden) {
                    continue;
                }
                for (int64_t x = 0; x < s->head_dim; x++) {
                    v[ac_row(s->kv_heads, s->seq_k, c.p.v_row_stride, 0, 0, j) + x] = j % 2 ? 0x7f80 : 0xffc0; /* inf, NaN */
                    if (!seen) {
                        k[ac_row(s->kv_heads, s->seq_k, c.p.k_row_stride, 0, 0, j) + x] = 0x7fc0;
                    }
                }
                poisoned++;
            }
            int32_t st = ac_forward(&c);
            char name[300], extra[80];
            snprintf(extra, sizeof extra, seen ? " NaN in V of key 0 (seen)" : " inf/NaN in %lld excluded keys",
                     (long long)poisoned);
            describe(name, sizeof name, s, NULL, extra);
            ac_report_and_destroy(&c, st, name);
        }
    }
}

/* The path `isa` (AVX512_BF16 or AMX_BF16) runs: forcing it on bf16 gives bits other than AVX512's
 * (P rounded to bf16), both within the oracle's tolerance; AUTO is bit-identical to it for bf16 when
 * it is the best bf16 path (`is_auto`), and to AVX512 for f32, which `isa` forced on f32 runs. */
static void dispatch(int32_t isa, int is_auto) {
    char label[120];
    const attn_shape base = {1, 4, 2, 200, 300, 64, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_BF16, isa,
                             0, 0, 0, 0, MASK_NONE, 1, NULL, 1.0};
    attn_case dp, wide, aut;
    attn_shape s = base;
    ac_build(&dp, &s, 7);
    s.isa = PANATTN_ISA_AVX512;
    ac_build(&wide, &s, 7);
    s.isa = PANATTN_ISA_AUTO;
    ac_build(&aut, &s, 7);
    int32_t st = ac_forward(&dp);
    st = st != PANATTN_OK ? st : ac_forward(&wide);
    st = st != PANATTN_OK ? st : ac_forward(&aut);
    char d1[300] = "", d2[300] = "";
    const size_t bytes = (size_t)dp.out_elems * 2;
    int ok = st == PANATTN_OK && ac_check(&dp, d1, sizeof d1) && ac_check(&wide, d2, sizeof d2);
    snprintf(label, sizeof label, "%s on bf16 computes other bits than AVX512", ac_isa_name(isa));
    report(ok && memcmp(dp.out, wide.out, bytes) != 0, label, st != PANATTN_OK ? panattn_last_error() : d1);
    snprintf(label, sizeof label, "AUTO on bf16 is %s%s (and isa_auto says so)", is_auto ? "" : "not ",
             ac_isa_name(isa));
    report(st == PANATTN_OK && (memcmp(dp.out, aut.out, bytes) == 0) == is_auto &&
               (panattn_isa_auto(PANATTN_DTYPE_BF16) == isa) == is_auto,
           label, "");
    ac_destroy(&dp), ac_destroy(&wide), ac_destroy(&aut);

    s = base;
    s.dtype = PANATTN_DTYPE_F32;
    s.isa = PANATTN_ISA_AVX512;
    ac_build(&wide, &s, 8);
    s.isa = PANATTN_ISA_AUTO;
    ac_build(&aut, &s, 8);
    s.isa = isa;
    ac_build(&dp, &s, 8);
    st = ac_forward(&wide);
    st = st != PANATTN_OK ? st : ac_forward(&aut);
    st = st != PANATTN_OK ? st : ac_forward(&dp);
    const size_t fbytes = (size_t)wide.out_elems * 4;
    snprintf(label, sizeof label, "AUTO on f32 is AVX512; %s forced on f32 runs the AVX512 algorithm",
             ac_isa_name(isa));
    report(st == PANATTN_OK && memcmp(wide.out, aut.out, fbytes) == 0 && memcmp(wide.out, dp.out, fbytes) == 0 &&
               ac_check(&aut, d1, sizeof d1),
           label, d1);
    report(panattn_isa_best() == PANATTN_ISA_AVX512, "isa_best (the f32 path) stays AVX512", "");
    ac_destroy(&dp), ac_destroy(&wide), ac_destroy(&aut);
}

#if defined(PANATTN_TEST_HOOKS)
/* The caps the tests use for a CPU without AVX512_BF16 (cap "avx512": AUTO on bf16 becomes AVX512)
 * or without AMX (cap "avx512bf16": it becomes AVX512_BF16 on AMD, AVX512 elsewhere: auto_isa);
 * forcing the path above the cap is refused by name. */
static void capped(const char *cap_env, int32_t cap, int32_t refused, int32_t auto_isa) {
    char label[160];
    const char *outer = getenv("PANATTN_TEST_ISA_MAX");
    char saved[32] = "";
    if (outer != NULL) {
        snprintf(saved, sizeof saved, "%s", outer);
    }
    setenv("PANATTN_TEST_ISA_MAX", cap_env, 1);
    snprintf(label, sizeof label, "cap %s: %s unsupported, %s supported", cap_env, ac_isa_name(refused),
             ac_isa_name(cap));
    report(!panattn_isa_supported(refused) && panattn_isa_supported(cap), label, "");
    const attn_shape base = {1, 2, 1, 150, 150, 80, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_BF16, PANATTN_ISA_AUTO,
                             0, 0, 0, 0, MASK_RANDOM, 1, NULL, 1.0};
    attn_case a, b, f;
    attn_shape s = base;
    ac_build(&a, &s, 21);
    s.isa = auto_isa;
    ac_build(&b, &s, 21);
    s.isa = refused;
    ac_build(&f, &s, 21);
    int32_t st = ac_forward(&a);
    st = st != PANATTN_OK ? st : ac_forward(&b);
    char detail[300] = "";
    snprintf(label, sizeof label, "cap %s: AUTO on bf16 gives the bits of %s, and they match the oracle", cap_env,
             ac_isa_name(auto_isa));
    report(st == PANATTN_OK && memcmp(a.out, b.out, (size_t)a.out_elems * 2) == 0 && ac_check(&a, detail, sizeof detail),
           label, detail);
    st = ac_forward(&f);
    char want[200];
    snprintf(want, sizeof want, "isa %s (%d) is not supported by this CPU or build (best: AVX512)", ac_isa_name(refused),
             (int)refused);
    snprintf(detail, sizeof detail, "status %d, \"%s\"", (int)st, panattn_last_error());
    snprintf(label, sizeof label, "cap %s: forcing %s is refused", cap_env, ac_isa_name(refused));
    report(st == PANATTN_ERR_UNSUPPORTED && strcmp(panattn_last_error(), want) == 0, label, detail);
    ac_destroy(&a), ac_destroy(&b), ac_destroy(&f);
    if (outer != NULL) {
        setenv("PANATTN_TEST_ISA_MAX", saved, 1);
    } else {
        unsetenv("PANATTN_TEST_ISA_MAX");
    }
}
#endif

int main(void) {
    const int amx = panattn_isa_supported(PANATTN_ISA_AMX_BF16);
    /* AUTO takes AVX512_BF16 only on AMD CPUs (see panattn_select.c); elsewhere bf16 converts */
    __builtin_cpu_init();
    const int amd = __builtin_cpu_is("amd");
#if defined(PANATTN_TEST_HOOKS)
    const int32_t dp_auto = amd ? PANATTN_ISA_AVX512_BF16 : PANATTN_ISA_AVX512;
#endif
    if (amx) {
        sweep(PANATTN_ISA_AMX_BF16);
        non_finite(PANATTN_ISA_AMX_BF16);
        dispatch(PANATTN_ISA_AMX_BF16, 1);
#if defined(PANATTN_TEST_HOOKS)
        capped("avx512bf16", PANATTN_ISA_AVX512_BF16, PANATTN_ISA_AMX_BF16, dp_auto);
#endif
    } else {
        printf("skip AMX_BF16: not supported by this CPU or build\n");
    }
    if (panattn_isa_supported(PANATTN_ISA_AVX512_BF16)) {
        sweep(PANATTN_ISA_AVX512_BF16);
        non_finite(PANATTN_ISA_AVX512_BF16);
        dispatch(PANATTN_ISA_AVX512_BF16, !amx && amd);
#if defined(PANATTN_TEST_HOOKS)
        capped("avx512", PANATTN_ISA_AVX512, PANATTN_ISA_AVX512_BF16, PANATTN_ISA_AVX512);
#else
        printf("skip the ISA caps: built without PANATTN_TEST_HOOKS\n");
#endif
    } else {
        printf("skip AVX512_BF16: not supported by this CPU or build (best: %d)\n", (int)panattn_isa_best());
    }
    /* Where AUTO is not this path, what it runs for bf16 instead must pass the same cases. */
    if (!panattn_isa_supported(PANATTN_ISA_AVX512_BF16)) {
        sweep(PANATTN_ISA_AUTO);
        non_finite(PANATTN_ISA_AUTO);
    }
    return summary("test_bf16_dp");
}

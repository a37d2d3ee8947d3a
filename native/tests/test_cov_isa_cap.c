/*
 * test_cov_isa_cap.c — what a caller sees on a CPU without the wider vector units, and the
 * plan's overflow guard on the tile count.
 *
 * An older CPU is simulated with the PANATTN_TEST_ISA_MAX hook (test-hook builds only; elsewhere
 * those cases are skipped and say so): planning a path above the cap must fail with
 * PANATTN_ERR_UNSUPPORTED and a message naming the path and the best one left, the ISA queries
 * must agree, and AUTO must then give exactly the bits of the best path it resolves to. A plan
 * made before the cap and run under it must be refused by every computing entry point rather
 * than call a kernel the selector no longer offers.
 */
#define _POSIX_C_SOURCE 200112L /* setenv, unsetenv */

#include <stdlib.h>
#include <string.h>

#include "attention_case.h"

static void expect(const char *name, int32_t got, int32_t want, const char *want_msg) {
    char detail[600];
    const char *msg = panattn_last_error();
    snprintf(detail, sizeof detail, "status %d (want %d), message \"%s\"", (int)got, (int)want, msg);
    report(got == want && strcmp(msg, want_msg) == 0, name, detail);
}

static void tile_count_overflow(void) {
    static float buf[4];
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = buf, p.k = buf, p.v = buf, p.out = buf; /* strides 0: no extent grows with the sizes */
    p.heads = 4, p.kv_heads = 1, p.seq_k = 1, p.head_dim = 8, p.softmax_scale = 1.0f;
    struct panattn_plan plan;
    p.batch = (int64_t)1 << 62, p.seq_q = 1;
    expect("tile count overflows at batch * heads", panattn_plan(&p, 1, &plan), PANATTN_ERR_INVALID_ARGUMENT,
           "tile count batch (4611686018427387904) * heads (4) * ceil(seq_q (1) / 128) overflows int64");
    p.batch = (int64_t)1 << 60, p.seq_q = 256;
    expect("tile count overflows at the query blocks", panattn_plan(&p, 1, &plan), PANATTN_ERR_INVALID_ARGUMENT,
           "tile count batch (1152921504606846976) * heads (4) * ceil(seq_q (256) / 128) overflows int64");
}

#if defined(PANATTN_TEST_HOOKS)
static const char *name_of(int32_t isa) {
    return ac_isa_name(isa);
}

/* With the selector capped at `cap` (an ISA this CPU runs), every path above it is refused;
 * `top` is the highest path the CPU runs without a cap. */
static void capped(const char *cap_env, int32_t cap, int32_t top) {
    char name[200], want[300];
    /* isa_best names the f32 path: a cap at the vdpbf16ps path leaves AVX512 best */
    const int32_t best = cap == PANATTN_ISA_AVX512_BF16 ? PANATTN_ISA_AVX512 : cap;
    setenv("PANATTN_TEST_ISA_MAX", cap_env, 1);
    snprintf(name, sizeof name, "cap %s: isa_best is %s, higher paths unsupported", cap_env, name_of(best));
    int ok = panattn_isa_best() == best && panattn_isa_supported(cap);
    for (int32_t isa = cap + 1; isa <= PANATTN_ISA_AMX_BF16; isa++) {
        ok &= !panattn_isa_supported(isa);
    }
    report(ok, name, "");

    attn_shape s = {1, 2, 1, 5, 40, 24, PANATTN_CAUSAL_BOTTOM_RIGHT, PANATTN_DTYPE_F32, PANATTN_ISA_AUTO, 0, 0, 0, 0,
                    MASK_RANDOM, 1, NULL, 1.0};
    for (int32_t isa = cap + 1; isa <= PANATTN_ISA_AMX_BF16; isa++) {
        attn_case c;
        s.isa = isa;
        ac_build(&c, &s, 9);
        snprintf(name, sizeof name, "cap %s: forcing %s is refused", cap_env, name_of(isa));
        snprintf(want, sizeof want, "isa %s (%d) is not supported by this CPU or build (best: %s)", name_of(isa),
                 (int)isa, name_of(best));
        expect(name, ac_forward(&c), PANATTN_ERR_UNSUPPORTED, want);
        ac_destroy(&c);
    }

    /* Planned for the highest path while it was allowed, then run under the cap. */
    {
        attn_case c;
        struct panattn_plan plan;
        float ws[2 * 5 * 2 * 25];
        s.isa = top;
        ac_build(&c, &s, 10);
        unsetenv("PANATTN_TEST_ISA_MAX");
        int32_t st = panattn_plan(&c.p, 1, &plan);
        setenv("PANATTN_TEST_ISA_MAX", cap_env, 1);
        report(st == PANATTN_OK, "plan made before the cap", st == PANATTN_OK ? "" : panattn_last_error());
        snprintf(want, sizeof want, "isa (%d) is not supported by this CPU or build", (int)top);
        snprintf(name, sizeof name, "cap %s: forward of an %s plan made before the cap is refused", cap_env,
                 name_of(top));
        expect(name, panattn_forward(&c.p, &plan, 0, plan.tiles), PANATTN_ERR_UNSUPPORTED, want);
        plan.splits = 2;
        snprintf(name, sizeof name, "cap %s: forward_partial of an %s plan made before the cap is refused", cap_env,
                 name_of(top));
        expect(name, panattn_forward_partial(&c.p, &plan, ws, 0, plan.tiles * 2), PANATTN_ERR_UNSUPPORTED, want);
        ac_destroy(&c);
    }

    /* AUTO under the cap computes exactly what forcing the cap computes. */
    attn_case a, b;
    char detail[300] = "";
    s.isa = PANATTN_ISA_AUTO;
    ac_build(&a, &s, 11);
    s.isa = cap;
    ac_build(&b, &s, 11);
    int32_t st = ac_forward(&a);
    st = st != PANATTN_OK ? st : ac_forward(&b);
    ok = st == PANATTN_OK && memcmp(a.out, b.out, (size_t)a.out_elems * 4) == 0 &&
         memcmp(a.lse, b.lse, (size_t)a.lse_elems * 4) == 0 && ac_check(&a, detail, sizeof detail);
    snprintf(name, sizeof name, "cap %s: AUTO gives the bits of %s, and they match the oracle", cap_env, name_of(cap));
    report(ok, name, detail);
    ac_destroy(&a), ac_destroy(&b);
}

static void caps(void) {
    const char *outer = getenv("PANATTN_TEST_ISA_MAX"); /* a coverage pass may have set one */
    char saved[32] = "";
    if (outer != NULL) {
        snprintf(saved, sizeof saved, "%s", outer);
    }
    unsetenv("PANATTN_TEST_ISA_MAX"); /* what the CPU itself runs */
    const int avx2 = panattn_isa_supported(PANATTN_ISA_AVX2), avx512 = panattn_isa_supported(PANATTN_ISA_AVX512);
    const int bf16 = panattn_isa_supported(PANATTN_ISA_AVX512_BF16);
    const int amx = panattn_isa_supported(PANATTN_ISA_AMX_BF16);
    const int32_t top = amx ? PANATTN_ISA_AMX_BF16 : bf16 ? PANATTN_ISA_AVX512_BF16 : panattn_isa_best();
    if (avx2) {
        capped("scalar", PANATTN_ISA_SCALAR, top);
    }
    if (avx512) {
        capped("avx2", PANATTN_ISA_AVX2, top);
    }
    if (bf16) {
        capped("avx512", PANATTN_ISA_AVX512, top);
    }
    if (amx) {
        capped("avx512bf16", PANATTN_ISA_AVX512_BF16, top);
    }
    if (outer != NULL) {
        setenv("PANATTN_TEST_ISA_MAX", saved, 1);
    } else {
        unsetenv("PANATTN_TEST_ISA_MAX");
    }
}
#endif

int main(void) {
    tile_count_overflow();
#if defined(PANATTN_TEST_HOOKS)
    caps();
#else
    printf("skip ISA cap cases: built without PANATTN_TEST_HOOKS\n");
#endif
    return summary("test_cov_isa_cap");
}

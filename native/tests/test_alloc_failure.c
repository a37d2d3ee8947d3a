/*
 * test_alloc_failure.c — every allocation a call makes fails once, in turn (test-hook builds).
 *
 * For each entry point that computes (forward, forward_partial, merge_partial), planned by
 * panattn_plan within the same call, on every ISA and dtype: make the n-th allocation of the
 * call fail, for n = 1, 2, ... until the call makes fewer than n allocations. Each failing call must return PANATTN_ERR_OUT_OF_MEMORY with its exact
 * message and write nothing, and the next call (no failure) must produce exactly the bits of a
 * clean run. Run under AddressSanitizer (native/run-sanitizers.sh) this also proves that no
 * failure path leaks what was allocated before it.
 */
#include <string.h>

#include "attention_case.h"
#include "panattn_test_hooks.h"

enum { ENTRY_FORWARD, ENTRY_PARTIAL, ENTRY_MERGE };

static const char *entry_name[] = {"forward", "forward_partial", "merge_partial"};

/* One call of an entry point, planned inside the same failure window: an allocation panattn_plan
 * made would fail in turn like the kernel's. The split entry points run 3 forced splits. */
static int32_t call(int entry, attn_case *c, float *ws, int64_t splits) {
    struct panattn_plan plan;
    const int32_t st = panattn_plan(&c->p, 1, &plan);
    if (st != PANATTN_OK) {
        return st;
    }
    plan.splits = splits;
    switch (entry) {
    case ENTRY_FORWARD: return panattn_forward(&c->p, &plan, 0, plan.tiles);
    case ENTRY_PARTIAL: return panattn_forward_partial(&c->p, &plan, ws, 0, plan.tiles * splits);
    default: return panattn_merge_partial(&c->p, &plan, ws, 0, plan.tiles);
    }
}

/* The out-of-memory message of the kernel the call runs on (the portable one names its size). */
static int oom_message_ok(int32_t isa, int64_t head_dim, const char *msg) {
    char want[200];
    if (isa == PANATTN_ISA_SCALAR) {
        size_t bytes = 0;
        if (sscanf(msg, "cannot allocate %zu bytes", &bytes) != 1 || bytes < (size_t)(PANATTN_TILE_Q * head_dim * 4)) {
            return 0;
        }
        snprintf(want, sizeof want, "cannot allocate %zu bytes of kernel scratch for head_dim %lld", bytes,
                 (long long)head_dim);
    } else {
        snprintf(want, sizeof want, "cannot allocate the SIMD kernel scratch for head_dim %lld", (long long)head_dim);
    }
    return strcmp(msg, want) == 0;
}

static void check(int32_t isa, int32_t dtype, int entry) {
    const int64_t splits = 3;
    attn_shape s = {2, 2, 1, 5, 40, 40, PANATTN_CAUSAL_BOTTOM_RIGHT, dtype, isa, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 1.0};
    attn_case c;
    ac_build(&c, &s, 77);
    const size_t out_bytes = (size_t)c.out_elems * ac_esize(dtype), lse_bytes = (size_t)c.lse_elems * sizeof(float);
    const size_t ws_bytes = (size_t)(s.batch * s.heads * s.seq_q * splits * (s.head_dim + 1)) * sizeof(float);
    float *ws = malloc(ws_bytes);
    unsigned char *clean_out = malloc(out_bytes), *clean_lse = malloc(lse_bytes), *clean_ws = malloc(ws_bytes);
    char detail[400] = "";
    int ok = 1;

    /* A clean run first: the bits every later successful call must reproduce. The merge reads
     * the records of a clean partial run. */
    memset(ws, 0, ws_bytes);
    if (entry == ENTRY_MERGE) {
        ok &= call(ENTRY_PARTIAL, &c, ws, splits) == PANATTN_OK;
    }
    ok &= call(entry, &c, ws, splits) == PANATTN_OK;
    memcpy(clean_out, c.out, out_bytes), memcpy(clean_lse, c.lse, lse_bytes), memcpy(clean_ws, ws, ws_bytes);

    int64_t n = 1;
    for (; ok && n <= 64; n++) {
        memset(c.out, 0xA5, out_bytes), memset(c.lse, 0xA5, lse_bytes);
        if (entry == ENTRY_PARTIAL) {
            memset(ws, 0xA5, ws_bytes);
        }
        panattn_test_fail_alloc_at(n);
        const int32_t st = call(entry, &c, ws, splits);
        const int64_t made = panattn_test_alloc_count();
        panattn_test_fail_alloc_at(0);
        if (made < n) { /* the call has no n-th allocation: it ran to the end */
            ok &= st == PANATTN_OK;
            ok &= memcmp(c.out, clean_out, out_bytes) == 0 && memcmp(c.lse, clean_lse, lse_bytes) == 0 &&
                  memcmp(ws, clean_ws, ws_bytes) == 0;
            snprintf(detail, sizeof detail, "%lld allocation(s), each failure reported and recovered from",
                     (long long)(n - 1));
            break;
        }
        int failed_ok = st == PANATTN_ERR_OUT_OF_MEMORY && oom_message_ok(isa, s.head_dim, panattn_last_error());
        /* nothing written: out and lse keep the sentinel (a partial run, its workspace) */
        unsigned char sentinel[1] = {0xA5};
        for (size_t i = 0; i < out_bytes && failed_ok && entry != ENTRY_PARTIAL; i++) {
            failed_ok = ((unsigned char *)c.out)[i] == sentinel[0];
        }
        for (size_t i = 0; i < ws_bytes && failed_ok && entry == ENTRY_PARTIAL; i++) {
            failed_ok = ((unsigned char *)ws)[i] == sentinel[0];
        }
        if (!failed_ok) {
            snprintf(detail, sizeof detail, "allocation %lld failed: status %d, message \"%s\"%s", (long long)n,
                     (int)st, panattn_last_error(), st == PANATTN_ERR_OUT_OF_MEMORY ? ", or it wrote output" : "");
            ok = 0;
            break;
        }
        /* the next call, with nothing failing, is whole again */
        const int32_t again = call(entry, &c, ws, splits);
        if (again != PANATTN_OK || memcmp(c.out, clean_out, out_bytes) != 0 || memcmp(c.lse, clean_lse, lse_bytes) != 0 ||
            memcmp(ws, clean_ws, ws_bytes) != 0) {
            snprintf(detail, sizeof detail, "after allocation %lld failed, the next call gave status %d or other bits",
                     (long long)n, (int)again);
            ok = 0;
        }
    }
    ok &= n <= 64;
    char name[160];
    snprintf(name, sizeof name, "[%s] %s %s: every allocation fails in turn", ac_isa_name(isa), entry_name[entry],
             ac_dtype_name(dtype));
    report(ok, name, detail);
    free(ws), free(clean_out), free(clean_lse), free(clean_ws);
    ac_destroy(&c);
}

int main(void) {
    static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!panattn_isa_supported(isas[i])) {
            printf("skip ISA %s: not supported by this CPU or build\n", ac_isa_name(isas[i]));
            continue;
        }
        for (int32_t dtype = PANATTN_DTYPE_F32; dtype <= PANATTN_DTYPE_BF16; dtype++) {
            for (int entry = ENTRY_FORWARD; entry <= ENTRY_MERGE; entry++) {
                check(isas[i], dtype, entry);
            }
        }
    }
    return summary("test_alloc_failure");
}

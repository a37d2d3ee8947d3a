/*
 * test_cov_splitkv.c — split-KV partial tiles and the LSE merge at their edges, on every ISA:
 * shards that see no key (key lengths 0 and 1, causal rows before their first key), a merge of
 * only empty shards (0 and lse -inf), a NaN shard among empty ones (NaN, not 0), one key per
 * shard; each against the float64 oracle. Then every argument the split entry points reject
 * (a forced split count, the workspace, the tile range, params changed after planning), with its
 * exact status and message.
 */
#include <string.h>

#include "attention_case.h"

static void run_split(const char *what, attn_shape s, int64_t splits, int nan_row) {
    attn_case c;
    char name[220];
    snprintf(name, sizeof name, "[%s] split-KV x%lld: %s %s causal %d", ac_isa_name(s.isa), (long long)splits, what,
             ac_dtype_name(s.dtype), (int)s.causal);
    ac_build(&c, &s, (uint64_t)(splits * 31 + s.isa * 7 + s.causal));
    if (nan_row) {
        ((float *)c.q)[ac_row(s.heads, s.seq_q, c.p.q_row_stride, 1, 0, s.seq_q - 1) + 3] = NAN;
    }
    int32_t st = ac_forward_split(&c, splits);
    ac_report_and_destroy(&c, st, name);
}

static void merges(int32_t isa) {
    /* batch 0 sees no key, batch 1 one key (only shard 0 has it), batch 2 five keys. */
    static const int32_t lengths[3] = {0, 1, 5};
    static const int64_t split_counts[] = {1, 3, 9};
    for (int32_t causal = PANATTN_CAUSAL_NONE; causal <= PANATTN_CAUSAL_BOTTOM_RIGHT; causal += 2) {
        for (size_t i = 0; i < sizeof split_counts / sizeof split_counts[0]; i++) {
            attn_shape s = {3, 2, 1, 3, 9, 20, causal, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1, lengths, 1.0};
            run_split("empty shards (key lengths 0, 1, 5)", s, split_counts[i], 0);
            s.dtype = PANATTN_DTYPE_F16;
            run_split("empty shards (key lengths 0, 1, 5)", s, split_counts[i], 0);
        }
    }
    attn_shape dead = {2, 2, 2, 5, 40, 24, PANATTN_CAUSAL_TOP_LEFT, PANATTN_DTYPE_BF16, isa, 0, 0, 0, 0,
                       MASK_SOME_DEAD_ROWS, 0, NULL, 1.0};
    run_split("masked rows with no key, no lse", dead, 4, 0);
    /* The NaN row's only key is in shard 0; shards 1 and 2 are empty (-inf): the merge must
     * give NaN, where only-empty shards give 0. */
    attn_shape nan = {3, 2, 1, 3, 9, 20, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, isa, 0, 0, 0, 0, MASK_NONE, 1,
                      lengths, 1.0};
    run_split("NaN shard among empty shards", nan, 3, 1);
}

/* The status and the exact message of a call. */
static void expect(const char *name, int32_t got, int32_t want, const char *want_msg) {
    char detail[600];
    const char *msg = panattn_last_error();
    snprintf(detail, sizeof detail, "status %d (want %d), message \"%s\"", (int)got, (int)want, msg);
    report(got == want && strcmp(msg, want_msg) == 0, name, detail);
}

/* Valid params over tiny buffers whose strides are all 0: the sizes may be huge without any
 * extent growing, so the split arithmetic itself is what overflows. */
static panattn_params huge(int64_t batch, int64_t seq_q, int64_t seq_k, int64_t head_dim) {
    static float buf[4];
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = buf, p.k = buf, p.v = buf, p.out = buf;
    p.batch = batch, p.heads = 1, p.kv_heads = 1, p.seq_q = seq_q, p.seq_k = seq_k, p.head_dim = head_dim;
    p.softmax_scale = 1.0f;
    return p;
}

static void argument_errors(void) {
    const int32_t BAD = PANATTN_ERR_INVALID_ARGUMENT;
    char want[300];
    attn_shape s = {1, 2, 2, 3, 9, 8, PANATTN_CAUSAL_NONE, PANATTN_DTYPE_F32, PANATTN_ISA_AUTO, 0, 0, 0, 0,
                    MASK_NONE, 0, NULL, 1.0};
    attn_case c;
    ac_build(&c, &s, 5);
    const panattn_params *p = &c.p;
    float ws[2 * 3 * 3 * 9 + 1];
    char *odd = (char *)ws + 1;
    struct panattn_plan plan, forced;
    report(panattn_plan(p, 1, &plan) == PANATTN_OK, "plan for the split argument checks", panattn_last_error());
    forced = plan;

    forced.splits = 0;
    expect("partial: splits 0", panattn_forward_partial(p, &forced, ws, 0, 1), BAD,
           "splits (0) must lie in [1, seq_k = 9]");
    forced.splits = 10;
    expect("merge: splits past seq_k", panattn_merge_partial(p, &forced, ws, 0, 1), BAD,
           "splits (10) must lie in [1, seq_k = 9]");
    forced.splits = 3;
    expect("partial: NULL workspace", panattn_forward_partial(p, &forced, NULL, 0, 1), BAD,
           "workspace must not be NULL");
    snprintf(want, sizeof want, "workspace (%p) must be 4-byte aligned", (void *)odd);
    expect("partial: misaligned workspace", panattn_forward_partial(p, &forced, odd, 0, 1), BAD, want);
    expect("merge: misaligned workspace", panattn_merge_partial(p, &forced, odd, 0, 1), BAD, want);
    /* 2 tiles x 3 splits = 6 partial tiles; the merge counts plain tiles (2). */
    expect("partial: negative tile_begin", panattn_forward_partial(p, &forced, ws, -1, 2), BAD,
           "tile range [tile_begin = -1, tile_end = 2) must lie within [0, tile count = 6]");
    expect("partial: tile_begin after tile_end", panattn_forward_partial(p, &forced, ws, 4, 3), BAD,
           "tile range [tile_begin = 4, tile_end = 3) must lie within [0, tile count = 6]");
    expect("partial: tile_end past the partial tiles", panattn_forward_partial(p, &forced, ws, 0, 7), BAD,
           "tile range [tile_begin = 0, tile_end = 7) must lie within [0, tile count = 6]");
    expect("merge: tile_end past the tiles", panattn_merge_partial(p, &forced, ws, 0, 3), BAD,
           "tile range [tile_begin = 0, tile_end = 3) must lie within [0, tile count = 2]");
    /* Only panattn_plan validates; the split entry points refuse params other than the planned. */
    panattn_params no_dim = *p;
    no_dim.head_dim = 0;
    struct panattn_plan refused;
    expect("plan: invalid params", panattn_plan(&no_dim, 1, &refused), BAD, "head_dim (0) must be >= 1");
    const char *changed = "params differ from the ones panattn_plan validated (plan again after changing them)";
    expect("partial: params changed after planning", panattn_forward_partial(&no_dim, &forced, ws, 0, 1), BAD,
           changed);
    expect("merge: params changed after planning", panattn_merge_partial(&no_dim, &forced, ws, 0, 1), BAD, changed);
    expect("partial: NULL params", panattn_forward_partial(NULL, &forced, ws, 0, 1), BAD, "params must not be NULL");
    expect("merge: NULL plan", panattn_merge_partial(p, NULL, ws, 0, 1), BAD, "plan must not be NULL");
    report(panattn_forward_partial(p, &forced, ws, 6, 6) == PANATTN_OK &&
               panattn_merge_partial(p, &forced, ws, 2, 2) == PANATTN_OK,
           "empty tile ranges are accepted and write nothing", "");
    ac_destroy(&c);

    /* Workspace bytes = batch * heads * seq_q * splits * (head_dim + 1) * 4, each product
     * overflowing in turn: at seq_q, at splits, at head_dim + 1, at the 4 bytes a float. The
     * plan itself never splits these (too many tiles to split), so the count is forced. */
    const int64_t G = (int64_t)1 << 40;
    struct {
        const char *name;
        panattn_params p;
        int64_t splits;
    } over[] = {
        {"workspace overflows at seq_q", huge(G, (int64_t)1 << 24, 1, 8), 1},
        {"workspace overflows at splits", huge(G, 1, (int64_t)1 << 24, 8), (int64_t)1 << 24},
        {"workspace overflows at head_dim + 1", huge(G, 1, 1 << 13, 1024), 1 << 13},
        {"workspace overflows at the float size", huge(G, 1, 1 << 11, 1023), 1 << 11},
    };
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        struct panattn_plan huge_plan = {0, 0, 0, 0};
        int32_t st = panattn_plan(&over[i].p, 1, &huge_plan);
        char detail[200];
        snprintf(detail, sizeof detail, "status %d, %lld splits, %lld bytes%s%s", (int)st, (long long)huge_plan.splits,
                 (long long)huge_plan.workspace_bytes, st != PANATTN_OK ? ": " : "",
                 st != PANATTN_OK ? panattn_last_error() : "");
        snprintf(want, sizeof want, "%s: planned unsplit", over[i].name);
        report(st == PANATTN_OK && huge_plan.splits == 1 && huge_plan.workspace_bytes == 0, want, detail);
        huge_plan.splits = over[i].splits;
        snprintf(want, sizeof want, "workspace for splits (%lld) overflows int64", (long long)over[i].splits);
        expect(over[i].name, panattn_forward_partial(&over[i].p, &huge_plan, ws, 0, 0), BAD, want);
    }
}

int main(void) {
    static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!panattn_isa_supported(isas[i])) {
            printf("skip ISA %s: not supported by this CPU or build\n", ac_isa_name(isas[i]));
            continue;
        }
        merges(isas[i]);
    }
    argument_errors();
    return summary("test_cov_splitkv");
}

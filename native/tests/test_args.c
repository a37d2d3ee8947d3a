/*
 * test_args.c — every way to call the library wrongly: each bad argument gets the right
 * status code and a message naming the field, and nothing crashes (run it under ASan).
 * panattn_plan validates; the tile-range calls must refuse params changed after planning,
 * edited plans and bad ranges without validating again. Also: the small entry points
 * (version, ABI, ISA queries, status names) and that the message is per thread.
 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "panattn.h"
#include "test_common.h"

enum { B = 2, H = 4, KVH = 2, SQ = 10, SK = 12, D = 8 };

static float q[B * H * SQ * D], k[B * KVH * SK * D], v[B * KVH * SK * D], out[B * H * SQ * D];
static float lse[B * H * SQ], mask[SQ * SK];
static int32_t key_lengths[B] = {SK, 5};

/* A valid call, [batch, heads, seq, head_dim] contiguous, that each case then spoils. */
static panattn_params base(void) {
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = q, p.k = k, p.v = v, p.out = out;
    p.batch = B, p.heads = H, p.kv_heads = KVH, p.seq_q = SQ, p.seq_k = SK, p.head_dim = D;
    p.q_batch_stride = H * SQ * D, p.q_head_stride = SQ * D, p.q_row_stride = D;
    p.k_batch_stride = KVH * SK * D, p.k_head_stride = SK * D, p.k_row_stride = D;
    p.v_batch_stride = KVH * SK * D, p.v_head_stride = SK * D, p.v_row_stride = D;
    p.out_batch_stride = H * SQ * D, p.out_head_stride = SQ * D, p.out_row_stride = D;
    p.softmax_scale = 0.35f;
    return p;
}

static panattn_params with_optionals(void) {
    panattn_params p = base();
    p.lse = lse, p.lse_batch_stride = H * SQ, p.lse_head_stride = SQ;
    p.mask = mask, p.mask_row_stride = SK; /* broadcast over batch and heads */
    p.key_lengths = key_lengths;
    return p;
}

/* Plans p (1 thread) and checks status and message; `field` must appear in the message. On
 * success also runs the first tile, so the plan is proven usable by what consumes it. */
static void expect_plan(const char *name, const panattn_params *p, int32_t want, const char *field) {
    char detail[600];
    struct panattn_plan plan;
    int32_t got = panattn_plan(p, 1, &plan);
    if (got == PANATTN_OK) {
        got = panattn_forward(p, &plan, 0, 1);
    }
    const char *msg = panattn_last_error();
    int ok = got == want && (want == PANATTN_OK || (msg[0] != 0 && strstr(msg, field) != NULL));
    snprintf(detail, sizeof detail, "status %d (want %d), message \"%s\"", (int)got, (int)want,
             want == PANATTN_OK ? "" : msg);
    report(ok, name, detail);
}

/* Checks a status and that the thread's message names `field`. */
static void expect_status(const char *name, int32_t got, int32_t want, const char *field) {
    char detail[600];
    const char *msg = panattn_last_error();
    int ok = got == want && (want == PANATTN_OK || (msg[0] != 0 && strstr(msg, field) != NULL));
    snprintf(detail, sizeof detail, "status %s (want %s), message \"%s\"", panattn_status_str(got),
             panattn_status_str(want), want == PANATTN_OK ? "" : msg);
    report(ok, name, detail);
}

#define SPOIL(name, field_expr, value, want, field)                                                \
    do {                                                                                           \
        panattn_params p_ = with_optionals();                                                      \
        p_.field_expr = value;                                                                     \
        expect_plan(name, &p_, want, field);                                                       \
    } while (0)

static const struct {
    const char *name;
    size_t offset;
} strides[] = {
#define S(f) {#f, offsetof(panattn_params, f)}
    S(q_batch_stride),   S(q_head_stride),   S(q_row_stride),    S(k_batch_stride),
    S(k_head_stride),    S(k_row_stride),    S(v_batch_stride),  S(v_head_stride),
    S(v_row_stride),     S(out_batch_stride), S(out_head_stride), S(out_row_stride),
    S(lse_batch_stride), S(lse_head_stride), S(mask_batch_stride), S(mask_head_stride),
    S(mask_row_stride),
#undef S
};

static void *thread_message(void *arg) {
    *(const char **)arg = panattn_last_error();
    return NULL;
}

int main(void) {
    char name[200];
    const int64_t big = INT64_MAX / 2;
    panattn_params p;

    /* The happy path first, so a failure below is about the argument, not the setup. */
    p = with_optionals();
    expect_plan("valid call with lse, broadcast mask and key_lengths", &p, PANATTN_OK, "");
    struct panattn_plan plan;
    memset(&plan, 0xab, sizeof plan);
    int32_t st = panattn_plan(&p, 1, &plan);
    snprintf(name, sizeof name, "plan: tiles = batch * heads * ceil(seq_q / %d) = 8 (got %lld), 1 split, no workspace",
             PANATTN_TILE_Q, (long long)plan.tiles);
    report(st == PANATTN_OK && plan.tiles == 8 && plan.splits == 1 && plan.workspace_bytes == 0, name, "");

    expect_plan("NULL params", NULL, PANATTN_ERR_INVALID_ARGUMENT, "params");
    expect_status("plan: NULL plan", panattn_plan(&p, 1, NULL), PANATTN_ERR_INVALID_ARGUMENT, "plan");
    expect_status("plan: threads = 0", panattn_plan(&p, 0, &plan), PANATTN_ERR_INVALID_ARGUMENT, "threads (0)");
    expect_status("plan: threads = -4", panattn_plan(&p, -4, &plan), PANATTN_ERR_INVALID_ARGUMENT, "threads (-4)");

    SPOIL("batch = 0", batch, 0, PANATTN_ERR_INVALID_ARGUMENT, "batch (0)");
    SPOIL("heads = -3", heads, -3, PANATTN_ERR_INVALID_ARGUMENT, "heads (-3)");
    SPOIL("kv_heads = 0", kv_heads, 0, PANATTN_ERR_INVALID_ARGUMENT, "kv_heads (0)");
    SPOIL("seq_q = 0", seq_q, 0, PANATTN_ERR_INVALID_ARGUMENT, "seq_q (0)");
    SPOIL("seq_k = 0", seq_k, 0, PANATTN_ERR_INVALID_ARGUMENT, "seq_k (0)");
    SPOIL("head_dim = 0", head_dim, 0, PANATTN_ERR_INVALID_ARGUMENT, "head_dim (0)");
    SPOIL("head_dim = 1025", head_dim, 1025, PANATTN_ERR_INVALID_ARGUMENT, "head_dim (1025)");
    SPOIL("kv_heads = 3 does not divide heads = 4", kv_heads, 3, PANATTN_ERR_INVALID_ARGUMENT,
          "kv_heads (3) must divide heads (4)");
    SPOIL("kv_heads = 8 > heads = 4", kv_heads, 8, PANATTN_ERR_INVALID_ARGUMENT, "kv_heads (8)");
    SPOIL("q = NULL", q, NULL, PANATTN_ERR_INVALID_ARGUMENT, "q must not be NULL");
    SPOIL("k = NULL", k, NULL, PANATTN_ERR_INVALID_ARGUMENT, "k must not be NULL");
    SPOIL("v = NULL", v, NULL, PANATTN_ERR_INVALID_ARGUMENT, "v must not be NULL");
    SPOIL("out = NULL", out, NULL, PANATTN_ERR_INVALID_ARGUMENT, "out must not be NULL");
    SPOIL("causal = 3", causal, 3, PANATTN_ERR_INVALID_ARGUMENT, "causal (3)");
    SPOIL("causal = -1", causal, -1, PANATTN_ERR_INVALID_ARGUMENT, "causal (-1)");
    SPOIL("dtype = 3", dtype, 3, PANATTN_ERR_INVALID_ARGUMENT, "dtype (3)");
    SPOIL("dtype = -1", dtype, -1, PANATTN_ERR_INVALID_ARGUMENT, "dtype (-1)");
    SPOIL("isa = 6", isa, 6, PANATTN_ERR_INVALID_ARGUMENT, "isa (6)");
    SPOIL("isa = -1", isa, -1, PANATTN_ERR_INVALID_ARGUMENT, "isa (-1)");
    for (int32_t isa = PANATTN_ISA_AUTO; isa <= PANATTN_ISA_AMX_BF16; isa++) {
        snprintf(name, sizeof name, "isa = %d (supported here: %d)", (int)isa, (int)panattn_isa_supported(isa));
        SPOIL(name, isa, isa, panattn_isa_supported(isa) ? PANATTN_OK : PANATTN_ERR_UNSUPPORTED, "isa");
    }

    for (size_t i = 0; i < sizeof strides / sizeof strides[0]; i++) {
        p = with_optionals();
        *(int64_t *)((char *)&p + strides[i].offset) = -1;
        snprintf(name, sizeof name, "%s = -1", strides[i].name);
        char field[100];
        snprintf(field, sizeof field, "%s (-1)", strides[i].name);
        expect_plan(name, &p, PANATTN_ERR_INVALID_ARGUMENT, field);
    }
    /* Strides of absent optional tensors are never read, so they are not judged. */
    p = base();
    p.lse_batch_stride = -1, p.mask_row_stride = -7;
    expect_plan("negative lse/mask strides while lse and mask are NULL", &p, PANATTN_OK, "");

    key_lengths[1] = SK + 1;
    p = with_optionals();
    expect_plan("key_lengths[1] = 13 > seq_k", &p, PANATTN_ERR_INVALID_ARGUMENT,
               "key_lengths[1] = 13 is outside [0, seq_k = 12]");
    key_lengths[1] = -1;
    expect_plan("key_lengths[1] = -1", &p, PANATTN_ERR_INVALID_ARGUMENT, "key_lengths[1] = -1");
    key_lengths[1] = 0;
    expect_plan("key_lengths[1] = 0 is valid", &p, PANATTN_OK, "");
    key_lengths[1] = 5;

    /* Offsets that overflow int64, each caught before any memory is touched. */
    SPOIL("seq_q = INT64_MAX / 2", seq_q, big, PANATTN_ERR_INVALID_ARGUMENT, "q_row_stride");
    SPOIL("seq_k = INT64_MAX / 2", seq_k, big, PANATTN_ERR_INVALID_ARGUMENT, "k_row_stride");
    SPOIL("batch = INT64_MAX / 2", batch, big, PANATTN_ERR_INVALID_ARGUMENT, "q_batch_stride");
    SPOIL("q_head_stride = INT64_MAX / 2", q_head_stride, big, PANATTN_ERR_INVALID_ARGUMENT, "overflows");
    SPOIL("v_row_stride = INT64_MAX / 8", v_row_stride, INT64_MAX / 8, PANATTN_ERR_INVALID_ARGUMENT, "v");
    SPOIL("out_batch_stride = INT64_MAX", out_batch_stride, INT64_MAX, PANATTN_ERR_INVALID_ARGUMENT,
          "out_batch_stride");
    SPOIL("lse_head_stride = INT64_MAX / 2", lse_head_stride, big, PANATTN_ERR_INVALID_ARGUMENT, "lse");
    SPOIL("mask_row_stride = INT64_MAX / 4", mask_row_stride, INT64_MAX / 4, PANATTN_ERR_INVALID_ARGUMENT,
          "mask_row_stride");
    SPOIL("element offset fits, byte offset does not (q_row_stride = INT64_MAX / 12)", q_row_stride,
          INT64_MAX / 12, PANATTN_ERR_INVALID_ARGUMENT, "largest byte offset");
    /* Zero strides keep every offset at 0; then the tile count itself must be checked. */
    p = base();
    p.batch = big, p.heads = 4, p.kv_heads = 4;
    p.q_batch_stride = p.k_batch_stride = p.v_batch_stride = p.out_batch_stride = 0;
    expect_plan("batch * heads * query blocks overflows (zero batch strides)", &p, PANATTN_ERR_INVALID_ARGUMENT,
               "tile count");

    /* The tile-range calls: they trust the plan's validation, so they must notice when it does
     * not cover what they are given, and check their own ranges. */
    p = with_optionals();
    st = panattn_plan(&p, 1, &plan);
    report(st == PANATTN_OK, "plan for the tile-range checks", panattn_last_error());
    expect_status("forward: tile_begin = -1", panattn_forward(&p, &plan, -1, 1), PANATTN_ERR_INVALID_ARGUMENT,
                  "tile_begin = -1");
    expect_status("forward: tile_begin > tile_end", panattn_forward(&p, &plan, 3, 2), PANATTN_ERR_INVALID_ARGUMENT,
                  "tile_begin = 3");
    expect_status("forward: tile_end = count + 1", panattn_forward(&p, &plan, 0, 9), PANATTN_ERR_INVALID_ARGUMENT,
                  "tile count = 8");
    expect_status("forward: tile_end = INT64_MAX", panattn_forward(&p, &plan, 0, INT64_MAX),
                  PANATTN_ERR_INVALID_ARGUMENT, "tile_end");
    expect_status("forward: empty range [count, count) is fine", panattn_forward(&p, &plan, 8, 8), PANATTN_OK, "");
    expect_status("forward: full range", panattn_forward(&p, &plan, 0, 8), PANATTN_OK, "");
    expect_status("forward: NULL params", panattn_forward(NULL, &plan, 0, 1), PANATTN_ERR_INVALID_ARGUMENT, "params");
    expect_status("forward: NULL plan", panattn_forward(&p, NULL, 0, 1), PANATTN_ERR_INVALID_ARGUMENT, "plan");
    {
        struct panattn_plan edited = plan;
        edited.tiles = 1000; /* the count comes from the validated params, not from the plan */
        expect_status("forward: an edited plan->tiles does not widen the range", panattn_forward(&p, &edited, 0, 9),
                      PANATTN_ERR_INVALID_ARGUMENT, "tile count = 8");
    }
    {
        /* Changed after planning: without the digest the kernel would read seq_q = 1000 rows. */
        panattn_params changed = p;
        changed.seq_q = 1000;
        expect_status("forward: params changed after planning are refused", panattn_forward(&changed, &plan, 0, 1),
                      PANATTN_ERR_INVALID_ARGUMENT, "panattn_plan validated");
        changed = p;
        changed.out = lse; /* a different buffer is a different call */
        expect_status("forward: a swapped pointer is refused", panattn_forward(&changed, &plan, 0, 1),
                      PANATTN_ERR_INVALID_ARGUMENT, "panattn_plan validated");
        changed = p;
        changed.mask_head_stride = 1;
        expect_status("merge: params changed after planning are refused",
                      panattn_merge_partial(&changed, &plan, q, 0, 1), PANATTN_ERR_INVALID_ARGUMENT,
                      "panattn_plan validated");
        changed = p;
        expect_status("forward: an equal copy of the planned params is fine", panattn_forward(&changed, &plan, 0, 1),
                      PANATTN_OK, "");
    }

    /* Split-KV tile ranges: plan->splits is the caller's to force, so it is checked each call. */
    {
        static float ws[B * H * SQ * 3 * (D + 1)];
        struct panattn_plan split = plan;
        split.splits = 3;
        expect_status("partial: 3 forced splits, all 24 tiles", panattn_forward_partial(&p, &split, ws, 0, 24),
                      PANATTN_OK, "");
        expect_status("merge: 3 forced splits, all 8 tiles", panattn_merge_partial(&p, &split, ws, 0, 8), PANATTN_OK,
                      "");
        expect_status("partial: tile_end = tiles * splits + 1", panattn_forward_partial(&p, &split, ws, 0, 25),
                      PANATTN_ERR_INVALID_ARGUMENT, "tile count = 24");
        expect_status("merge: tile_end = tiles + 1", panattn_merge_partial(&p, &split, ws, 0, 9),
                      PANATTN_ERR_INVALID_ARGUMENT, "tile count = 8");
        expect_status("partial: NULL workspace", panattn_forward_partial(&p, &split, NULL, 0, 1),
                      PANATTN_ERR_INVALID_ARGUMENT, "workspace");
        expect_status("partial: misaligned workspace", panattn_forward_partial(&p, &split, (char *)ws + 1, 0, 1),
                      PANATTN_ERR_INVALID_ARGUMENT, "aligned");
        expect_status("partial: NULL plan", panattn_forward_partial(&p, NULL, ws, 0, 1), PANATTN_ERR_INVALID_ARGUMENT,
                      "plan");
        split.splits = 0;
        expect_status("partial: splits = 0", panattn_forward_partial(&p, &split, ws, 0, 1),
                      PANATTN_ERR_INVALID_ARGUMENT, "splits (0)");
        split.splits = SK + 1;
        expect_status("merge: splits = seq_k + 1", panattn_merge_partial(&p, &split, ws, 0, 1),
                      PANATTN_ERR_INVALID_ARGUMENT, "splits (13)");
        split.splits = INT64_MAX;
        expect_status("partial: splits = INT64_MAX", panattn_forward_partial(&p, &split, ws, 0, 1),
                      PANATTN_ERR_INVALID_ARGUMENT, "splits");
    }

    /* The message belongs to the thread that failed. */
    panattn_plan(NULL, 1, &plan);
    const char *other = "unset";
    pthread_t thread;
    pthread_create(&thread, NULL, thread_message, &other);
    pthread_join(thread, NULL);
    report(other[0] == 0 && strstr(panattn_last_error(), "params") != NULL,
           "last_error is per thread (a fresh thread sees \"\")", other);

    /* Small entry points. */
    const char *version = panattn_version_string();
    report(version != NULL && strstr(version, "0.1.0") != NULL, "version_string mentions 0.1.0", version);
    report(panattn_abi_version() == PANATTN_ABI_VERSION, "abi_version matches the header", "");
    report(panattn_isa_supported(PANATTN_ISA_AUTO) && panattn_isa_supported(PANATTN_ISA_SCALAR) &&
               !panattn_isa_supported(-1) && !panattn_isa_supported(6),
           "isa_supported: AUTO and SCALAR yes, out of range no", "");
    const struct {
        int32_t status;
        const char *name;
    } names[] = {{PANATTN_OK, "PANATTN_OK"},
                 {PANATTN_ERR_INVALID_ARGUMENT, "PANATTN_ERR_INVALID_ARGUMENT"},
                 {PANATTN_ERR_UNSUPPORTED, "PANATTN_ERR_UNSUPPORTED"},
                 {PANATTN_ERR_OUT_OF_MEMORY, "PANATTN_ERR_OUT_OF_MEMORY"},
                 {PANATTN_ERR_INTERNAL, "PANATTN_ERR_INTERNAL"},
                 {-1, "PANATTN_STATUS_UNKNOWN"},
                 {5, "PANATTN_STATUS_UNKNOWN"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *got = panattn_status_str(names[i].status);
        snprintf(name, sizeof name, "status_str(%d) = %s", (int)names[i].status, names[i].name);
        report(got != NULL && strcmp(got, names[i].name) == 0, name, got != NULL ? got : "NULL");
    }
    int32_t best = panattn_isa_best();
    report(best != PANATTN_ISA_AUTO && panattn_isa_supported(best), "isa_best is a concrete, supported path", "");
    const int32_t bf16 = panattn_isa_auto(PANATTN_DTYPE_BF16);
    report(panattn_isa_auto(PANATTN_DTYPE_F32) == best && panattn_isa_auto(PANATTN_DTYPE_F16) == best &&
               bf16 != PANATTN_ISA_AUTO && panattn_isa_supported(bf16) &&
               (bf16 == best || bf16 == PANATTN_ISA_AMX_BF16 || bf16 == PANATTN_ISA_AVX512_BF16),
           "isa_auto: isa_best for f32 and f16; for bf16 a supported path, best or a bf16 product path", "");
    report(panattn_isa_auto(PANATTN_DTYPE_I8) == -1 && panattn_isa_auto(-1) == -1 && panattn_isa_auto(4) == -1,
           "isa_auto: -1 for what is not a dtype of q (I8, -1, 4)", "");
    return summary("test_args");
}

/*
 * test_args.c — every way to call the library wrongly: each bad argument gets the right
 * status code and a message naming the field, and nothing crashes (run it under ASan).
 * Also: the small entry points (version, ABI, ISA queries) and that the message is per thread.
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

enum { VALIDATE, TILE_COUNT, FORWARD };

/* Calls the entry point and checks status and message; `field` must appear in the message. */
static void expect(const char *name, const panattn_params *p, int entry, int64_t begin, int64_t end,
                   int32_t want, const char *field) {
    char detail[600];
    int64_t count = -1;
    int32_t got = entry == VALIDATE     ? panattn_validate(p)
                  : entry == TILE_COUNT ? panattn_tile_count(p, &count)
                                        : panattn_forward(p, begin, end);
    const char *msg = panattn_last_error();
    int ok = got == want && (want == PANATTN_OK || (msg[0] != 0 && strstr(msg, field) != NULL));
    snprintf(detail, sizeof detail, "status %d (want %d), message \"%s\"", (int)got, (int)want,
             want == PANATTN_OK ? "" : msg);
    report(ok, name, detail);
}

/* Every check runs through all three entry points: they share one validator. */
static void expect_all(const char *name, const panattn_params *p, int32_t want, const char *field) {
    char label[200];
    const char *entries[] = {"validate", "tile_count", "forward"};
    for (int e = 0; e < 3; e++) {
        snprintf(label, sizeof label, "%s: %s", entries[e], name);
        expect(label, p, e, 0, 1, want, field);
    }
}

#define SPOIL(name, field_expr, value, want, field)                                                \
    do {                                                                                           \
        panattn_params p_ = with_optionals();                                                      \
        p_.field_expr = value;                                                                     \
        expect_all(name, &p_, want, field);                                                        \
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
    expect_all("valid call with lse, broadcast mask and key_lengths", &p, PANATTN_OK, "");
    int64_t count = -1;
    int32_t st = panattn_tile_count(&p, &count);
    snprintf(name, sizeof name, "tile_count = batch * heads * ceil(seq_q / %d) = 8 (got %lld)", PANATTN_TILE_Q,
             (long long)count);
    report(st == PANATTN_OK && count == 8, name, "");

    expect_all("NULL params", NULL, PANATTN_ERR_INVALID_ARGUMENT, "params");
    st = panattn_tile_count(&p, NULL);
    report(st == PANATTN_ERR_INVALID_ARGUMENT && strstr(panattn_last_error(), "count") != NULL,
           "tile_count: NULL count", panattn_last_error());

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
    SPOIL("isa = 4", isa, 4, PANATTN_ERR_INVALID_ARGUMENT, "isa (4)");
    SPOIL("isa = -1", isa, -1, PANATTN_ERR_INVALID_ARGUMENT, "isa (-1)");
    for (int32_t isa = PANATTN_ISA_AUTO; isa <= PANATTN_ISA_AVX512; isa++) {
        snprintf(name, sizeof name, "isa = %d (supported here: %d)", (int)isa, (int)panattn_isa_supported(isa));
        SPOIL(name, isa, isa, panattn_isa_supported(isa) ? PANATTN_OK : PANATTN_ERR_UNSUPPORTED, "isa");
    }

    for (size_t i = 0; i < sizeof strides / sizeof strides[0]; i++) {
        p = with_optionals();
        *(int64_t *)((char *)&p + strides[i].offset) = -1;
        snprintf(name, sizeof name, "%s = -1", strides[i].name);
        char field[100];
        snprintf(field, sizeof field, "%s (-1)", strides[i].name);
        expect_all(name, &p, PANATTN_ERR_INVALID_ARGUMENT, field);
    }
    /* Strides of absent optional tensors are never read, so they are not judged. */
    p = base();
    p.lse_batch_stride = -1, p.mask_row_stride = -7;
    expect_all("negative lse/mask strides while lse and mask are NULL", &p, PANATTN_OK, "");

    key_lengths[1] = SK + 1;
    p = with_optionals();
    expect_all("key_lengths[1] = 13 > seq_k", &p, PANATTN_ERR_INVALID_ARGUMENT,
               "key_lengths[1] = 13 is outside [0, seq_k = 12]");
    key_lengths[1] = -1;
    expect_all("key_lengths[1] = -1", &p, PANATTN_ERR_INVALID_ARGUMENT, "key_lengths[1] = -1");
    key_lengths[1] = 0;
    expect_all("key_lengths[1] = 0 is valid", &p, PANATTN_OK, "");
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
    expect_all("batch * heads * query blocks overflows (zero batch strides)", &p, PANATTN_ERR_INVALID_ARGUMENT,
               "tile count");

    /* Tile ranges. */
    p = with_optionals();
    expect("forward: tile_begin = -1", &p, FORWARD, -1, 1, PANATTN_ERR_INVALID_ARGUMENT, "tile_begin = -1");
    expect("forward: tile_begin > tile_end", &p, FORWARD, 3, 2, PANATTN_ERR_INVALID_ARGUMENT, "tile_begin = 3");
    expect("forward: tile_end = count + 1", &p, FORWARD, 0, 9, PANATTN_ERR_INVALID_ARGUMENT, "tile count = 8");
    expect("forward: tile_end = INT64_MAX", &p, FORWARD, 0, INT64_MAX, PANATTN_ERR_INVALID_ARGUMENT, "tile_end");
    expect("forward: empty range [count, count) is fine", &p, FORWARD, 8, 8, PANATTN_OK, "");
    expect("forward: full range", &p, FORWARD, 0, 8, PANATTN_OK, "");

    /* The message belongs to the thread that failed. */
    panattn_validate(NULL);
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
               !panattn_isa_supported(-1) && !panattn_isa_supported(4),
           "isa_supported: AUTO and SCALAR yes, out of range no", "");
    int32_t best = panattn_isa_best();
    report(best != PANATTN_ISA_AUTO && panattn_isa_supported(best), "isa_best is a concrete, supported path", "");
    return summary("test_args");
}

/*
 * panattn_plan.c — panattn_plan, the one full validation of a call, and the cheap checks the
 * tile-range entry points run instead of validating again.
 *
 * Why a plan: a call runs as many tile ranges as its scheduler hands out, and each used to
 * repeat every check (sizes, strides, six offset-overflow proofs, a pass over the key lengths).
 * Now panattn_plan checks once and records a digest of the struct it checked; a tile-range call
 * only confirms that it was given that same struct, plus the checks that bound its own indexing.
 */
#include <stddef.h>
#include <string.h>

#include "panattn_internal.h"

/* The digest reads the struct as 53 words: that is only a function of its fields if the struct
 * has no padding, whose bytes the caller does not control. */
_Static_assert(sizeof(panattn_params) == 53 * sizeof(uint64_t), "panattn_params must have no padding");

/* Query blocks of packed sequence b. */
static int64_t varlen_blocks(const panattn_params *p, int64_t b) {
    return (panattn_q_len(p, b) + PANATTN_TILE_Q - 1) / PANATTN_TILE_Q;
}

int64_t panattn_varlen_tile_count(const panattn_params *p) {
    int64_t blocks = 0;
    for (int64_t b = 0; b < p->batch; b++) {
        blocks += varlen_blocks(p, b);
    }
    return blocks * p->heads; /* validation proved it fits: blocks <= seq_q */
}

panattn_tile panattn_varlen_tile_at(const panattn_params *p, int64_t t) {
    panattn_tile tile = {0, t % p->heads, 0, 0};
    int64_t unit = t / p->heads; /* the (level, sequence) pair wanted, in numbering order */
    for (int64_t level = 0;; level++) {
        int any = 0;
        for (int64_t b = 0; b < p->batch; b++) {
            const int64_t blocks = varlen_blocks(p, b);
            if (blocks <= level) {
                continue; /* this sequence has no block this far from its end (or no rows at all) */
            }
            any = 1;
            if (unit-- == 0) {
                tile.b = b;
                tile.q_begin = (blocks - 1 - level) * PANATTN_TILE_Q;
                const int64_t len = panattn_q_len(p, b);
                tile.q_end = tile.q_begin + PANATTN_TILE_Q < len ? tile.q_begin + PANATTN_TILE_Q : len;
                return tile;
            }
        }
        if (!any) {
            return tile; /* past the last tile: an empty one (callers check their range first) */
        }
    }
}

uint64_t panattn_params_digest(const panattn_params *p) {
    /* FNV-1a over 64-bit words, then a final avalanche (splitmix64's): any changed field changes
     * the digest. A guard against a struct edited or swapped after planning, not against an
     * adversary (a C caller can write anywhere anyway). */
    uint64_t words[sizeof(panattn_params) / sizeof(uint64_t)];
    memcpy(words, p, sizeof words);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        h = (h ^ words[i]) * 0x100000001b3ull;
    }
    h ^= h >> 30, h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27, h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

PANATTN_API int32_t panattn_plan(const panattn_params *p, int32_t threads, struct panattn_plan *plan) {
    if (plan == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "plan must not be NULL");
    }
    if (threads < 1) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "threads (%d) must be >= 1", (int)threads);
    }
    int64_t tiles, splits, bytes;
    CHECK(panattn_validate_params(p, &tiles));
    panattn_split_decide(p, tiles, threads, &splits, &bytes);
    plan->tiles = tiles;
    plan->splits = splits;
    plan->workspace_bytes = bytes;
    plan->params_digest = panattn_params_digest(p);
    return PANATTN_OK;
}

int32_t panattn_planned(const panattn_params *p, const struct panattn_plan *plan, int64_t *tiles) {
    /* NULLs: dereferenced next. */
    if (p == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "params must not be NULL");
    }
    if (plan == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "plan must not be NULL");
    }
    /* The digest: every size, stride and pointer the kernel trusts was validated for this struct
     * only; an edited one could send it past a tensor's end. */
    if (plan->params_digest != panattn_params_digest(p)) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "params differ from the ones panattn_plan validated (plan again after changing them)");
    }
    /* The tile count comes from the validated p, not from plan->tiles, which the caller may edit:
     * a larger count would index query blocks past seq_q. No overflow: the plan proved it. */
    *tiles = p->cu_seqlens_q != NULL ? panattn_varlen_tile_count(p)
                                     : p->batch * p->heads * ((p->seq_q + PANATTN_TILE_Q - 1) / PANATTN_TILE_Q);
    return PANATTN_OK;
}

int32_t panattn_check_range(int64_t tile_begin, int64_t tile_end, int64_t tiles) {
    if (tile_begin < 0 || tile_begin > tile_end || tile_end > tiles) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "tile range [tile_begin = %lld, tile_end = %lld) must lie within [0, tile count = %lld]",
                            (long long)tile_begin, (long long)tile_end, (long long)tiles);
    }
    return PANATTN_OK;
}

panattn_kernel_fn panattn_planned_kernel(const panattn_params *p) {
    panattn_kernel_fn kernel = panattn_kernel_select(p->isa, p->dtype);
    if (kernel == NULL) {
        panattn_fail(PANATTN_ERR_UNSUPPORTED, "isa (%d) is not supported by this CPU or build", (int)p->isa);
    }
    return kernel;
}

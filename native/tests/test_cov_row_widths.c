/*
 * test_cov_row_widths.c — the decode row path of every SIMD kernel at every width it is compiled
 * for, against the float64 oracle.
 *
 * The row path keeps O in 1..8 vector registers (head_dim padded to VL, up to 8 * VL) and walks
 * wider heads in chunks of 8 vectors with a last chunk of 1..8; each width exists once for K and
 * V read at a stride and once for a paged cache's fp32 rows read through their addresses. Each is
 * separate machine code, so this test lands on every one, for every SIMD ISA this CPU runs (the
 * AVX512_BF16 kernel forced for fp32 and fp16 too; the portable kernel runs the same table), and
 * on each with what changes its branches:
 * keys past the prefetch distances and across key blocks, a mask with excluded keys and rows
 * with no key at all, softcap + ALiBi, key counts that leave the last group of VL keys partial,
 * head dims with a tail (V through the conversion buffer), converted fp16 / bf16 K and V.
 */
#include "test_cov_variants.h"

static void widths(int32_t isa) {
    const int32_t F32 = PANATTN_DTYPE_F32, F16 = PANATTN_DTYPE_F16, BF16 = PANATTN_DTYPE_BF16;
    const int32_t NONE = PANATTN_CAUSAL_NONE, BR = PANATTN_CAUSAL_BOTTOM_RIGHT;
    const int64_t vl = cv_lanes(isa);
    static const int32_t lengths[2] = {300, 151};
    uint64_t seed = 7000 * (uint64_t)isa;
    const variant plain = {0}, extras = {0, 0, 3.0f, 1, 0, 0, 0, 0};
    const variant paged = {16, 0, 0, 0, 0, 0, 0, 0}, paged_extras = {7, 0, 2.5f, 1, 0, 0, 0, 0};
    for (int64_t nv = 1; nv <= 16; nv++) {
        /* nv <= 8: O in nv registers; above: chunks of 8 vectors, the last of nv - 8 */
        const int64_t d = nv * vl;
        /* Contiguous fp32 in place: a mask with excluded keys and dead rows, two key blocks. */
        cv_run("row, mask", (attn_shape){1, 2, 1, 3, 300, d, BR, F32, isa, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS, 1, NULL, 0},
               &plain, seed++);
        /* Softcap and ALiBi, no mask, a key count that leaves a partial group of VL keys. */
        cv_run("row, extras", (attn_shape){2, 2, 2, 1, 301, d, NONE, F32, isa, 0, 0, 0, 0, MASK_NONE, 0, lengths, 0},
               &extras, seed++);
        /* A tail of head_dim: the last vector of K read masked, V converted into scratch. */
        cv_run("row, tail", (attn_shape){1, 1, 1, 4, 300, d - 3, BR, F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 0},
               &plain, seed++);
        /* Converted fp16 / bf16 K and V (no prefetch of the converted rows). */
        cv_run("row, converted", (attn_shape){1, 2, 1, 2, 290, d, NONE, nv % 2 ? F16 : BF16, isa, 0, 0, 0, 0,
                                              MASK_RANDOM, 1, NULL, 0},
               &extras, seed++);
        /* Paged fp32 rows by address: pages of 16, then of 7 with softcap + ALiBi and a tail. */
        cv_run("row, paged", (attn_shape){2, 2, 1, 1, 300, d, BR, F32, isa, 0, 0, 0, 0, MASK_RANDOM, 1, lengths, 0},
               &paged, seed++);
        cv_run("row, paged", (attn_shape){1, 2, 2, 2, 300, d, NONE, F32, isa, 0, 0, 0, 0, MASK_NONE, 0, NULL, 0},
               &paged_extras, seed++);
        cv_run("row, paged, tail", (attn_shape){1, 1, 1, 3, 297, d - 1, BR, F32, isa, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS,
                                                1, NULL, 0},
               &paged, seed++);
    }
    /* A window that leaves some rows of a decode tile nothing of a key block: rows 0, 1 see keys up
     * to 296 and 297, the second block (of kb keys from the tile's first visible key) starts at 298. */
    const int64_t kb = isa == PANATTN_ISA_AVX2 ? 256 : 128;
    const variant edge = {0, 0, 0, 0, 1, kb - 2, 0, 0}, edge_paged = {16, 0, 0, 0, 1, kb - 2, 0, 0};
    cv_run("row, window edge", (attn_shape){1, 1, 1, 4, 300, 2 * vl, BR, F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 0},
           &edge, seed++);
    cv_run("row, window edge", (attn_shape){1, 1, 1, 4, 300, 2 * vl, BR, F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 0},
           &edge_paged, seed++);
    /* Paged decode walked page-major: 40 heads (more than one walk takes), and a window's left
     * edge on two heads (walked head after head). */
    cv_run("row, paged, 40 heads", (attn_shape){1, 40, 8, 1, 200, 2 * vl, NONE, F32, isa, 0, 0, 0, 0, MASK_NONE, 1,
                                                NULL, 0},
           &paged, seed++);
    cv_run("row, paged, window", (attn_shape){1, 2, 1, 2, 300, 2 * vl, BR, F32, isa, 0, 0, 0, 0, MASK_NONE, 1, NULL, 0},
           &edge_paged, seed++);
    /* Paged fp16 / bf16 decode: rows converted per block, gathered page by page. */
    cv_run("row, paged converted", (attn_shape){2, 2, 1, 2, 300, 2 * vl, BR, F16, isa, 0, 0, 0, 0, MASK_RANDOM, 1,
                                                lengths, 0},
           &paged, seed++);
    cv_run("row, paged converted", (attn_shape){1, 2, 2, 1, 300, 3 * vl - 1, NONE, BF16, isa, 0, 0, 0, 0, MASK_NONE, 1,
                                                NULL, 0},
           &paged_extras, seed++);
}

int main(void) {
    cv_each_isa(widths);
    return summary("test_cov_row_widths");
}

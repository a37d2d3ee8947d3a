/*
 * test_cov_kernel_paths.c — every code path of every kernel variant against the float64 oracle.
 *
 * The SIMD kernels are written once (panattn_kernel_simd.h) and instantiated per vector count:
 * the decode row path keeps 1..8 vectors of O in registers (fused_row), wider heads walk O in
 * chunks of 1..8 vectors (row_axpy), and the strip path multiplies P·V 1..NVMAX vectors at a
 * time (pv_strip). Each instantiation is its own machine code, so this test picks head
 * dimensions that land on every one, for every ISA this CPU runs, and on each of them:
 * fp32 read in place and fp16/bf16 converted (odd head_dim: V through the conversion buffer),
 * masks with excluded keys and rows with no key at all, causal rows that see nothing of a key
 * block, several key blocks (so the running max rescales), strided K or V, lse asked or not.
 * Every result is compared with the oracle; nothing here only runs code.
 */
#include "attention_case.h"

static int32_t current_isa;

/* Vector width and key-block length of each path, mirroring the kernels' blocking (used only to
 * choose shapes that straddle blocks; the verdict comes from the oracle alone). */
static int64_t lanes(int32_t isa) {
    return isa == PANATTN_ISA_AVX512 ? 16 : 8;
}

static int64_t key_block(int32_t isa, int64_t d) {
    if (isa == PANATTN_ISA_SCALAR) {
        return 64;
    }
    const int64_t kbmax = isa == PANATTN_ISA_AVX512 ? 128 : 256;
    if (d <= 128) {
        return kbmax;
    }
    const int64_t kb = kbmax * 128 / d / 16 * 16;
    return kb < 16 ? 16 : kb;
}

static void run(const char *what, attn_shape s, uint64_t seed) {
    attn_case c;
    char name[200];
    s.isa = current_isa;
    if (s.gain == 0) {
        s.gain = 1.0;
    }
    snprintf(name, sizeof name, "[%s] %s %s d%lld sq%lld sk%lld causal %d%s%s", ac_isa_name(s.isa), what,
             ac_dtype_name(s.dtype), (long long)s.head_dim, (long long)s.seq_q, (long long)s.seq_k, (int)s.causal,
             s.mask == MASK_RANDOM ? " mask" : s.mask == MASK_SOME_DEAD_ROWS ? " mask+dead rows" : "",
             s.lse ? " lse" : "");
    ac_build(&c, &s, seed);
    int32_t st = ac_forward(&c);
    ac_report_and_destroy(&c, st, name);
}

static void run_isa(int32_t isa) {
    const int32_t F32 = PANATTN_DTYPE_F32, F16 = PANATTN_DTYPE_F16, BF16 = PANATTN_DTYPE_BF16;
    const int32_t NONE = PANATTN_CAUSAL_NONE, TL = PANATTN_CAUSAL_TOP_LEFT, BR = PANATTN_CAUSAL_BOTTOM_RIGHT;
    const int64_t vl = lanes(isa), row_regs = 8 * vl; /* the row path keeps up to 8 vectors of O */
    const int64_t nvmax = isa == PANATTN_ISA_AVX512 ? 4 : 3;
    static const int32_t two_lengths[2] = {300, 151};
    uint64_t seed = 1000 * (uint64_t)isa;
    current_isa = isa;

    for (int64_t nv = 1; nv <= 8; nv++) {
        /* Decode rows with O in nv registers: fp32 in place over two key blocks with a mask. */
        const int64_t d = nv * vl;
        run("row path, O in registers,", (attn_shape){1, 2, 1, 3, 300, d, BR, F32, 0, 0, 0, 0, 0,
                                                       MASK_RANDOM, 1, NULL, 0}, seed++);
        /* fp16 converted, V padded in scratch (odd head_dim), no mask, key lengths. */
        run("row path, O in registers, key lengths,",
            (attn_shape){2, 2, 2, 1, 300, d - 3 > 0 ? d - 3 : 1, NONE, F16, 0, 0, 0, 0, 0, MASK_NONE, 0, two_lengths,
                         0},
            seed++);
        /* Rows that see nothing of the last key block, rows with no key at all. */
        run("row path, O in registers, empty blocks,",
            (attn_shape){1, 1, 1, 4, key_block(isa, d) + 1, d - 1, BR, F32, 0, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS, 1,
                         NULL, 0},
            seed++);

        /* Wider heads: O in chunks of 8 vectors, the last chunk nv vectors. */
        const int64_t dw = row_regs + nv * vl;
        run("row path, O in chunks,", (attn_shape){1, 2, 1, 2, 300, dw, BR, F32, 0, 0, 0, 0, 0, MASK_RANDOM, 1, NULL, 0},
            seed++);
        run("row path, O in chunks,", (attn_shape){1, 1, 1, 1, 300, dw - 3, NONE, BF16, 0, 0, 0, 0, 0, MASK_NONE, 0,
                                                    NULL, 0},
            seed++);
        run("row path, O in chunks, empty blocks,",
            (attn_shape){1, 1, 1, 4, key_block(isa, dw) + 1, dw - 1, BR, F32, 0, 0, 0, 0, 0, MASK_SOME_DEAD_ROWS, 1,
                         NULL, 0},
            seed++);
    }
    for (int64_t nv = 1; nv <= nvmax + 1; nv++) {
        /* Strip path: P·V over nv vectors (nvmax + 1: a full group then a partial one). */
        const int64_t d = nv * vl;
        run("strip path, V strided,", (attn_shape){1, 2, 1, 37, 300, d, BR, F32, 0, 0, 4, 0, 0, MASK_RANDOM, 1, NULL, 0},
            seed++);
        run("strip path, K strided,", (attn_shape){1, 2, 2, 37, 300, d, NONE, F32, 0, 4, 0, 3, 0, MASK_RANDOM, 0, NULL, 0},
            seed++);
        run("strip path, diagonal without mask,", (attn_shape){1, 1, 1, 37, 300, d - 5 > 0 ? d - 5 : 1, TL, F16, 0, 0, 0,
                                                                0, 0, MASK_NONE, 1, NULL, 0},
            seed++);
        /* The last key block lies in the causal future of the first strips and row groups. */
        run("strip path, empty blocks,", (attn_shape){1, 1, 1, 37, key_block(isa, d) + 10, d, BR, F32, 0, 0, 0, 0, 0,
                                                      MASK_SOME_DEAD_ROWS, 1, NULL, 0},
            seed++);
    }
}

int main(void) {
    static const int32_t isas[] = {PANATTN_ISA_SCALAR, PANATTN_ISA_AVX2, PANATTN_ISA_AVX512};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!panattn_isa_supported(isas[i])) {
            printf("skip ISA %s: not supported by this CPU or build\n", ac_isa_name(isas[i]));
            continue;
        }
        run_isa(isas[i]);
    }
    return summary("test_cov_kernel_paths");
}

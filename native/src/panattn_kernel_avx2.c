/*
 * panattn_kernel_avx2.c — PANATTN_ISA_AVX2: the SIMD kernel (panattn_kernel_simd.h) at 8 lanes.
 * Compiled with -mavx2 -mfma -mf16c (CMake, this file only); the selector calls it only when
 * CPUID reports avx2, fma and f16c.
 *
 * Blocking (16 ymm): Q·Kᵀ micro-tile 6 keys x 16 query rows = 12 accumulators + 2 qt vectors
 * + 1 broadcast, the 6 x 16 of BLIS/MLAS/ggml; P·V micro-tile 4 rows x 3 vectors = 12
 * accumulators + 3 V vectors + 1 broadcast. Measurements: native/dev/bench_kernels.c.
 */
#include "panattn_simd_avx2.h"

#define KERNEL_FN panattn_kernel_avx2
#define MK 6
#define MR 4
#define NVMAX 3
#define KBMAX 256
/* fp32 K/V rows that alias in L1 (rows_alias_in_l1) are copied per block for the strip path: at
 * 32 heads x d 128 in [b, s, h, d] tensors that took 0.81x the time of reading them in place, and
 * the layout's cost against heads-first tensors fell from 1.44x to 1.04x (Zen 3, N 2048,
 * in-process A/B). The AVX-512 kernel reads them in place (see panattn_kernel_avx512.c). */
#define PACK_STRIDED_KV 1

#include "panattn_kernel_simd.h"

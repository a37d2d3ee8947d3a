/*
 * panattn_kernel_avx512.c — PANATTN_ISA_AVX512: the SIMD kernel (panattn_kernel_simd.h) at 16
 * lanes. Compiled with -mavx512f -mavx512bw -mavx512vl -mfma -mf16c (CMake, this file only);
 * the selector calls it only when CPUID reports avx512f, avx512bw, avx512vl, fma and f16c.
 *
 * Blocking (32 zmm): Q·Kᵀ micro-tile 8 keys x 32 query rows = 16 accumulators; P·V micro-tile
 * 4 rows x 4 vectors (64 columns of head_dim) = 16 accumulators. KBMAX 128 keeps a strip's Sᵀ
 * (128 x 32 floats) at 16 KiB of the 32 KiB L1D. Measurements: native/dev/bench_kernels.c.
 */
#include "panattn_simd_avx512.h"

#define KERNEL_FN panattn_kernel_avx512
#define MK 8
#define MR 4
#define NVMAX 4
#define KBMAX 128
/* Aliasing fp32 K/V rows are read in place here: a strip's qt and Sᵀ (16 + 17 KiB at d 128) fill
 * a 32 KiB L1 already, and copying interleaved-head blocks took 1.05-1.09x the time on Zen 4;
 * the layout itself cost nothing measurable there (see docs/CPU-KERNEL.md). */
#define PACK_STRIDED_KV 0

#include "panattn_kernel_simd.h"

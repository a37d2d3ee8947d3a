/*
 * panattn_kernel_avx512bf16.c — PANATTN_ISA_AVX512_BF16: the AVX-512 kernel (panattn_kernel_simd.h
 * at 16 lanes, the blocking of panattn_kernel_avx512.c) whose strip path computes bf16 Q·Kᵀ and
 * P·V with vdpbf16ps (panattn_bf16_dp.h: pairs along head_dim for Q·Kᵀ, pairs of keys for P·V,
 * P rounded to bf16, fp32 accumulation, softmax in fp32 as everywhere else). Compiled with
 * -mavx512f -mavx512bw -mavx512vl -mavx512bf16 -mfma -mf16c (CMake, this file only, and only when
 * the compiler knows -mavx512bf16); the selector calls it only when CPUID reports AVX512_BF16 on
 * top of what the AVX-512 kernel needs. Everything else (row path, fp32 and fp16 inputs) is the
 * AVX-512 kernel compiled once more.
 */
#include "panattn_simd_avx512.h"

#define KERNEL_FN panattn_kernel_avx512bf16
#define MK 8
#define MR 4
#define NVMAX 4
#define KBMAX 128
#define SIMD_DP_BF16 1

#include "panattn_kernel_simd.h"

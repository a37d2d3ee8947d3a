/*
 * panattn_kernel_amxbf16.c — PANATTN_ISA_AMX_BF16: the AVX512_BF16 kernel (panattn_kernel_simd.h
 * at 16 lanes, the blocking of panattn_kernel_avx512.c) whose strip path on bf16 inputs computes
 * Q·Kᵀ and P·V with AMX tiles instead (panattn_bf16_amx.h). Compiled with the AVX512_BF16 kernel's
 * flags plus -mamx-tile -mamx-bf16 (CMake, this file only, and only when the compiler knows them);
 * the selector calls it only when the CPU reports AMX-BF16 and Linux grants this process the tile
 * state. Everything else (the row path, fp32 and fp16 inputs) is the AVX-512 kernel once more.
 */
#include "panattn_simd_avx512.h"

#define KERNEL_FN panattn_kernel_amxbf16
#define MK 8
#define MR 4
#define NVMAX 4
#define KBMAX 128
#define SIMD_DP_BF16 1
#define SIMD_AMX_BF16 1

#include "panattn_kernel_simd.h"

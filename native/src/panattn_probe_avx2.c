/*
 * panattn_probe_avx2.c — PANATTN_ISA_AVX2's loop of panattn_fma_peak: 256-bit vfmadd on 12
 * independent accumulators. Compiled with -mavx2 -mfma (CMake, this file only); called only when
 * the selector reports the AVX2 path runnable.
 */
#include <immintrin.h>

#include "panattn_probe.h"

float panattn_probe_avx2(int64_t iterations, float mul, float add) {
    const __m256 m = _mm256_set1_ps(mul);
    const __m256 a = _mm256_set1_ps(add);
    __m256 x[PANATTN_PROBE_CHAINS];
    for (int c = 0; c < PANATTN_PROBE_CHAINS; c++) {
        x[c] = _mm256_set1_ps(0.5f + 0.01f * (float)c);
    }
    for (int64_t i = 0; i < iterations; i++) {
        for (int c = 0; c < PANATTN_PROBE_CHAINS; c++) {
            x[c] = _mm256_fmadd_ps(x[c], m, a);
        }
    }
    __m256 sum = x[0];
    for (int c = 1; c < PANATTN_PROBE_CHAINS; c++) {
        sum = _mm256_add_ps(sum, x[c]);
    }
    float lanes[PANATTN_PROBE_LANES_AVX2];
    _mm256_storeu_ps(lanes, sum);
    float total = 0.0f;
    for (int l = 0; l < PANATTN_PROBE_LANES_AVX2; l++) {
        total += lanes[l];
    }
    return total;
}

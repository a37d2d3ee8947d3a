/*
 * panattn_probe_avx512.c — PANATTN_ISA_AVX512's loop of panattn_fma_peak: 512-bit vfmadd on 12
 * independent accumulators. Compiled with the AVX-512 flags (CMake, this file only); called only
 * when the selector reports the AVX512 path runnable.
 */
#include <immintrin.h>

#include "panattn_probe.h"

float panattn_probe_avx512(int64_t iterations, float mul, float add) {
    const __m512 m = _mm512_set1_ps(mul);
    const __m512 a = _mm512_set1_ps(add);
    __m512 x[PANATTN_PROBE_CHAINS];
    for (int c = 0; c < PANATTN_PROBE_CHAINS; c++) {
        x[c] = _mm512_set1_ps(0.5f + 0.01f * (float)c);
    }
    for (int64_t i = 0; i < iterations; i++) {
        for (int c = 0; c < PANATTN_PROBE_CHAINS; c++) {
            x[c] = _mm512_fmadd_ps(x[c], m, a);
        }
    }
    __m512 sum = x[0];
    for (int c = 1; c < PANATTN_PROBE_CHAINS; c++) {
        sum = _mm512_add_ps(sum, x[c]);
    }
    return _mm512_reduce_add_ps(sum);
}

/*
 * panattn_probe_portable.c — PANATTN_ISA_SCALAR's loop of panattn_fma_peak: 128-bit vectors in
 * the compiler's generic vector type, so baseline x86-64 code gets SSE multiply and add, the
 * same instructions the portable kernel is vectorised into at -O3.
 */
#include "panattn_probe.h"

typedef float v4f __attribute__((vector_size(16)));

float panattn_probe_portable(int64_t iterations, float mul, float add) {
    const v4f m = {mul, mul, mul, mul};
    const v4f a = {add, add, add, add};
    v4f x[PANATTN_PROBE_CHAINS];
    for (int c = 0; c < PANATTN_PROBE_CHAINS; c++) {
        float s = 0.5f + 0.01f * (float)c;
        x[c] = (v4f){s, s, s, s};
    }
    for (int64_t i = 0; i < iterations; i++) {
        /* Fully unrolled by the compiler (constant trip count): 12 accumulators in registers. */
        for (int c = 0; c < PANATTN_PROBE_CHAINS; c++) {
            x[c] = x[c] * m + a;
        }
    }
    v4f sum = x[0];
    for (int c = 1; c < PANATTN_PROBE_CHAINS; c++) {
        sum += x[c];
    }
    return sum[0] + sum[1] + sum[2] + sum[3];
}

/* test_exp2_avx512.c — the AVX-512 kernels' v_exp2 over an array, for test_exp2 (built with
 * the AVX-512 kernel's flags; called only when the CPU has AVX-512). */
#include "panattn_simd_avx512.h"

void test_exp2_avx512(const float *x, float *y, long n);

void test_exp2_avx512(const float *x, float *y, long n) {
    for (long i = 0; i + VL <= n; i += VL) {
        v_storeu(y + i, v_exp2(v_loadu(x + i)));
    }
}

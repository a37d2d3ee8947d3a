/* test_exp2_avx2.c — the AVX2 kernels' v_exp2 over an array, for test_exp2 (built with the
 * AVX2 kernel's flags; called only when the CPU has AVX2). */
#include "panattn_simd_avx2.h"

void test_exp2_avx2(const float *x, float *y, long n);

void test_exp2_avx2(const float *x, float *y, long n) {
    for (long i = 0; i + VL <= n; i += VL) {
        v_storeu(y + i, v_exp2(v_loadu(x + i)));
    }
}

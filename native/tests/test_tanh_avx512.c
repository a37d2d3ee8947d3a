/* test_tanh_avx512.c — the AVX-512 kernels' v_tanh over an array, for test_tanh (built with that
 * kernel's flags; called only when the CPU runs it). */
#include "panattn_simd_avx512.h"
#include "panattn_simd_tanh.h"

void test_tanh_avx512(const float *x, float *y, long n);

void test_tanh_avx512(const float *x, float *y, long n) {
    for (long i = 0; i + VL <= n; i += VL) {
        v_storeu(y + i, v_tanh(v_loadu(x + i)));
    }
}

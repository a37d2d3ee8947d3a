/* test_store_half_avx2.c — the AVX2 kernels' v_store_f16 / v_store_bf16 over an array, for
 * test_store_half (built with the AVX2 kernel's flags; called only when the CPU has AVX2). */
#include "panattn_simd_avx2.h"

void test_store_half_avx2(const float *x, uint16_t *f16, uint16_t *bf16, long n);

void test_store_half_avx2(const float *x, uint16_t *f16, uint16_t *bf16, long n) {
    for (long i = 0; i + VL <= n; i += VL) {
        v_store_f16(f16 + i, v_loadu(x + i));
        v_store_bf16(bf16 + i, v_loadu(x + i));
    }
}

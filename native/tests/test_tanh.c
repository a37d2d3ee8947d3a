/*
 * test_tanh.c — the vector tanh of the SIMD kernels' logit softcap against tanh in double: at
 * most 3 ulp (of the correctly rounded fp32 result) over every binade of [-20, 20], and exact
 * specials: ±0 stay ±0, ±inf and large inputs give ±1, NaN stays NaN. Every ISA this CPU runs is
 * measured.
 */
#include <string.h>

#include "test_common.h"

void test_tanh_avx2(const float *x, float *y, long n);
void test_tanh_avx512(const float *x, float *y, long n);

/* Distance in units in the last place of want (a normal fp32 value). */
static double ulps(float got, double want) {
    float w = (float)want;
    double ulp = (double)nextafterf(fabsf(w), INFINITY) - (double)fabsf(w);
    return fabs((double)got - want) / ulp;
}

static void check(const char *name, void (*fn)(const float *, float *, long)) {
    enum { N = 1 << 16 };
    static float x[N], y[N];
    double worst = 0, worst_x = 0;
    long points = 0;
    /* Bit patterns of [2^-30, 20], both signs, a stride of 257: every binade, densely. */
    for (int sign = 0; sign < 2; sign++) {
        uint32_t bits = 0x30800000u;      /* 2^-30 */
        const uint32_t hi = 0x41A00000u;  /* 20 */
        while (bits <= hi) {
            long n = 0;
            for (; n < N && bits <= hi; n++, bits += 257u) {
                uint32_t b = bits | (sign ? 0x80000000u : 0u);
                memcpy(&x[n], &b, 4);
            }
            while (n % 16) {
                x[n++] = 0.5f;
            }
            fn(x, y, n);
            for (long i = 0; i < n; i++) {
                double e = ulps(y[i], tanh((double)x[i]));
                if (e > worst) {
                    worst = e, worst_x = x[i];
                }
            }
            points += n;
        }
    }
    float special[16] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e30f, -1e30f, 44.0f,
                         -90.0f, 0.625f, -0.625f, 1e-30f, 0x1p-149f, 1.0f, -1.0f, 9.0f};
    float out[16];
    fn(special, out, 16);
    int ok_special = out[0] == 0.0f && !signbit(out[0]) && out[1] == 0.0f && signbit(out[1]) && out[2] == 1.0f &&
                     out[3] == -1.0f && isnan(out[4]) && out[5] == 1.0f && out[6] == -1.0f && out[7] == 1.0f &&
                     out[8] == -1.0f && out[11] == 1e-30f && out[12] == 0x1p-149f && out[9] == -out[10];
    char detail[200];
    snprintf(detail, sizeof detail, "%ld points, max %.3f ulp at x = %.9g; specials %s", points, worst, worst_x,
             ok_special ? "exact" : "WRONG");
    report(worst <= 3.0 && ok_special, name, detail);
}

int main(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
        check("tanh AVX2: <= 3 ulp on [-20, 20], exact specials", test_tanh_avx2);
    } else {
        printf("skip tanh AVX2: not supported by this CPU\n");
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
        check("tanh AVX512: <= 3 ulp on [-20, 20], exact specials", test_tanh_avx512);
    } else {
        printf("skip tanh AVX512: not supported by this CPU\n");
    }
    report(1, "tanh checks ran", "");
    return summary("test_tanh");
}

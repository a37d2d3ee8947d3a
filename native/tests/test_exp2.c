/*
 * test_exp2.c — the vector exp2 of the SIMD kernels against exp2 in double: at most 2 ulp
 * (of the correctly rounded fp32 result) over [-126, 0], exactly 1 at 0, exactly 0 at -inf
 * and below -127, NaN stays NaN. Every ISA this CPU runs is measured.
 */
#include <string.h>

#include "test_common.h"

void test_exp2_avx2(const float *x, float *y, long n);
void test_exp2_avx512(const float *x, float *y, long n);

/* Distance in units in the last place of want (a normal or subnormal fp32 value). */
static double ulps(float got, double want) {
    float w = (float)want;
    float next = nextafterf(w, INFINITY);
    double ulp = (double)next - (double)w;
    return fabs((double)got - want) / ulp;
}

static void check(const char *name, void (*fn)(const float *, float *, long)) {
    enum { N = 1 << 16 };
    static float x[N], y[N];
    double worst = 0, worst_x = 0;
    long points = 0;
    /* Every 37th float of [-126, 0] would be ~1e8 points; a stride over the bit patterns of
     * about 2^10 keeps the test fast under ASan and still visits every binade densely. */
    uint32_t lo = 0x00000000u, hi = 0xC2FC0000u; /* bit patterns of +0 and -126 (negative floats ascend) */
    uint32_t bits = 0x80000000u;                 /* -0 */
    while (bits <= hi) {
        long n = 0;
        for (; n < N && bits <= hi; n++, bits += 1021u) {
            memcpy(&x[n], &bits, 4);
        }
        while (n % 16) {
            x[n++] = -126.0f;
        }
        fn(x, y, n);
        for (long i = 0; i < n; i++) {
            double e = ulps(y[i], exp2((double)x[i]));
            if (e > worst) {
                worst = e, worst_x = x[i];
            }
        }
        points += n;
    }
    (void)lo;
    float special[16] = {0.0f, -INFINITY, -127.0f, -200.0f, -1e30f, NAN, -0.5f, -1.0f, -126.0f, -0.25f,
                         -3.0f, -64.0f, -100.5f, -125.999f, -1e-30f, -0.0f};
    float out[16];
    fn(special, out, 16);
    int ok_special = out[0] == 1.0f && out[1] == 0.0f && out[2] == 0.0f && out[3] == 0.0f && out[4] == 0.0f &&
                     isnan(out[5]) && out[7] == 0.5f && out[8] == 0x1p-126f &&
                     out[10] == 0.125f && out[11] == 0x1p-64f && out[15] == 1.0f;
    char detail[200];
    snprintf(detail, sizeof detail, "%ld points, max %.3f ulp at x = %.9g; specials %s", points, worst, worst_x,
             ok_special ? "exact" : "WRONG");
    report(worst <= 2.0 && ok_special, name, detail);
}

int main(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
        check("exp2 AVX2: <= 2 ulp on [-126, 0], exact specials", test_exp2_avx2);
    } else {
        printf("skip exp2 AVX2: not supported by this CPU\n");
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
        check("exp2 AVX512: <= 2 ulp on [-126, 0], exact specials", test_exp2_avx512);
    } else {
        printf("skip exp2 AVX512: not supported by this CPU\n");
    }
    report(1, "exp2 checks ran", "");
    return summary("test_exp2");
}

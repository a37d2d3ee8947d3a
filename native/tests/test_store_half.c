/*
 * test_store_half.c — the SIMD kernels' vector fp32 -> fp16 / bf16 stores (how a tile writes an
 * fp16 or bf16 output row) against the portable conversions of panattn_half.h (how every other
 * path writes one, and what the Java reference rounds like): bit for bit, over a stride through
 * all 2^32 patterns and the cases that matter (ties to even at both widths, fp16 subnormals and
 * overflow, NaN payloads and signs, infinities, signed zeros, fp32 subnormals). Every ISA this
 * CPU runs is checked.
 */
#include <string.h>

#include "panattn_half.h"
#include "test_common.h"

void test_store_half_avx2(const float *x, uint16_t *f16, uint16_t *bf16, long n);
void test_store_half_avx512(const float *x, uint16_t *f16, uint16_t *bf16, long n);

enum { N = 1 << 16 };
static float x[N];
static uint16_t f16[N], bf16[N];

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Compares the n (a multiple of 16) values of x; returns the mismatches, printing the first few. */
static long compare(const char *name, void (*fn)(const float *, uint16_t *, uint16_t *, long), long n) {
    static int shown;
    long bad = 0;
    fn(x, f16, bf16, n);
    for (long i = 0; i < n; i++) {
        uint16_t want16 = panattn_f32_to_f16(x[i]), wantb = panattn_f32_to_bf16(x[i]);
        if (f16[i] != want16 || bf16[i] != wantb) {
            if (shown++ < 8) {
                uint32_t u;
                memcpy(&u, &x[i], 4);
                fprintf(stderr, "%s: 0x%08x -> f16 0x%04x (want 0x%04x), bf16 0x%04x (want 0x%04x)\n", name, u,
                        f16[i], want16, bf16[i], wantb);
            }
            bad++;
        }
    }
    return bad;
}

static void check(const char *name, void (*fn)(const float *, uint16_t *, uint16_t *, long)) {
    long bad = 0, points = 0, n = 0;
    /* a stride of 4093 (prime) over the patterns visits every exponent and many mantissas */
    for (uint64_t b = 0; b <= 0xffffffffull; b += 4093) {
        x[n++] = from_bits((uint32_t)b);
        if (n == N) {
            bad += compare(name, fn, n), points += n, n = 0;
        }
    }
    /* ties and neighbours at both widths, fp16's range edges and subnormals, NaNs, infinities */
    const uint32_t special[] = {
        0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7f800001u,
        0xff800001u, 0x7fbfffffu, 0x7f802000u, 0x7fffe000u, 0x00000001u, 0x807fffffu, 0x3f808000u,
        0x3f818000u, 0x3f808001u, 0x3f807fffu, 0x3f800fffu, 0x3f801000u, 0x3f803000u, 0x3f801001u,
        0x477fe000u, 0x477fefffu, 0x477ff000u, 0x47800000u, 0xc77ff000u, 0x7f7fffffu, 0xff7fffffu,
        0x7f7f8000u, 0x38800000u, 0x387fffffu, 0x33800000u, 0x33000000u, 0x33000001u, 0xb3000000u,
        0x337fffffu, 0x38000000u, 0x38001000u, 0x38003000u, 0x37800000u, 0x33c00000u, 0x34000000u,
    };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        x[n++] = from_bits(special[i]);
    }
    while (n % 16) {
        x[n++] = 1.0f;
    }
    bad += compare(name, fn, n), points += n;
    char detail[120];
    snprintf(detail, sizeof detail, "%ld patterns, %ld differ from panattn_half.h", points, bad);
    report(bad == 0, name, detail);
}

int main(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
        check("fp16/bf16 stores AVX2: bit for bit the portable conversions", test_store_half_avx2);
    } else {
        printf("skip fp16/bf16 stores AVX2: not supported by this CPU\n");
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
        check("fp16/bf16 stores AVX512: bit for bit the portable conversions", test_store_half_avx512);
    } else {
        printf("skip fp16/bf16 stores AVX512: not supported by this CPU\n");
    }
    report(1, "fp16/bf16 store checks ran", "");
    return summary("test_store_half");
}

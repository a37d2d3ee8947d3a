/*
 * test_common.h — what the C tests share: a seeded generator, pass/fail bookkeeping and fp16/
 * bf16 decoders written independently of the library's (ldexp on the fields, no bit tricks),
 * so a conversion bug cannot hide behind the same bug in the oracle.
 */
#ifndef PANATTN_TEST_COMMON_H
#define PANATTN_TEST_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int tests_passed;
static int tests_failed;

/* Records one case's verdict and prints it. */
static inline void report(int ok, const char *name, const char *detail) {
    if (ok) {
        tests_passed++;
    } else {
        tests_failed++;
    }
    printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", name, detail[0] ? "  " : "", detail);
    fflush(stdout);
}

static inline int summary(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, tests_passed, tests_failed);
    return tests_failed == 0 && tests_passed > 0 ? 0 : 1;
}

/* xorshift64* (Vigna): fixed seeds make every failure reproducible. */
typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t rng_next(rng *r) {
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ull;
}

/* Uniform in [-1, 1), exactly representable in fp32 (24 random bits). */
static inline float rng_sym(rng *r) {
    return (float)((double)(rng_next(r) >> 40) * 0x1p-23 - 1.0);
}

static inline double ref_f16_decode(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double mag;
    if (exp == 0x1f) {
        mag = mant ? NAN : INFINITY;
    } else if (exp == 0) {
        mag = ldexp(mant, -24);
    } else {
        mag = ldexp(1024 + mant, exp - 25);
    }
    return sign ? -mag : mag;
}

static inline double ref_bf16_decode(uint16_t h) {
    int sign = h >> 15, exp = (h >> 7) & 0xff, mant = h & 0x7f;
    double mag;
    if (exp == 0xff) {
        mag = mant ? NAN : INFINITY;
    } else if (exp == 0) {
        mag = ldexp(mant, -133);
    } else {
        mag = ldexp(128 + mant, exp - 134);
    }
    return sign ? -mag : mag;
}

#endif /* PANATTN_TEST_COMMON_H */

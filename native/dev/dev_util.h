/*
 * dev_util.h — what the development tools in native/dev (bench_kernels.c, ab_libs.c) share:
 * a monotonic clock and the deterministic pseudo-random inputs both time on.
 */
#ifndef PANATTN_DEV_UTIL_H
#define PANATTN_DEV_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double dev_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* b[0 .. n) = uniform values in [-1, 1) from an LCG seeded with seed (the same for every run). */
static inline void dev_fill_random(float *b, size_t n, unsigned seed) {
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        b[i] = (float)(x >> 8) * 0x1p-24f * 2.0f - 1.0f;
    }
}

#endif /* PANATTN_DEV_UTIL_H */

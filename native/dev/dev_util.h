/*
 * dev_util.h — what the development tools in native/dev (bench_kernels.c, ab_libs.c, ab_decode.c)
 * share: a monotonic clock, the deterministic pseudo-random inputs they time on, and a comparator
 * for their medians.
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

/* qsort's comparator for doubles, ascending (the tools' medians and quartiles). */
static inline int dev_by_value(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif /* PANATTN_DEV_UTIL_H */

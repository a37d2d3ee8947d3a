/*
 * bench_page_runs.c — development benchmark (not a test): how fast one core reads a K/V cache in
 * the order paged decode reads it, with no attention arithmetic at all. It bounds what any
 * head-at-a-time paged decode kernel can reach against contiguous keys.
 *
 *   panattn_bench_page_runs [run_bytes] [heads_per_group] [pages_per_block]
 *
 * Two 128 MiB buffers (K and V of 32 heads x 4096 keys x d 128 in fp32) are summed, 64 bytes per
 * step with a 4 KiB L1 prefetch ahead that follows the real next run (as the kernel's row-address
 * arrays do), in three orders, best of 15 rounds each:
 *   sequential   one run per head of 2 MiB (the contiguous cache);
 *   runs         the same bytes in runs of run_bytes (default 8 KiB: one head's rows of a 16-key page
 *                at d 128) in a shuffled order, head after head (today's paged row path);
 *   grouped      pages of 32 heads x run_bytes in a shuffled page order; per block of
 *                pages_per_block pages (default 8: the row path's 128-key blocks of 16-key pages),
 *                heads_per_group heads (default 16) each read their runs of the block's pages, head
 *                after head. With pages_per_block 1 a group's runs of one page are read back to back,
 *                adjacent in memory and in time (a page-major traversal).
 * The ratios to sequential are what a kernel reading in that order can hope for. Machines of this
 * kind are shared: run it several times and compare ratios, not GB/s.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));

enum { HEADS = 32, KEYS = 4096, ROW_BYTES = 512, PF = 4096, ROUNDS = 15 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Sums the run [k, k + bytes) and [v, v + bytes); the prefetch past the run's end goes to the next
 * run's start (nk, nv), which the caller knows, as the kernel knows its next page. */
static float read_run(const char *k, const char *v, const char *nk, const char *nv, size_t bytes) {
    v16 a = {0}, b = {0};
    for (size_t o = 0; o < bytes; o += 64) {
        const size_t po = o + PF;
        __builtin_prefetch(po < bytes ? k + po : nk + (po - bytes), 0, 3);
        __builtin_prefetch(po < bytes ? v + po : nv + (po - bytes), 0, 3);
        a += *(const v16 *)(k + o);
        b += *(const v16 *)(v + o);
    }
    float s = 0.0f;
    for (int i = 0; i < 16; i++) {
        s += a[i] + b[i];
    }
    return s;
}

static void shuffle(size_t *x, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        x[i] = i;
    }
    srand(seed);
    for (size_t i = n - 1; i > 0; i--) {
        const size_t j = (size_t)rand() % (i + 1);
        const size_t t = x[i];
        x[i] = x[j];
        x[j] = t;
    }
}

int main(int argc, char **argv) {
    const size_t run = argc > 1 ? strtoul(argv[1], NULL, 10) : 8192;
    const size_t group = argc > 2 ? strtoul(argv[2], NULL, 10) : 16;
    const size_t block_pages = argc > 3 ? strtoul(argv[3], NULL, 10) : 8;
    const size_t total = (size_t)HEADS * KEYS * ROW_BYTES, head_bytes = total / HEADS;
    if (run < 64 || run % 64 != 0 || head_bytes % run != 0 || group < 1 || group > HEADS || HEADS % group != 0 ||
        block_pages < 1) {
        fprintf(stderr, "run_bytes: a multiple of 64 that divides %zu; heads_per_group: a divisor of %d; pages_per_block >= 1\n",
                head_bytes, HEADS);
        return 2;
    }
    char *k = aligned_alloc(4096, total), *v = aligned_alloc(4096, total);
    const size_t runs = total / run, pages = runs / HEADS;
    size_t *order = malloc(runs * sizeof *order), *page_order = malloc(pages * sizeof *page_order);
    if (k == NULL || v == NULL || order == NULL || page_order == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memset(k, 1, total);
    memset(v, 1, total);
    shuffle(order, runs, 1);
    shuffle(page_order, pages, 2);
    double best[3] = {1e9, 1e9, 1e9};
    float sink = 0.0f;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        for (size_t h = 0; h < HEADS; h++) {
            const size_t o = h * head_bytes, n = h + 1 < HEADS ? o + head_bytes : o;
            sink += read_run(k + o, v + o, k + n, v + n, head_bytes);
        }
        double t1 = now();
        for (size_t i = 0; i < runs; i++) {
            const size_t o = order[i] * run, n = order[i + 1 < runs ? i + 1 : i] * run;
            sink += read_run(k + o, v + o, k + n, v + n, run);
        }
        double t2 = now();
        for (size_t h0 = 0; h0 < HEADS; h0 += group) {
            for (size_t b = 0; b < pages; b += block_pages) {
                for (size_t h = h0; h < h0 + group; h++) {
                    for (size_t j = b; j < b + block_pages && j < pages; j++) {
                        const size_t o = (page_order[j] * HEADS + h) * run;
                        const size_t nj = j + 1 < pages ? j + 1 : j, n = (page_order[nj] * HEADS + h) * run;
                        sink += read_run(k + o, v + o, k + n, v + n, run);
                    }
                }
            }
        }
        double t3 = now();
        const double t[3] = {t1 - t0, t2 - t1, t3 - t2};
        for (int i = 0; i < 3; i++) {
            best[i] = t[i] < best[i] ? t[i] : best[i];
        }
    }
    const double gb = 2.0 * (double)total / 1e9;
    printf("sequential %.2f ms (%.1f GB/s); runs of %zu B, shuffled: %.2f ms (%.2fx); grouped by %zu heads: "
           "%.2f ms (%.2fx) in blocks of %zu pages%s\n",
           best[0] * 1e3, gb / best[0], run, best[1] * 1e3, best[0] / best[1], group, best[2] * 1e3,
           best[0] / best[2], block_pages, sink == 12345.0f ? " " : "");
    free(order);
    free(page_order);
    free(k);
    free(v);
    return 0;
}

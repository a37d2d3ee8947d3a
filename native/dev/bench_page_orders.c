/*
 * bench_page_orders.c — development benchmark (not a test): how fast one or two threads read a
 * paged K/V cache in the orders a paged decode could read it, with no attention arithmetic. It
 * says which work split and which order inside a page can reach the contiguous speed.
 *
 *   panattn_bench_page_orders [threads (1 or 2)] [rounds]
 *
 * K and V of 32 kv heads x 4096 keys x d 128 in fp32 (64 MiB each), as a contiguous cache
 * (heads-first, 2 MiB a head) and as a pool of 16-key pages in vLLM's layout
 * [page, key, head, d] (256 KiB a page, one key's heads together) with a shuffled page order, in
 * 2 MiB-aligned memory advised MADV_HUGEPAGE. Each order sums every byte (64 bytes a step); a
 * 256 MiB buffer is rewritten before each timing so no order finds the cache in L3. Orders, with
 * two threads splitting the work as named:
 *   contiguous           each thread half of the heads, each head's keys in address order;
 *   contiguous, keys     each thread half of every head's keys;
 *   heads, head-major    each thread half of the heads, every page: its heads one after another,
 *                        each head's 16 rows (512 B each, 16 KiB apart), K then V;
 *   heads, key-major     each thread half of the heads, every page: key after key, its heads'
 *                        rows of that key (each thread reads half of every 16 KiB key row);
 *   pages, key-major     each thread half of the pages, all heads, address order (K page, V page);
 *   pages, head-major    each thread half of the pages, all heads, head after head;
 *   pages, 2 keys a head as "pages, key-major" but two keys of a head at a time.
 * Times are medians of `rounds` (15); ratios to "contiguous" are what a kernel reading in that order
 * can hope for. Machines of this kind are shared: run it several times and compare ratios.
 */
#define _GNU_SOURCE /* MADV_HUGEPAGE */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));

enum { H = 32, D = 128, PAGE = 16, N = 4096, PAGES = N / PAGE, ORDERS = 7, MAX_ROUNDS = 101 };

static float *k_pool, *v_pool, *k_cont, *v_cont;
static int page_order[PAGES];
static int threads = 2;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One 512-byte row into the running sum (by pointer: a 64-byte vector passed by value is an
 * ABI question without AVX-512 flags). */
static inline __attribute__((always_inline)) void row_sum(const float *r, v16 *acc) {
    for (int x = 0; x < D; x += 16) {
        *acc += *(const v16 *)(r + x);
    }
}

static const float *pool_row(const float *pool, int page, int key, int head) {
    return pool + (((size_t)page_order[page] * PAGE + (size_t)key) * H + (size_t)head) * D;
}

typedef struct share {
    int order, part; /* part 0 or 1 of two (0 of 1 on one thread) */
    float sum;
} share;

static void *read_share(void *arg) {
    share *s = arg;
    const int parts = threads, part = s->part;
    const int h0 = H * part / parts, h1 = H * (part + 1) / parts;
    const int p0 = PAGES * part / parts, p1 = PAGES * (part + 1) / parts;
    v16 acc = {0};
    switch (s->order) {
    case 0: /* contiguous: heads split */
        for (int h = h0; h < h1; h++) {
            for (int j = 0; j < N; j++) {
                row_sum(k_cont + ((size_t)h * N + (size_t)j) * D, &acc);
                row_sum(v_cont + ((size_t)h * N + (size_t)j) * D, &acc);
            }
        }
        break;
    case 1: /* contiguous: keys split */
        for (int h = 0; h < H; h++) {
            for (int j = N * part / parts; j < N * (part + 1) / parts; j++) {
                row_sum(k_cont + ((size_t)h * N + (size_t)j) * D, &acc);
                row_sum(v_cont + ((size_t)h * N + (size_t)j) * D, &acc);
            }
        }
        break;
    case 2: /* heads split, head-major inside a page */
        for (int p = 0; p < PAGES; p++) {
            for (int h = h0; h < h1; h++) {
                for (int j = 0; j < PAGE; j++) {
                    row_sum(pool_row(k_pool, p, j, h), &acc);
                }
                for (int j = 0; j < PAGE; j++) {
                    row_sum(pool_row(v_pool, p, j, h), &acc);
                }
            }
        }
        break;
    case 3: /* heads split, key-major inside a page */
        for (int p = 0; p < PAGES; p++) {
            for (int j = 0; j < PAGE; j++) {
                for (int h = h0; h < h1; h++) {
                    row_sum(pool_row(k_pool, p, j, h), &acc);
                }
            }
            for (int j = 0; j < PAGE; j++) {
                for (int h = h0; h < h1; h++) {
                    row_sum(pool_row(v_pool, p, j, h), &acc);
                }
            }
        }
        break;
    case 4: /* pages split, address order */
    case 6: /* pages split, two keys of a head at a time */
        for (int p = p0; p < p1; p++) {
            const int step = s->order == 4 ? 1 : 2;
            for (int pass = 0; pass < 2; pass++) {
                const float *pool = pass == 0 ? k_pool : v_pool;
                for (int j0 = 0; j0 < PAGE; j0 += step) {
                    for (int h = 0; h < H; h++) {
                        for (int j = j0; j < j0 + step; j++) {
                            row_sum(pool_row(pool, p, j, h), &acc);
                        }
                    }
                }
            }
        }
        break;
    default: /* 5: pages split, head-major */
        for (int p = p0; p < p1; p++) {
            for (int h = 0; h < H; h++) {
                for (int j = 0; j < PAGE; j++) {
                    row_sum(pool_row(k_pool, p, j, h), &acc);
                }
                for (int j = 0; j < PAGE; j++) {
                    row_sum(pool_row(v_pool, p, j, h), &acc);
                }
            }
        }
        break;
    }
    float total = 0;
    for (int x = 0; x < 16; x++) {
        total += acc[x];
    }
    s->sum = total;
    return NULL;
}

static void *huge(size_t bytes) {
    void *m = aligned_alloc((size_t)2 << 20, (bytes + ((size_t)2 << 20) - 1) / ((size_t)2 << 20) * ((size_t)2 << 20));
    if (m == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    madvise(m, bytes, MADV_HUGEPAGE);
    memset(m, 1, bytes);
    return m;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    threads = argc > 1 ? atoi(argv[1]) : 2;
    int rounds = argc > 2 ? atoi(argv[2]) : 15;
    if (threads < 1 || threads > 2 || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: panattn_bench_page_orders [threads 1|2] [rounds 1..%d]\n", MAX_ROUNDS);
        return 2;
    }
    const size_t bytes = (size_t)N * H * D * sizeof(float);
    k_pool = huge(bytes), v_pool = huge(bytes), k_cont = huge(bytes), v_cont = huge(bytes);
    const size_t flush_bytes = (size_t)256 << 20;
    char *flush = huge(flush_bytes);
    for (int i = 0; i < PAGES; i++) {
        page_order[i] = i;
    }
    srand(1);
    for (int i = PAGES - 1; i > 0; i--) {
        const int j = rand() % (i + 1), t = page_order[i];
        page_order[i] = page_order[j], page_order[j] = t;
    }
    static const char *const names[ORDERS] = {"contiguous", "contiguous, keys", "heads, head-major",
                                              "heads, key-major", "pages, key-major", "pages, head-major",
                                              "pages, 2 keys a head"};
    static double t[ORDERS][MAX_ROUNDS];
    float sink = 0;
    for (int r = 0; r < rounds; r++) {
        for (int o = 0; o < ORDERS; o++) {
            memset(flush, r + o, flush_bytes);
            share sh[2] = {{o, 0, 0}, {o, 1, 0}};
            pthread_t other;
            const double t0 = now();
            if (threads == 2 && pthread_create(&other, NULL, read_share, &sh[1]) != 0) {
                fprintf(stderr, "cannot start a thread\n");
                return 1;
            }
            read_share(&sh[0]);
            if (threads == 2) {
                pthread_join(other, NULL);
            }
            t[o][r] = now() - t0;
            sink += sh[0].sum + sh[1].sum;
        }
    }
    printf("%d thread%s, K+V %.0f MiB, 16-key pages, median of %d rounds (sum %g)\n", threads, threads == 1 ? "" : "s",
           2.0 * (double)bytes / (1 << 20), rounds, (double)sink);
    double base = 0;
    for (int o = 0; o < ORDERS; o++) {
        qsort(t[o], (size_t)rounds, sizeof(double), cmp_double);
        const double med = t[o][rounds / 2];
        base = o == 0 ? med : base;
        printf("  %-22s %7.3f ms  %6.1f GB/s  %.2fx contiguous\n", names[o], med * 1e3, 2.0 * (double)bytes / med * 1e-9,
               base / med);
    }
    return 0;
}

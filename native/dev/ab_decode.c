/*
 * ab_decode.c — decode through a paged KV cache: two builds of libpanattn in one process
 * (development tool, not a test).
 *
 *   native/dev/ab_libs.sh decode OLD NEW [threads=T] [seq=N] [heads=H] [d=D] [page=P] [batch=B]
 *                                 [layout=heads|vllm] [rounds=R] [kv=i8|f16|bf16]
 *   (the script builds each checkout and runs this program as  ab_decode LIB_A LIB_B ...)
 *
 * One query row per sequence against N cached keys (defaults: 1 sequence, 32 heads, 4096 keys,
 * d 128, fp32, pages of 16 keys in shuffled order, 2 threads). Each round times a few calls of
 * four kinds in rotating order: A and B on the contiguous cache ([b, h, key, d]) and A and B on
 * the paged pools, laid out head after head inside a block as PagedKvCache keeps them
 * (layout=heads) or key after key as vLLM does (layout=vllm). Calls run as the Java side runs
 * them: panattn_plan for T threads, split tiles as one equal range per thread for paged keys
 * (in ranges of a quarter share from a counter otherwise), the merge on the calling thread.
 * Printed: medians over rounds of B/A paged time, B/A contiguous time, and each build's paged
 * speed / contiguous speed, each with its quartiles. Every paged output is first checked to be
 * bitwise the contiguous one. With kv=i8|f16|bf16 the second pair reads the contiguous cache
 * stored in that type instead of the pages (int8 with a scale per key and head), no bitwise check.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dev_util.h"
#include "panattn.h"

typedef int32_t (*plan_fn)(const panattn_params *, int32_t, struct panattn_plan *);
typedef int32_t (*forward_fn)(const panattn_params *, const struct panattn_plan *, int64_t, int64_t);
typedef int32_t (*partial_fn)(const panattn_params *, const struct panattn_plan *, void *, int64_t, int64_t);
typedef int32_t (*merge_fn)(const panattn_params *, const struct panattn_plan *, const void *, int64_t, int64_t);

typedef struct lib {
    plan_fn plan;
    forward_fn forward;
    partial_fn partial;
    merge_fn merge;
} lib;

/* One planned call: its params, plan and workspace. */
typedef struct call_spec {
    const lib *l;
    panattn_params p;
    struct panattn_plan plan;
    void *ws;
    int paged;
} call_spec;

enum { MAX_THREADS = 16, MAX_ROUNDS = 200, REPS = 5 };

typedef struct job {
    const call_spec *c;
    int64_t total, grain;
    int64_t begin[MAX_THREADS], end[MAX_THREADS]; /* equal ranges (paged) */
    atomic_llong next;
    atomic_int failed;
    int ranges;
} job;

typedef struct worker_arg {
    job *j;
    int index;
} worker_arg;

static int32_t run_range(const call_spec *c, int64_t b, int64_t e) {
    return c->plan.splits > 1 ? c->l->partial(&c->p, &c->plan, c->ws, b, e) : c->l->forward(&c->p, &c->plan, b, e);
}

static void *worker(void *arg) {
    worker_arg *w = arg;
    job *j = w->j;
    if (j->ranges) {
        if (run_range(j->c, j->begin[w->index], j->end[w->index]) != PANATTN_OK) {
            atomic_store(&j->failed, 1);
        }
        return NULL;
    }
    for (;;) {
        long long t = atomic_fetch_add(&j->next, j->grain);
        if (t >= j->total) {
            return NULL;
        }
        const int64_t e = t + j->grain < j->total ? t + j->grain : j->total;
        if (run_range(j->c, t, e) != PANATTN_OK) {
            atomic_store(&j->failed, 1);
        }
    }
}

/* One call on `threads` threads (the caller is one of them); seconds. Exits on a failure. */
static double call(const call_spec *c, int threads) {
    job j;
    memset(&j, 0, sizeof j);
    j.c = c;
    j.total = c->plan.tiles * c->plan.splits;
    const int64_t quarter = j.total / (4 * threads);
    j.grain = quarter > 1 ? quarter : 1;
    j.ranges = c->paged && c->plan.splits > 1;
    for (int t = 0; t < threads; t++) {
        j.begin[t] = j.total * t / threads, j.end[t] = j.total * (t + 1) / threads;
    }
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    pthread_t th[MAX_THREADS];
    worker_arg args[MAX_THREADS];
    double t0 = dev_now();
    for (int t = 1; t < threads; t++) {
        args[t] = (worker_arg){&j, t};
        if (pthread_create(&th[t], NULL, worker, &args[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
    args[0] = (worker_arg){&j, 0};
    worker(&args[0]);
    for (int t = 1; t < threads; t++) {
        pthread_join(th[t], NULL);
    }
    if (!atomic_load(&j.failed) && c->plan.splits > 1 && c->l->merge(&c->p, &c->plan, c->ws, 0, c->plan.tiles) != PANATTN_OK) {
        atomic_store(&j.failed, 1);
    }
    if (atomic_load(&j.failed)) {
        fprintf(stderr, "a library call failed\n");
        exit(1);
    }
    return dev_now() - t0;
}

/* n floats in 2 MiB-aligned anonymous memory advised for huge pages before it is touched, as
 * the Java caches allocate it. */
static float *cache_alloc(size_t n) {
    const size_t bytes = (n * sizeof(float) + (2u << 20) - 1) / (2u << 20) * (2u << 20);
    void *m = NULL;
    if (posix_memalign(&m, 2u << 20, bytes) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    madvise(m, bytes, MADV_HUGEPAGE);
    return m;
}

/* c's problem with K and V stored as `dtype` (int8: a scale per key and head, max |x| / 127),
 * converted from the fp32 cache (rows of d, `rows` of them). */
static panattn_params narrow_cache(const panattn_params *c, int64_t dtype, const float *k, const float *v, size_t n,
                                   int64_t rows, int64_t d) {
    panattn_params p = *c;
    const size_t es = dtype == PANATTN_DTYPE_I8 ? 1 : 2;
    void *kn = cache_alloc((n * es + 3) / 4), *vn = cache_alloc((n * es + 3) / 4);
    float *ks = dtype == PANATTN_DTYPE_I8 ? malloc((size_t)rows * sizeof(float)) : NULL;
    float *vs = dtype == PANATTN_DTYPE_I8 ? malloc((size_t)rows * sizeof(float)) : NULL;
    for (int kv = 0; kv < 2; kv++) {
        const float *src = kv == 0 ? k : v;
        void *dst = kv == 0 ? kn : vn;
        float *scale = kv == 0 ? ks : vs;
        for (int64_t r = 0; r < rows; r++) {
            const float *x = src + r * d;
            float amax = 0.0f;
            for (int64_t i = 0; i < d; i++) {
                amax = fabsf(x[i]) > amax ? fabsf(x[i]) : amax;
            }
            for (int64_t i = 0; i < d; i++) {
                if (dtype == PANATTN_DTYPE_I8) {
                    ((int8_t *)dst)[r * d + i] = (int8_t)lrintf(amax > 0 ? x[i] * 127.0f / amax : 0.0f);
                } else if (dtype == PANATTN_DTYPE_F16) {
                    ((_Float16 *)dst)[r * d + i] = (_Float16)x[i];
                } else {
                    uint32_t b;
                    memcpy(&b, &x[i], 4);
                    ((uint16_t *)dst)[r * d + i] = (uint16_t)((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
                }
            }
            if (scale != NULL) {
                scale[r] = amax / 127.0f;
            }
        }
    }
    p.k = kn, p.v = vn, p.kv_dtype = dtype, p.k_scale = ks, p.v_scale = vs;
    if (dtype == PANATTN_DTYPE_I8) {
        const int64_t n_keys = c->seq_k, heads = c->kv_heads;
        p.k_scale_batch_stride = p.v_scale_batch_stride = heads * n_keys;
        p.k_scale_head_stride = p.v_scale_head_stride = n_keys;
        p.k_scale_row_stride = p.v_scale_row_stride = 1;
    }
    return p;
}

static void bind(const char *path, lib *l) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        exit(1);
    }
    l->plan = (plan_fn)dlsym(h, "panattn_plan");
    l->forward = (forward_fn)dlsym(h, "panattn_forward");
    l->partial = (partial_fn)dlsym(h, "panattn_forward_partial");
    l->merge = (merge_fn)dlsym(h, "panattn_merge_partial");
    if (l->plan == NULL || l->forward == NULL || l->partial == NULL || l->merge == NULL) {
        fprintf(stderr, "%s lacks the split-KV entry points\n", path);
        exit(1);
    }
}

static void plan(call_spec *c, int threads) {
    if (c->l->plan(&c->p, threads, &c->plan) != PANATTN_OK) {
        fprintf(stderr, "invalid problem\n");
        exit(1);
    }
    c->ws = c->plan.workspace_bytes > 0 ? malloc((size_t)c->plan.workspace_bytes) : NULL;
}

/* Median and quartiles of r[0 .. n), sorted in place. */
static void print_ratio(const char *what, double *r, int n) {
    qsort(r, (size_t)n, sizeof(double), dev_by_value);
    printf("  %-34s %.3f [%.3f..%.3f]\n", what, r[n / 2], r[n / 4], r[3 * n / 4]);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LIB_A LIB_B [threads=T] [seq=N] [heads=H] [d=D] [page=P] [batch=B] [layout=heads|vllm] [rounds=R]\n",
                argv[0]);
        return 2;
    }
    lib la, lb;
    bind(argv[1], &la);
    bind(argv[2], &lb);
    int64_t threads = 2, n = 4096, h = 32, d = 128, page = 16, batch = 1, rounds = 15;
    int vllm = 0;
    int64_t kv_dtype = 0; /* 0: the second pair reads pages; else the contiguous cache in this type */
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "threads=", 8) == 0) {
            threads = atol(a + 8);
        } else if (strncmp(a, "seq=", 4) == 0) {
            n = atol(a + 4);
        } else if (strncmp(a, "heads=", 6) == 0) {
            h = atol(a + 6);
        } else if (strncmp(a, "d=", 2) == 0) {
            d = atol(a + 2);
        } else if (strncmp(a, "page=", 5) == 0) {
            page = atol(a + 5);
        } else if (strncmp(a, "batch=", 6) == 0) {
            batch = atol(a + 6);
        } else if (strcmp(a, "layout=vllm") == 0) {
            vllm = 1;
        } else if (strcmp(a, "layout=heads") == 0) {
            vllm = 0;
        } else if (strcmp(a, "kv=i8") == 0) {
            kv_dtype = PANATTN_DTYPE_I8;
        } else if (strcmp(a, "kv=f16") == 0) {
            kv_dtype = PANATTN_DTYPE_F16;
        } else if (strcmp(a, "kv=bf16") == 0) {
            kv_dtype = PANATTN_DTYPE_BF16;
        } else if (strncmp(a, "rounds=", 7) == 0) {
            rounds = atol(a + 7);
        } else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
    }
    if (threads < 1 || threads > MAX_THREADS || n < 1 || h < 1 || d < 1 || page < 1 || batch < 1 || rounds < 1 ||
        rounds > MAX_ROUNDS) {
        fprintf(stderr, "threads 1..%d, rounds 1..%d, every size >= 1\n", MAX_THREADS, MAX_ROUNDS);
        return 2;
    }
    const int64_t per_seq = (n + page - 1) / page, blocks = batch * per_seq;
    const size_t cache = (size_t)(batch * h * n * d), pool = (size_t)(blocks * page * h * d);
    float *q = cache_alloc((size_t)(batch * h * d)), *k = cache_alloc(cache), *v = cache_alloc(cache);
    float *kp = cache_alloc(pool), *vp = cache_alloc(pool);
    float *out[4];
    for (int i = 0; i < 4; i++) {
        out[i] = cache_alloc((size_t)(batch * h * d));
    }
    dev_fill_random(q, (size_t)(batch * h * d), 1);
    dev_fill_random(k, cache, 2);
    dev_fill_random(v, cache, 3);
    /* a shuffled block table (Fisher-Yates on an LCG) */
    int32_t *table = malloc((size_t)blocks * sizeof(int32_t)), *lengths = malloc((size_t)batch * sizeof(int32_t));
    uint32_t x = 12345;
    for (int64_t i = 0; i < blocks; i++) {
        table[i] = (int32_t)i;
    }
    for (int64_t i = blocks - 1; i > 0; i--) {
        x = x * 1664525u + 1013904223u;
        const int64_t j = (int64_t)(x % (uint32_t)(i + 1));
        const int32_t t = table[i];
        table[i] = table[j], table[j] = t;
    }
    const int64_t pb_stride = page * h * d, ph_stride = vllm ? d : page * d, pr_stride = vllm ? h * d : d;
    for (int64_t b = 0; b < batch; b++) {
        lengths[b] = (int32_t)n;
        for (int64_t hh = 0; hh < h; hh++) {
            for (int64_t j = 0; j < n; j++) {
                const int64_t src = ((b * h + hh) * n + j) * d;
                const int64_t dst = table[b * per_seq + j / page] * pb_stride + hh * ph_stride + (j % page) * pr_stride;
                memcpy(kp + dst, k + src, (size_t)d * sizeof(float));
                memcpy(vp + dst, v + src, (size_t)d * sizeof(float));
            }
        }
    }
    panattn_params c;
    memset(&c, 0, sizeof c);
    c.q = q, c.k = k, c.v = v;
    c.batch = batch, c.heads = h, c.kv_heads = h, c.seq_q = 1, c.seq_k = n, c.head_dim = d;
    c.q_batch_stride = h * d, c.q_head_stride = d, c.q_row_stride = d;
    c.k_batch_stride = h * n * d, c.k_head_stride = n * d, c.k_row_stride = d;
    c.v_batch_stride = h * n * d, c.v_head_stride = n * d, c.v_row_stride = d;
    c.out_batch_stride = h * d, c.out_head_stride = d, c.out_row_stride = d;
    c.softmax_scale = 0.125f, c.dtype = PANATTN_DTYPE_F32;
    panattn_params pg = c;
    pg.k = kp, pg.v = vp, pg.key_lengths = lengths;
    pg.k_batch_stride = pb_stride, pg.k_head_stride = ph_stride, pg.k_row_stride = pr_stride;
    pg.v_batch_stride = pb_stride, pg.v_head_stride = ph_stride, pg.v_row_stride = pr_stride;
    pg.block_table = table, pg.block_table_stride = per_seq, pg.max_blocks_per_seq = per_seq;
    pg.block_size = page, pg.num_blocks = blocks;
    if (kv_dtype != 0) {
        pg = narrow_cache(&c, kv_dtype, k, v, cache, batch * h * n, d);
    }
    /* 0: A contiguous, 1: B contiguous, 2: A paged (or narrow), 3: B paged (or narrow) */
    call_spec s[4] = {{&la, c, {0}, NULL, 0}, {&lb, c, {0}, NULL, 0}, {&la, pg, {0}, NULL, kv_dtype == 0},
                      {&lb, pg, {0}, NULL, kv_dtype == 0}};
    for (int i = 0; i < 4; i++) {
        s[i].p.out = out[i];
        plan(&s[i], (int)threads);
    }
    for (int i = 0; i < 4; i++) {
        call(&s[i], (int)threads);
    }
    const size_t out_bytes = (size_t)(batch * h * d) * sizeof(float);
    if (kv_dtype == 0 && (memcmp(out[0], out[2], out_bytes) != 0 || memcmp(out[1], out[3], out_bytes) != 0)) {
        fprintf(stderr, "paged output differs from contiguous output\n");
        return 1;
    }
    for (int w = 0; w < 3; w++) {
        for (int i = 0; i < 4; i++) {
            call(&s[i], (int)threads);
        }
    }
    static double med[4][MAX_ROUNDS];
    double bpa[MAX_ROUNDS], bca[MAX_ROUNDS], ra[MAX_ROUNDS], rb[MAX_ROUNDS];
    for (int64_t r = 0; r < rounds; r++) {
        double t[4][REPS];
        for (int rep = 0; rep < REPS; rep++) {
            for (int i = 0; i < 4; i++) {
                const int which = (int)((i + r + rep) % 4);
                t[which][rep] = call(&s[which], (int)threads);
            }
        }
        for (int i = 0; i < 4; i++) {
            qsort(t[i], REPS, sizeof(double), dev_by_value);
            med[i][r] = t[i][REPS / 2];
        }
        bpa[r] = med[3][r] / med[2][r], bca[r] = med[1][r] / med[0][r];
        ra[r] = med[0][r] / med[2][r], rb[r] = med[1][r] / med[3][r];
    }
    const double bytes = 2.0 * (double)cache * sizeof(float);
    for (int i = 0; i < 4; i++) {
        qsort(med[i], (size_t)rounds, sizeof(double), dev_by_value);
    }
    printf("decode: batch %lld, heads %lld, cache %lld, d %lld, pages of %lld (%s layout), %lld threads, %lld rounds\n",
           (long long)batch, (long long)h, (long long)n, (long long)d, (long long)page, vllm ? "vLLM's" : "head-after-head",
           (long long)threads, (long long)rounds);
    const char *second = kv_dtype == PANATTN_DTYPE_I8 ? "i8" : kv_dtype == PANATTN_DTYPE_F16 ? "f16"
                         : kv_dtype == PANATTN_DTYPE_BF16                                  ? "bf16"
                                                                                            : "paged";
    char names[4][32], what[4][64];
    snprintf(names[0], sizeof names[0], "A contiguous"), snprintf(names[1], sizeof names[1], "B contiguous");
    snprintf(names[2], sizeof names[2], "A %s", second), snprintf(names[3], sizeof names[3], "B %s", second);
    for (int i = 0; i < 4; i++) {
        printf("  %-14s %8.3f ms  %6.1f GB/s of fp32 K+V\n", names[i], med[i][rounds / 2] * 1e3,
               bytes / med[i][rounds / 2] / 1e9);
    }
    snprintf(what[0], sizeof what[0], "B/A time, %s", second);
    snprintf(what[1], sizeof what[1], "A %s speed / contiguous fp32", second);
    snprintf(what[2], sizeof what[2], "B %s speed / contiguous fp32", second);
    print_ratio(what[0], bpa, (int)rounds);
    print_ratio("B/A time, contiguous", bca, (int)rounds);
    print_ratio(what[1], ra, (int)rounds);
    print_ratio(what[2], rb, (int)rounds);
    return 0;
}

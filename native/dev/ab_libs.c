/*
 * ab_libs.c — A/B of two builds of libpanattn in one process (development tool, not a test).
 *
 *   native/dev/ab_libs.sh OLD NEW N D [causal|causal-b] [bshd] [copy|layouts] [isa=avx2|scalar]
 *                         [rounds=R] [sk=K] [heads=H]
 *   (OLD, NEW: two checkouts, their roots or native/ folders; the script builds each with CMake
 *   and runs this program as  ab LIB_A LIB_B N D ...)
 *
 * This machine is shared and swings by 5-10% from minute to minute, so a kernel change worth
 * 2-5% cannot be seen by timing builds one after the other. Here both libraries are loaded
 * (dlopen, RTLD_LOCAL) and called alternately: each round times a few calls of each, in
 * alternating order, and the result is the median over rounds of B's time / A's time (with its
 * quartiles). Two identical builds read 1.00 [0.99..1.01].
 * The problem: batch 1, H heads (8), N queries, K keys (N), head_dim D, fp32, 2 threads taking
 * single tiles from a counter as the Java scheduler does; bshd = interleaved [b, s, h, d]
 * tensors; causal = top-left; copy = B first copies K/V heads-first (2 threads, into buffers
 * allocated once) and runs on the copy, the cost of repacking before the kernel; layouts = B
 * reads the same buffers as heads-first tensors (with bshd: the layout's own cost, timing only);
 * causal-b = only B is causal (one library twice: causal / non-causal time in the same rounds).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev_util.h"
#include "panattn.h"

typedef int32_t (*forward_fn)(const panattn_params *, const struct panattn_plan *, int64_t, int64_t);
typedef int32_t (*plan_fn)(const panattn_params *, int32_t, struct panattn_plan *);

/* Builds from before the planning call (ABI 4: panattn_tile_count, then panattn_forward(p, begin,
 * end), which validated p itself) are timed through these adapters, so a build can be compared
 * with one from before that redesign. Index 0 is library A, 1 is B. */
typedef int32_t (*legacy_forward_fn)(const panattn_params *, int64_t, int64_t);
typedef int32_t (*legacy_tiles_fn)(const panattn_params *, int64_t *);
static legacy_forward_fn legacy_forward[2];
static legacy_tiles_fn legacy_tiles[2];

static int32_t legacy_plan(int lib, const panattn_params *p, struct panattn_plan *plan) {
    memset(plan, 0, sizeof *plan);
    plan->splits = 1;
    return legacy_tiles[lib](p, &plan->tiles);
}
static int32_t legacy_plan_a(const panattn_params *p, int32_t threads, struct panattn_plan *plan) {
    (void)threads;
    return legacy_plan(0, p, plan);
}
static int32_t legacy_plan_b(const panattn_params *p, int32_t threads, struct panattn_plan *plan) {
    (void)threads;
    return legacy_plan(1, p, plan);
}
static int32_t legacy_forward_a(const panattn_params *p, const struct panattn_plan *plan, int64_t b, int64_t e) {
    (void)plan;
    return legacy_forward[0](p, b, e);
}
static int32_t legacy_forward_b(const panattn_params *p, const struct panattn_plan *plan, int64_t b, int64_t e) {
    (void)plan;
    return legacy_forward[1](p, b, e);
}

/* The library's forward and plan entry points, through the adapters for a pre-plan build. */
static int bind(void *lib, int which, forward_fn *forward, plan_fn *plan) {
    *plan = (plan_fn)dlsym(lib, "panattn_plan");
    if (*plan != NULL) {
        *forward = (forward_fn)dlsym(lib, "panattn_forward");
        return *forward != NULL;
    }
    legacy_forward[which] = (legacy_forward_fn)dlsym(lib, "panattn_forward");
    legacy_tiles[which] = (legacy_tiles_fn)dlsym(lib, "panattn_tile_count");
    if (legacy_forward[which] == NULL || legacy_tiles[which] == NULL) {
        return 0;
    }
    *forward = which == 0 ? legacy_forward_a : legacy_forward_b;
    *plan = which == 0 ? legacy_plan_a : legacy_plan_b;
    fprintf(stderr, "ab_libs: library %c predates panattn_plan; timed through panattn_tile_count + panattn_forward(p, begin, end)\n",
            which == 0 ? 'A' : 'B');
    return 1;
}

typedef struct job {
    forward_fn forward;
    const panattn_params *p;
    const struct panattn_plan *plan;
    int64_t tiles;
    atomic_llong next;
    atomic_int failed;
} job;

static void *worker(void *arg) {
    job *j = arg;
    for (;;) {
        long long t = atomic_fetch_add(&j->next, 1);
        if (t >= j->tiles) {
            return NULL;
        }
        if (j->forward(j->p, j->plan, t, t + 1) != PANATTN_OK) {
            atomic_store(&j->failed, 1);
        }
    }
}

/* fn(arg) on the calling thread and one more, both pulling work from a shared counter in arg. */
static void on_two_threads(void *(*fn)(void *), void *arg) {
    pthread_t th;
    if (pthread_create(&th, NULL, fn, arg) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        exit(1);
    }
    fn(arg);
    pthread_join(th, NULL);
}

/* One call on 2 threads; seconds. Exits on a kernel failure. */
static double call(forward_fn f, const panattn_params *p, const struct panattn_plan *plan) {
    job j;
    j.forward = f, j.p = p, j.plan = plan, j.tiles = plan->tiles;
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    double t0 = dev_now();
    on_two_threads(worker, &j);
    if (atomic_load(&j.failed)) {
        fprintf(stderr, "panattn_forward failed\n");
        exit(1);
    }
    return dev_now() - t0;
}

typedef struct repack {
    const float *k, *v;
    float *k_out, *v_out;
    int64_t heads, rows, d;
    atomic_llong next;
} repack;

static void *repack_worker(void *arg) {
    repack *r = arg;
    for (;;) {
        long long t = atomic_fetch_add(&r->next, 1);
        if (t >= 2 * r->heads) {
            return NULL;
        }
        const int is_k = t < r->heads;
        const int64_t h = is_k ? t : t - r->heads;
        const float *src = (is_k ? r->k : r->v) + h * r->d;
        float *dst = (is_k ? r->k_out : r->v_out) + h * r->rows * r->d;
        for (int64_t i = 0; i < r->rows; i++) {
            memcpy(dst + i * r->d, src + i * r->heads * r->d, (size_t)r->d * sizeof(float));
        }
    }
}

/* The heads-first copy (2 threads), then the call on it. */
static double copy_then_call(repack *r, forward_fn f, const panattn_params *p, const struct panattn_plan *plan) {
    double t0 = dev_now();
    atomic_store(&r->next, 0);
    on_two_threads(repack_worker, r);
    return dev_now() - t0 + call(f, p, plan);
}

static float *random_buffer(size_t n, unsigned seed) {
    float *b = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (b == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    dev_fill_random(b, n, seed);
    return b;
}

enum { MAX_ROUNDS = 200, MAX_REPS = 16 };

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s LIB_A LIB_B N D [causal|causal-b] [bshd] [copy|layouts] [isa=avx2|scalar] [rounds=R] [sk=K] [heads=H]\n", argv[0]);
        return 2;
    }
    void *la = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL), *lb = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (la == NULL || lb == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    forward_fn fa, fb;
    plan_fn plan_a, plan_b;
    if (!bind(la, 0, &fa, &plan_a) || !bind(lb, 1, &fb, &plan_b)) {
        fprintf(stderr, "a library lacks panattn_forward with panattn_plan (or panattn_tile_count)\n");
        return 1;
    }
    int64_t n = atol(argv[3]), d = atol(argv[4]), h = 8, sk = n;
    int causal = 0, bshd = 0, copy = 0, layouts = 0, causal_b = 0, rounds = 15;
    int32_t isa = PANATTN_ISA_AUTO;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "causal") == 0) {
            causal = 1;
        } else if (strcmp(argv[i], "bshd") == 0) {
            bshd = 1;
        } else if (strcmp(argv[i], "copy") == 0) {
            copy = 1;
        } else if (strcmp(argv[i], "layouts") == 0) {
            layouts = 1;
        } else if (strcmp(argv[i], "causal-b") == 0) {
            causal_b = 1;
        } else if (strcmp(argv[i], "isa=avx2") == 0) {
            isa = PANATTN_ISA_AVX2;
        } else if (strcmp(argv[i], "isa=scalar") == 0) {
            isa = PANATTN_ISA_SCALAR;
        } else if (strncmp(argv[i], "rounds=", 7) == 0) {
            rounds = atoi(argv[i] + 7);
        } else if (strncmp(argv[i], "sk=", 3) == 0) {
            sk = atol(argv[i] + 3);
        } else if (strncmp(argv[i], "heads=", 6) == 0) {
            h = atol(argv[i] + 6);
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (n < 1 || d < 1 || h < 1 || sk < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "N, D, heads and sk must be >= 1, rounds 1..%d\n", MAX_ROUNDS);
        return 2;
    }
    float *q = random_buffer((size_t)(h * n * d), 1), *k = random_buffer((size_t)(h * sk * d), 2);
    float *v = random_buffer((size_t)(h * sk * d), 3), *o = random_buffer((size_t)(h * n * d), 4);
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = q, p.k = k, p.v = v, p.out = o;
    p.batch = 1, p.heads = h, p.kv_heads = h, p.seq_q = n, p.seq_k = sk, p.head_dim = d;
    p.q_batch_stride = h * n * d, p.q_head_stride = n * d, p.q_row_stride = d;
    p.k_batch_stride = h * sk * d, p.k_head_stride = sk * d, p.k_row_stride = d;
    p.v_batch_stride = h * sk * d, p.v_head_stride = sk * d, p.v_row_stride = d;
    p.out_batch_stride = h * n * d, p.out_head_stride = n * d, p.out_row_stride = d;
    if (bshd) {
        p.q_head_stride = d, p.q_row_stride = h * d;
        p.k_head_stride = d, p.k_row_stride = h * d;
        p.v_head_stride = d, p.v_row_stride = h * d;
        p.out_head_stride = d, p.out_row_stride = h * d;
    }
    p.softmax_scale = 1.0f / sqrtf((float)d);
    p.causal = causal ? PANATTN_CAUSAL_TOP_LEFT : PANATTN_CAUSAL_NONE;
    p.dtype = PANATTN_DTYPE_F32, p.isa = isa;
    panattn_params pb = p; /* B's problem: the same, or the heads-first copy with copy */
    repack r;
    if (copy) {
        if (!bshd) {
            fprintf(stderr, "copy needs bshd\n");
            return 2;
        }
        r.k = k, r.v = v, r.heads = h, r.rows = sk, r.d = d;
        r.k_out = random_buffer((size_t)(h * sk * d), 5), r.v_out = random_buffer((size_t)(h * sk * d), 6);
        atomic_init(&r.next, 0);
        pb.k = r.k_out, pb.v = r.v_out;
        pb.k_head_stride = sk * d, pb.k_row_stride = d, pb.v_head_stride = sk * d, pb.v_row_stride = d;
    }
    if (layouts) {
        pb.q_head_stride = n * d, pb.q_row_stride = d, pb.k_head_stride = sk * d, pb.k_row_stride = d;
        pb.v_head_stride = sk * d, pb.v_row_stride = d, pb.out_head_stride = n * d, pb.out_row_stride = d;
    }
    if (causal_b) {
        pb.causal = PANATTN_CAUSAL_TOP_LEFT;
    }
    /* Each library plans its own params: a plan is only good for the struct it validated. */
    struct panattn_plan planned_a, planned_b;
    if (plan_a(&p, 2, &planned_a) != PANATTN_OK || plan_b(&pb, 2, &planned_b) != PANATTN_OK) {
        fprintf(stderr, "invalid problem\n");
        return 1;
    }
    const double flops = 4.0 * (double)h * (double)n * (double)sk * (double)d * (causal ? 0.5 : 1.0);
    const int reps = flops > 2e10 ? 2 : flops > 5e9 ? 4 : 10;
    for (int w = 0; w < 3; w++) {
        call(fa, &p, &planned_a);
        copy ? copy_then_call(&r, fb, &pb, &planned_b) : call(fb, &pb, &planned_b);
    }
    static double ta[MAX_ROUNDS], tb[MAX_ROUNDS], ratio[MAX_ROUNDS];
    for (int round = 0; round < rounds; round++) {
        double a[MAX_REPS], b[MAX_REPS];
        for (int i = 0; i < reps; i++) {
            const int a_first = (round + i) % 2;
            if (a_first) {
                a[i] = call(fa, &p, &planned_a);
            }
            b[i] = copy ? copy_then_call(&r, fb, &pb, &planned_b) : call(fb, &pb, &planned_b);
            if (!a_first) {
                a[i] = call(fa, &p, &planned_a);
            }
        }
        qsort(a, (size_t)reps, sizeof(double), dev_by_value);
        qsort(b, (size_t)reps, sizeof(double), dev_by_value);
        ta[round] = a[reps / 2], tb[round] = b[reps / 2], ratio[round] = tb[round] / ta[round];
    }
    qsort(ta, (size_t)rounds, sizeof(double), dev_by_value);
    qsort(tb, (size_t)rounds, sizeof(double), dev_by_value);
    qsort(ratio, (size_t)rounds, sizeof(double), dev_by_value);
    printf("N=%lld keys=%lld d=%lld heads=%lld %s %s%s: A %.2f ms (%.1f GFLOP/s)  B %.2f ms (%.1f GFLOP/s)  "
           "B/A time %.3f [%.3f..%.3f] over %d rounds\n",
           (long long)n, (long long)sk, (long long)d, (long long)h, causal ? "causal" : "non-causal",
           bshd ? "bshd" : "bhsd", copy ? " B=copy+heads-first" : layouts ? " B=heads-first" : causal_b ? " B=causal" : "", ta[rounds / 2] * 1e3,
           flops / ta[rounds / 2] / 1e9, tb[rounds / 2] * 1e3, flops / (causal_b ? 2 : 1) / tb[rounds / 2] / 1e9, ratio[rounds / 2],
           ratio[rounds / 4], ratio[3 * rounds / 4], rounds);
    free(q), free(k), free(v), free(o);
    return 0;
}

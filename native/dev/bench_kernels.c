/*
 * bench_kernels.c — development benchmark of the CPU kernel paths (not a test).
 *
 *   panattn_bench_kernels [quick] [only=SUBSTRING] [isa=AVX512|AVX2|SCALAR] [layout=bshd]
 *                         [openblas=/path/to/libopenblas.so.0]
 *
 * Times every ISA path this CPU runs on the peers comparison's shapes (fp32, batch 1, 8 heads, d 64,
 * N = 1024/2048/4096, non-causal and causal top-left; d 128 and d 32 at N = 2048) with 1 and
 * 2 pthreads that take single tiles from an atomic counter, as the Java TileScheduler does.
 * FLOPs = 4·B·H·Lq·Lk·d, halved for causal. Decode (1 query, 32 heads, d 128, caches 4096 and
 * 32768) is reported in GB/s of K+V read, next to a read bandwidth measured here (2 threads
 * summing a 512 MiB buffer). With openblas=..., sgemm 2048³ (2 threads) is measured in the
 * same run as the reference the targets are stated against.
 *
 * Versions tried (AMD EPYC, Zen 4-like: AVX-512, 1 MiB L2/core, 2 vCPUs). CAUTION: this box is
 * shared with other sessions (load average 2.5-6 during these runs): the same shape moved by up
 * to 2x between runs, OpenBLAS on 2 threads measured 46 and 62 GFLOP/s, 1 thread 62-65, and
 * 2 threads were often no faster than 1. Numbers are best-of-N and only indicative.
 *   v0 portable (auto-vectorised axpy form, scalar expf): decode 32h kv4096 5.5-6.9 GB/s
 *      (40% of read bw); the starting point.
 *   v1 (this library) SIMD: Q transposed per 16/32-row strip, Sᵀ = K·Qᵀ with K broadcast from
 *      its rows (no K packing or transposing), vertical online softmax in L1, P·V micro-tile
 *      with the rescale folded into the O load, exp2 deg-6 (0.91 ulp). AVX2: QK 6x16, PV 4x24,
 *      256-key blocks. AVX-512: QK 8x32, PV 4x64, 128-key blocks. GFLOP/s, run 1 | run 2:
 *        shape               AVX512 1T   AVX512 2T   AVX2 1T    AVX2 2T
 *        N1024 d64           65 | 99     68 | 88     65 | 54    81 | 62
 *        N2048 d64           62 | 99     60 | 99     51 | 86    70 | 86
 *        N4096 d64           81 | 90     84 | 118    80 | 74    55 | 51
 *        N2048 d64 causal    92 | 53    125 | 42     77 | 42   106 | 35   (causal FLOPs halved)
 *        N2048 d128          84 | 57    100 | 61     74 | 37    85 | 37
 *        N2048 d32           92 | 45    119 | 47     78 | 72   102 | 107
 *      sgemm 2048³ OpenBLAS in the same runs: 46 | 62 (2 threads), 62 | 65 (1 thread).
 *      Decode 32h d128 (run 1): kv4096 AVX512 2T 7.8 ms = 17.2 GB/s vs 16.7 GB/s measured read
 *      bandwidth (103%); kv32768 70 ms = 15.3 GB/s (91%); AVX2 2T 14.4 (86%) and 16.0 (96%).
 *      Split-KV decode 2h kv32768 on 2 threads: 1.8x the 1-thread speed.
 *   v2 (2026-11-30, quiet box, load < 1; best-of-N, same-run A/B against a build of v1):
 *      Decode row path. The dot product read 4 key rows interleaved (lines 0, 8, 16, 24, 1, ...
 *      of a 2 KiB run); perf put 2x the V pass's stall on those loads, and 1 thread read only
 *      12 GB/s against 23-25 for a plain stream. Reading key by key (dot1, in address order)
 *      doubled it: 32h d128 AVX512 1T 11-12 -> 25-28 GB/s, 2T 20-21 -> 34-47 GB/s, at or above
 *      the machine's 2-thread read bandwidth (memchr, 33-39 GB/s in those runs; the old scalar
 *      float sum read 27-33). Also tried, each within noise (+-10%) on its own: software
 *      prefetch 2/4/8/16 KiB ahead (kept at 4 KiB, slightly ahead on average) with T0/T1/T2/NTA
 *      hints (no difference); a one-pass row kernel (16 keys: scores, online max, exp2, then
 *      their V rows into O held in 8 zmm; kept, since K and V then stream together and V is
 *      read once at d <= 128) vs the two-pass 128-key form.
 *      Prefill N=4096 d64: bhsd runs ~200 GFLOP/s at N = 1024/2048/4096 alike (2T, = sgemm);
 *      the drop is specific to bshd (row stride H*d = 2 KiB, what the Java peers pass):
 *      150-183 GFLOP/s at N=4096 across runs vs ~190 at N<=2048. Its K+V span 16 MiB of
 *      address in 4 KiB pages holding 2 rows of a head each, re-read per 64-row tile, so
 *      neither the stream prefetcher nor L3 (shared, 32 MiB) covers it. Tried, no gain:
 *      software prefetch of the next key block spread over the Q·Kᵀ micro-tiles (same within
 *      noise, removed); packing each strided K/V block into contiguous scratch (N=4096 same,
 *      N<=2048 -7%, removed). What would fix it: 128-row tiles (halves K/V traffic; but
 *      PANATTN_TILE_Q = 64 is pinned by the bindings' tests and TileMath.ROWS) or a per-call
 *      bshd->bhsd repack as ORT does for 3-D inputs.
 *   v3 (2026-11-30, second session; A/B of builds run alternately, 2-4 rounds, load ~1):
 *      128-row tiles (PANATTN_TILE_Q 64 -> 128, ABI 4): each K/V block serves 4 strips instead
 *      of 2. N=4096 bshd 169-180 -> 177-190 GFLOP/s; bhsd 186-199 at every N, causal 186-198.
 *      Causal diagonal: one masked vector store of -inf per key column instead of a scalar loop
 *      over the strip's 32 rows: causal +1-2% (kept). Tried, within noise, not kept: vscalefps in
 *      the AVX-512 exp2 (11 instead of 13 ops; <= 0.91 ulp either way); KBMAX 192 and 256.
 *      perf (cpu-clock) at N=2048: Q·Kᵀ loop ~43%, P·V ~43%, softmax and the rest ~14%; both
 *      micro-kernels are FMA-bound, so what is left is the softmax's share.
 *      The Java path adds the heads-first copy of K/V at N=4096 (2.6-3 ms of ~185, measured) and
 *      ~30-60 us per call (scheduler hand-off); its decode runs the same kernel as here.
 *   v4 (2026-11-30, third session; A/B of two builds in one process, native/dev/ab_libs.sh:
 *      alternating calls, median of per-round time ratios, identical builds read 1.00 +- 0.01):
 *      huge pages for K/V (huge=1 here, 2 MiB-aligned + MADV_HUGEPAGE): +7-11% on 1 thread for
 *      bshd, nothing on 2 threads, so the TLB was not the bshd problem. Software prefetch was:
 *      each strip asks for its share of the NEXT key block into L2 (prefetcht1) when K/V rows
 *      are strided: bshd N=4096 0.87-0.89x the time, N=2048 0.95x, d128 0.95x; the same on
 *      contiguous rows cost 2-5% (not done there); T0 instead of T1 +7-12% (worse), T2 = T1.
 *      GCC dropped the first version entirely: a helper that only prefetches is deemed pure
 *      and its calls deleted, so the prefetch helpers are always_inline (checked with objdump:
 *      prefetcht1 present). In place with prefetch then matched or beat a heads-first copy
 *      before the kernel (N 4096 d 64 / d 128: the copy 1.01-1.03x / 1.05-1.08x the time), so
 *      the Java copy was removed. Packing each strided block into scratch (even with the
 *      prefetch): 1.03-1.05x the time, not kept. KBMAX 256: 1.035x at N=4096, not kept.
 *      A tile's fixed cost (~12-20 us: malloc'd scratch above the 128 KiB mmap threshold
 *      faulting in per call, Q copied then transposed by a compiler-vectorised scalar loop,
 *      output copied through scratch, logf per row) cut by: no fp32 conversion buffers in
 *      scratch (87 KiB at d 64), an in-register VL x VL transpose of Q, rows normalised straight
 *      into out, logf only when the LSE is read, qk_tile forced inline again: a 128-key tile
 *      8.5% faster, N=1024 causal 4.5%, N=1024/2048 2-2.4%, causal/non-causal at N=1024
 *      0.545 -> 0.532 (same rounds). AVX2 path 1.6-3.2% faster from the same changes.
 *      The softmax max folded into qk_tile's epilogue (no second pass over Sᵀ): 0.7-2% (kept).
 *      Tried after it, within +-1% and not kept: a 12-key Q·Kᵀ micro-tile (MK 12, KBMAX 120 or
 *      132; the loop is FMA-bound either way), prefetching each row's lines exactly once, and
 *      spreading the next-block prefetch over the micro-tiles; for decode: a two-pass K-then-V
 *      block (1.075x the time), no software prefetch (1.01x), prefetchnta (0.99x), 4 threads on
 *      2 vCPUs (slower). A degree-5 exp2 measures 2.9 ulp (the test allows 2).
 *   Not yet tried (next steps): a 16-row half-strip Q·Kᵀ on the causal diagonal (estimated
 *      < 0.5%); P·V with 6-row groups; decode reading two heads per thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dev_util.h"
#include "panattn.h"

typedef struct job {
    const panattn_params *p;
    const struct panattn_plan *plan;
    int64_t tiles, splits;
    void *ws;
    int merge;
    atomic_llong next;
    atomic_int failed;
} job;

/* One worker: single tiles from the shared counter, like the Java scheduler. */
static void *worker(void *arg) {
    job *j = arg;
    for (;;) {
        long long t = atomic_fetch_add(&j->next, 1);
        if (t >= j->tiles) {
            return NULL;
        }
        int32_t st;
        if (j->merge) {
            st = panattn_merge_partial(j->p, j->plan, j->ws, t, t + 1);
        } else if (j->splits > 1) {
            st = panattn_forward_partial(j->p, j->plan, j->ws, t, t + 1);
        } else {
            st = panattn_forward(j->p, j->plan, t, t + 1);
        }
        if (st != PANATTN_OK) {
            atomic_store(&j->failed, 1);
        }
    }
}

static int run_tiles(const panattn_params *p, const struct panattn_plan *plan, int64_t tiles, int64_t splits, void *ws,
                     int merge, int threads) {
    job j;
    j.p = p, j.plan = plan, j.tiles = tiles, j.splits = splits, j.ws = ws, j.merge = merge;
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    pthread_t th[8];
    for (int t = 1; t < threads; t++) {
        pthread_create(&th[t], NULL, worker, &j);
    }
    worker(&j);
    for (int t = 1; t < threads; t++) {
        pthread_join(th[t], NULL);
    }
    return atomic_load(&j.failed) ? -1 : 0;
}

/* One forward call as the Java side makes it (split-KV when the plan says so). */
static int forward(panattn_params *p, int threads, void **ws, int64_t *ws_bytes) {
    struct panattn_plan plan;
    if (panattn_plan(p, threads, &plan)) {
        return -1;
    }
    const int64_t count = plan.tiles, splits = plan.splits, bytes = plan.workspace_bytes;
    if (splits == 1) {
        return run_tiles(p, &plan, count, 1, NULL, 0, threads);
    }
    if (bytes > *ws_bytes) {
        free(*ws);
        *ws = malloc((size_t)bytes);
        *ws_bytes = bytes;
    }
    if (run_tiles(p, &plan, count * splits, splits, *ws, 0, threads)) {
        return -1;
    }
    return run_tiles(p, &plan, count, splits, *ws, 1, threads);
}

typedef struct shape {
    const char *name;
    int64_t heads, seq_q, seq_k, d;
    int32_t causal;
    int decode;
} shape;

static int huge_pages; /* huge=1: tensors in 2 MiB-aligned memory advised MADV_HUGEPAGE */

static float *random_buffer(size_t n, unsigned seed) {
    float *b = NULL;
    if (huge_pages) {
        size_t bytes = (n * sizeof(float) + (2u << 20) - 1) / (2u << 20) * (2u << 20);
        b = aligned_alloc((size_t)2 << 20, bytes);
        if (b != NULL) {
            madvise(b, bytes, MADV_HUGEPAGE);
        }
    } else {
        b = malloc(n * sizeof(float));
    }
    if (b == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    dev_fill_random(b, n, seed);
    return b;
}

static int bshd_layout; /* layout=bshd */

/* Seconds per call: the best of `reps` calls after one warm-up. */
static double time_shape(const shape *s, int32_t isa, int threads, int reps) {
    const int64_t H = s->heads, SQ = s->seq_q, SK = s->seq_k, D = s->d;
    float *q = random_buffer((size_t)(H * SQ * D), 1), *k = random_buffer((size_t)(H * SK * D), 2);
    float *v = random_buffer((size_t)(H * SK * D), 3), *o = malloc((size_t)(H * SQ * D) * sizeof(float));
    panattn_params p;
    memset(&p, 0, sizeof p);
    p.q = q, p.k = k, p.v = v, p.out = o;
    p.batch = 1, p.heads = H, p.kv_heads = H, p.seq_q = SQ, p.seq_k = SK, p.head_dim = D;
    p.q_batch_stride = H * SQ * D, p.q_head_stride = SQ * D, p.q_row_stride = D;
    p.k_batch_stride = H * SK * D, p.k_head_stride = SK * D, p.k_row_stride = D;
    p.v_batch_stride = H * SK * D, p.v_head_stride = SK * D, p.v_row_stride = D;
    p.out_batch_stride = H * SQ * D, p.out_head_stride = SQ * D, p.out_row_stride = D;
    if (bshd_layout) { /* (batch, seq, heads, d), as the Java peers benchmark passes prefill */
        p.q_head_stride = D, p.q_row_stride = H * D;
        p.k_head_stride = D, p.k_row_stride = H * D;
        p.v_head_stride = D, p.v_row_stride = H * D;
        p.out_head_stride = D, p.out_row_stride = H * D;
    }
    p.softmax_scale = 1.0f / sqrtf((float)D);
    p.causal = s->causal, p.dtype = PANATTN_DTYPE_F32, p.isa = isa;
    void *ws = NULL;
    int64_t ws_bytes = 0;
    double best = 1e30;
    for (int r = 0; r <= reps; r++) {
        double t0 = dev_now();
        if (forward(&p, threads, &ws, &ws_bytes)) {
            fprintf(stderr, "forward failed: %s\n", panattn_last_error());
            best = NAN;
            break;
        }
        double t = dev_now() - t0;
        if (r > 0 && t < best) {
            best = t;
        }
    }
    free(q), free(k), free(v), free(o), free(ws);
    return best;
}

typedef struct sum_job {
    const unsigned char *buf;
    size_t n;
    const void *found;
} sum_job;

/* Streams the share through the core with glibc's SIMD memchr (for a byte the buffer does not
 * hold): the fastest read one thread does, and what the Java peers harness measures too. A
 * scalar float sum (the first version) ran at about 3/4 of it on 2 threads. */
static void *sum_part(void *arg) {
    sum_job *j = arg;
    j->found = memchr(j->buf, 0, j->n);
    return NULL;
}

/* GB/s of `threads` threads reading a 512 MiB buffer (best of 5). */
static double read_bandwidth(int threads) {
    const size_t n = (size_t)512 << 20;
    unsigned char *buf = malloc(n);
    if (buf == NULL) {
        return NAN;
    }
    memset(buf, 1, n);
    double best = 0;
    for (int r = 0; r < 5; r++) {
        sum_job jobs[8];
        pthread_t th[8];
        double t0 = dev_now();
        for (int t = 0; t < threads; t++) {
            jobs[t].buf = buf + n / threads * t, jobs[t].n = n / threads;
            pthread_create(&th[t], NULL, sum_part, &jobs[t]);
        }
        for (int t = 0; t < threads; t++) {
            pthread_join(th[t], NULL);
        }
        double gbs = (double)n / (dev_now() - t0) / 1e9;
        best = gbs > best ? gbs : best;
    }
    free(buf);
    return best;
}

/* sgemm 2048³ GFLOP/s with OpenBLAS on `threads` threads, or 0 when it cannot be loaded. */
static double sgemm_gflops(const char *path, int threads) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return 0;
    }
    typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                             float *, int);
    typedef void (*threads_fn)(int);
    sgemm_fn sgemm = (sgemm_fn)dlsym(lib, "cblas_sgemm");
    threads_fn set_threads = (threads_fn)dlsym(lib, "openblas_set_num_threads");
    if (sgemm == NULL || set_threads == NULL) {
        return 0;
    }
    set_threads(threads);
    const int n = 2048;
    float *a = random_buffer((size_t)n * n, 4), *b = random_buffer((size_t)n * n, 5), *c = random_buffer((size_t)n * n, 6);
    double best = 1e30;
    for (int r = 0; r < 4; r++) {
        double t0 = dev_now();
        sgemm(101, 111, 111, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); /* RowMajor, NoTrans, NoTrans */
        double t = dev_now() - t0;
        best = r > 0 && t < best ? t : best;
    }
    free(a), free(b), free(c);
    return 2.0 * n * n * n / best / 1e9;
}

int main(int argc, char **argv) {
    int quick = 0;
    const char *blas = NULL, *only = NULL, *isa_only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "quick") == 0) {
            quick = 1;
        } else if (strncmp(argv[i], "only=", 5) == 0) {
            only = argv[i] + 5;
        } else if (strcmp(argv[i], "huge=1") == 0) {
            huge_pages = 1;
        } else if (strcmp(argv[i], "layout=bshd") == 0) {
            bshd_layout = 1;
        } else if (strncmp(argv[i], "isa=", 4) == 0) {
            isa_only = argv[i] + 4;
        } else if (strncmp(argv[i], "openblas=", 9) == 0) {
            blas = argv[i] + 9;
        }
    }
    printf("%s\n", panattn_version_string());
    if (blas != NULL) {
        printf("sgemm 2048^3 OpenBLAS: %.1f GFLOP/s (2 threads), %.1f (1 thread)\n", sgemm_gflops(blas, 2),
               sgemm_gflops(blas, 1));
    }
    double bw1 = NAN, bw2 = NAN;
    if (only == NULL || strstr("decode", only) != NULL || strstr(only, "decode") != NULL) {
        bw1 = read_bandwidth(1), bw2 = read_bandwidth(2);
    }
    printf("read bandwidth (memchr over 512 MiB): %.1f GB/s 1 thread, %.1f GB/s 2 threads\n", bw1, bw2);

    const int32_t N = PANATTN_CAUSAL_NONE, TL = PANATTN_CAUSAL_TOP_LEFT;
    const shape shapes[] = {
        {"N1024 d64", 8, 1024, 1024, 64, N, 0},          {"N2048 d64", 8, 2048, 2048, 64, N, 0},
        {"N4096 d64", 8, 4096, 4096, 64, N, 0},          {"N1024 d64 causal", 8, 1024, 1024, 64, TL, 0},
        {"N2048 d64 causal", 8, 2048, 2048, 64, TL, 0},  {"N4096 d64 causal", 8, 4096, 4096, 64, TL, 0},
        {"N2048 d128", 8, 2048, 2048, 128, N, 0},        {"N2048 d32", 8, 2048, 2048, 32, N, 0},
        {"decode 32h d128 kv4096", 32, 1, 4096, 128, N, 1}, {"decode 32h d128 kv32768", 32, 1, 32768, 128, N, 1},
        {"decode 2h d128 kv32768 (split)", 2, 1, 32768, 128, N, 1},
        {"decode-l2 8h d128 kv256 (K+V in L2: compute bound)", 8, 1, 256, 128, N, 1},
    };
    const int32_t isas[] = {PANATTN_ISA_AVX512, PANATTN_ISA_AVX2, PANATTN_ISA_SCALAR};
    const char *isa_names[] = {"AVX512", "AVX2", "SCALAR"};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const shape *sh = &shapes[s];
        if (only != NULL && strstr(sh->name, only) == NULL) {
            continue;
        }
        for (int i = 0; i < 3; i++) {
            if ((isa_only != NULL && strcmp(isa_only, isa_names[i]) != 0) || !panattn_isa_supported(isas[i]) || (quick && isas[i] == PANATTN_ISA_SCALAR && !sh->decode)) {
                continue;
            }
            for (int threads = 1; threads <= 2; threads++) {
                int reps = sh->seq_q * sh->seq_k > 4096 * 4096 / 2 || (sh->decode && sh->seq_k > 10000) ? 3 : 6;
                if (isas[i] == PANATTN_ISA_SCALAR) {
                    reps = 1;
                }
                double t = time_shape(sh, isas[i], threads, reps);
                if (sh->decode) {
                    double bytes = 2.0 * sh->heads * sh->seq_k * sh->d * 4;
                    printf("%-32s %-6s %dT  %8.3f ms  %6.1f GB/s (%3.0f%% of %d-thread read bw)\n", sh->name,
                           isa_names[i], threads, t * 1e3, bytes / t / 1e9,
                           100 * bytes / t / 1e9 / (threads == 1 ? bw1 : bw2), threads);
                } else {
                    double flops = 4.0 * sh->heads * sh->seq_q * sh->seq_k * sh->d * (sh->causal ? 0.5 : 1.0);
                    printf("%-32s %-6s %dT  %8.3f ms  %6.1f GFLOP/s\n", sh->name, isa_names[i], threads, t * 1e3,
                           flops / t / 1e9);
                }
                fflush(stdout);
            }
        }
    }
    return 0;
}

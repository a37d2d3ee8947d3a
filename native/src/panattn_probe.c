/*
 * panattn_probe.c — panattn_fma_peak: the calling thread's multiply-add throughput on one ISA
 * path, the ceiling a kernel's GFLOP/s is read against.
 *
 * Library sgemm is no honest ceiling: an environment can force it onto older kernels
 * (OPENBLAS_CORETYPE) and it then reads at a fraction of the CPU's speed. This loop asks the
 * FMA units directly. It runs in batches of PROBE_BATCH steps until the time is up; a short
 * untimed warm-up first lets the core reach the clock it sustains for that vector width.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include <math.h>
#include <stddef.h>
#include <time.h>

#include "panattn_internal.h"
#include "panattn_probe.h"

/* Steps per batch: 4096 x 12 chains keeps a batch near 10-50 us, so the clock is read often
 * enough to stop on time and rarely enough to cost nothing. */
#define PROBE_BATCH 4096
/* Seconds a caller may ask for: long enough for any sensible probe, short enough that a wrong
 * unit (milliseconds passed as seconds) fails loudly instead of hanging a thread. */
#define PROBE_MAX_SECONDS 60.0
/* Share of the time spent warming up, untimed. */
#define PROBE_WARMUP_SHARE 0.1

typedef float (*probe_loop_fn)(int64_t iterations, float mul, float add);

typedef struct probe_path {
    int32_t isa;
    const char *name;
    probe_loop_fn loop;
    int lanes;
} probe_path;

static const probe_path paths[] = {
#if defined(PANATTN_HAVE_X86_SIMD)
    {PANATTN_ISA_AVX512, "AVX512", panattn_probe_avx512, PANATTN_PROBE_LANES_AVX512},
    {PANATTN_ISA_AVX2, "AVX2", panattn_probe_avx2, PANATTN_PROBE_LANES_AVX2},
#endif
    {PANATTN_ISA_SCALAR, "SCALAR", panattn_probe_portable, PANATTN_PROBE_LANES_PORTABLE},
};

static const probe_path *path_of(int32_t isa) {
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (paths[i].isa == isa) {
            return &paths[i];
        }
    }
    return NULL;
}

static const char *isa_name(int32_t isa) {
    switch (isa) {
    case PANATTN_ISA_SCALAR: return "SCALAR";
    case PANATTN_ISA_AVX2: return "AVX2";
    case PANATTN_ISA_AVX512: return "AVX512";
    default: return "AUTO";
    }
}

static int32_t now(double *seconds) {
    struct timespec t;
    if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) {
        return panattn_fail(PANATTN_ERR_INTERNAL, "panattn_fma_peak: clock_gettime(CLOCK_MONOTONIC) failed");
    }
    *seconds = (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
    return PANATTN_OK;
}

/* Runs the loop for at least `seconds`; *steps gets the steps done, *elapsed the time taken. */
static int32_t run_for(const probe_path *path, double seconds, int64_t *steps, double *elapsed) {
    /* add = 1 - mul: every lane converges to 1 (see panattn_probe.h). */
    const float mul = 0.999f, add = 0.001f;
    double start = 0.0, t = 0.0;
    CHECK(now(&start));
    int64_t done = 0;
    do {
        float sum = path->loop(PROBE_BATCH, mul, add);
        /* Each lane stays in [0.5, 1.2): a sum outside that band means the loop computed
         * something else than it counts, and its rate would be a lie. */
        double lanes = (double)PANATTN_PROBE_CHAINS * path->lanes;
        if (!(sum >= 0.5 * lanes && sum <= 1.2 * lanes)) {
            return panattn_fail(PANATTN_ERR_INTERNAL, "panattn_fma_peak: the %s loop summed to %g, expected about %g",
                                path->name, (double)sum, lanes);
        }
        done += PROBE_BATCH;
        CHECK(now(&t));
    } while (t - start < seconds);
    *steps = done;
    *elapsed = t - start;
    return PANATTN_OK;
}

PANATTN_API int32_t panattn_fma_peak(int32_t isa, double seconds, double *gflops) {
    if (gflops == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_fma_peak: gflops is NULL");
    }
    *gflops = 0.0;
    if (!(seconds > 0.0 && seconds <= PROBE_MAX_SECONDS)) { /* also refuses NaN */
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_fma_peak: seconds (%g) must be in (0, %g]", seconds,
                            PROBE_MAX_SECONDS);
    }
    if (isa < PANATTN_ISA_AUTO || isa > PANATTN_ISA_AVX512) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT,
                            "panattn_fma_peak: isa (%d) is not a PANATTN_ISA_* value (0 to 3)", (int)isa);
    }
    /* The kernel selector's answer, so the probe and the kernels agree on what this CPU runs. */
    int32_t resolved = isa == PANATTN_ISA_AUTO ? panattn_isa_best() : isa;
    const probe_path *path = path_of(resolved);
    if (path == NULL || !panattn_isa_supported(resolved)) {
        return panattn_fail(PANATTN_ERR_UNSUPPORTED,
                            "panattn_fma_peak: ISA %s is not supported by this CPU or build (best: %s)",
                            isa_name(resolved), isa_name(panattn_isa_best()));
    }
    int64_t steps;
    double elapsed;
    CHECK(run_for(path, seconds * PROBE_WARMUP_SHARE, &steps, &elapsed));
    CHECK(run_for(path, seconds * (1.0 - PROBE_WARMUP_SHARE), &steps, &elapsed));
    /* One multiply-add is 2 flops per lane: the convention every GFLOP/s of this project uses. */
    *gflops = 2.0 * (double)steps * PANATTN_PROBE_CHAINS * path->lanes / elapsed * 1e-9;
    return PANATTN_OK;
}

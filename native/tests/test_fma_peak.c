/*
 * test_fma_peak.c — panattn_fma_peak: every path the CPU runs gives a rate inside what any x86 or
 * Arm core can do, runs for the time it was given, and every bad argument or unsupported path is
 * refused with the status and a message that names it (and *gflops left at 0, never garbage).
 * With test hooks, an ISA cap simulates an older CPU: the paths above it must be refused.
 */
#define _POSIX_C_SOURCE 200112L /* clock_gettime, setenv, unsetenv */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "panattn.h"
#include "test_common.h"

static const char *name_of(int32_t isa) {
    return isa == PANATTN_ISA_AVX512 ? "AVX512" : isa == PANATTN_ISA_AVX2 ? "AVX2" : isa == PANATTN_ISA_SCALAR ? "SCALAR" : "AUTO";
}

static int lanes_of(int32_t isa) {
    return isa == PANATTN_ISA_AVX512 ? 16 : isa == PANATTN_ISA_AVX2 ? 8 : 4;
}

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A path this CPU runs: a positive rate below 4 vector pipes x 2 flops x lanes at 8 GHz (no core
 * comes near), above 0.01 GFLOP/s (a core this slow could not run the test suite), in about the
 * time asked. The bounds are far apart on purpose: other processes share the machine. */
static void runs(int32_t isa) {
    char name[100], detail[300];
    const double seconds = 0.05;
    double gflops = -1.0;
    double t0 = wall();
    int32_t status = panattn_fma_peak(isa, seconds, &gflops);
    double took = wall() - t0;
    int32_t resolved = isa == PANATTN_ISA_AUTO ? panattn_isa_best() : isa;
    double most = 4.0 * 2.0 * lanes_of(resolved) * 8.0;
    snprintf(name, sizeof name, "%s measures a plausible rate in the time asked", name_of(isa));
    snprintf(detail, sizeof detail, "status %d (%s), %.2f GFLOP/s (want 0.01 to %.0f), %.3f s (want %.2f to 5)",
             (int)status, panattn_last_error(), gflops, most, took, seconds);
    report(status == PANATTN_OK && gflops > 0.01 && gflops < most && took >= seconds && took < 5.0, name, detail);
}

/* A refused call: the status, a message containing `want_msg`, and *gflops zeroed. */
static void refused(const char *name, int32_t isa, double seconds, int32_t want, const char *want_msg) {
    char detail[700];
    double gflops = 123.0;
    int32_t status = panattn_fma_peak(isa, seconds, &gflops);
    const char *msg = panattn_last_error();
    snprintf(detail, sizeof detail, "status %d (want %d), gflops %g, message \"%s\" (want \"%s\" in it)", (int)status,
             (int)want, gflops, msg, want_msg);
    report(status == want && gflops == 0.0 && strstr(msg, want_msg) != NULL, name, detail);
}

static void unsupported_paths(void) {
    for (int32_t isa = PANATTN_ISA_SCALAR; isa <= PANATTN_ISA_AVX512; isa++) {
        if (panattn_isa_supported(isa)) {
            runs(isa);
        } else {
            char name[100], want[100];
            snprintf(name, sizeof name, "%s is refused on this CPU", name_of(isa));
            snprintf(want, sizeof want, "ISA %s is not supported by this CPU or build", name_of(isa));
            refused(name, isa, 0.01, PANATTN_ERR_UNSUPPORTED, want);
        }
    }
}

static void bad_arguments(void) {
    report(panattn_fma_peak(PANATTN_ISA_AUTO, 0.01, NULL) == PANATTN_ERR_INVALID_ARGUMENT &&
               strcmp(panattn_last_error(), "panattn_fma_peak: gflops is NULL") == 0,
           "NULL gflops is refused", panattn_last_error());
    refused("seconds 0 is refused", PANATTN_ISA_AUTO, 0.0, PANATTN_ERR_INVALID_ARGUMENT, "seconds (0) must be in (0, 60]");
    refused("negative seconds are refused", PANATTN_ISA_AUTO, -1.0, PANATTN_ERR_INVALID_ARGUMENT, "seconds (-1)");
    refused("NaN seconds are refused", PANATTN_ISA_AUTO, nan(""), PANATTN_ERR_INVALID_ARGUMENT, "must be in (0, 60]");
    refused("seconds above 60 are refused", PANATTN_ISA_AUTO, 61.0, PANATTN_ERR_INVALID_ARGUMENT, "seconds (61)");
    refused("isa -1 is refused", -1, 0.01, PANATTN_ERR_INVALID_ARGUMENT, "isa (-1) is not a PANATTN_ISA_* value");
    refused("isa 4 is refused", 4, 0.01, PANATTN_ERR_INVALID_ARGUMENT, "isa (4) is not a PANATTN_ISA_* value");
}

#if defined(PANATTN_TEST_HOOKS)
/* Capped at SCALAR, the wider paths must be refused and AUTO must measure SCALAR. */
static void capped(void) {
    setenv("PANATTN_TEST_ISA_MAX", "scalar", 1);
    for (int32_t isa = PANATTN_ISA_AVX2; isa <= PANATTN_ISA_AVX512; isa++) {
        char name[100];
        snprintf(name, sizeof name, "cap scalar: %s is refused", name_of(isa));
        refused(name, isa, 0.01, PANATTN_ERR_UNSUPPORTED, "(best: SCALAR)");
    }
    runs(PANATTN_ISA_AUTO);
    unsetenv("PANATTN_TEST_ISA_MAX");
}
#endif

int main(void) {
    runs(PANATTN_ISA_AUTO);
    unsupported_paths();
    bad_arguments();
#if defined(PANATTN_TEST_HOOKS)
    capped();
#else
    printf("skip the ISA cap cases: this build has no test hooks (-DPANATTN_TEST_HOOKS=ON)\n");
#endif
    return summary("test_fma_peak");
}

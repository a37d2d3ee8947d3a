/*
 * panattn_api.c — the small entry points of panattn.h: the thread-local error message, status
 * names, versions, the plain forward dispatch and the hold. Validation and planning live in
 * panattn_validate.c and panattn_plan.c, the arithmetic in the kernel files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "panattn_internal.h"

/* The only mutable state in the library: one message per thread (reentrancy contract). */
static _Thread_local char last_error[512];

int32_t panattn_fail(int32_t status, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, args);
    va_end(args);
    return status;
}

PANATTN_API const char *panattn_last_error(void) {
    return last_error;
}

PANATTN_API const char *panattn_status_str(int32_t status) {
    switch (status) {
    case PANATTN_OK: return "PANATTN_OK";
    case PANATTN_ERR_INVALID_ARGUMENT: return "PANATTN_ERR_INVALID_ARGUMENT";
    case PANATTN_ERR_UNSUPPORTED: return "PANATTN_ERR_UNSUPPORTED";
    case PANATTN_ERR_OUT_OF_MEMORY: return "PANATTN_ERR_OUT_OF_MEMORY";
    case PANATTN_ERR_INTERNAL: return "PANATTN_ERR_INTERNAL";
    default: return "PANATTN_STATUS_UNKNOWN";
    }
}

PANATTN_API int32_t panattn_abi_version(void) {
    return PANATTN_ABI_VERSION;
}

#ifndef PANATTN_VERSION_TEXT
#define PANATTN_VERSION_TEXT "0.0.0"
#endif
#ifndef PANATTN_BUILD_TYPE
#define PANATTN_BUILD_TYPE "unknown"
#endif
#if defined(__clang__)
#define PANATTN_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define PANATTN_COMPILER "gcc " __VERSION__
#else
#define PANATTN_COMPILER "unknown compiler"
#endif

#if defined(PANATTN_HAVE_X86_SIMD) && defined(PANATTN_HAVE_AMX_BF16)
#define PANATTN_KERNEL_LIST "portable avx2 avx512 avx512bf16 amxbf16"
#elif defined(PANATTN_HAVE_X86_SIMD) && defined(PANATTN_HAVE_AVX512_BF16)
#define PANATTN_KERNEL_LIST "portable avx2 avx512 avx512bf16"
#elif defined(PANATTN_HAVE_X86_SIMD)
#define PANATTN_KERNEL_LIST "portable avx2 avx512"
#else
#define PANATTN_KERNEL_LIST "portable"
#endif

PANATTN_API const char *panattn_version_string(void) {
    return PANATTN_VERSION_TEXT " (" PANATTN_COMPILER ", " PANATTN_BUILD_TYPE ", kernels: " PANATTN_KERNEL_LIST ")";
}

PANATTN_API int32_t panattn_forward(const panattn_params *p, const struct panattn_plan *plan, int64_t tile_begin,
                                    int64_t tile_end) {
    int64_t tiles;
    CHECK(panattn_planned(p, plan, &tiles));
    CHECK(panattn_check_range(tile_begin, tile_end, tiles));
    if (tile_begin == tile_end) {
        return PANATTN_OK;
    }
    panattn_kernel_fn kernel = panattn_planned_kernel(p);
    if (kernel == NULL) {
        return PANATTN_ERR_UNSUPPORTED;
    }
    const panattn_run run = {1, NULL, 0, 0};
    return kernel(p, &run, tile_begin, tile_end);
}

PANATTN_API int32_t panattn_hold(const void *a, const void *b, const void *c, void *d, void *e, const void *f,
                                 panattn_body_fn body) {
    (void)a, (void)b, (void)c, (void)d, (void)e, (void)f; /* held by the caller's FFM downcall, never read */
    if (body == NULL) {
        return panattn_fail(PANATTN_ERR_INVALID_ARGUMENT, "body must not be NULL");
    }
    return body();
}

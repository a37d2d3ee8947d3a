/*
 * panattn_test_hooks.c — the hooks of panattn_test_hooks.h; built only with PANATTN_TEST_HOOKS.
 */
#include <stdlib.h>
#include <string.h>

#include "panattn_test_hooks.h"

/* Per thread, like the error message: a test drives the calls it makes on its own thread. */
static _Thread_local int64_t alloc_fail_at;
static _Thread_local int64_t alloc_count;

PANATTN_API void panattn_test_fail_alloc_at(int64_t n) {
    alloc_fail_at = n;
    alloc_count = 0;
}

PANATTN_API int64_t panattn_test_alloc_count(void) {
    return alloc_count;
}

int panattn_test_alloc_fails(void) {
    return ++alloc_count == alloc_fail_at;
}

int panattn_test_isa_hidden(int32_t isa) {
    const char *cap = getenv("PANATTN_TEST_ISA_MAX");
    int32_t max = cap == NULL                      ? PANATTN_ISA_AMX_BF16
                  : strcmp(cap, "scalar") == 0     ? PANATTN_ISA_SCALAR
                  : strcmp(cap, "avx2") == 0       ? PANATTN_ISA_AVX2
                  : strcmp(cap, "avx512") == 0     ? PANATTN_ISA_AVX512
                  : strcmp(cap, "avx512bf16") == 0 ? PANATTN_ISA_AVX512_BF16
                                                   : PANATTN_ISA_AMX_BF16;
    return isa > max;
}

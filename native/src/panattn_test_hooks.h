/*
 * panattn_test_hooks.h — hooks that let the C tests reach what a healthy machine never shows:
 * a failing allocation, and a CPU without the wider vector units. Compiled in only when CMake
 * sets PANATTN_TEST_HOOKS (the coverage, sanitizer and allocation-failure builds); without it
 * every hook is a constant the optimiser removes, and the library exports nothing of them.
 *
 *   PANATTN_TEST_ISA_MAX=scalar|avx2|avx512 (environment): the selector treats every path above it as
 *     one this CPU cannot run, so AUTO resolves lower and forcing a higher path fails as it
 *     would on an older CPU. Unset, empty or unknown: no cap.
 *   panattn_test_fail_alloc_at(n): on the calling thread, the n-th allocation through
 *     panattn_alloc.h from now on returns NULL (n = 0: none fails); panattn_test_alloc_count()
 *     says how many allocations the thread has made since, so a test can try every n a call
 *     reaches.
 *
 * The counters are thread-local, so parallel callers of a hooked build do not disturb each other.
 */
#ifndef PANATTN_TEST_HOOKS_H
#define PANATTN_TEST_HOOKS_H

#include <stdint.h>

#include "panattn.h"

#if defined(PANATTN_TEST_HOOKS)
PANATTN_API void panattn_test_fail_alloc_at(int64_t n);
PANATTN_API int64_t panattn_test_alloc_count(void);
/* Counts one allocation of the calling thread; 1 when it is the one that must fail. */
int panattn_test_alloc_fails(void);
/* 1 when PANATTN_TEST_ISA_MAX caps the selector below isa. */
int panattn_test_isa_hidden(int32_t isa);
#else
static inline int panattn_test_alloc_fails(void) {
    return 0;
}
static inline int panattn_test_isa_hidden(int32_t isa) {
    (void)isa;
    return 0;
}
#endif

#endif /* PANATTN_TEST_HOOKS_H */

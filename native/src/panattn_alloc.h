/*
 * panattn_alloc.h — the library's one way to allocate and free memory. Every allocation in
 * native/src goes through here, so a test build (PANATTN_TEST_HOOKS) can make any one of them
 * fail and prove that each caller reports PANATTN_ERR_OUT_OF_MEMORY and leaks nothing.
 * In a release build these are the C library's functions.
 */
#ifndef PANATTN_ALLOC_H
#define PANATTN_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

#include "panattn_test_hooks.h"

static inline void *panattn_malloc(size_t size) {
    return panattn_test_alloc_fails() ? NULL : malloc(size);
}

static inline void *panattn_calloc(size_t count, size_t size) {
    return panattn_test_alloc_fails() ? NULL : calloc(count, size);
}

/* size must be a multiple of alignment (C11 aligned_alloc). */
static inline void *panattn_aligned_alloc(size_t alignment, size_t size) {
    return panattn_test_alloc_fails() ? NULL : aligned_alloc(alignment, size);
}

static inline void panattn_free(void *p) {
    free(p);
}

#endif /* PANATTN_ALLOC_H */

/*
 * panattn_select.c — the one place that maps a PANATTN_ISA_* path to a kernel variant.
 *
 * Adding a variant (say AVX2+FMA) is one kernel file plus one line in `variants` below with
 * its run-time check; validation, panattn_isa_supported, panattn_isa_best and the tests
 * (which loop over every ISA value) pick it up without further changes.
 */
#include <stddef.h>

#include "panattn_internal.h"

static int always(void) {
    return 1;
}

typedef struct variant {
    int32_t isa;
    int (*cpu_can_run)(void); /* run-time CPUID check; the build decides whether a line exists */
    panattn_kernel_fn kernel;
} variant;

/* Best first: AUTO takes the first line whose check passes. */
static const variant variants[] = {
    {PANATTN_ISA_SCALAR, always, panattn_kernel_portable},
};

static const variant *find(int32_t isa) {
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if ((isa == PANATTN_ISA_AUTO || isa == variants[i].isa) && variants[i].cpu_can_run()) {
            return &variants[i];
        }
    }
    return NULL;
}

panattn_kernel_fn panattn_kernel_select(int32_t isa) {
    const variant *v = find(isa);
    return v != NULL ? v->kernel : NULL;
}

PANATTN_API int32_t panattn_isa_supported(int32_t isa) {
    return find(isa) != NULL;
}

PANATTN_API int32_t panattn_isa_best(void) {
    const variant *v = find(PANATTN_ISA_AUTO);
    return v != NULL ? v->isa : PANATTN_ISA_SCALAR; /* SCALAR is always listed */
}

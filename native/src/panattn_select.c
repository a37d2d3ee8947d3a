/*
 * panattn_select.c — the one place that maps a PANATTN_ISA_* path to a kernel variant.
 *
 * Adding a variant is one kernel file plus one line in `variants` below with its run-time
 * check; validation, panattn_isa_supported, panattn_isa_best and the tests
 * (which loop over every ISA value) pick it up without further changes.
 */
#define _DEFAULT_SOURCE /* syscall(2), for the AMX permission below, under -std=c11 */
#include <stddef.h>

#include "panattn_internal.h"
#include "panattn_test_hooks.h"

static int always(void) {
    return 1;
}

/* A line AUTO takes for every dtype. */
#define ANY_DTYPE (-1)

typedef struct variant {
    int32_t isa;
    int (*cpu_can_run)(void); /* run-time CPUID check; the build decides whether a line exists */
    panattn_kernel_fn kernel;
    int32_t auto_dtype;       /* AUTO takes this line only for this dtype (ANY_DTYPE: all); a forced
                                 isa runs it for any dtype */
    int (*auto_pays)(void);   /* NULL, or AUTO takes the line only where this says it is faster */
} variant;

#if defined(PANATTN_HAVE_X86_SIMD)
/* gcc's __builtin_cpu_supports also checks that the OS saves the ymm/zmm state (XCR0).
 * __builtin_cpu_init is idempotent and makes the checks safe however early they run. */
#if defined(__clang__) && __clang_major__ < 16
#include <cpuid.h>
/* clang before 16 knows no "f16c" for __builtin_cpu_supports (the fuzz build uses clang 14):
 * CPUID leaf 1, ECX bit 29. */
static int cpu_f16c(void) {
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29)) != 0;
}
#else
static int cpu_f16c(void) {
    return __builtin_cpu_supports("f16c");
}
#endif

/* On a CPU with every feature below, the && chains never see a false operand after the first:
 * those outcomes are reached only on older CPUs (PANATTN_TEST_ISA_MAX caps the selection, not
 * these checks), so branch coverage on such a machine leaves them untaken. */
static int cpu_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_f16c();
}

static int cpu_avx512(void) {
    __builtin_cpu_init();
    return cpu_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
}

#if defined(PANATTN_HAVE_AVX512_BF16)
/* vdpbf16ps: CPUID leaf 7 subleaf 1, EAX bit 5 (AVX512_BF16). It uses the zmm state, whose OS
 * support cpu_avx512 already checked. Read through __builtin_cpu_supports (gcc 11+, clang 14+:
 * the compilers this library is built with), which answers from the CPU model the runtime read
 * once: this runs for every tile-range call of a bf16 call, and a CPUID instruction there traps
 * to the hypervisor on a virtual machine (perf put 1.5-2% of a bf16 prefill on it). */
static int cpu_avx512_bf16(void) {
    return cpu_avx512() && __builtin_cpu_supports("avx512bf16");
}

/* Whether vdpbf16ps beats converting bf16 to fp32 for FMAs. On AMD Zen 4/5 it issues at the FMA's
 * rate with twice the multiply-adds: bf16 ran 1.2-1.4x F32 (exact weights). On the Xeon with AMX
 * it was measured on, one core ran 1.55 G vdpbf16ps/s against 6.1 G FMA/s, and the path ran bf16
 * at 0.46x F32 where converting ran it at 0.95x: AUTO leaves it to AMD. */
static int vdpbf16ps_pays(void) {
    __builtin_cpu_init(); /* find() may ask this before the line's CPUID check has run */
    return __builtin_cpu_is("amd");
}
#endif

#if defined(PANATTN_HAVE_AMX_BF16)
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>
#if !defined(__clang__) || __clang_major__ >= 16
#include <cpuid.h> /* (included above for older clang) */
#endif

/* Linux hands the AMX tile data state to a process only on request (arch_prctl
 * ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); until then a tile instruction faults. A request
 * that is granted holds for every thread, for the life of the process; it is refused where the
 * kernel or hypervisor does not offer the state. */
enum { ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 };

static int amx_usable(void) {
    unsigned a, b, c, d;
    /* CPUID leaf 7 subleaf 0, EDX: bit 22 AMX-BF16, bit 24 AMX-TILE */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || (d & (1u << 22)) == 0 || (d & (1u << 24)) == 0) {
        return 0;
    }
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
}

/* The answer is remembered: the check runs for every tile-range call of a bf16 call, and CPUID (a
 * trap to the hypervisor on a VM) plus a system call cost more than a small call's work. It is a
 * fact about the CPU and the process that never changes once known, so threads that race to
 * learn it all store the same value. */
static int cpu_amx_bf16(void) {
    static _Atomic int known; /* 0: not asked yet, 1: usable, 2: not */
    int k = atomic_load_explicit(&known, memory_order_relaxed);
    if (k == 0) {
        k = amx_usable() ? 1 : 2;
        atomic_store_explicit(&known, k, memory_order_relaxed);
    }
    return k == 1 && cpu_avx512_bf16();
}
#endif
#endif

/* Best first: AUTO takes the first line whose check passes. */
static const variant variants[] = {
#if defined(PANATTN_HAVE_X86_SIMD)
#if defined(PANATTN_HAVE_AMX_BF16)
    /* A tile product does 8192 bf16 multiply-adds; on a Xeon with AMX, one core ran 2.9 TFLOP/s of
     * them against 0.1 of vdpbf16ps (and 0.2 of fp32 FMA). bf16 only, as below. */
    {PANATTN_ISA_AMX_BF16, cpu_amx_bf16, panattn_kernel_amxbf16, PANATTN_DTYPE_BF16, NULL},
#endif
#if defined(PANATTN_HAVE_AVX512_BF16)
    /* Only bf16 inputs gain from vdpbf16ps; F32/F16 would pay a rounding for nothing. */
    {PANATTN_ISA_AVX512_BF16, cpu_avx512_bf16, panattn_kernel_avx512bf16, PANATTN_DTYPE_BF16, vdpbf16ps_pays},
#endif
    {PANATTN_ISA_AVX512, cpu_avx512, panattn_kernel_avx512, ANY_DTYPE, NULL},
    {PANATTN_ISA_AVX2, cpu_avx2, panattn_kernel_avx2, ANY_DTYPE, NULL},
#endif
    {PANATTN_ISA_SCALAR, always, panattn_kernel_portable, ANY_DTYPE, NULL},
};

static const variant *find(int32_t isa, int32_t dtype) {
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *v = &variants[i];
        const int wanted = isa == PANATTN_ISA_AUTO ? (v->auto_dtype == ANY_DTYPE || v->auto_dtype == dtype) &&
                                                         (v->auto_pays == NULL || v->auto_pays())
                                                   : isa == v->isa;
        if (wanted && v->cpu_can_run() && !panattn_test_isa_hidden(v->isa)) {
            return v;
        }
    }
    return NULL;
}

panattn_kernel_fn panattn_kernel_select(int32_t isa, int32_t dtype) {
    const variant *v = find(isa, dtype);
    return v != NULL ? v->kernel : NULL;
}

PANATTN_API int32_t panattn_isa_supported(int32_t isa) {
    return find(isa, PANATTN_DTYPE_BF16) != NULL; /* the dtype matters only to AUTO, which always runs */
}

PANATTN_API int32_t panattn_isa_auto(int32_t dtype) {
    if (dtype != PANATTN_DTYPE_F32 && dtype != PANATTN_DTYPE_F16 && dtype != PANATTN_DTYPE_BF16) {
        return -1;
    }
    return find(PANATTN_ISA_AUTO, dtype)->isa; /* never NULL, as below */
}

PANATTN_API int32_t panattn_isa_best(void) {
    /* never NULL: SCALAR is always listed and always runs */
    return find(PANATTN_ISA_AUTO, PANATTN_DTYPE_F32)->isa;
}

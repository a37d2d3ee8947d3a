/*
 * panattn_probe.h — the per-ISA loops behind panattn_fma_peak (panattn_probe.c).
 *
 * Each runs `iterations` steps of PANATTN_PROBE_CHAINS independent multiply-add chains held in
 * registers, x = x * mul + add per chain and lane, and returns the sum of every lane so the
 * compiler cannot drop the work. Chains are independent so the loop is bound by the FMA units'
 * throughput, not by one chain's latency: 12 chains cover a latency of 4 to 6 cycles on 2 pipes.
 * With mul in (0, 1) and add = 1 - mul every lane converges to 1: no overflow, no denormal.
 */
#ifndef PANATTN_PROBE_H
#define PANATTN_PROBE_H

#include <stdint.h>

#define PANATTN_PROBE_CHAINS 12

/* Lanes per chain of each loop: what a step counts as 2 * lanes flops per chain. */
#define PANATTN_PROBE_LANES_PORTABLE 4
#define PANATTN_PROBE_LANES_AVX2 8
#define PANATTN_PROBE_LANES_AVX512 16

/* 128-bit vectors of baseline code: multiply then add (baseline x86-64 has no FMA), the
 * instructions the portable kernel runs. */
float panattn_probe_portable(int64_t iterations, float mul, float add);
/* 256-bit FMA (vfmadd) and 512-bit FMA; compiled with their ISA flags, called only when the CPU has them. */
float panattn_probe_avx2(int64_t iterations, float mul, float add);
float panattn_probe_avx512(int64_t iterations, float mul, float add);

#endif /* PANATTN_PROBE_H */

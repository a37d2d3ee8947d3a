/*
 * panattn_cuda.h — the CUDA side of panama-attention (built only when nvcc exists).
 *
 * Linked against the static CUDA runtime, so the library needs no libcudart at run time,
 * only the driver (libcuda.so.1). On a machine without a driver or a device every entry
 * point returns PANATTN_ERR_UNSUPPORTED with the CUDA error name in the message.
 * The fused kernels come with the CUDA issue; this foundation has a probe and a stub kernel.
 */
#ifndef PANATTN_CUDA_H
#define PANATTN_CUDA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PANATTN_CUDA_API __attribute__((visibility("default")))
#else
#define PANATTN_CUDA_API
#endif

#define PANATTN_CUDA_ABI_VERSION 1

PANATTN_CUDA_API int32_t panattn_cuda_abi_version(void);

/* The calling thread's last error message ("" if none). */
PANATTN_CUDA_API const char *panattn_cuda_last_error(void);

/* Writes the number of visible CUDA devices to *count; fails with the CUDA error name
 * (e.g. cudaErrorNoDevice, cudaErrorInsufficientDriver) when there are none. */
PANATTN_CUDA_API int32_t panattn_cuda_device_count(int32_t *count);

/* Runs a one-block stub kernel on the current device (y[i] = a * x[i] + y[i], n floats,
 * host pointers; copied in and out) and waits for it. Proves the toolchain end to end. */
PANATTN_CUDA_API int32_t panattn_cuda_selftest_saxpy(float a, const float *x, float *y, int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* PANATTN_CUDA_H */

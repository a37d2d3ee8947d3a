/*
 * panattn_cuda.h — the CUDA side of panama-attention (built only when nvcc exists).
 *
 * Linked against the static CUDA runtime, so the library needs no libcudart at run time,
 * only the driver (libcuda.so.1). Every entry point returns a panattn_status (panattn.h) as an
 * int32_t; on a machine without a driver or a device, PANATTN_ERR_UNSUPPORTED with the CUDA
 * error name in the message.
 *
 * Device memory, streams and copies are driven from Java (DeviceArena): the functions below are
 * thin, checked wrappers of the CUDA runtime. The attention entry points take the CPU boundary's
 * panattn_params (panattn.h) with DEVICE pointers for q, k, v, out, lse, mask and key_lengths.
 * A NULL stream means the calling thread's default stream (cudaStreamPerThread). Every function
 * sets the device it is given as the calling thread's current device first.
 */
#ifndef PANATTN_CUDA_H
#define PANATTN_CUDA_H

#include <stdint.h>

#include "panattn.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PANATTN_CUDA_API __attribute__((visibility("default")))
#else
#define PANATTN_CUDA_API
#endif

#define PANATTN_CUDA_ABI_VERSION 3

/* Which kernel panattn_cuda_forward runs. AUTO: split-KV for 1..16 queries against a long
 * cache, else FUSED. FUSED: tensor cores (mma.sync m16n8k16) for F16/BF16, the SIMT kernel
 * for F32. SIMT: the fp32-accumulating SIMT kernel for any dtype. SPLIT_KV: the split-KV
 * (flash-decoding) kernel for any shape, partials merged by their log-sum-exp. */
#define PANATTN_CUDA_KERNEL_AUTO 0
#define PANATTN_CUDA_KERNEL_FUSED 1
#define PANATTN_CUDA_KERNEL_SIMT 2
#define PANATTN_CUDA_KERNEL_SPLIT_KV 3

PANATTN_CUDA_API int32_t panattn_cuda_abi_version(void);

/* The calling thread's last error message ("" if none). */
PANATTN_CUDA_API const char *panattn_cuda_last_error(void);

/* Writes the number of visible CUDA devices to *count; fails with the CUDA error name
 * (e.g. cudaErrorNoDevice, cudaErrorInsufficientDriver) when there are none. */
PANATTN_CUDA_API int32_t panattn_cuda_device_count(int32_t *count);

/* Runs a one-block stub kernel on the current device (y[i] = a * x[i] + y[i], n floats,
 * host pointers; copied in and out) and waits for it. Proves the toolchain end to end. */
PANATTN_CUDA_API int32_t panattn_cuda_selftest_saxpy(float a, const float *x, float *y, int32_t n);

/* Writes "<name>, sm_<major><minor>, <n> SMs, <GiB> GiB" of the device into buf (capacity cap). */
PANATTN_CUDA_API int32_t panattn_cuda_device_describe(int32_t device, char *buf, int64_t cap);

/* cudaMalloc of bytes (> 0) on the device; never managed memory. */
PANATTN_CUDA_API int32_t panattn_cuda_malloc(int32_t device, int64_t bytes, void **ptr);

/* cudaFree; NULL is a no-op. */
PANATTN_CUDA_API int32_t panattn_cuda_free(int32_t device, void *ptr);

/* Page-locked host memory (cudaMallocHost) for fast staging copies, and its release. */
PANATTN_CUDA_API int32_t panattn_cuda_malloc_host(int64_t bytes, void **ptr);
PANATTN_CUDA_API int32_t panattn_cuda_free_host(void *ptr);

/* A non-blocking stream on the device, and its release (after synchronising it). */
PANATTN_CUDA_API int32_t panattn_cuda_stream_create(int32_t device, void **stream);
PANATTN_CUDA_API int32_t panattn_cuda_stream_destroy(int32_t device, void *stream);

/* Waits for everything queued on the stream; reports an earlier asynchronous kernel fault. */
PANATTN_CUDA_API int32_t panattn_cuda_stream_synchronize(int32_t device, void *stream);

/* Copies bytes in any direction (cudaMemcpyDefault, unified addressing) on the stream and waits. */
PANATTN_CUDA_API int32_t panattn_cuda_memcpy(int32_t device, void *dst, const void *src, int64_t bytes, void *stream);

/* Sets bytes of device memory to value (0xFF makes every fp16, bf16 and fp32 element NaN). */
PANATTN_CUDA_API int32_t panattn_cuda_memset(int32_t device, void *ptr, int32_t value, int64_t bytes, void *stream);

/* Checks p (sizes, strides, dtype, head dim, options) for the CUDA kernels; touches no memory. */
PANATTN_CUDA_API int32_t panattn_cuda_validate(const panattn_params *p);

/* Forward attention with device pointers in p: out (and lse) on the stream, then waits for it.
 * kernel is PANATTN_CUDA_KERNEL_*; num_splits > 0 forces the split count of SPLIT_KV (0: chosen
 * from the device's SM count). Workspace for split partials comes from cudaMallocAsync. */
PANATTN_CUDA_API int32_t panattn_cuda_forward(const panattn_params *p, int32_t device, int32_t kernel,
                                              int32_t num_splits, void *stream);

/* The unfused path's middle step, after scores = q.k^T (cuBLAS, fp32, unscaled):
 * probs[b][h][i][j] = softmax_j(scale * scores + mask) with p's causal mode, key lengths and mask
 * (fully masked rows: 0 and LSE -inf), in place in scores (fp32), plus a copy rounded to p->dtype
 * in probs_lowp when it is not NULL (the operand of the second gemm). scores is
 * (batch, heads, seq_q, seq_k) contiguous, restricted to batches [b0, b0 + nb) and heads
 * [h0, h0 + nh) of p: scores points at element (b0, h0, 0, 0) of a (nb, nh, seq_q, seq_k) block.
 * Writes lse when p->lse is set. */
PANATTN_CUDA_API int32_t panattn_cuda_masked_softmax(const panattn_params *p, int32_t device, float *scores,
                                                     void *probs_lowp, int64_t b0, int64_t nb, int64_t h0,
                                                     int64_t nh, void *stream);

#ifdef __cplusplus
}
#endif

#endif /* PANATTN_CUDA_H */

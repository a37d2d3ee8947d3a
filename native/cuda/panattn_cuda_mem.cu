/*
 * panattn_cuda_mem.cu — device memory, pinned host memory, streams and copies for DeviceArena.
 * Thin checked wrappers: each sets the caller's device, checks every return code, and leaves
 * "<call>: <cudaErrorName>: <description>" in the thread's message on failure.
 */
#include <cstdio>

#include <cuda_runtime.h>

#include "panattn.h"
#include "panattn_cuda.h"
#include "panattn_cuda_internal.h"

using panattn_cuda::fail;
using panattn_cuda::stream_of;

extern "C" {

PANATTN_CUDA_API int32_t panattn_cuda_device_describe(int32_t device, char *buf, int64_t cap) {
    if (buf == nullptr || cap < 1) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_device_describe", "buf must hold at least 1 byte");
    }
    buf[0] = '\0';
    cudaDeviceProp prop;
    PANATTN_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    int driver = 0, runtime = 0;
    PANATTN_CUDA_CHECK(cudaDriverGetVersion(&driver));
    PANATTN_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
    std::snprintf(buf, (size_t)cap, "%s, sm_%d%d, %d SMs, %.1f GiB, driver %d.%d, runtime %d.%d", prop.name,
                  prop.major, prop.minor, prop.multiProcessorCount, (double)prop.totalGlobalMem / (1u << 30),
                  driver / 1000, (driver % 1000) / 10, runtime / 1000, (runtime % 1000) / 10);
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_malloc(int32_t device, int64_t bytes, void **ptr) {
    if (ptr == nullptr || bytes <= 0) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_malloc", "bytes must be > 0 and ptr not NULL");
    }
    *ptr = nullptr;
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    PANATTN_CUDA_CHECK(cudaMalloc(ptr, (size_t)bytes));
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_free(int32_t device, void *ptr) {
    if (ptr == nullptr) {
        return PANATTN_OK;
    }
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    PANATTN_CUDA_CHECK(cudaFree(ptr));
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_malloc_host(int64_t bytes, void **ptr) {
    if (ptr == nullptr || bytes <= 0) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_malloc_host", "bytes must be > 0 and ptr not NULL");
    }
    *ptr = nullptr;
    PANATTN_CUDA_CHECK(cudaMallocHost(ptr, (size_t)bytes));
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_free_host(void *ptr) {
    if (ptr == nullptr) {
        return PANATTN_OK;
    }
    PANATTN_CUDA_CHECK(cudaFreeHost(ptr));
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_stream_create(int32_t device, void **stream) {
    if (stream == nullptr) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_stream_create", "stream must not be NULL");
    }
    *stream = nullptr;
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    cudaStream_t s = nullptr;
    PANATTN_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    *stream = s;
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_stream_destroy(int32_t device, void *stream) {
    if (stream == nullptr) {
        return PANATTN_OK;
    }
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    cudaError_t sync = cudaStreamSynchronize(static_cast<cudaStream_t>(stream));
    PANATTN_CUDA_CHECK(cudaStreamDestroy(static_cast<cudaStream_t>(stream)));
    PANATTN_CUDA_CHECK(sync);
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_stream_synchronize(int32_t device, void *stream) {
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    PANATTN_CUDA_CHECK(cudaStreamSynchronize(stream_of(stream)));
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_memcpy(int32_t device, void *dst, const void *src, int64_t bytes, void *stream) {
    if (bytes < 0 || (bytes > 0 && (dst == nullptr || src == nullptr))) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_memcpy", "bytes must be >= 0, dst and src not NULL");
    }
    if (bytes == 0) {
        return PANATTN_OK;
    }
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    cudaStream_t s = stream_of(stream);
    PANATTN_CUDA_CHECK(cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyDefault, s));
    PANATTN_CUDA_CHECK(cudaStreamSynchronize(s));
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_memset(int32_t device, void *ptr, int32_t value, int64_t bytes, void *stream) {
    if (bytes < 0 || (bytes > 0 && ptr == nullptr)) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_memset", "bytes must be >= 0 and ptr not NULL");
    }
    if (bytes == 0) {
        return PANATTN_OK;
    }
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    cudaStream_t s = stream_of(stream);
    PANATTN_CUDA_CHECK(cudaMemsetAsync(ptr, value, (size_t)bytes, s));
    PANATTN_CUDA_CHECK(cudaStreamSynchronize(s));
    return PANATTN_OK;
}

} // extern "C"

/*
 * panattn_cuda.cu — the CUDA foundation: a device probe and a stub saxpy kernel that prove
 * the toolchain (nvcc, static runtime, export list, Java binding) end to end. The fused
 * attention kernels live in their own files next to this one.
 *
 * Every CUDA call is checked; a failure returns a PANATTN_ERR_* code (panattn.h) and leaves
 * "<what failed>: <cudaErrorName>: <description>" in the calling thread's message.
 */
#include <cstdio>
#include <cstring>

#include <cuda_runtime.h>
#include <dlfcn.h>

#include "panattn.h"
#include "panattn_cuda.h"
#include "panattn_cuda_internal.h"

namespace {

thread_local char last_error[512];

} // namespace

namespace panattn_cuda {

int32_t fail(int32_t status, const char *what, const char *detail) {
    std::snprintf(last_error, sizeof last_error, "%s: %s", what, detail);
    return status;
}

/* No driver, no device or a device this build has no code for: the backend is off, which
 * the Java side reports as a reason, not as a bug. */
static int32_t status_of(cudaError_t e) {
    switch (e) {
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorCallRequiresNewerDriver:
    case cudaErrorInitializationError:
    case cudaErrorNoKernelImageForDevice:
    case cudaErrorUnsupportedPtxVersion:
    case cudaErrorDevicesUnavailable:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
        return PANATTN_ERR_UNSUPPORTED;
    case cudaErrorMemoryAllocation:
        return PANATTN_ERR_OUT_OF_MEMORY;
    case cudaErrorInvalidValue:
        return PANATTN_ERR_INVALID_ARGUMENT;
    default:
        return PANATTN_ERR_INTERNAL;
    }
}

int32_t fail_cuda(const char *what, cudaError_t e) {
    std::snprintf(last_error, sizeof last_error, "%s: %s: %s", what, cudaGetErrorName(e), cudaGetErrorString(e));
    return status_of(e);
}

} // namespace panattn_cuda

namespace {

using panattn_cuda::fail;
using panattn_cuda::fail_cuda;

/* y is (n), x is (n); one block, threads stride over the vector. */
__global__ void saxpy_kernel(float a, const float *__restrict__ x, float *__restrict__ y, int32_t n) {
    for (int32_t i = threadIdx.x; i < n; i += blockDim.x) {
        y[i] = a * x[i] + y[i];
    }
}

} // namespace

extern "C" {

PANATTN_CUDA_API int32_t panattn_cuda_abi_version(void) {
    return PANATTN_CUDA_ABI_VERSION;
}

PANATTN_CUDA_API const char *panattn_cuda_last_error(void) {
    return last_error;
}

PANATTN_CUDA_API int32_t panattn_cuda_device_count(int32_t *count) {
    if (count == nullptr) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_device_count", "count must not be NULL");
    }
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        int32_t st = fail_cuda("cudaGetDeviceCount", e);
        if (e == cudaErrorInsufficientDriver || e == cudaErrorNoDevice || e == cudaErrorInitializationError) {
            /* the runtime says "driver insufficient" also when there is no driver at all: say which */
            void *driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
            if (driver == nullptr) {
                const char *why = dlerror();
                char msg[512];
                std::snprintf(msg, sizeof msg, "%s (libcuda.so.1, the NVIDIA driver, not found: %s)", panattn_cuda_last_error(),
                              why != nullptr ? why : "dlopen failed");
                std::snprintf(last_error, sizeof last_error, "%s", msg);
            } else {
                dlclose(driver);
            }
        }
        return st;
    }
    if (n < 1) {
        return fail(PANATTN_ERR_UNSUPPORTED, "cudaGetDeviceCount", "no CUDA device is visible");
    }
    *count = n;
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_selftest_saxpy(float a, const float *x, float *y, int32_t n) {
    if (n < 0) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_selftest_saxpy", "n must be >= 0");
    }
    if (n > 0 && (x == nullptr || y == nullptr)) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_selftest_saxpy", "x and y must not be NULL");
    }
    int32_t count = 0;
    int32_t status = panattn_cuda_device_count(&count); /* no device: UNSUPPORTED, even for n = 0 */
    if (status != PANATTN_OK || n == 0) {
        return status;
    }
    const size_t bytes = (size_t)n * sizeof(float);
    float *dx = nullptr;
    float *dy = nullptr;
    cudaError_t e;
    if ((e = cudaMalloc(&dx, bytes)) != cudaSuccess) {
        status = fail_cuda("cudaMalloc(x)", e);
    } else if ((e = cudaMalloc(&dy, bytes)) != cudaSuccess) {
        status = fail_cuda("cudaMalloc(y)", e);
    } else if ((e = cudaMemcpy(dx, x, bytes, cudaMemcpyHostToDevice)) != cudaSuccess) {
        status = fail_cuda("cudaMemcpy(x, host to device)", e);
    } else if ((e = cudaMemcpy(dy, y, bytes, cudaMemcpyHostToDevice)) != cudaSuccess) {
        status = fail_cuda("cudaMemcpy(y, host to device)", e);
    } else {
        saxpy_kernel<<<1, 256>>>(a, dx, dy, n);
        if ((e = cudaGetLastError()) != cudaSuccess) {
            status = fail_cuda("saxpy_kernel launch", e);
        } else if ((e = cudaDeviceSynchronize()) != cudaSuccess) {
            status = fail_cuda("saxpy_kernel", e);
        } else if ((e = cudaMemcpy(y, dy, bytes, cudaMemcpyDeviceToHost)) != cudaSuccess) {
            status = fail_cuda("cudaMemcpy(y, device to host)", e);
        }
    }
    /* Free on every path; report a free failure only when nothing failed before it. */
    cudaError_t ex = dx != nullptr ? cudaFree(dx) : cudaSuccess;
    cudaError_t ey = dy != nullptr ? cudaFree(dy) : cudaSuccess;
    if (status == PANATTN_OK && ex != cudaSuccess) {
        status = fail_cuda("cudaFree(x)", ex);
    } else if (status == PANATTN_OK && ey != cudaSuccess) {
        status = fail_cuda("cudaFree(y)", ey);
    }
    return status;
}

} // extern "C"

/*
 * panattn_cuda_internal.h — what the .cu files of libpanattn_cuda.so share: the thread-local
 * error message and the CUDA-status mapping (defined in panattn_cuda.cu). Hidden visibility: the
 * export map keeps only panattn_cuda_* of panattn_cuda.h.
 */
#ifndef PANATTN_CUDA_INTERNAL_H
#define PANATTN_CUDA_INTERNAL_H

#include <cstdint>

#include <cuda_runtime.h>

#include "panattn.h"

namespace panattn_cuda {

/* Sets the calling thread's message to "<what>: <detail>" and returns status. */
int32_t fail(int32_t status, const char *what, const char *detail);

/* "<what>: <cudaErrorName>: <description>", and the PANATTN_ERR_* that error maps to. */
int32_t fail_cuda(const char *what, cudaError_t e);

/* NULL means the calling thread's default stream (cudaStreamPerThread). */
inline cudaStream_t stream_of(void *s) {
    return s == nullptr ? cudaStreamPerThread : static_cast<cudaStream_t>(s);
}

} // namespace panattn_cuda

/* Evaluates a CUDA call; on failure returns fail_cuda(<the call's text>, error). */
#define PANATTN_CUDA_CHECK(call)                                                                        \
    do {                                                                                                \
        cudaError_t panattn_e_ = (call);                                                                \
        if (panattn_e_ != cudaSuccess) {                                                                \
            return ::panattn_cuda::fail_cuda(#call, panattn_e_);                                        \
        }                                                                                               \
    } while (0)

#endif /* PANATTN_CUDA_INTERNAL_H */

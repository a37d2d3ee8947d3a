/*
 * test_cuda.c — libpanattn_cuda.so end to end. Without a driver or a device every entry point
 * must say so (PANATTN_ERR_UNSUPPORTED and the CUDA error name), which is what this test
 * checks on a CPU-only machine; with a device it runs the saxpy stub and checks the result.
 */
#include <string.h>

#include "panattn.h"
#include "panattn_cuda.h"
#include "test_common.h"

int main(void) {
    report(panattn_cuda_abi_version() == PANATTN_CUDA_ABI_VERSION, "cuda abi_version matches the header", "");
    report(panattn_cuda_device_count(NULL) == PANATTN_ERR_INVALID_ARGUMENT &&
               strstr(panattn_cuda_last_error(), "count") != NULL,
           "device_count(NULL) is an invalid argument", panattn_cuda_last_error());
    float x[1000], y[1000];
    report(panattn_cuda_selftest_saxpy(2.0f, x, y, -1) == PANATTN_ERR_INVALID_ARGUMENT,
           "saxpy n = -1 is an invalid argument", panattn_cuda_last_error());
    report(panattn_cuda_selftest_saxpy(2.0f, NULL, y, 5) == PANATTN_ERR_INVALID_ARGUMENT,
           "saxpy x = NULL is an invalid argument", panattn_cuda_last_error());

    int32_t count = -1;
    int32_t st = panattn_cuda_device_count(&count);
    if (st != PANATTN_OK) {
        const char *msg = panattn_cuda_last_error();
        report(st == PANATTN_ERR_UNSUPPORTED && strstr(msg, "cudaError") != NULL,
               "no usable device: UNSUPPORTED with the CUDA error name", msg);
        st = panattn_cuda_selftest_saxpy(2.0f, x, y, 1000);
        report(st == PANATTN_ERR_UNSUPPORTED, "no usable device: saxpy is UNSUPPORTED too", panattn_cuda_last_error());
        return summary("test_cuda (no device)");
    }
    char detail[100];
    snprintf(detail, sizeof detail, "%d device(s)", (int)count);
    report(count >= 1, "device_count", detail);
    for (int i = 0; i < 1000; i++) {
        x[i] = (float)i;
        y[i] = 0.5f * (float)i;
    }
    st = panattn_cuda_selftest_saxpy(2.0f, x, y, 1000);
    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        bad += y[i] != 2.5f * (float)i;
    }
    snprintf(detail, sizeof detail, "status %d, %d wrong elements: %s", (int)st, bad, panattn_cuda_last_error());
    report(st == PANATTN_OK && bad == 0, "saxpy y = 2x + y on the device, n = 1000 (> one block)", detail);
    return summary("test_cuda");
}

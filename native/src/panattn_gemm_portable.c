/*
 * panattn_gemm_portable.c — packed dense-layer kernel in plain C (any CPU): per row and panel,
 * 32 accumulators over k, the same packed W and the same chunk order as the SIMD paths.
 */
#include "panattn_gemm.h"

void panattn_gemm_portable(const panattn_gemm_job *job, int64_t row_begin, int64_t row_end) {
    int64_t k = job->k;
    int64_t chunk = panattn_gemm_chunk_len(k);
    for (int64_t k0 = 0; k0 < k; k0 += chunk) {
        int64_t kc = k - k0 < chunk ? k - k0 : chunk;
        int first = k0 == 0;
        int last = k0 + kc == k;
        for (int64_t j0 = 0; j0 < job->n; j0 += PANATTN_GEMM_PANEL) {
            int cols = job->n - j0 < PANATTN_GEMM_PANEL ? (int)(job->n - j0) : PANATTN_GEMM_PANEL;
            const float *b = job->panels + (j0 / PANATTN_GEMM_PANEL) * k * PANATTN_GEMM_PANEL + k0 * PANATTN_GEMM_PANEL;
            for (int64_t r = row_begin; r < row_end; r++) {
                const float *a = job->in + r * job->lda + k0;
                float *c = job->out + r * job->ldc + j0;
                float acc[PANATTN_GEMM_PANEL];
                for (int j = 0; j < PANATTN_GEMM_PANEL; j++) {
                    acc[j] = j >= cols ? 0.0f : !first ? c[j] : job->bias != NULL ? job->bias[j0 + j] : 0.0f;
                }
                for (int64_t kk = 0; kk < kc; kk++) {
                    float x = a[kk];
                    const float *line = b + kk * PANATTN_GEMM_PANEL;
                    for (int j = 0; j < PANATTN_GEMM_PANEL; j++) {
                        acc[j] += x * line[j];
                    }
                }
                for (int j = 0; j < cols; j++) {
                    c[j] = last && job->activation == PANATTN_ACT_GELU_ERF ? panattn_gelu_scalar(acc[j]) : acc[j];
                }
            }
        }
    }
}

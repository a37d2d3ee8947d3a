/*
 * panattn_emit.c — where every kernel variant puts a finished query row: the output tensor
 * (in its dtype) and lse for a plain run, or the fp32 partial record of a split-KV run.
 * Called once per query row, so plain C conversions cost nothing measurable.
 */
#include <string.h>

#include "panattn_half.h"
#include "panattn_internal.h"

void panattn_emit_row(const panattn_params *p, const panattn_run *run, int64_t b, int64_t h, int64_t i,
                      int64_t split, const float *row, float lse) {
    const int64_t d = p->head_dim;
    if (run->partial != NULL) {
        float *rec = panattn_partial_record(p, run, b, h, i, split);
        memcpy(rec, row, (size_t)d * sizeof(float));
        rec[d] = lse;
        return;
    }
    const int64_t off = panattn_out_offset(p, b, h, i);
    if (p->dtype == PANATTN_DTYPE_F32) {
        memcpy((float *)p->out + off, row, (size_t)d * sizeof(float));
    } else if (p->dtype == PANATTN_DTYPE_F16) {
        uint16_t *o = (uint16_t *)p->out + off;
        for (int64_t x = 0; x < d; x++) {
            o[x] = panattn_f32_to_f16(row[x]);
        }
    } else {
        uint16_t *o = (uint16_t *)p->out + off;
        for (int64_t x = 0; x < d; x++) {
            o[x] = panattn_f32_to_bf16(row[x]);
        }
    }
    if (p->lse != NULL) {
        p->lse[panattn_lse_offset(p, b, h, i)] = lse;
    }
}

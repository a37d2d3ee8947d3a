/*
 * kv_store_row.h — one K or V row stored as int8, fp16 or bf16 the way the tests' caches are built:
 * int8 symmetric with scale max |x| / 127 (0 for an all-zero row), half types rounded to nearest.
 * The row is overwritten with the values the kernel computes with (dequantised / rounded), which is
 * what the float64 oracle then reads.
 */
#ifndef KV_STORE_ROW_H
#define KV_STORE_ROW_H

#include <math.h>
#include <stdint.h>

#include "panattn.h"
#include "panattn_half.h"

/* Stores row[0 .. d) as kvd at element offset at of store; returns the int8 scale (0 for the half
 * types). */
static inline float kv_store_row(float *row, int64_t d, int32_t kvd, void *store, int64_t at) {
    if (kvd == PANATTN_DTYPE_I8) {
        float mx = 0;
        for (int64_t e = 0; e < d; e++) {
            mx = fabsf(row[e]) > mx ? fabsf(row[e]) : mx;
        }
        const float sc = mx / 127.0f;
        for (int64_t e = 0; e < d; e++) {
            const int8_t qv = sc > 0 ? (int8_t)lrintf(row[e] / sc) : 0;
            ((int8_t *)store)[at + e] = qv;
            row[e] = (float)qv * sc; /* what the kernel computes, exactly */
        }
        return sc;
    }
    for (int64_t e = 0; e < d; e++) {
        const uint16_t hv = kvd == PANATTN_DTYPE_F16 ? panattn_f32_to_f16(row[e]) : panattn_f32_to_bf16(row[e]);
        ((uint16_t *)store)[at + e] = hv;
        row[e] = kvd == PANATTN_DTYPE_F16 ? panattn_f16_to_f32(hv) : panattn_bf16_to_f32(hv);
    }
    return 0.0f;
}

#endif

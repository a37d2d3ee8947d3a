/*
 * panattn_half.h — fp16 and bf16 <-> fp32, portable C (no F16C, so the library runs on any
 * x86-64; the SIMD kernels will bring their own vector conversions).
 *
 * Stores round to nearest, ties to even, like the hardware conversions and like PyTorch's
 * .half()/.bfloat16(), so the Java reference and this library round identically.
 * NaN stays NaN (quieted), infinities and signed zeros are kept, fp16 subnormals are exact.
 */
#ifndef PANATTN_HALF_H
#define PANATTN_HALF_H

#include <stdint.h>
#include <string.h>

static inline uint32_t panattn_f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float panattn_f32_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline float panattn_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1fu) {                       /* inf, NaN: keep the payload */
        return panattn_f32_from_bits(sign | 0x7f800000u | (mant << 13));
    }
    if (exp == 0) {                           /* zero and subnormals: mant * 2^-24, exact */
        float mag = (float)mant * 0x1p-24f;
        return panattn_f32_from_bits(sign | panattn_f32_bits(mag));
    }
    return panattn_f32_from_bits(sign | ((exp + 112u) << 23) | (mant << 13));
}

/* After F. Giesen's float_to_half_fast3_rtne: normal results round with integer arithmetic,
 * subnormal results let an fp32 addition do the rounding (the default FP environment rounds
 * to nearest even, and this library never changes it). */
static inline uint16_t panattn_f32_to_f16(float f) {
    uint32_t x = panattn_f32_bits(f);
    uint32_t sign = x & 0x80000000u;
    x ^= sign;
    uint16_t out;
    if (x >= 0x47800000u) {                   /* >= 65536 (or inf/NaN): inf, or a quiet NaN */
        out = x > 0x7f800000u ? (uint16_t)(0x7e00u | ((x >> 13) & 0x3ffu)) : 0x7c00u;
    } else if (x < 0x38800000u) {             /* < 2^-14: subnormal or zero */
        const uint32_t magic = 126u << 23;    /* 0.5f: its ulp is 2^-24, the fp16 subnormal step */
        float sum = panattn_f32_from_bits(x) + panattn_f32_from_bits(magic);
        out = (uint16_t)(panattn_f32_bits(sum) - magic);
    } else {
        uint32_t odd = (x >> 13) & 1u;
        x += 0xc8000fffu + odd;               /* rebias exponent (-112 << 23) and round */
        out = (uint16_t)(x >> 13);            /* a carry into exponent 31 gives inf: correct */
    }
    return (uint16_t)(out | (sign >> 16));
}

static inline float panattn_bf16_to_f32(uint16_t h) {
    return panattn_f32_from_bits((uint32_t)h << 16);
}

static inline uint16_t panattn_f32_to_bf16(float f) {
    uint32_t x = panattn_f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) {
        return (uint16_t)((x >> 16) | 0x40u);  /* NaN: quiet it so truncation cannot make inf */
    }
    x += 0x7fffu + ((x >> 16) & 1u);           /* round to nearest even; overflow gives inf */
    return (uint16_t)(x >> 16);
}

#endif /* PANATTN_HALF_H */

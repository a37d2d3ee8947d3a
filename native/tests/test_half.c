/*
 * test_half.c — the fp16/bf16 conversions of src/panattn_half.h against field-by-field
 * decoders: every one of the 65536 encodings decodes exactly, and rounding is checked at
 * every midpoint between neighbouring encodings (ties to even) and just either side of it.
 */
#include <string.h>

#include "panattn_half.h"
#include "test_common.h"

typedef float (*decode_fn)(uint16_t);
typedef uint16_t (*encode_fn)(float);
typedef double (*ref_fn)(uint16_t);

static char detail[256];

static int same_value(double a, double b) {
    return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

/* Exhaustive decode, and encode(decode(h)) == h for every non-NaN encoding. */
static void check_decode(const char *name, decode_fn decode, encode_fn encode, ref_fn ref) {
    int bad = 0;
    detail[0] = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        double got = decode((uint16_t)h), want = ref((uint16_t)h);
        uint16_t back = encode((float)got);
        int ok = same_value(got, want) && (isnan(want) ? isnan(ref(back)) : back == h);
        if (!ok && bad++ < 1) {
            snprintf(detail, sizeof detail, "first bad: 0x%04x decodes to %.9g (want %.9g), re-encodes to 0x%04x",
                     (unsigned)h, got, want, (unsigned)back);
        }
    }
    report(bad == 0, name, detail);
}

/* For neighbours lo < hi: the midpoint goes to the even one, either side to the nearer. */
static void check_rounding(const char *name, encode_fn encode, ref_fn ref, uint32_t max_finite) {
    int bad = 0;
    detail[0] = 0;
    for (uint32_t h = 0; h <= max_finite; h++) {
        for (int neg = 0; neg < 2; neg++) {
            uint16_t sign = neg ? 0x8000 : 0;
            uint16_t lo = (uint16_t)(h | sign), hi = (uint16_t)((h + 1) | sign);
            double vlo = ref(lo), vhi = ref(hi);
            if (isinf(vhi)) { /* past the largest finite: the next step is one more ulp */
                vhi = vlo + (vlo - ref((uint16_t)(lo - 1)));
            }
            double mid = 0.5 * (vlo + vhi);                  /* exact in fp32: one bit more */
            float fmid = (float)mid;
            float toward_lo = nextafterf(fmid, (float)vlo);
            float toward_hi = nextafterf(fmid, (float)vhi);
            uint16_t even = (h & 1) ? hi : lo;
            uint16_t got_mid = encode(fmid), got_lo = encode(toward_lo), got_hi = encode(toward_hi);
            if ((double)fmid != mid || got_mid != even || got_lo != lo || got_hi != hi) {
                if (bad++ < 1) {
                    snprintf(detail, sizeof detail,
                             "between 0x%04x and 0x%04x: mid -> 0x%04x (want 0x%04x), below -> 0x%04x, above -> 0x%04x",
                             lo, hi, got_mid, even, got_lo, got_hi);
                }
            }
        }
    }
    report(bad == 0, name, detail);
}

static void check_specials(void) {
    struct {
        float in;
        uint16_t f16, bf16;
    } cases[] = {
        {0.0f, 0x0000, 0x0000},
        {-0.0f, 0x8000, 0x8000},
        {INFINITY, 0x7c00, 0x7f80},
        {-INFINITY, 0xfc00, 0xff80},
        {65504.0f, 0x7bff, 0x4780},          /* 11 significant bits: bf16 rounds up */
        {65519.99f, 0x7bff, 0x4780},
        {65520.0f, 0x7c00, 0x4780},
        {1e10f, 0x7c00, 0x5015},
        {-1e10f, 0xfc00, 0xd015},
        {0x1p-25f, 0x0000, 0x3300},            /* half the smallest fp16 subnormal: tie to 0 */
        {0x1.000002p-25f, 0x0001, 0x3300},
        {0x1.8p-24f, 0x0002, 0x33c0},          /* 1.5 ulps: tie to even (2) */
        {3.4028235e38f, 0x7c00, 0x7f80},       /* FLT_MAX rounds up to inf in bf16 */
        {0x1p-149f, 0x0000, 0x0000},           /* fp32 subnormal: rounds to zero in bf16 */
        {0x1p-133f, 0x0000, 0x0001},           /* smallest bf16 subnormal */
    };
    int bad = 0;
    detail[0] = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint16_t h = panattn_f32_to_f16(cases[i].in), b = panattn_f32_to_bf16(cases[i].in);
        if (h != cases[i].f16 || b != cases[i].bf16) {
            if (bad++ < 1) {
                snprintf(detail, sizeof detail, "%a -> f16 0x%04x (want 0x%04x), bf16 0x%04x (want 0x%04x)",
                         (double)cases[i].in, h, cases[i].f16, b, cases[i].bf16);
            }
        }
    }
    /* NaN of either sign, with any payload, stays NaN (never inf) and keeps its sign. */
    uint32_t nans[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fbfffffu};
    for (size_t i = 0; i < sizeof nans / sizeof nans[0]; i++) {
        float f = panattn_f32_from_bits(nans[i]);
        uint16_t h = panattn_f32_to_f16(f), b = panattn_f32_to_bf16(f);
        int sign = (nans[i] >> 31) != 0;
        if (!isnan(ref_f16_decode(h)) || !isnan(ref_bf16_decode(b)) || (h >> 15) != sign || (b >> 15) != sign) {
            if (bad++ < 1) {
                snprintf(detail, sizeof detail, "NaN 0x%08x -> f16 0x%04x, bf16 0x%04x", nans[i], h, b);
            }
        }
    }
    report(bad == 0, "specials: zeros, infinities, overflow, subnormal ties, NaN", detail);
}

int main(void) {
    check_decode("f16 decode: all 65536 encodings, and round trip", panattn_f16_to_f32, panattn_f32_to_f16,
                 ref_f16_decode);
    check_decode("bf16 decode: all 65536 encodings, and round trip", panattn_bf16_to_f32, panattn_f32_to_bf16,
                 ref_bf16_decode);
    check_rounding("f16 encode: ties to even at every midpoint, nearest either side", panattn_f32_to_f16,
                   ref_f16_decode, 0x7bff);
    check_rounding("bf16 encode: ties to even at every midpoint, nearest either side", panattn_f32_to_bf16,
                   ref_bf16_decode, 0x7f7f);
    check_specials();
    return summary("test_half");
}

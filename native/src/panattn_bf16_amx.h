/*
 * panattn_bf16_amx.h — the strip path's Q·Kᵀ and P·V on bf16 inputs with AMX tiles (TDPBF16PS).
 * Included by panattn_kernel_simd.h only when its includer (panattn_kernel_amxbf16.c) defines
 * SIMD_AMX_BF16, on top of panattn_bf16_dp.h, whose pair buffers it shares: qp (Q as pairs along
 * head_dim, per strip) and vp (V as pairs of keys). Everything between the two products (causal
 * edges, windows, masks, softcap, ALiBi, the online softmax, the emit) is the shared strip path on
 * the same fp32 Sᵀ.
 *
 * A TDPBF16PS multiplies a tile A (16 rows x 32 bf16) by a tile B (16 rows of pairs x 16 columns)
 * into a tile C (16 x 16 fp32): C[m][n] += Σ_k A[m][2k]·B[k][2n] + A[m][2k+1]·B[k][2n+1]. Every
 * tile here is 16 rows of 64 bytes, so one tile configuration serves the whole call.
 *
 *   Q·Kᵀ as Sᵀ = K·Qᵀ: A is 16 keys x 32 elements of head_dim, read in place from K (row stride
 *     k_row_stride) or, when head_dim is not a multiple of 32 or the group of 16 keys runs past
 *     the strip's columns, from kpad (the block's K rows, zero padded to 32 elements and past
 *     the block); B is qp's 16 pairs x 16 query rows (two tiles for the strip's 32 rows); C lands
 *     in st (keys x QS) as it is. Then one pass scales Sᵀ and takes the column maxima.
 *   P·V as O = P·V: B is vp's 16 key pairs x 16 columns of head_dim; A is P row-major, 16 query
 *     rows x 32 keys: the pairs dp_pack_p builds (one vector per pair of keys, across 16 rows),
 *     transposed 16 x 16 in registers. C is O in scratch (rows x ldo), rescaled by alpha first.
 *     By default P enters as hi + lo (two bf16 terms, as exact as fp32, as in the vdpbf16ps
 *     path); with PANATTN_WEIGHTS_BF16, hi alone.
 *
 * Rounding: AMX's bf16 products treat subnormal inputs as zero and flush subnormal sums, like
 * vdpbf16ps; every sum is fp32. Non-finite V takes dp_pv_guarded, as in the vdpbf16ps path (a
 * weight of 0 times inf is NaN in a tile product too).
 */
#ifndef PANATTN_BF16_AMX_H
#define PANATTN_BF16_AMX_H

#include <immintrin.h>

/* Pair tiles of P per strip and block (chunks of 16 key pairs), and the tiles each takes: hi and lo
 * for the strip's two groups of 16 rows. */
static int64_t amx_chunks_max(int64_t kb) {
    return (kb / 2 + 1 + 15) / 16;
}

enum { AMX_TILE_WORDS = 256 /* 16 rows x 64 bytes, as uint32 */ };

static int64_t amx_d32(int64_t d) {
    return round_up(d, 32);
}

/* kpad ((kb + 16) rows x d32 bf16) and the P tiles. */
static int64_t amx_scratch_floats(int64_t d, int64_t kb) {
    return round_up((kb + 16) * amx_d32(d) / 2, 16) + amx_chunks_max(kb) * 4 * AMX_TILE_WORDS;
}

static inline uint16_t *amx_kpad(const dp_bufs *b) {
    return (uint16_t *)b->amx;
}

static inline uint32_t *amx_ptiles(const dp_bufs *b, const scratch *w) {
    return b->amx + round_up((w->kb + 16) * amx_d32(w->d) / 2, 16);
}

/* The tile configuration (the layout LDTILECFG reads): palette 1, tiles 0-7 of 16 rows x 64 bytes. */
typedef struct amx_config {
    uint8_t palette, start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} amx_config;

/* Configures this thread's tiles for the call; amx_tiles_off releases them (the thread then holds
 * no tile state, which Linux would otherwise save and restore at every switch). */
static void amx_tiles_on(void) {
    amx_config c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int i = 0; i < 8; i++) {
        c.colsb[i] = 64;
        c.rows[i] = 16;
    }
    _tile_loadconfig(&c);
}

static void amx_tiles_off(void) {
    _tile_release();
}

/* The K rows [k0, k0 + n) of the block into kpad, zero padded to d32 elements and for 16 rows past
 * n: only when head_dim is not a multiple of 32 (else the tiles read K in place). */
static void amx_pack_k(const panattn_params *p, const scratch *w, int64_t k_base, int64_t k0, int64_t n) {
    const int64_t d = w->d, d32 = amx_d32(d);
    if (d == d32) {
        return;
    }
    const dp_bufs b = dp_bufs_of(w);
    uint16_t *kpad = amx_kpad(&b);
    for (int64_t c = 0; c < n; c++) {
        const uint16_t *src = (const uint16_t *)p->k + k_base + (k0 + c) * p->k_row_stride;
        memcpy(kpad + c * d32, src, (size_t)d * sizeof(uint16_t));
        memset(kpad + c * d32 + d, 0, (size_t)(d32 - d) * sizeof(uint16_t));
    }
    memset(kpad + n * d32, 0, (size_t)(16 * d32) * sizeof(uint16_t));
}

/* Where the A tile of the 16 keys from column c reads K: in place, or from kpad (amx_pack_k's
 * padded block, or for the last keys of a strip with head_dim a multiple of 32, a copy of the rows
 * that exist in kpad's first 16 rows, so nothing past the block is read). */
static inline const uint16_t *amx_k_rows(const scratch *w, uint16_t *kpad, const uint16_t *kin, int64_t ks,
                                         int64_t cs, int64_t c, int64_t nc, int64_t *astride) {
    const int64_t d = w->d, d32 = amx_d32(d);
    if (d != d32) {
        *astride = d32 * 2;
        return kpad + (cs + c) * d32;
    }
    if (c + 16 <= nc) {
        *astride = ks * 2;
        return kin + c * ks;
    }
    for (int64_t k = 0; k < 16; k++) {
        if (c + k < nc) {
            memcpy(kpad + k * d32, kin + (c + k) * ks, (size_t)d * sizeof(uint16_t));
        } else {
            memset(kpad + k * d32, 0, (size_t)d * sizeof(uint16_t));
        }
    }
    *astride = d32 * 2;
    return kpad;
}

/* One strip's Sᵀ over the block's keys cs + [0, nc) (block start k0 of this head's K rows at element
 * offset k_base), scaled to log2 units, with its column maxima in cmax. Two groups of 16 keys at
 * a time (tiles 0, 1 and 5, 6): a tile product's result is ready only several products later, so
 * four independent sums keep the unit busy where two left it waiting. */
static void amx_qk_strip(const panattn_params *p, const scratch *w, int64_t strip, int64_t k_base, int64_t k0,
                         int64_t cs, int64_t nc, vf cmax[2]) {
    const dp_bufs b = dp_bufs_of(w);
    const int64_t d32 = amx_d32(w->d), ks = p->k_row_stride;
    uint16_t *kpad = amx_kpad(&b);
    const uint32_t *qp = b.qp + strip * b.d2 * QS;
    const uint16_t *kin = (const uint16_t *)p->k + k_base + (k0 + cs) * ks;
    for (int64_t c = 0; c < nc; c += 32) {
        const int two = c + 16 < nc; /* the second group (tiles 5, 6), possibly the last keys */
        int64_t s0, s1 = 0;
        const uint16_t *a0 = amx_k_rows(w, kpad, kin, ks, cs, c, nc, &s0);
        const uint16_t *a1 = two ? amx_k_rows(w, kpad, kin, ks, cs, c + 16, nc, &s1) : NULL;
        _tile_zero(0);
        _tile_zero(1);
        if (two) {
            _tile_zero(5);
            _tile_zero(6);
        }
        for (int64_t x = 0; x < d32; x += 32) {
            _tile_loadd(3, qp + (x / 2) * QS, QS * 4);
            _tile_loadd(4, qp + (x / 2) * QS + VL, QS * 4);
            _tile_loadd(2, a0 + x, s0);
            _tile_dpbf16ps(0, 2, 3);
            _tile_dpbf16ps(1, 2, 4);
            if (two) {
                _tile_loadd(7, a1 + x, s1);
                _tile_dpbf16ps(5, 7, 3);
                _tile_dpbf16ps(6, 7, 4);
            }
        }
        _tile_stored(0, w->st + c * QS, QS * 4);
        _tile_stored(1, w->st + c * QS + VL, QS * 4);
        if (two) {
            _tile_stored(5, w->st + (c + 16) * QS, QS * 4);
            _tile_stored(6, w->st + (c + 16) * QS + VL, QS * 4);
        }
    }
    const vf scale = v_set1(p->softmax_scale * LOG2E_F); /* logits in log2 units, as qt's */
    for (int64_t c = 0; c < nc; c++) {
        const vf s0 = v_mul(v_load(w->st + c * QS), scale), s1 = v_mul(v_load(w->st + c * QS + VL), scale);
        v_store(w->st + c * QS, s0);
        v_store(w->st + c * QS + VL, s1);
        cmax[0] = v_max_skipnan(s0, cmax[0]);
        cmax[1] = v_max_skipnan(s1, cmax[1]);
    }
}

/* P tile (chunk q, part 0 = hi / 1 = lo, row group g) in the P tile buffer. */
static inline int64_t amx_ptile(int64_t q, int part, int g) {
    return ((q * 2 + part) * 2 + g) * AMX_TILE_WORDS;
}

/* Sᵀ's P (columns [0, nc) = block keys cs + c) as A tiles: for chunk q and row group g, row r holds
 * row g·16 + r's pairs of block keys 2(cs/2 + 16q + i) + {0, 1}, i < 16; keys outside the columns
 * are 0. The pair vectors are dp_pack_p's, transposed. */
static void amx_pack_p(const scratch *w, uint32_t *tiles, int64_t cs, int64_t nc, int64_t chunks, int once) {
    const __m512i inter = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22,
                                           6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const int64_t j0 = cs / 2;
    for (int64_t q = 0; q < chunks; q++) {
        for (int g = 0; g < 2; g++) {
            vf hi[VL], lo[VL];
#pragma GCC unroll 16
            for (int i = 0; i < VL; i++) {
                const int64_t c0 = 2 * (j0 + 16 * q + i) - cs, c1 = c0 + 1; /* the pair's columns of Sᵀ */
                const vf a = c0 >= 0 && c0 < nc ? v_load(w->st + c0 * QS + g * VL) : v_zero();
                const vf e = c1 < nc ? v_load(w->st + c1 * QS + g * VL) : v_zero();
                const __m512i h = (__m512i)_mm512_cvtne2ps_pbh(e, a);
                hi[i] = _mm512_castsi512_ps(_mm512_permutexvar_epi16(inter, h));
                if (!once) {
                    const vf la = dp_residual(a, _mm512_castsi512_si256(h));
                    const vf le = dp_residual(e, _mm512_extracti64x4_epi64(h, 1));
                    lo[i] = _mm512_castsi512_ps(
                        _mm512_permutexvar_epi16(inter, (__m512i)_mm512_cvtne2ps_pbh(le, la)));
                }
            }
            v_transpose(hi); /* hi[r]: row g·16 + r's 16 pairs */
            float *th = (float *)(tiles + amx_ptile(q, 0, g));
#pragma GCC unroll 16
            for (int r = 0; r < VL; r++) {
                v_store(th + r * VL, hi[r]);
            }
            if (!once) {
                v_transpose(lo);
                float *tl = (float *)(tiles + amx_ptile(q, 1, g));
#pragma GCC unroll 16
                for (int r = 0; r < VL; r++) {
                    v_store(tl + r * VL, lo[r]);
                }
            }
        }
    }
}

/* O[r0 .. r0 + QS) = alpha · O + P · V for one strip over the block's columns cs + [0, nc); V finite. */
static void amx_pv_strip(const scratch *w, int64_t r0, int64_t cs, int64_t nc, int once) {
    const dp_bufs b = dp_bufs_of(w);
    const int64_t ldo = w->ldo, j0 = cs / 2, j1 = (cs + nc + 1) / 2, chunks = (j1 - j0 + 15) / 16;
    uint32_t *tiles = amx_ptiles(&b, w);
    amx_pack_p(w, tiles, cs, nc, chunks, once);
    float *o = w->o + r0 * ldo;
    for (int64_t r = 0; r < QS; r++) {
        const vf a = v_bcast(w->alpha + r0 + r);
        for (int64_t x = 0; x < ldo; x += VL) {
            v_store(o + r * ldo + x, v_mul(v_load(o + r * ldo + x), a));
        }
    }
    /* two column tiles at a time (C tiles 0, 1 and 5, 6), for four independent sums as in Q·Kᵀ;
     * an odd last one alone */
    for (int64_t x = 0; x < ldo; x += 2 * VL) {
        const int two = x + VL < ldo;
        float *o1 = o + x + VL;
        _tile_loadd(0, o + x, ldo * 4);
        _tile_loadd(1, o + VL * ldo + x, ldo * 4);
        if (two) {
            _tile_loadd(5, o1, ldo * 4);
            _tile_loadd(6, o1 + VL * ldo, ldo * 4);
        }
        for (int64_t q = 0; q < chunks; q++) {
            const uint32_t *v = b.vp + (j0 + 16 * q) * ldo + x;
            _tile_loadd(2, v, ldo * 4);
            if (two) {
                _tile_loadd(7, v + VL, ldo * 4);
            }
            for (int part = once ? 0 : 1; part >= 0; part--) { /* lo (when kept), then hi */
                _tile_loadd(3, tiles + amx_ptile(q, part, 0), 64);
                _tile_loadd(4, tiles + amx_ptile(q, part, 1), 64);
                _tile_dpbf16ps(0, 3, 2);
                _tile_dpbf16ps(1, 4, 2);
                if (two) {
                    _tile_dpbf16ps(5, 3, 7);
                    _tile_dpbf16ps(6, 4, 7);
                }
            }
        }
        _tile_stored(0, o + x, ldo * 4);
        _tile_stored(1, o + VL * ldo + x, ldo * 4);
        if (two) {
            _tile_stored(5, o1, ldo * 4);
            _tile_stored(6, o1 + VL * ldo, ldo * 4);
        }
    }
}

#endif /* PANATTN_BF16_AMX_H */

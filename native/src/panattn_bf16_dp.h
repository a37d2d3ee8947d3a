/*
 * panattn_bf16_dp.h — the strip path's Q·Kᵀ and P·V on bf16 inputs with vdpbf16ps (AVX512_BF16).
 * Included by panattn_kernel_simd.h, and only when its includer (panattn_kernel_avx512bf16.c)
 * defines SIMD_DP_BF16; the rest of the strip path (causal edges, windows, masks, softcap, ALiBi,
 * the online softmax, the emit) is the shared one, working on the same fp32 Sᵀ.
 *
 * vdpbf16ps adds, per fp32 lane i, a[2i]·b[2i] + a[2i+1]·b[2i+1]: two bf16 products (exact in
 * fp32) per lane, twice the multiply-adds of an fp32 FMA per instruction. So every operand is
 * laid out as PAIRS, one uint32 holding two bf16 (the lower-addressed element in the low half):
 *
 *   Q·Kᵀ, pairs along head_dim. qp is (STRIPS, d2, QS), d2 = ceil(d / 2): for each strip and pair
 *     j, the pair (q[2j], q[2j+1]) of each of its QS rows, raw bf16 (the scale is applied to the
 *     fp32 scores instead, so Q is rounded once, by the caller). K is read in place: one 32-bit
 *     broadcast per key and pair, the same micro-tile as qk_tile (MK keys x 2 vectors of rows).
 *     An odd head_dim's last pair reads the one element (zero-extended), never past the row.
 *   P·V, pairs of keys. vp is (ceil(kb / 2), ldo): for each pair of the block's keys (2c, 2c+1)
 *     and each column, the pair (V[2c][x], V[2c+1][x]), packed once per (tile, block); an odd key
 *     count's last pair and the columns past head_dim are zero. pp is (pairs, 2, QS): after the
 *     softmax, for each pair of block keys and each strip row, (P[row][2c], P[row][2c+1]) as
 *     two bf16 pairs, hi = P rounded to nearest even (vcvtne2ps2bf16) and lo = P - hi rounded
 *     likewise; 0 for keys outside the strip's columns. The micro-tile is pv_tile's: MR rows x
 *     NVMAX vectors of accumulators, a 32-bit broadcast of each row's hi and lo pairs.
 *     With weights = PANATTN_WEIGHTS_BF16 (`once`) pp holds hi alone and each pair of keys takes
 *     one vdpbf16ps per accumulator instead of two.
 *
 * Accuracy: Q·Kᵀ is as exact as the fp32 path on bf16 inputs (products are exact, sums fp32).
 * P·V: hi + lo carries P to about 2^-17 relative, so P·V too is as exact as fp32 (V is exact in
 * bf16). P rounded once (hi only) is much faster (1.6-2.1x fp32 against 1.2-1.5x at N 2048), but
 * its error, up to 2^-8 · sum p|v| per output element, breaks the element-wise bound SdpaFuzzTest
 * holds every fused kernel to wherever an output element is small beside max|v| (cancellation);
 * so by default the weight keeps its low half, and rounding it once is the caller's opt-in.
 *
 * Non-finite V: a key excluded from a row has P = 0, and 0 · inf is NaN in a dot product; a pair
 * may also hold a key outside the strip's columns. So a block whose V holds any inf or NaN (found
 * while packing, for free) takes dp_pv_guarded, which skips zero weights, for every strip.
 */
#ifndef PANATTN_BF16_DP_H
#define PANATTN_BF16_DP_H

#if defined(SIMD_AMX_BF16)
/* AMX tiles take 16 pairs at a time: qp's pairs along head_dim are padded with zero pairs to a
 * multiple of 16, and vp keeps 16 zero rows of pairs past a block's last (a tile of pairs may
 * start at any pair of the block). panattn_bf16_amx.h adds its own buffers after pp. */
enum { DP_PAIR_PAD = 16 };
static int64_t amx_scratch_floats(int64_t d, int64_t kb);
#else
enum { DP_PAIR_PAD = 1 };
#define amx_scratch_floats(d, kb) 0
#endif

/* Pairs per strip along head_dim in qp, and rows of key pairs in vp. */
static int64_t dp_d2(int64_t d) {
    return round_up((d + 1) / 2, DP_PAIR_PAD);
}

static int64_t dp_vp_rows(int64_t kb) {
    return kb / 2 + 1 + (DP_PAIR_PAD > 1 ? DP_PAIR_PAD : 0);
}

/* Floats of scratch the three pair buffers take (0 unless the call is bf16). */
static int64_t dp_scratch_floats(int64_t d, int64_t kb, int32_t dtype) {
    if (dtype != PANATTN_DTYPE_BF16) {
        return 0;
    }
    const int64_t ldo = round_up(d, VL), pairs = kb / 2 + 1;
    return round_up(TQ * dp_d2(d), 16) + round_up(dp_vp_rows(kb) * ldo, 16) + round_up(pairs * 2 * QS, 16) +
           amx_scratch_floats(d, kb);
}

typedef struct dp_bufs {
    uint32_t *qp, *vp, *pp;
    uint32_t *amx; /* panattn_bf16_amx.h's buffers (SIMD_AMX_BF16 only) */
    int64_t d2;
} dp_bufs;

/* The pair buffers inside w->dp (64-byte aligned: every part is a whole number of lines). */
static inline dp_bufs dp_bufs_of(const scratch *w) {
    dp_bufs b;
    b.d2 = dp_d2(w->d);
    b.qp = (uint32_t *)w->dp;
    b.vp = b.qp + round_up(TQ * b.d2, 16);
    b.pp = b.vp + round_up(dp_vp_rows(w->kb) * w->ldo, 16);
    b.amx = b.pp + round_up((w->kb / 2 + 1) * 2 * QS, 16);
    return b;
}

static inline uint32_t dp_load_pair(const uint16_t *x) {
    uint32_t v;
    memcpy(&v, x, sizeof v); /* unaligned when the row starts on an odd element */
    return v;
}

/* Q rows [0, live) of the tile into qp; rows past `rows` (padding of the last strip) are 0. */
static void dp_prep_q(const panattn_params *p, const scratch *w, int64_t q_off, int64_t rows, int64_t live) {
    const dp_bufs b = dp_bufs_of(w);
    const int64_t d = w->d, full = d / 2;
    for (int64_t r = 0; r < live; r++) {
        uint32_t *dst = b.qp + (r / QS) * b.d2 * QS + r % QS;
        if (r >= rows) {
            for (int64_t j = 0; j < b.d2; j++) {
                dst[j * QS] = 0;
            }
            continue;
        }
        const uint16_t *src = (const uint16_t *)p->q + q_off + r * p->q_row_stride;
        for (int64_t j = 0; j < full; j++) {
            dst[j * QS] = dp_load_pair(src + 2 * j);
        }
        if (d & 1) {
            dst[full * QS] = src[d - 1]; /* the odd element, its partner 0 */
        }
        for (int64_t j = (d + 1) / 2; j < b.d2; j++) {
            dst[j * QS] = 0; /* DP_PAIR_PAD's zero pairs */
        }
    }
}

/* V rows [k0, k0 + n) of this head (element offset v_base) into vp as key pairs. Returns 1 when
 * every value is finite (a bf16 with all exponent bits set is inf or NaN). 32 columns of both rows
 * at a time: two loads, two vpermt2w that interleave them into pairs, two stores (16 columns at
 * a time with widening took twice the instructions, and this runs once per tile and key block). */
static int dp_pack_v(const panattn_params *p, const scratch *w, int64_t v_base, int64_t k0, int64_t n) {
    const dp_bufs b = dp_bufs_of(w);
    const int64_t d = w->d, ldo = w->ldo;
    const __m512i expo = _mm512_set1_epi16(0x7f80);
    /* pair i of the low half: (r0[i], r1[i]), of the high half: (r0[16 + i], r1[16 + i]) */
    const __m512i lo_idx = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8, 39, 7, 38, 6,
                                            37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
    const __m512i hi_idx = _mm512_add_epi16(lo_idx, _mm512_set1_epi16(16));
    __mmask32 bad = 0;
    for (int64_t c = 0; c < n; c += 2) {
        const uint16_t *r0 = (const uint16_t *)p->v + v_base + (k0 + c) * p->v_row_stride;
        const uint16_t *r1 = c + 1 < n ? r0 + p->v_row_stride : NULL;
        uint32_t *dst = b.vp + (c / 2) * ldo;
        for (int64_t x = 0; x < ldo; x += 2 * VL) {
            const int64_t left = d - x;
            const __mmask32 m = left >= 32 ? (__mmask32)0xFFFFFFFFu : left > 0 ? (__mmask32)((1u << left) - 1u) : 0;
            /* the rows come from L2 (the head's previous tile read them): ask 16 keys ahead,
             * within the block (a row past it may not exist, and a stride may be huge) */
            if (c + 17 < n) {
                _mm_prefetch((const char *)(r0 + 16 * p->v_row_stride + x), _MM_HINT_T0);
                _mm_prefetch((const char *)(r0 + 17 * p->v_row_stride + x), _MM_HINT_T0);
            }
            const __m512i a = _mm512_maskz_loadu_epi16(m, r0 + x);
            const __m512i e = r1 != NULL ? _mm512_maskz_loadu_epi16(m, r1 + x) : _mm512_setzero_si512();
            bad |= _mm512_cmpeq_epi16_mask(_mm512_and_si512(a, expo), expo);
            bad |= _mm512_cmpeq_epi16_mask(_mm512_and_si512(e, expo), expo);
            _mm512_store_si512((void *)(dst + x), _mm512_permutex2var_epi16(a, lo_idx, e));
            if (x + VL < ldo) { /* ldo is a multiple of 16, not always of 32 */
                _mm512_store_si512((void *)(dst + x + VL), _mm512_permutex2var_epi16(a, hi_idx, e));
            }
        }
    }
    if (DP_PAIR_PAD > 1) { /* zero pairs past the block's last, for tiles of pairs that run past it */
        memset(b.vp + (n + 1) / 2 * ldo, 0, (size_t)(DP_PAIR_PAD * ldo) * sizeof(uint32_t));
    }
    return bad == 0;
}

#if !defined(SIMD_AMX_BF16) /* the AMX kernel has its own Q·Kᵀ and P·V (panattn_bf16_amx.h) */
/* Sᵀ[c .. c+MK) = K[c .. c+MK) · Qᵀ · scale for one strip (qp: the strip's pairs); key rows past
 * nc repeat row nc - 1, as in qk_tile. */
static inline __attribute__((always_inline)) void dp_qk_tile(float *restrict st, const uint32_t *restrict qp,
                                                             const uint16_t *kp, int64_t ks, int64_t c, int64_t nc,
                                                             int64_t d, vf scale, vf cmax[2]) {
    const uint16_t *kr[MK];
    for (int k = 0; k < MK; k++) {
        kr[k] = kp + (c + k < nc ? c + k : nc - 1) * ks;
    }
    vf acc[MK][2];
#pragma GCC unroll 16
    for (int k = 0; k < MK; k++) {
        acc[k][0] = v_zero();
        acc[k][1] = v_zero();
    }
    const int64_t full = d / 2;
    /* the next micro-tile's K rows that exist, one line (16 pairs) at a time, as qk_tile does */
    const int64_t ahead = nc - (c + MK);
    for (int64_t j0 = 0; j0 < full; j0 += 16) {
        if (ahead >= MK) { /* the common case: the whole micro-tile, no tests */
#pragma GCC unroll 16
            for (int k = 0; k < MK; k++) {
                _mm_prefetch((const char *)(kr[k] + MK * ks + 2 * j0), _MM_HINT_T0);
            }
        } else {
            for (int k = 0; k < ahead; k++) {
                _mm_prefetch((const char *)(kr[k] + MK * ks + 2 * j0), _MM_HINT_T0);
            }
        }
        const int64_t j1 = j0 + 16 < full ? j0 + 16 : full;
        for (int64_t j = j0; j < j1; j++) {
            const __m512bh b0 = (__m512bh)_mm512_load_si512((const void *)(qp + j * QS));
            const __m512bh b1 = (__m512bh)_mm512_load_si512((const void *)(qp + j * QS + VL));
#pragma GCC unroll 16
            for (int k = 0; k < MK; k++) {
                const __m512bh a = (__m512bh)_mm512_set1_epi32((int)dp_load_pair(kr[k] + 2 * j));
                acc[k][0] = _mm512_dpbf16_ps(acc[k][0], a, b0);
                acc[k][1] = _mm512_dpbf16_ps(acc[k][1], a, b1);
            }
        }
    }
    if (d & 1) { /* the odd last element: its partner in qp is 0, and K's is not read */
        const __m512bh b0 = (__m512bh)_mm512_load_si512((const void *)(qp + full * QS));
        const __m512bh b1 = (__m512bh)_mm512_load_si512((const void *)(qp + full * QS + VL));
#pragma GCC unroll 16
        for (int k = 0; k < MK; k++) {
            const __m512bh a = (__m512bh)_mm512_set1_epi32((int)kr[k][d - 1]);
            acc[k][0] = _mm512_dpbf16_ps(acc[k][0], a, b0);
            acc[k][1] = _mm512_dpbf16_ps(acc[k][1], a, b1);
        }
    }
#pragma GCC unroll 16
    for (int k = 0; k < MK; k++) {
        const vf s0 = v_mul(acc[k][0], scale), s1 = v_mul(acc[k][1], scale);
        v_store(st + (c + k) * QS, s0);
        v_store(st + (c + k) * QS + VL, s1);
        cmax[0] = v_max_skipnan(s0, cmax[0]);
        cmax[1] = v_max_skipnan(s1, cmax[1]);
    }
}

/* One strip's Sᵀ over keys kb0 + [0, nc) (K rows of this head at element offset k_base). */
static void dp_qk_strip(const panattn_params *p, const scratch *w, int64_t strip, int64_t k_base, int64_t kb0,
                        int64_t nc, vf cmax[2]) {
    const dp_bufs b = dp_bufs_of(w);
    const uint16_t *kp = (const uint16_t *)p->k + k_base + kb0 * p->k_row_stride;
    const vf scale = v_set1(p->softmax_scale * LOG2E_F); /* logits in log2 units, as qt's */
    const uint32_t *qp = b.qp + strip * b.d2 * QS;
    for (int64_t c = 0; c < nc; c += MK) {
        dp_qk_tile(w->st, qp, kp, p->k_row_stride, c, nc, w->d, scale, cmax);
    }
}

#endif

/* p - bf16(p) for 16 weights, given their bf16 (low 16 bits of each lane of h, zero-extended). */
static inline vf dp_residual(vf p, __m256i h) {
    return v_sub(p, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)));
}

#if !defined(SIMD_AMX_BF16)
/* Sᵀ's P (columns [0, nc) = block keys cs + c) into pp as pairs of block keys, from pair cs / 2:
 * keys outside the columns get 0. Then pp[2j * QS + r] is row r's hi pair of keys
 * 2(cs/2 + j) + {0,1} and pp[(2j + 1) * QS + r] its lo pair; with `once` (the call allows
 * PANATTN_WEIGHTS_BF16) there is no lo: pp[j * QS + r] is the hi pair. */
static void dp_pack_p(const scratch *w, int64_t cs, int64_t nc, int once) {
    const dp_bufs b = dp_bufs_of(w);
    /* vpermw index: lane 2i takes bf16 i (key 2c), lane 2i + 1 takes bf16 16 + i (key 2c + 1) */
    const __m512i inter = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22,
                                           6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const int64_t j0 = cs / 2, j1 = (cs + nc + 1) / 2;
    for (int64_t j = j0; j < j1; j++) {
        const int64_t c0 = 2 * j - cs, c1 = c0 + 1; /* the pair's columns of Sᵀ */
        for (int half = 0; half < 2; half++) {
            const vf a = c0 >= 0 ? v_load(w->st + c0 * QS + half * VL) : v_zero();
            const vf e = c1 < nc ? v_load(w->st + c1 * QS + half * VL) : v_zero();
            const __m512i hi = (__m512i)_mm512_cvtne2ps_pbh(e, a); /* a in the low 16, e in the high */
            if (once) {
                _mm512_store_si512((void *)(b.pp + (j - j0) * QS + half * VL), _mm512_permutexvar_epi16(inter, hi));
                continue;
            }
            const vf la = dp_residual(a, _mm512_castsi512_si256(hi));
            const vf le = dp_residual(e, _mm512_extracti64x4_epi64(hi, 1));
            const __m512i lo = (__m512i)_mm512_cvtne2ps_pbh(le, la);
            uint32_t *dst = b.pp + 2 * (j - j0) * QS + half * VL;
            _mm512_store_si512((void *)dst, _mm512_permutexvar_epi16(inter, hi));
            _mm512_store_si512((void *)(dst + QS), _mm512_permutexvar_epi16(inter, lo));
        }
    }
}

/* O[MR rows, nv vectors] = alpha · O + P · V over `pairs` key pairs (P as hi + lo, or hi alone
 * when `once`: dp_pack_p's two layouts); pp at the first row of pair 0's hi, vp at pair 0 and the
 * first column. */
static inline __attribute__((always_inline)) void dp_pv_tile(const int nv, const int once, float *restrict o,
                                                             int64_t ldo,
                                                             const uint32_t *restrict pp,
                                                             const float *restrict alpha,
                                                             const uint32_t *restrict vp, int64_t pairs) {
    vf acc[MR][NVMAX];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
        const vf a = v_bcast(alpha + r);
#pragma GCC unroll 8
        for (int j = 0; j < nv; j++) {
            acc[r][j] = v_mul(v_load(o + r * ldo + j * VL), a);
        }
    }
    for (int64_t c = 0; c < pairs; c++) {
        __m512bh v[NVMAX];
#pragma GCC unroll 8
        for (int j = 0; j < nv; j++) {
            v[j] = (__m512bh)_mm512_load_si512((const void *)(vp + c * ldo + j * VL));
        }
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            if (once) {
                const __m512bh hi = (__m512bh)_mm512_set1_epi32((int)pp[c * QS + r]);
#pragma GCC unroll 8
                for (int j = 0; j < nv; j++) {
                    acc[r][j] = _mm512_dpbf16_ps(acc[r][j], hi, v[j]);
                }
                continue;
            }
            const __m512bh hi = (__m512bh)_mm512_set1_epi32((int)pp[2 * c * QS + r]);
            const __m512bh lo = (__m512bh)_mm512_set1_epi32((int)pp[(2 * c + 1) * QS + r]);
#pragma GCC unroll 8
            for (int j = 0; j < nv; j++) {
                acc[r][j] = _mm512_dpbf16_ps(acc[r][j], lo, v[j]);
                acc[r][j] = _mm512_dpbf16_ps(acc[r][j], hi, v[j]);
            }
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
#pragma GCC unroll 8
        for (int j = 0; j < nv; j++) {
            v_store(o + r * ldo + j * VL, acc[r][j]);
        }
    }
}

/* pv_strip with pairs: rows [0, rows) of the strip at r0 (rounded up to MR), columns [0, nc) =
 * block keys cs + c, row r seeing columns [0, see0 + r) (see pv_strip). A pair past a group's
 * limit holds P = 0 for every row of the group, and V is finite here, so it adds exactly 0. */
static void dp_pv_strip(const scratch *w, int64_t r0, int64_t rows, int64_t cs, int64_t nc, int64_t see0, int once) {
    const dp_bufs b = dp_bufs_of(w);
    const int64_t ldo = w->ldo;
    const uint32_t *vp = b.vp + (cs / 2) * ldo;
    for (int64_t r = 0; r < rows; r += MR) {
        const int64_t lim = see0 + r + MR - 1;
        const int64_t ncg = lim < 0 ? 0 : lim < nc ? lim : nc;
        const int64_t pairs = ncg == 0 ? 0 : (cs + ncg + 1) / 2 - cs / 2;
        float *o = w->o + (r0 + r) * ldo;
        const uint32_t *pp = b.pp + r;
        const float *alpha = w->alpha + r0 + r;
        for (int64_t j = 0; j < ldo; j += NVMAX * VL) {
            int64_t left = (ldo - j) / VL;
            switch ((left >= NVMAX ? NVMAX : left) + (once ? NVMAX : 0)) {
            case 1: dp_pv_tile(1, 0, o + j, ldo, pp, alpha, vp + j, pairs); break;
            case 2: dp_pv_tile(2, 0, o + j, ldo, pp, alpha, vp + j, pairs); break;
            case 3: dp_pv_tile(3, 0, o + j, ldo, pp, alpha, vp + j, pairs); break;
            case 4: dp_pv_tile(4, 0, o + j, ldo, pp, alpha, vp + j, pairs); break;
            case 5: dp_pv_tile(1, 1, o + j, ldo, pp, alpha, vp + j, pairs); break;
            case 6: dp_pv_tile(2, 1, o + j, ldo, pp, alpha, vp + j, pairs); break;
            case 7: dp_pv_tile(3, 1, o + j, ldo, pp, alpha, vp + j, pairs); break;
            default: dp_pv_tile(4, 1, o + j, ldo, pp, alpha, vp + j, pairs); break;
            }
        }
    }
}

#endif

/* P·V for a block whose V holds inf or NaN: key by key, skipping P = 0 (see pv_guarded), in
 * fp32 from the packed V. Rare, so simple. */
static void dp_pv_guarded(const scratch *w, int64_t r0, int64_t rows, int64_t cs, int64_t nc) {
    const dp_bufs b = dp_bufs_of(w);
    const int64_t ldo = w->ldo;
    const __m512i high = _mm512_set1_epi32((int)0xFFFF0000u);
    for (int64_t r = 0; r < rows; r++) {
        float *o = w->o + (r0 + r) * ldo;
        const vf a = v_bcast(w->alpha + r0 + r);
        for (int64_t x = 0; x < ldo; x += VL) {
            v_store(o + x, v_mul(v_load(o + x), a));
        }
        for (int64_t c = 0; c < nc; c++) {
            const float pc = w->st[c * QS + r];
            if (pc == 0.0f) {
                continue;
            }
            const vf pv = v_set1(pc);
            const int64_t key = cs + c;
            const uint32_t *row = b.vp + (key / 2) * ldo;
            for (int64_t x = 0; x < ldo; x += VL) {
                const __m512i pair = _mm512_load_si512((const void *)(row + x));
                const __m512i bits = key % 2 == 0 ? _mm512_slli_epi32(pair, 16) : _mm512_and_si512(pair, high);
                v_store(o + x, v_fma(pv, _mm512_castsi512_ps(bits), v_load(o + x)));
            }
        }
    }
}

#endif /* PANATTN_BF16_DP_H */

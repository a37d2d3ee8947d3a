/*
 * panattn_kernel_simd.h — the body of the SIMD kernels, one algorithm at two vector widths.
 * panattn_kernel_avx2.c and panattn_kernel_avx512.c each include their vector vocabulary
 * (panattn_simd_*.h: vf, VL, v_fma, v_exp2, ...), define the blocking below and include this
 * file once; nothing here is compiled on its own.
 *
 *   KERNEL_FN  the entry point's name
 *   MK         keys per Q·Kᵀ micro-tile (MK x 2 vectors of accumulators)
 *   MR, NVMAX  query rows x vectors of head_dim per P·V micro-tile
 *   KBMAX      keys per block at head_dim <= 128 (fewer for larger head_dim, see kb_for)
 *
 * Design (after the published fused CPU kernels, with one twist; docs/CPU-KERNEL.md):
 *   A tile (b, h, up to PANATTN_TILE_Q = 128 query rows) is cut into strips of QS = 2 vectors of query rows.
 *   Q is converted once per tile, multiplied by softmax_scale * log2(e) and stored TRANSPOSED
 *   per strip (qt is (d, QS)). Then S for one strip and one key block is computed as Sᵀ
 *   (keys x QS): the micro-kernel broadcasts K[key][x] for MK keys and multiplies 2 vectors of
 *   qt[x]. So K is read row-major straight from the caller's tensor (fp32) or from a block
 *   converted once per (tile, block) (fp16/bf16): nothing is transposed per block, where the
 *   usual Kᵀ panel packing would transpose K once per (tile, block).
 *   With Sᵀ, the online softmax runs down the columns: max, exp2 and sum are vertical vector
 *   operations over the strip's query rows, with no horizontal reductions. The strip's Sᵀ
 *   (KBMAX x QS floats, 16 KiB) stays in L1.
 *   O (PANATTN_TILE_Q x d, fp32) stays in scratch; P·V broadcasts P[row][key] (contiguous in Sᵀ) for MR
 *   rows and multiplies NVMAX vectors of the V row; the rescale by exp2(m_old - m_new) is
 *   folded into loading the O micro-tile.
 *   Causal: the tile's key range ends at its last row's limit, a strip stops at its own last
 *   row's limit (so the diagonal block is trimmed to QS-wide steps), and -inf is written only
 *   into the straddling columns. Fully masked strips of a block are skipped.
 *   Tiles of at most ROW_PATH_ROWS query rows (decode) take the row path instead: per row,
 *   dot products against 4 keys at once, a vector exp2 over the block, an axpy into O.
 *
 * Semantics are the portable kernel's (panattn_kernel_portable.c), including: -inf mask
 * entries and causally hidden keys are excluded even when q.k is NaN; a NaN logit makes the
 * row NaN; excluded keys' V rows cannot leak NaN/inf (see pv_guarded); a row with no finite
 * logit gives 0 and lse -inf.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* sysconf: the L1d size (walk_pf_rows) */

#include "panattn_alloc.h"
#include "panattn_half.h"
#include "panattn_internal.h"
#include "panattn_simd_tanh.h"

enum { TQ = PANATTN_TILE_Q, QS = 2 * VL, STRIPS = TQ / QS, ROW_PATH_ROWS = 4, PF_BYTES = 4096, PF_BYTES_I8 = 1024,
       PF_L2_BYTES = 65536, WALK_PF_BYTES = 4096, WALK_PF_BYTES_BIG_L1 = 8192, BIG_L1_BYTES = 48 * 1024 };

#ifndef PACK_STRIDED_KV
#define PACK_STRIDED_KV 0
#endif

#define LOG2E_F 1.44269504088896340736f
#define LN2_F 0.693147180559945309417f

typedef struct scratch {
    int64_t d, ldo;  /* head_dim; O / V row stride in scratch: head_dim rounded up to VL */
    int64_t kb;      /* keys per block */
    float *qt;       /* qt is (STRIPS, d, QS): Q * scale * log2e, transposed per strip   */
    float *o;        /* o is (TQ, ldo): unnormalised output accumulators                  */
    float *st;       /* st is (kb + MK, QS): one strip's logits, transposed; then P       */
    float *m;        /* m is (TQ): running max, log2 units                                */
    float *l;        /* l is (TQ): running sum of exp2(t - m)                             */
    float *alpha;    /* alpha is (TQ): this block's rescale exp2(m_old - m_new)           */
    float *kbuf;     /* kbuf is (kb, d): K block in fp32 (fp16/bf16 inputs only)          */
    float *vbuf;     /* vbuf is (kb, ldo): V block in fp32, zero padded                   */
    float *qrow;     /* qrow is (ROW_PATH_ROWS, ldo): row path q rows; also a conversion row */
    float *s;        /* s is (kb + VL): row path scores, then probabilities               */
    float *dp;       /* the vdpbf16ps pair buffers (SIMD_DP_BF16, bf16 calls only), else NULL */
    /* krow / vrow are (nptr): the row path's K and V row addresses for a paged fp32 block, the
     * block's and then max(pf, pf_l2) + VL rows ahead for its prefetches. Pages are not
     * adjacent, so the row path reads such rows through these (one table lookup per page) and
     * keeps full key blocks. */
    const float **krow, **vrow;
    int64_t nptr, pf, pf_l2; /* keys the row path prefetches ahead into L1, and (paged) into L2 */
    /* Page-major paged decode (group_walk), else group_rows = 0 and these are NULL: per tile of a
     * group (GROUP_MAX) and row (group_rows), unnormalised O and scaled q (ldo floats each), the
     * running max and sum, and the running sum's lanes not yet folded into it. */
    int64_t group_rows, walk_pf; /* walk_pf: rows a walk asks for ahead (walk_pf_rows) */
    float *go, *gq, *gm, *gl;
    vf *glv;
    float *gs;  /* (GROUP_MAX * group_rows, WALK_KEYS): each row's scores, then weights, of one step */
    float *ga;  /* (GROUP_MAX * group_rows, WALK_KEYS / VL): each VL-key group's O rescale, 1 for none */
    void *block;
} scratch;

/* Tiles one page-major walk takes at most (a sequence's heads, 32 per walk), and keys one walk
 * step reads of each: 16, a whole 16-key page, so each head's rows of a page are read in one
 * run. With steps of VL keys the AVX2 walk read each head's 8 KiB run of a page in two halves,
 * 4 KiB apart per step (a strided stream for the prefetcher; pure reads in that order ran at
 * 0.62x of address order on Zen 3, native/dev/bench_page_orders.c). */
enum { GROUP_MAX = 32, WALK_KEYS = VL > 16 ? VL : 16, WALK_GROUPS = WALK_KEYS / VL };

static int64_t round_up(int64_t x, int64_t to) {
    return (x + to - 1) / to * to;
}

/* Keys per block: KBMAX up to head_dim 128 (K and V blocks 2 x 128 KiB at d = 128 fit the
 * 1 MiB L2), fewer beyond so the blocks keep that size (32 keys at d = 1024). */
static int64_t kb_for(int64_t d) {
    if (d <= 128) {
        return KBMAX;
    }
    int64_t kb = KBMAX * 128 / d / 16 * 16;
    return kb < 16 ? 16 : kb;
}

#if defined(SIMD_DP_BF16)
#include "panattn_bf16_dp.h" /* bf16 Q·Kᵀ and P·V of the strip path with vdpbf16ps */
#if defined(SIMD_AMX_BF16)
#include "panattn_bf16_amx.h" /* ... or with AMX tiles */
#endif
#define DP_SCRATCH_FLOATS(d, kb, dtype) dp_scratch_floats(d, kb, dtype)
#else
#define DP_SCRATCH_FLOATS(d, kb, dtype) 0
#endif

/* The conversion buffers kbuf / vbuf exist only when block_rows needs them (fp16/bf16 input,
 * or V rows that are not whole vectors): without them the scratch of an fp32 call stays under
 * glibc's 128 KiB mmap threshold (87 KiB at d 64), so the per-call allocation is not a fresh
 * mapping with a page fault per 4 KiB touched. */
/* Rows of d floats a page-major walk asks into L1 ahead of the row it reads (walk_step), at
 * least 4: about 4 KiB, or 8 KiB where L1d holds 48 KiB or more. Those bytes share L1 with the
 * walk's q rows (K pass) or O rows (V pass), 16 KiB for 32 heads at d 128, and the best distance
 * followed what was left: on Zen 5 (48 KiB) 8 KiB ahead took 0.91-0.92x the time of 4 KiB and
 * 16 KiB 1.08-1.14x of 8 KiB; on Zen 4 (32 KiB) 8 KiB took 1.02-1.05x (head-after-head pages)
 * and 1.05-1.08x (vLLM's) the time of 4 KiB on two threads (in-process A/B, d 128, 32 heads).
 * L1d from sysconf, which glibc answers from what it read at start-up (5 ns, no CPUID trap);
 * where it is not known, 4 KiB. */
static int64_t walk_pf_rows(int64_t d) {
    const long l1d = sysconf(_SC_LEVEL1_DCACHE_SIZE);
    const int64_t bytes = l1d >= BIG_L1_BYTES ? WALK_PF_BYTES_BIG_L1 : WALK_PF_BYTES;
    return bytes / (d * 4) > 4 ? bytes / (d * 4) : 4;
}

static int scratch_init(scratch *w, int64_t d, int32_t dtype, int fp32_strips, int64_t group_rows) {
    const int64_t ldo = round_up(d, VL), kb = kb_for(d);
    /* fp32 keys too when a tile may take the strip path and block_rows gathers a paged block's
     * pages or copies rows that alias in L1 into them (fp32_strips); the row path reads paged
     * fp32 rows in place (block_row_ptrs), so paged decode keeps the small scratch: with the
     * buffers, every tile-range call mapped and faulted in a fresh 300 KiB at d 128, and paged
     * decode ran at ~0.5x contiguous */
    const int need_k = dtype != PANATTN_DTYPE_F32 || fp32_strips, need_v = need_k || d % VL != 0;
    /* about PF_BYTES of K ahead, whole steps of 4 keys (rows of K/V type dtype, read in place).
     * int8 rows are asked for 1 KiB ahead (8 rows at d 128): 4 KiB ahead, int8 decode at a
     * 32768-key cache took 1.05-1.09x (2 threads) and 1.04-1.12x (1 thread) the time (in-process
     * A/B of the two builds, 21 rounds, two runs), the same at 4096 keys; fp32 and fp16 rows
     * lose with less than 4 KiB (fp16 at 1 KiB: 1.08-1.13x the time on one thread). */
    const int64_t row_bytes = d * panattn_dtype_size(dtype);
    const int64_t pf_bytes = dtype == PANATTN_DTYPE_I8 ? PF_BYTES_I8 : PF_BYTES;
    const int64_t pf = round_up(pf_bytes / row_bytes > 4 ? pf_bytes / row_bytes : 4, 4);
    /* paged rows are asked into L2 about PF_L2_BYTES of K ahead, at most a block */
    const int64_t pf_l2 = round_up(PF_L2_BYTES / (d * 4), VL) < kb ? round_up(PF_L2_BYTES / (d * 4), VL) : kb;
    const int64_t nptr = kb + (pf > pf_l2 ? pf : pf_l2) + VL;
    const int64_t ptr_floats = nptr * (int64_t)sizeof(const float *) / (int64_t)sizeof(float);
    const int64_t slots = GROUP_MAX * group_rows;
    const int64_t sizes[] = {TQ * d, TQ * ldo, (kb + MK) * QS, TQ, TQ, TQ, need_k ? kb * d : 0, need_v ? kb * ldo : 0,
                             ROW_PATH_ROWS * ldo, kb + VL, ptr_floats, ptr_floats, DP_SCRATCH_FLOATS(d, kb, dtype),
                             slots * ldo, slots * ldo, slots, slots, slots * VL, slots * WALK_KEYS,
                             slots * WALK_GROUPS};
    enum { PARTS = sizeof sizes / sizeof sizes[0] };
    int64_t total = 0;
    for (int i = 0; i < PARTS; i++) {
        total += round_up(sizes[i], 16); /* every part starts on a 64-byte line */
    }
    float *base = panattn_aligned_alloc(64, (size_t)total * sizeof(float));
    if (base == NULL) {
        return 0;
    }
    float *kptrs = NULL, *vptrs = NULL, *lanes = NULL;
    float **parts[PARTS] = {&w->qt, &w->o, &w->st, &w->m, &w->l, &w->alpha, &w->kbuf, &w->vbuf, &w->qrow, &w->s,
                            &kptrs, &vptrs, &w->dp, &w->go, &w->gq, &w->gm, &w->gl, &lanes, &w->gs, &w->ga};
    float *at = base;
    for (int i = 0; i < PARTS; i++) {
        *parts[i] = sizes[i] > 0 ? at : NULL; /* an unneeded buffer is NULL, never an alias */
        at += round_up(sizes[i], 16);
    }
    w->krow = (const float **)(void *)kptrs; /* 64-byte aligned, so aligned for pointers */
    w->vrow = (const float **)(void *)vptrs;
    w->glv = (vf *)(void *)lanes; /* 64-byte aligned: aligned for vectors */
    w->group_rows = group_rows;
    w->walk_pf = group_rows > 0 ? walk_pf_rows(d) : 0;
    w->block = base;
    w->d = d, w->ldo = ldo, w->kb = kb, w->nptr = nptr, w->pf = pf, w->pf_l2 = pf_l2;
    return 1;
}

/* n elements of src (dtype) from element offset off, as fp32 into dst. */
static void load_f32(float *restrict dst, const void *src, int64_t off, int64_t n, int32_t dtype) {
    if (dtype == PANATTN_DTYPE_F32) {
        memcpy(dst, (const float *)src + off, (size_t)n * sizeof(float));
        return;
    }
    const uint16_t *h = (const uint16_t *)src + off;
    int64_t x = 0;
    if (dtype == PANATTN_DTYPE_F16) {
        for (; x + VL <= n; x += VL) {
            v_storeu(dst + x, v_from_f16(h + x));
        }
        for (; x < n; x++) {
            dst[x] = panattn_f16_to_f32(h[x]);
        }
    } else {
        for (; x + VL <= n; x += VL) {
            v_storeu(dst + x, v_from_bf16(h + x));
        }
        for (; x < n; x++) {
            dst[x] = panattn_bf16_to_f32(h[x]);
        }
    }
}

/* load_f32 for a K or V row: int8 (quantised K/V) times its row's scale, else as load_f32. */
static void load_kv_f32(float *restrict dst, const void *src, int64_t off, int64_t n, int32_t dtype, float scale) {
    if (dtype != PANATTN_DTYPE_I8) {
        load_f32(dst, src, off, n, dtype);
        return;
    }
    const int8_t *b = (const int8_t *)src + off;
    for (int64_t x = 0; x < n; x++) { /* vectorised by the compiler: widen, convert, multiply */
        dst[x] = (float)b[x] * scale;
    }
}

/* Sᵀ[c .. c+MK) = K[c .. c+MK) · qtᵀ for one strip. Key rows past nc repeat row nc - 1 (read,
 * never used), so a partial micro-tile reads no key outside the block. */
static inline __attribute__((always_inline)) void qk_tile(float *restrict st, const float *restrict qt,
                                                          const float *kp, int64_t ks, int64_t c, int64_t nc,
                                                          int64_t d, vf cmax[2]) {
    const float *kr[MK];
    for (int k = 0; k < MK; k++) {
        kr[k] = kp + (c + k < nc ? c + k : nc - 1) * ks;
    }
    vf acc[MK][2];
#pragma GCC unroll 16
    for (int k = 0; k < MK; k++) {
        acc[k][0] = v_zero();
        acc[k][1] = v_zero();
    }
    /* Each strip reads the block's K rows again, and K and V of a 128-key block outgrow L1 at
     * d 64: the next micro-tile's rows come from L2 unless asked for now, one line per row per
     * 16 columns (AVX-512 A/B, N 2048, 2 threads: 3% faster at d 64, 6% at d 128; the same for
     * V in pv_tile gained nothing measurable). The AVX2 kernel's 6-key tile ran 1.4% slower with
     * it (on an AVX-512 CPU: untested where AVX2 is all there is), so only AVX-512 asks. */
    const int64_t ahead = nc - (c + MK); /* rows of the next micro-tile that exist (only those
                                            have an address: a stride may be huge) */
    for (int64_t x0 = 0; x0 < d; x0 += 16) {
        if (VL >= 16 && ahead >= MK) { /* the common case: the whole micro-tile, no tests */
#pragma GCC unroll 16
            for (int k = 0; k < MK; k++) {
                v_prefetch(kr[k] + MK * ks + x0);
            }
        } else if (VL >= 16) {
            for (int k = 0; k < ahead; k++) {
                v_prefetch(kr[k] + MK * ks + x0);
            }
        }
        const int64_t x1 = x0 + 16 < d ? x0 + 16 : d;
        for (int64_t x = x0; x < x1; x++) {
            const vf b0 = v_load(qt + x * QS), b1 = v_load(qt + x * QS + VL);
#pragma GCC unroll 16
            for (int k = 0; k < MK; k++) {
                const vf a = v_bcast(kr[k] + x);
                acc[k][0] = v_fma(a, b0, acc[k][0]);
                acc[k][1] = v_fma(a, b1, acc[k][1]);
            }
        }
    }
#pragma GCC unroll 16
    for (int k = 0; k < MK; k++) {
        v_store(st + (c + k) * QS, acc[k][0]);
        v_store(st + (c + k) * QS + VL, acc[k][1]);
        /* the columns' running max, while they are in registers (rows past nc repeat row nc - 1) */
        cmax[0] = v_max_skipnan(acc[k][0], cmax[0]);
        cmax[1] = v_max_skipnan(acc[k][1], cmax[1]);
    }
}

/* O[MR rows, nv vectors] = alpha * O + Pᵀ[.., rows]ᵀ · V[.., nv vectors] over nc keys.
 * pt points at column `row` of Sᵀ (stride QS), o at the first row's first column. */
static inline __attribute__((always_inline)) void pv_tile(const int nv, float *restrict o, int64_t ldo,
                                                          const float *restrict pt, const float *restrict alpha,
                                                          const float *restrict v, int64_t vs, int64_t nc) {
    vf acc[MR][NVMAX];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
        const vf a = v_bcast(alpha + r);
#pragma GCC unroll 8
        for (int j = 0; j < nv; j++) {
            acc[r][j] = v_mul(v_load(o + r * ldo + j * VL), a);
        }
    }
    for (int64_t c = 0; c < nc; c++) {
        vf b[NVMAX];
#pragma GCC unroll 8
        for (int j = 0; j < nv; j++) {
            b[j] = v_loadu(v + c * vs + j * VL);
        }
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            const vf pr = v_bcast(pt + c * QS + r);
#pragma GCC unroll 8
            for (int j = 0; j < nv; j++) {
                acc[r][j] = v_fma(pr, b[j], acc[r][j]);
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

/* One strip's P·V over rows [0, rows) of the strip (rounded up to MR; the extra rows are
 * padding rows of scratch, computed and never emitted). Row r of the strip sees keys
 * [0, see0 + r) of the block (causal; see0 >= nc when every row sees all nc keys): each group of
 * MR rows stops at its last row's limit, since the keys past it have P = 0 exactly for all of
 * the group's rows, which trims the diagonal's P·V work to MR-row steps. */
static void pv_strip(const scratch *w, int64_t r0, int64_t rows, const float *v, int64_t vs, int64_t nc,
                     int64_t see0) {
    const int64_t ldo = w->ldo;
    for (int64_t r = 0; r < rows; r += MR) {
        const int64_t lim = see0 + r + MR - 1;
        const int64_t ncg = lim < 0 ? 0 : lim < nc ? lim : nc; /* 0: only the alpha rescale */
        float *o = w->o + (r0 + r) * ldo;
        const float *pt = w->st + r;
        const float *alpha = w->alpha + r0 + r;
        for (int64_t j = 0; j < ldo; j += NVMAX * VL) {
            int64_t left = (ldo - j) / VL;
            switch (left >= NVMAX ? NVMAX : left) {
            case 1: pv_tile(1, o + j, ldo, pt, alpha, v + j, vs, ncg); break;
#if NVMAX >= 2
            case 2: pv_tile(2, o + j, ldo, pt, alpha, v + j, vs, ncg); break;
#endif
#if NVMAX >= 3
            case 3: pv_tile(3, o + j, ldo, pt, alpha, v + j, vs, ncg); break;
#endif
#if NVMAX >= 4
            case 4: pv_tile(4, o + j, ldo, pt, alpha, v + j, vs, ncg); break;
#endif
            }
        }
    }
}

/* P·V for a strip whose block holds a NaN or inf in V while some keys are excluded: a plain
 * GEMM would turn 0 * inf into NaN, so here a key with P = 0 is skipped, as the portable
 * kernel skips excluded keys. Rare (only such blocks), so simple. */
static void pv_guarded(const scratch *w, int64_t r0, int64_t rows, const float *v, int64_t vs, int64_t nc) {
    const int64_t ldo = w->ldo;
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
            for (int64_t x = 0; x < ldo; x += VL) {
                v_store(o + x, v_fma(pv, v_loadu(v + c * vs + x), v_load(o + x)));
            }
        }
    }
}

/* 1 when rows [0, n) of the V block (ldo wide, padding is 0) hold only finite values. */
static int block_finite(const float *v, int64_t vs, int64_t n, int64_t ldo) {
    vf acc = v_zero(), zero = v_zero();
    for (int64_t c = 0; c < n; c++) {
        for (int64_t x = 0; x < ldo; x += VL) {
            acc = v_add(acc, v_mul(v_loadu(v + c * vs + x), zero)); /* inf * 0 and NaN * 0 are NaN */
        }
    }
    return v_hsum(acc) == 0.0f;
}

/* Online softmax of one strip over nc keys: updates m, l and alpha of rows [r0, r0 + QS) and
 * turns Sᵀ into P. cmax: the max of each half over the nc columns when already known, or NULL.
 * A row with no finite logit yet keeps m = -inf and uses 0 as its max, so exp2 sees -inf
 * (giving 0) or NaN (poisoning l, as in the portable kernel). */
static void softmax_strip(const scratch *w, int64_t r0, int64_t nc, const vf *cmax) {
    for (int half = 0; half < 2; half++) {
        float *st = w->st + half * VL;
        const int64_t r = r0 + half * VL;
        const vf m_old = v_load(w->m + r);
        vf mx = m_old;
        if (cmax != NULL) { /* the columns' max, taken by qk_tile (NaN skipped alike) */
            mx = v_max_skipnan(cmax[half], mx);
        } else {
            for (int64_t c = 0; c < nc; c++) {
                mx = v_max_skipnan(v_load(st + c * QS), mx);
            }
        }
        const vf mu = v_ninf_to_zero(mx);
        const vf alpha = v_exp2(v_sub(m_old, mu));
        vf sum0 = v_zero(), sum1 = v_zero();
        int64_t c = 0;
        for (; c + 1 < nc; c += 2) {
            const vf p0 = v_exp2(v_sub(v_load(st + c * QS), mu));
            const vf p1 = v_exp2(v_sub(v_load(st + (c + 1) * QS), mu));
            v_store(st + c * QS, p0);
            v_store(st + (c + 1) * QS, p1);
            sum0 = v_add(sum0, p0);
            sum1 = v_add(sum1, p1);
        }
        if (c < nc) {
            const vf p0 = v_exp2(v_sub(v_load(st + c * QS), mu));
            v_store(st + c * QS, p0);
            sum0 = v_add(sum0, p0);
        }
        v_store(w->l + r, v_fma(v_load(w->l + r), alpha, v_add(sum0, sum1)));
        v_store(w->m + r, mx);
        v_store(w->alpha + r, alpha);
    }
}

/* Everything a tile needs to know about its keys. */
typedef struct keys {
    int64_t lo, end;   /* key range this tile (and split) reads: [lo, end) */
    panattn_band band; /* row i sees keys i + lo_off <= j <= i + hi_off (causal and window) */
    int strided;       /* K or V rows not one after another (see strip_tile): prefetched ahead */
    int pack_k, pack_v; /* fp32 K / V rows that alias in L1 (rows_alias_in_l1): the strip path copies them */
    int64_t b, kvh;    /* the tile's sequence and kv head: where its keys live (panattn_key_run) */
    int paged;         /* keys in a block table's pages: a block's rows are found page by page */
    /* Logit transforms, in log2 units (cap2 = softcap·log2e, slope2 = ALiBi slope·log2e); extras
     * is 0 when neither is asked for, and then nothing below spends a cycle on them. */
    int extras;
    float cap2, slope2;
    int32_t kv_dtype;            /* the element type of K and V (panattn_kv_dtype) */
    const float *kscale, *vscale; /* int8 K/V: this head's scales, key j at j * *scale_stride; else NULL */
    int64_t kscale_stride, vscale_stride;
} keys;

/* softcap then ALiBi on n values of s (one row, keys key0 .. key0 + n - 1 of query row i);
 * s has room for whole vectors. */
static void extras_row(const keys *ks, float *s, int64_t n, int64_t i, int64_t key0) {
    if (ks->cap2 > 0.0f) {
        const vf cap = v_set1(ks->cap2), inv = v_set1(1.0f / ks->cap2);
        for (int64_t c = 0; c < n; c += VL) {
            v_storeu(s + c, v_mul(cap, v_tanh(v_mul(v_loadu(s + c), inv))));
        }
    }
    if (ks->slope2 != 0.0f) {
        for (int64_t c = 0; c < n; c++) {
            const int64_t dist = i + ks->band.offset - (key0 + c);
            s[c] -= ks->slope2 * (float)(dist < 0 ? -dist : dist);
        }
    }
}

/* softcap then ALiBi on columns [0, nc) of a strip's Sᵀ (keys key0 + c, rows i0 + r). */
static void extras_strip(const keys *ks, float *st, int64_t nc, int64_t i0, int64_t key0) {
    if (ks->cap2 > 0.0f) {
        const vf cap = v_set1(ks->cap2), inv = v_set1(1.0f / ks->cap2);
        for (int64_t c = 0; c < nc; c++) {
            float *col = st + c * QS;
            v_store(col, v_mul(cap, v_tanh(v_mul(v_load(col), inv))));
            v_store(col + VL, v_mul(cap, v_tanh(v_mul(v_load(col + VL), inv))));
        }
    }
    if (ks->slope2 != 0.0f) {
        /* distance of row i0 + r to key key0 + c: (i0 + offset - key0 - c) + r, exact in fp32 */
        const vf neg = v_set1(-ks->slope2), lane = v_iota(), half = v_set1((float)VL);
        for (int64_t c = 0; c < nc; c++) {
            float *col = st + c * QS;
            const vf d0 = v_add(v_set1((float)(i0 + ks->band.offset - key0 - c)), lane);
            v_store(col, v_fma(neg, v_abs(d0), v_load(col)));
            v_store(col + VL, v_fma(neg, v_abs(v_add(d0, half)), v_load(col + VL)));
        }
    }
}

/* Whether fp32 rows of d floats, stride floats apart, crowd into few L1 sets: L1d has 64 sets of
 * 64-byte lines per 4 KiB way on every x86 core we target, so rows whose stride shares a large
 * power of two with 4 KiB reuse the same sets (interleaved heads, [b, s, h, d]: 32 heads x d 128
 * is a 16 KiB stride, every row in the same 8 sets). The strip path streams the K and V block
 * through them once per strip and evicts the strip's qt and Sᵀ lines there. Rows touching at
 * most an eighth of the sets are copied one after another per block (block_rows) where the
 * kernel asks for it (PACK_STRIDED_KV). */
static int rows_alias_in_l1(int64_t stride, int64_t d) {
    if (!PACK_STRIDED_KV || stride == d) {
        return 0;
    }
    /* gcd of the stride in bytes and a way's 4 KiB; only stride mod 1024 floats matters, and a
     * stride the call never steps (one key) may be any size, so it is reduced first */
    int64_t a = stride % 1024 * 4, b = 4096;
    while (b != 0) {
        const int64_t r = a % b;
        a = b, b = r;
    }
    const int64_t period = 4096 / a, lines = (d * 4 + 63) / 64; /* rows before the sets repeat */
    return period * lines <= 8;
}

/* Every line of the fp32 row `ahead` rows past row i of a run of `run` rows one stride apart, into
 * L1: block_rows copies aliasing rows (rows_alias_in_l1), each on a 4 KiB page of its own at 32
 * heads x d 128, which the hardware does not fetch ahead; asking 6 rows ahead took the copying
 * tile to 0.91x the time (Zen 3, N 2048, in-process A/B). */
static inline __attribute__((always_inline)) void copy_prefetch(const float *run_base, int64_t stride, int64_t i,
                                                                 int64_t run, int64_t d) {
    enum { AHEAD = 6 };
    if (i + AHEAD < run) {
        const char *r = (const char *)(run_base + (i + AHEAD) * stride);
        for (int64_t off = 0; off < d * 4; off += 64) {
            v_prefetch(r + off);
        }
    }
}

/* K and V of block [k0, k0 + n) as fp32 rows one stride apart, for the strip path: pointers and
 * row strides. In place for contiguous fp32 (V only when head_dim is a multiple of VL, so whole
 * vectors can be read), unless the rows alias in L1 (pack_k / pack_v); else converted or copied
 * into kbuf / vbuf, and a paged cache's block is gathered
 * there page by page (one table lookup per page). So a block spans pages, its keys and fp32 sums
 * group as the contiguous call's, and the result is bitwise the contiguous one; the copy is
 * 2 * n * d floats against the tile's 4 * rows * n * d flops. */
static void block_rows(const panattn_params *p, const scratch *w, const keys *ks, int64_t k0, int64_t n,
                       const float **kp, int64_t *kstride, const float **vp, int64_t *vstride) {
    const int64_t d = w->d;
    const int32_t kvd = ks->kv_dtype;
    const int fp32 = kvd == PANATTN_DTYPE_F32 && !ks->paged;
    const int k_in_place = fp32 && !ks->pack_k, v_in_place = fp32 && !ks->pack_v && d % VL == 0;
    *kp = w->kbuf, *kstride = d, *vp = w->vbuf, *vstride = w->ldo;
    int64_t run;
    for (int64_t c = 0; c < n; c += run) {
        int64_t k_off, v_off;
        run = panattn_key_run(p, ks->b, ks->kvh, k0 + c, n - c, &k_off, &v_off); /* n unless paged */
        if (k_in_place) {
            *kp = (const float *)p->k + k_off, *kstride = p->k_row_stride;
        } else {
            for (int64_t i = 0; i < run; i++) {
                if (ks->pack_k) {
                    copy_prefetch((const float *)p->k + k_off, p->k_row_stride, i, run, d);
                }
                const float scale = ks->kscale != NULL ? ks->kscale[(k0 + c + i) * ks->kscale_stride] : 1.0f;
                load_kv_f32(w->kbuf + (c + i) * d, p->k, k_off + i * p->k_row_stride, d, kvd, scale);
            }
        }
        if (v_in_place) {
            *vp = (const float *)p->v + v_off, *vstride = p->v_row_stride;
        } else {
            for (int64_t i = 0; i < run; i++) {
                float *row = w->vbuf + (c + i) * w->ldo;
                if (ks->pack_v) {
                    copy_prefetch((const float *)p->v + v_off, p->v_row_stride, i, run, d);
                }
                const float scale = ks->vscale != NULL ? ks->vscale[(k0 + c + i) * ks->vscale_stride] : 1.0f;
                load_kv_f32(row, p->v, v_off + i * p->v_row_stride, d, kvd, scale);
                memset(row + d, 0, (size_t)(w->ldo - d) * sizeof(float));
            }
        }
    }
}

/* The row path's rows of a paged cache's fp32 block [k0, k0 + n): their addresses into
 * w->krow / w->vrow, walking the block table once per page, and up to `ahead` rows past the
 * block (within the tile's keys) for the prefetches. V rows that are not whole vectors are
 * converted into vbuf (block rows only). *k_pf / *v_pf: the rows that may be prefetched. */
static void block_row_ptrs(const panattn_params *p, const scratch *w, const keys *ks, int64_t k0, int64_t n,
                           int64_t ahead, int64_t *k_pf, int64_t *v_pf) {
    const int64_t d = w->d;
    const int v_in_place = d % VL == 0;
    const int64_t total = ks->end - k0 < n + ahead ? ks->end - k0 : n + ahead;
    int64_t run;
    for (int64_t c = 0; c < total; c += run) {
        int64_t k_off, v_off;
        run = panattn_key_run(p, ks->b, ks->kvh, k0 + c, total - c, &k_off, &v_off);
        const float *kr = (const float *)p->k + k_off, *vr = (const float *)p->v + v_off;
        for (int64_t i = 0; i < run; i++) {
            w->krow[c + i] = kr + i * p->k_row_stride;
            if (v_in_place) {
                w->vrow[c + i] = vr + i * p->v_row_stride;
            } else if (c + i < n) {
                float *row = w->vbuf + (c + i) * w->ldo;
                load_f32(row, p->v, v_off + i * p->v_row_stride, d, p->dtype);
                memset(row + d, 0, (size_t)(w->ldo - d) * sizeof(float));
                w->vrow[c + i] = row;
            }
        }
    }
    *k_pf = total;
    *v_pf = v_in_place ? total : 0;
}

/* Where the rows of a key block are, in one of these forms (the row path's helpers take the form
 * as a constant, so each instance compiles to one of them, and the strided form is the plain
 * strided loop):
 *   ROWS_STRIDED  fp32 row c at base + c * stride (keys one stride apart);
 *   ROWS_PAGED    fp32 row c at at[c] (a paged cache's block read in place: pages are not adjacent);
 *   ROWS_I8       int8 row c at narrow + c * stride elements, its fp32 scale at
 *                 scale[c * scale_stride];
 *   ROWS_F16, ROWS_BF16  fp16 / bf16 row c at narrow + c * stride elements.
 * The narrow forms read a cache of a narrower type in place and widen its rows in registers
 * (never into a buffer): decode reads 1 or 2 bytes an element and nothing else. */
enum { ROWS_STRIDED = 0, ROWS_PAGED = 1, ROWS_I8 = 2, ROWS_F16 = 3, ROWS_BF16 = 4 };

static inline __attribute__((always_inline)) int narrow_form(const int form) {
    return form >= ROWS_I8;
}

/* Bytes of one element in a form. */
static inline __attribute__((always_inline)) int64_t form_bytes(const int form) {
    return form == ROWS_I8 ? 1 : narrow_form(form) ? 2 : 4;
}

typedef struct key_rows {
    const float *base;
    int64_t stride;
    const float *const *at;
    const char *narrow;
    const float *scale;
    int64_t scale_stride;
} key_rows;

static inline __attribute__((always_inline)) const float *row_of(const int form, key_rows r, int64_t c) {
    return form == ROWS_PAGED ? r.at[c] : r.base + c * r.stride;
}

/* Row c's address as bytes, whatever the form. */
static inline __attribute__((always_inline)) const char *row_bytes_of(const int form, key_rows r, int64_t c) {
    return narrow_form(form) ? r.narrow + c * r.stride * form_bytes(form) : (const char *)row_of(form, r, c);
}

/* VL elements of a narrow row from element x, widened to fp32 (exactly). */
static inline __attribute__((always_inline)) vf widen(const int form, const char *row, int64_t x) {
    if (form == ROWS_I8) {
        return v_from_i8((const int8_t *)row + x);
    }
    return form == ROWS_F16 ? v_from_f16((const uint16_t *)row + x) : v_from_bf16((const uint16_t *)row + x);
}

/* The rows from row c0 on. */
static inline __attribute__((always_inline)) key_rows rows_from(const int form, key_rows r, int64_t c0) {
    if (form == ROWS_PAGED) {
        r.at += c0;
    } else if (narrow_form(form)) {
        r.narrow += c0 * r.stride * form_bytes(form);
        if (form == ROWS_I8) {
            r.scale += c0 * r.scale_stride;
        }
    } else {
        r.base += c0 * r.stride;
    }
    return r;
}

/* Prefetches K and V rows [c, c + n) of a paged block (d floats a row) into L2. */
static inline __attribute__((always_inline)) void prefetch_rows_l2(key_rows k, key_rows v, int64_t c, int64_t n,
                                                                    int64_t d) {
    for (int64_t j = 0; j < n; j++) {
        const char *kr = (const char *)k.at[c + j], *vr = (const char *)v.at[c + j];
        for (int64_t off = 0; off < d * 4; off += 64) {
            v_prefetch_l2(kr + off);
            v_prefetch_l2(vr + off);
        }
    }
}

/* Prefetches rows [c, c + n) of a key block (d elements a row, of the form's type) into L1,
 * every 64-byte line they touch. Used only on the caller's own K and V, read in place, for rows
 * that exist (c + n <= the rows left in the head's key range, or that block_row_ptrs gave an
 * address). */
static inline __attribute__((always_inline)) void prefetch_rows(const int form, key_rows rows, int64_t c,
                                                                 int64_t n, int64_t d) {
    const int64_t bytes = d * form_bytes(form);
    for (int64_t k = 0; k < n; k++) {
        const char *r = row_bytes_of(form, rows, c + k);
        for (int64_t off = 0; off < bytes; off += 64) {
            v_prefetch(r + off);
        }
        v_prefetch(r + bytes - 1);
    }
}

/* Rows [a, b) of the caller's K and V from the rows at element offsets k_off / v_off (a run of
 * keys one stride apart, panattn_key_run), every line they touch, fetched into L2: a share of the
 * next key block, asked for while the current one computes.
 * The prefetch helpers are always inlined: a call GCC leaves out of line there is one it deems
 * pure (a prefetch has no visible effect) and deletes, prefetches and all. */
static inline __attribute__((always_inline)) void prefetch_kv_l2(const panattn_params *p, int64_t k_off,
                                                                  int64_t v_off, int64_t a, int64_t b, int64_t d) {
    const int64_t es = panattn_dtype_size(panattn_kv_dtype(p)), row_bytes = d * es;
    const char *kb = (const char *)p->k + k_off * es;
    const char *vb = (const char *)p->v + v_off * es;
    for (int64_t c = a; c < b; c++) {
        const char *kr = kb + c * p->k_row_stride * es, *vr = vb + c * p->v_row_stride * es;
        for (int64_t off = 0; off < row_bytes; off += 64) {
            v_prefetch_l2(kr + off);
            v_prefetch_l2(vr + off);
        }
        v_prefetch_l2(kr + row_bytes - 1);
        v_prefetch_l2(vr + row_bytes - 1);
    }
}

/* The strip path: tiles of more than ROW_PATH_ROWS query rows. */
static void strip_tile(const panattn_params *p, const scratch *w, const panattn_tile *t, const keys *ks) {
    const int64_t d = w->d, rows = t->q_end - t->q_begin;
    const int64_t strips = (rows + QS - 1) / QS;
    /* K or V rows not packed one after another (ks->strided; interleaved heads, [b, s, h, d]:
     * 2 KiB apart at 8 heads x d 64) defeat the hardware prefetchers, which stop at 4 KiB pages
     * holding only a couple of this head's rows: each block then arrived from L3 or memory on
     * demand, and the tile ran 10-15% below the same data stored heads-first (N 2048-4096,
     * measured A/B in one process). So for such layouts each strip asks for its share of the
     * next block in L2. Contiguous rows are left to the hardware: the same prefetches cost 2-5%
     * there. */
    for (int64_t k0 = ks->lo; k0 < ks->end; k0 += w->kb) {
        const float *kp = NULL, *vp = NULL;
        int64_t kstride = 0, vstride = 0;
        const int64_t n = ks->end - k0 < w->kb ? ks->end - k0 : w->kb;
        int v_finite = -1; /* unknown until a strip needs to know */
#if defined(SIMD_DP_BF16)
        /* K in place, V packed as key pairs; a paged cache's block takes the converting path,
         * which gathers its pages (the pair packing reads one key run) */
        const int dp = p->dtype == PANATTN_DTYPE_BF16 && !ks->paged;
        int64_t dp_k_base = 0, dp_v_base = 0;
        if (dp) {
            (void)panattn_key_run(p, ks->b, ks->kvh, 0, 1, &dp_k_base, &dp_v_base); /* keys one stride apart */
            v_finite = dp_pack_v(p, w, dp_v_base, k0, n);
#if defined(SIMD_AMX_BF16)
            amx_pack_k(p, w, dp_k_base, k0, n);
#endif
        } else
#endif
            block_rows(p, w, ks, k0, n, &kp, &kstride, &vp, &vstride);
        int64_t next = 0, next_k = 0, next_v = 0;
        if (ks->strided && k0 + n < ks->end) {
            const int64_t want = ks->end - (k0 + n) < w->kb ? ks->end - (k0 + n) : w->kb;
            next = panattn_key_run(p, ks->b, ks->kvh, k0 + n, want, &next_k, &next_v);
        }
        for (int64_t s = 0; s < STRIPS && s * QS < rows; s++) {
            const int64_t r0 = s * QS, srows = rows - r0 < QS ? rows - r0 : QS;
            if (next > 0) {
                prefetch_kv_l2(p, next_k, next_v, next * s / strips, next * (s + 1) / strips, d);
            }
            const int64_t i0 = t->q_begin + r0;
            const panattn_band *band = &ks->band;
            /* The strip's columns [cs, nc) of the block: what its first row sees from (window) to
             * what its last row sees up to (causal, window). The rest is never read. */
            int64_t cs = 0, nc = n;
            if (band->has_lo) {
                cs = i0 + band->lo_off - k0;
                cs = cs < 0 ? 0 : cs;
            }
            if (band->has_hi) {
                const int64_t last = i0 + srows - 1 + band->hi_off + 1 - k0;
                nc = last < n ? last : n;
            }
            if (nc <= cs) {
                continue; /* the whole block is outside this strip's causal limit or window */
            }
            /* From here on the strip works on the sub-block of keys kb0 + [0, nc): columns of Sᵀ,
             * K, V and the mask all start at kb0. */
            const int64_t kb0 = k0 + cs;
            /* (NULL while the vdpbf16ps path reads the block its own way) */
            const float *kq = kp != NULL ? kp + cs * kstride : NULL, *vq = vp != NULL ? vp + cs * vstride : NULL;
            nc -= cs;
            /* Columns [first, nc) are hidden from the strip's first rows (right edge); columns
             * [0, lfirst) from its last rows (left edge). */
            int64_t first = nc, lfirst = 0;
            if (band->has_hi) {
                first = i0 + band->hi_off + 1 - kb0;
                first = first < 0 ? 0 : first;
            }
            if (band->has_lo) {
                lfirst = i0 + srows - 1 + band->lo_off - kb0;
                lfirst = lfirst < 0 ? 0 : lfirst < nc ? lfirst : nc;
            }
            vf cmax[2] = {v_set1(-INFINITY), v_set1(-INFINITY)};
#if defined(SIMD_DP_BF16)
            if (dp) {
#if defined(SIMD_AMX_BF16)
                amx_qk_strip(p, w, s, dp_k_base, k0, cs, nc, cmax);
#else
                dp_qk_strip(p, w, s, dp_k_base, kb0, nc, cmax);
#endif
            } else
#endif
                for (int64_t c = 0; c < nc; c += MK) {
                    qk_tile(w->st, w->qt + s * d * QS, kq, kstride, c, nc, d, cmax);
                }
            if (ks->extras) {
                extras_strip(ks, w->st, nc, i0, kb0); /* before hiding: hidden keys are assigned -inf */
            }
            for (int64_t c = first; c < nc; c++) {
                /* key kb0 + c is hidden from rows r < hidden (kb0 + c > i0 + r + hi_off); c >= first
                 * and c < nc give 1 <= hidden < srows <= QS */
                const int64_t hidden = kb0 + c - i0 - band->hi_off;
                float *col = w->st + c * QS;
                v_store(col, v_ninf_first(v_load(col), (int)(hidden < VL ? hidden : VL)));
                if (hidden > VL) {
                    v_store(col + VL, v_ninf_first(v_load(col + VL), (int)(hidden - VL)));
                }
            }
            for (int64_t c = 0; c < lfirst; c++) {
                /* key kb0 + c is hidden from rows r > kb0 + c - i0 - lo_off (left of their window);
                 * padding rows past srows may be hidden too, they are never emitted. Rare columns
                 * (at most QS per strip and block): scalar stores. */
                float *col = w->st + c * QS;
                for (int64_t r = kb0 + c - i0 - band->lo_off + 1; r < QS; r++) {
                    col[r] = -INFINITY;
                }
            }
            if (p->mask != NULL) {
                for (int64_t r = 0; r < srows; r++) {
                    const float *mrow = p->mask + t->b * p->mask_batch_stride + t->h * p->mask_head_stride +
                                        (i0 + r) * p->mask_row_stride + kb0;
                    /* Only the keys row r sees: a hidden key stays -inf even when its mask entry is
                     * NaN (-inf + NaN would be NaN; found by SdpaFuzzTest). */
                    int64_t lo, vis;
                    panattn_band_cols(band, i0 + r, kb0, nc, &lo, &vis);
                    for (int64_t c = lo; c < vis; c++) {
                        float *sc = &w->st[c * QS + r];
                        /* -inf excludes the key even when q.k is NaN */
                        *sc = mrow[c] == -INFINITY ? -INFINITY : *sc + mrow[c] * LOG2E_F;
                    }
                }
            }
            /* the max from Q·Kᵀ holds unless something changed Sᵀ after it */
            const int edited = p->mask != NULL || first < nc || lfirst > 0 || ks->extras;
            softmax_strip(w, r0, nc, edited ? NULL : cmax);
#if defined(SIMD_DP_BF16)
            if (dp) { /* a pair may hold a key outside the strip's columns: guard on any inf/NaN */
                if (!v_finite) {
                    dp_pv_guarded(w, r0, srows, cs, nc);
                } else {
                    const int once = p->weights == PANATTN_WEIGHTS_BF16;
#if defined(SIMD_AMX_BF16)
                    amx_pv_strip(w, r0, cs, nc, once);
#else
                    dp_pack_p(w, cs, nc, once);
                    dp_pv_strip(w, r0, srows, cs, nc, band->has_hi ? i0 + band->hi_off + 1 - kb0 : nc, once);
#endif
                }
                continue;
            }
#endif
            if (p->mask != NULL || first < nc || lfirst > 0) {
                if (v_finite < 0) {
                    v_finite = block_finite(vp, vstride, n, w->ldo);
                }
                if (!v_finite) {
                    pv_guarded(w, r0, srows, vq, vstride, nc);
                    continue;
                }
            }
            pv_strip(w, r0, srows, vq, vstride, nc, band->has_hi ? i0 + band->hi_off + 1 - kb0 : nc);
        }
    }
}

/* q · K[row] for one key row; the tail of head_dim uses a masked load, so nothing past the row
 * is read. */
static inline float dot1(const float *restrict q, const float *kr, int64_t d) {
    vf a = v_zero();
    int64_t x = 0;
    for (; x + VL <= d; x += VL) {
        a = v_fma(v_load(q + x), v_loadu(kr + x), a);
    }
    if (x < d) {
        a = v_fma(v_load(q + x), v_loadu_n(kr + x, (int)(d - x)), a); /* q is zero padded */
    }
    return v_hsum(a);
}

/* q · K[c .. c+4) for one row; keys past n repeat key n - 1. fp32 rows go key by key, so the
 * loads walk K in address order (the key-interleaved form touched 4 rows at once, lines 0, 8, 16,
 * 24, 1, ... of a 2 KiB run, and the L2 stream prefetcher fell behind: 2x the stall of the V
 * pass); narrow rows are short enough to interleave (below). */
static inline __attribute__((always_inline)) void dot4(const int form, float *restrict out, const float *restrict q,
                                                        key_rows kr, int64_t c, int64_t n, int64_t d) {
    if (narrow_form(form)) {
        /* Narrow rows (128-256 bytes at d 128) are short enough to read four at once: the four
         * keys' chains of FMAs then overlap in the pipeline, where key after key each waited on
         * its own (8 dependent FMAs a key; int8 decode was bound by that latency: 13.5 -> 11.4 ns
         * a key and head on one thread), and one reduction serves the four (v_hsum4). The
         * lanes' sums are added in another order than v_hsum's, so these forms are not
         * bit-identical to fp32 rows of the same values (nothing promises that: narrow K/V are
         * never paged). Narrow forms need head_dim a multiple of VL. */
        const char *r[4];
        vf a[4];
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            r[k] = row_bytes_of(form, kr, c + k < n ? c + k : n - 1);
            a[k] = v_zero();
        }
        for (int64_t x = 0; x < d; x += VL) {
            const vf qx = v_load(q + x);
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) {
                a[k] = v_fma(qx, widen(form, r[k], x), a[k]);
            }
        }
        v_hsum4(a[0], a[1], a[2], a[3], out);
        if (form == ROWS_I8) {
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) {
                out[k] *= kr.scale[(c + k < n ? c + k : n - 1) * kr.scale_stride];
            }
        }
        return;
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        out[k] = dot1(q, row_of(form, kr, c + k < n ? c + k : n - 1), d);
    }
}

/* acc[0 .. nv) += p * V row c, columns col .. col + nv * VL: narrow rows widened in registers, an
 * int8 row's scale joined to p. The V step of both row forms (fused_row, axpy_chunk). */
static inline __attribute__((always_inline)) void v_row_fma(const int nv, const int form, vf *restrict acc, float p,
                                                            key_rows v, int64_t c, int64_t col) {
    if (narrow_form(form)) {
        const vf pc = v_set1(form == ROWS_I8 ? p * v.scale[c * v.scale_stride] : p);
        const char *vr = row_bytes_of(form, v, c);
#pragma GCC unroll 8
        for (int j = 0; j < nv; j++) {
            acc[j] = v_fma(pc, widen(form, vr, col + j * VL), acc[j]);
        }
        return;
    }
    const vf pc = v_set1(p);
    const float *vr = row_of(form, v, c) + col;
#pragma GCC unroll 8
    for (int j = 0; j < nv; j++) {
        acc[j] = v_fma(pc, v_loadu(vr + j * VL), acc[j]);
    }
}

/* o[0 .. nw vectors) *= alpha, O in memory: the online-softmax rescale of fused_row's wide form
 * and of walk_step. */
static inline __attribute__((always_inline)) void o_scale(int64_t nw, float *restrict o, float alpha) {
    const vf a = v_set1(alpha);
#pragma GCC unroll 8
    for (int64_t j = 0; j < nw; j++) {
        v_store(o + j * VL, v_mul(v_load(o + j * VL), a));
    }
}

/* o[0 .. nw vectors) += p * V row c, O in memory: the V step of fused_row's wide form and of
 * walk_step (fp32 rows there), so both give the same bits. */
static inline __attribute__((always_inline)) void o_row_fma(int64_t nw, const int form, float *restrict o, float p,
                                                            key_rows v, int64_t c) {
    if (narrow_form(form)) {
        const vf pc = v_set1(form == ROWS_I8 ? p * v.scale[c * v.scale_stride] : p);
        const char *vr = row_bytes_of(form, v, c);
        for (int64_t j = 0; j < nw; j++) {
            v_store(o + j * VL, v_fma(pc, widen(form, vr, j * VL), v_load(o + j * VL)));
        }
        return;
    }
    const vf pc = v_set1(p);
    const float *vr = row_of(form, v, c);
#pragma GCC unroll 8
    for (int64_t j = 0; j < nw; j++) {
        v_store(o + j * VL, v_fma(pc, v_loadu(vr + j * VL), v_load(o + j * VL)));
    }
}

/* OV vectors of O (8 x VL columns: 128 at AVX-512) stay in registers through a V pass. */
enum { OV = 8 };

/* o[0 .. nv vectors) = alpha * o + sum over keys c < nr with s[c] != 0 of s[c] * V[c] (an
 * excluded key has s = 0 exactly and is skipped, so NaN/inf in its V row cannot leak in).
 * With pf_rows > 0, V rows up to pf_rows ahead are prefetched pf keys ahead. */
static inline __attribute__((always_inline)) void axpy_chunk(const int nv, const int form, float *restrict o,
                                                             float alpha, const float *restrict s, key_rows v,
                                                             int64_t col, int64_t nr, int64_t pf, int64_t pf_rows,
                                                             int64_t d) {
    const vf a = v_set1(alpha);
    vf acc[OV];
#pragma GCC unroll 8
    for (int j = 0; j < nv; j++) {
        acc[j] = v_mul(v_load(o + j * VL), a);
    }
    for (int64_t c = 0; c < nr; c++) {
        if (nv == OV && c + pf < pf_rows) { /* only the first, 8-vector pass prefetches (row_axpy) */
            prefetch_rows(form, v, c + pf, 1, d);
        }
        if (s[c] == 0.0f) {
            continue;
        }
        v_row_fma(nv, form, acc, s[c], v, c, col);
    }
#pragma GCC unroll 8
    for (int j = 0; j < nv; j++) {
        v_store(o + j * VL, acc[j]);
    }
}

/* o (ldo floats) = alpha * o + sum of s[c] * V[c] over keys with s[c] != 0, OV vectors of O at
 * a time in registers (one pass over the V block at head_dim <= OV * VL). */
static inline __attribute__((always_inline)) void row_axpy(const int form, float *restrict o, int64_t ldo,
                                                           float alpha, const float *restrict s, key_rows v, int64_t nr,
                                                           int64_t pf, int64_t pf_rows, int64_t d) {
    for (int64_t j = 0; j < ldo; j += OV * VL) {
        const int64_t left = (ldo - j) / VL;
        /* The first pass brings V in; later ones hit L2. Only the first pass prefetches, and it is
         * always 8 vectors wide (this path runs when ldo > OV * VL), so the narrower copies of
         * axpy_chunk get pr = 0, and their prefetch test is compiled out (nv == OV). */
        const int64_t pr = j == 0 ? pf_rows : 0;
        switch (left >= OV ? OV : left) {
        case 1: axpy_chunk(1, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        case 2: axpy_chunk(2, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        case 3: axpy_chunk(3, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        case 4: axpy_chunk(4, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        case 5: axpy_chunk(5, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        case 6: axpy_chunk(6, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        case 7: axpy_chunk(7, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        default: axpy_chunk(8, form, o + j, alpha, s, v, j, nr, pf, pr, d); break;
        }
    }
}

static float exp2_one(float x) {
    float out[VL];
    v_storeu(out, v_exp2(v_set1(x)));
    return out[0];
}

/* The one-pass row kernel: one query row against keys [0, nr) of a block, VL keys per step:
 * their scores, the online-softmax update, exp2, then their V rows into O, which stays in nv
 * registers (head_dim <= OV * VL), or with nv = 0 (rows of wider heads but int8: d 128 at AVX2) in
 * memory at o, ceil(d / VL) vectors, each V row's FMAs loading and storing O there, as
 * walk_step's V pass does. K and V advance together as two steady streams and V is read once (the
 * two-pass form below, kept for int8 rows of wider heads, reads a block's K, then its V: the two
 * measured alike at AVX-512 with O in registers, see native/dev/bench_kernels.c, and one pass
 * took 0.66x the time at d 128 on AVX2 with O in memory, see row_block). Semantics are the two-pass
 * form's: `>` skips NaN in the max, an excluded key (p = 0) never reads its V row into O, a NaN
 * logit makes p, l and the row NaN. kpf / vpf: rows of kp / vp that may be prefetched (0 for
 * none).
 * The running sum is l plus the lanes of *lv_io, which are folded into l only on a rescale: the
 * caller starts a key block with *lv_io = 0 and adds its lanes to l at the block's end. So a
 * block may be walked in several calls over consecutive, VL-aligned key ranges (o, m, l and
 * *lv_io carried between them) and gives bitwise what one call gives (group_walk). */
static inline __attribute__((always_inline)) void fused_row(const int nv, const int form, float *restrict o,
                                                            float *m_io, float *l_io, float *restrict s,
                                                            const float *restrict q, key_rows kp, key_rows vp,
                                                            int64_t nr, const float *mrow, int64_t pf, int64_t pf_l2,
                                                            int64_t kpf, int64_t vpf, int64_t d, const keys *ks,
                                                            int64_t i, int64_t key0, vf *lv_io) {
    const int64_t nw = nv == 0 ? (d + VL - 1) / VL : 0; /* O's vectors in memory (nv = 0) */
    vf acc[OV];
#pragma GCC unroll 8
    for (int j = 0; j < nv; j++) {
        acc[j] = v_load(o + j * VL);
    }
    float m = *m_io, l = *l_io;
    float mu = m == -INFINITY ? 0.0f : m; /* what the steps subtract: m, or 0 while nothing is finite */
    vf lv = *lv_io;
    for (int64_t c = 0; c < nr; c += VL) {
        const int64_t g = nr - c < VL ? nr - c : VL;
        if (c + pf + VL <= kpf) {
            prefetch_rows(form, kp, c + pf, VL, d);
        }
        if (form == ROWS_PAGED && c + pf_l2 + VL <= kpf && c + pf_l2 + VL <= vpf) {
            /* pages are not adjacent: the hardware's streams stop at each page's end, so the
             * rows further ahead are asked into L2 too, across pages */
            prefetch_rows_l2(kp, vp, c + pf_l2, VL, d);
        }
        for (int64_t k = 0; k < g; k += 4) {
            dot4(form, s + k, q, kp, c + k, nr, d);
        }
        if (ks->extras) {
            /* extras_row is a call, and a call clobbers every vector register: with acc live
             * across it, GCC kept acc on the stack for the whole loop, a store and a reload per
             * FMA of the V pass (int8 decode, one thread: 11.4 -> 9-10 ns a key and head). So
             * acc goes through o around the call, and nowhere else. */
#pragma GCC unroll 8
            for (int j = 0; j < nv; j++) {
                v_store(o + j * VL, acc[j]);
            }
            extras_row(ks, s, g, i, key0 + c);
#pragma GCC unroll 8
            for (int j = 0; j < nv; j++) {
                acc[j] = v_load(o + j * VL);
            }
        }
        for (int64_t k = g; k < VL; k++) {
            s[k] = -INFINITY; /* padding lanes: exp2 gives exactly 0 */
        }
        if (mrow != NULL) {
            for (int64_t k = 0; k < g; k++) {
                s[k] = mrow[c + k] == -INFINITY ? -INFINITY : s[k] + mrow[c + k] * LOG2E_F;
            }
        }
        float mx = m;
        for (int64_t k = 0; k < g; k++) {
            mx = s[k] > mx ? s[k] : mx; /* `>` skips NaN, as in the portable kernel */
        }
        if (mx > m) { /* a new max: rescale what is summed so far (rare after the first steps) */
            const float alpha = exp2_one(m - mx);
            const vf a = v_set1(alpha);
#pragma GCC unroll 8
            for (int j = 0; j < nv; j++) {
                acc[j] = v_mul(acc[j], a);
            }
            o_scale(nw, o, alpha);
            l = (l + v_hsum(lv)) * alpha;
            lv = v_zero();
            m = mx, mu = mx;
        }
        const vf p = v_exp2(v_sub(v_loadu(s), v_set1(mu)));
        v_storeu(s, p);
        lv = v_add(lv, p);
        for (int64_t k = 0; k < g; k++) {
            if (c + k + pf < vpf) {
                prefetch_rows(form, vp, c + k + pf, 1, d);
            }
            if (s[k] == 0.0f) {
                continue;
            }
            if (nv == 0) {
                o_row_fma(nw, form, o, s[k], vp, c + k);
                continue;
            }
            v_row_fma(nv, form, acc, s[k], vp, c + k, 0);
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < nv; j++) {
        v_store(o + j * VL, acc[j]);
    }
    *m_io = m;
    *l_io = l;
    *lv_io = lv;
}

/* fused_row for keys one stride apart, at a run-time number of O vectors: the one copy of that
 * form, shared by the contiguous row path (row_block) and the page-major walk (group_walk), which
 * passes no prefetch rows (kpf = vpf = 0). Not inlined: a second set of eight inlined copies was
 * machine code that only one of the two callers' inputs could reach. */
static __attribute__((noinline)) void fused_row_strided(int64_t nv, float *o, float *m, float *l, float *s,
                                                        const float *q, key_rows kr, key_rows vr, int64_t nr,
                                                        const float *mrow, int64_t pf, int64_t kpf, int64_t vpf,
                                                        int64_t d, const keys *ks, int64_t i, int64_t key0, vf *lv) {
    switch (nv) {
    case 1: fused_row(1, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    case 2: fused_row(2, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    case 3: fused_row(3, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    case 4: fused_row(4, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    case 5: fused_row(5, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    case 6: fused_row(6, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    case 7: fused_row(7, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    case 8: fused_row(8, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    default: fused_row(0, ROWS_STRIDED, o, m, l, s, q, kr, vr, nr, mrow, pf, 0, kpf, vpf, d, ks, i, key0, lv); break;
    }
}

/* One block's keys [k0, k0 + n) for every row of a row-path tile; kr / vr: the block's rows,
 * k_pf / v_pf: how many of them (from k0) may be prefetched. */
static inline __attribute__((always_inline)) void row_block(const int form, const panattn_params *p,
                                                            const scratch *w, const panattn_tile *t, const keys *ks,
                                                            int64_t k0, int64_t n, key_rows kr, key_rows vr,
                                                            int64_t k_pf, int64_t v_pf) {
    const int64_t d = w->d, ldo = w->ldo, rows = t->q_end - t->q_begin, pf = w->pf;
    for (int64_t r = 0; r < rows; r++) {
        const int64_t i = t->q_begin + r;
        int64_t c0, nr; /* the row sees keys k0 + [c0, nr) of the block */
        panattn_band_cols(&ks->band, i, k0, n, &c0, &nr);
        if (nr == c0) {
            continue;
        }
        /* from here on the row works on keys kr0 + [0, nr) */
        const int64_t kr0 = k0 + c0;
        const key_rows kq = rows_from(form, kr, c0), vq = rows_from(form, vr, c0);
        nr -= c0;
        /* fp32 K/V are read in place: prefetch both streams about 4 KiB ahead (the first row
         * brings the block in; later rows hit L2). */
        const int64_t kpf = r == 0 ? k_pf - c0 : 0;
        const int64_t vpf = r == 0 ? v_pf - c0 : 0;
        const float *mrow = p->mask == NULL ? NULL
                                            : p->mask + t->b * p->mask_batch_stride + t->h * p->mask_head_stride +
                                                  i * p->mask_row_stride + kr0;
        /* Past OV vectors (d 128 at AVX2) the one-pass form keeps O in memory; int8 rows take the
         * two passes there (O in registers, 8 vectors at a time), where one pass, with 4x the
         * arithmetic per byte of fp32 and O loaded and stored per key, took 1.01-1.06x the time
         * (Zen 3, 32 heads x 4096 keys, 2 threads, ab_libs.sh decode kv=i8); fp32 one pass took
         * 0.66x the time of two, fp16 0.95x, bf16 0.85x. */
        if (ldo <= OV * VL || form != ROWS_I8) {
            float *o = w->o + r * ldo, *q = w->qrow + r * ldo;
            vf lv = v_zero();
            if (form == ROWS_STRIDED) {
                fused_row_strided(ldo / VL, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, kpf, vpf, d, ks, i,
                                  kr0, &lv);
                w->l[r] += v_hsum(lv);
                continue;
            }
            switch (ldo / VL) {
            case 1: fused_row(1, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            case 2: fused_row(2, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            case 3: fused_row(3, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            case 4: fused_row(4, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            case 5: fused_row(5, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            case 6: fused_row(6, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            case 7: fused_row(7, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            case 8: fused_row(8, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            default: fused_row(0, form, o, &w->m[r], &w->l[r], w->s, q, kq, vq, nr, mrow, pf, w->pf_l2, kpf, vpf, d, ks, i, kr0, &lv); break;
            }
            w->l[r] += v_hsum(lv);
            continue;
        }
        float *s = w->s;
        for (int64_t c = 0; c < nr; c += 4) {
            if (c + pf + 4 <= kpf) {
                prefetch_rows(form, kq, c + pf, 4, d);
            }
            dot4(form, s + c, w->qrow + r * ldo, kq, c, nr, d);
        }
        if (ks->extras) {
            extras_row(ks, s, nr, i, kr0);
        }
        if (mrow != NULL) {
            for (int64_t c = 0; c < nr; c++) {
                s[c] = mrow[c] == -INFINITY ? -INFINITY : s[c] + mrow[c] * LOG2E_F;
            }
        }
        float mx = w->m[r];
        for (int64_t c = 0; c < nr; c++) {
            mx = s[c] > mx ? s[c] : mx; /* `>` skips NaN, as in the portable kernel */
        }
        const float mu = mx == -INFINITY ? 0.0f : mx;
        const float alpha = exp2_one(w->m[r] - mu);
        const vf muv = v_set1(mu);
        vf sum = v_zero();
        for (int64_t c = nr; c < round_up(nr, VL); c++) {
            s[c] = -INFINITY; /* padding lanes: exp2 gives exactly 0 */
        }
        for (int64_t c = 0; c < nr; c += VL) {
            const vf pc = v_exp2(v_sub(v_loadu(s + c), muv));
            v_storeu(s + c, pc);
            sum = v_add(sum, pc);
        }
        row_axpy(form, w->o + r * ldo, ldo, alpha, s, vq, nr, pf, vpf, d);
        w->l[r] = w->l[r] * alpha + v_hsum(sum);
        w->m[r] = mx;
    }
}

/* The row path: decode-like tiles of at most ROW_PATH_ROWS query rows. Each row streams the
 * block's K once (4 keys per step) and V once (axpy); fp32 K and V are read in place. A paged
 * cache's fp32 block is read through w->krow / w->vrow (block_row_ptrs), so the block keeps its
 * full size across pages: 16-key pages cut into 16-key blocks paid the online-softmax rescale
 * and the loop set-up 8x as often (paged decode ran at ~0.7x contiguous), and full blocks group
 * the fp32 sums as the contiguous call does (bitwise the same result for any page size). */
static void row_tile(const panattn_params *p, const scratch *w, const panattn_tile *t, const keys *ks) {
    const int by_address = ks->paged && ks->kv_dtype == PANATTN_DTYPE_F32;
    /* int8, fp16 and bf16 rows read in place where whole vectors cover a row, keys one stride
     * apart (not paged), in the one-pass form, or for int8 past OV vectors the two-pass one
     * (head_dim > OV * VL: d 128 at AVX2, where widening each block into kbuf / vbuf first held
     * int8 decode to 1.25-1.5x f32 on Zen 3); else widened into kbuf / vbuf by block_rows */
    const int narrow = ks->kv_dtype != PANATTN_DTYPE_F32 && !ks->paged && w->d % VL == 0;
    for (int64_t k0 = ks->lo; k0 < ks->end; k0 += w->kb) {
        const int64_t n = ks->end - k0 < w->kb ? ks->end - k0 : w->kb;
        key_rows kr = {0}, vr = {0};
        int64_t k_pf, v_pf;
        if (narrow) {
            int64_t k_off, v_off;
            panattn_key_run(p, ks->b, ks->kvh, k0, n, &k_off, &v_off); /* all n: not paged */
            const int64_t es = panattn_dtype_size(ks->kv_dtype);
            kr.narrow = (const char *)p->k + k_off * es, kr.stride = p->k_row_stride;
            vr.narrow = (const char *)p->v + v_off * es, vr.stride = p->v_row_stride;
            /* rows read in place may be prefetched on into the next block, as fp32 ones */
            const int64_t pf_rows = ks->end - k0;
            if (ks->kv_dtype == PANATTN_DTYPE_I8) {
                kr.scale = ks->kscale + k0 * ks->kscale_stride, kr.scale_stride = ks->kscale_stride;
                vr.scale = ks->vscale + k0 * ks->vscale_stride, vr.scale_stride = ks->vscale_stride;
                row_block(ROWS_I8, p, w, t, ks, k0, n, kr, vr, pf_rows, pf_rows);
            } else if (ks->kv_dtype == PANATTN_DTYPE_F16) {
                row_block(ROWS_F16, p, w, t, ks, k0, n, kr, vr, pf_rows, pf_rows);
            } else {
                row_block(ROWS_BF16, p, w, t, ks, k0, n, kr, vr, pf_rows, pf_rows);
            }
        } else if (by_address) {
            block_row_ptrs(p, w, ks, k0, n, w->nptr - w->kb, &k_pf, &v_pf);
            kr.at = w->krow, vr.at = w->vrow;
            row_block(ROWS_PAGED, p, w, t, ks, k0, n, kr, vr, k_pf, v_pf);
        } else {
            block_rows(p, w, ks, k0, n, &kr.base, &kr.stride, &vr.base, &vr.stride);
            /* rows read in place may be prefetched on into the next block: it follows at the stride */
            k_pf = ks->kv_dtype == PANATTN_DTYPE_F32 ? ks->end - k0 : 0;
            v_pf = vr.base != w->vbuf ? ks->end - k0 : 0;
            row_block(ROWS_STRIDED, p, w, t, ks, k0, n, kr, vr, k_pf, v_pf);
        }
    }
}

/* The keys tile t (split's key range [key_lo, key_hi)) reads, and how. */
static keys tile_keys(const panattn_params *p, const panattn_tile t, int64_t key_lo, int64_t key_hi) {
    const int64_t d = p->head_dim;
    const int64_t kvh = t.h / (p->heads / p->kv_heads);
    const int64_t kv_len = panattn_kv_len(p, t.b);
    keys ks;
    ks.band = panattn_band_of(p, panattn_q_len(p, t.b), kv_len);
    ks.strided = p->k_row_stride != d || p->v_row_stride != d;
    /* the strip path's in-place fp32 rows only; the row path reads each row once per tile */
    const int strip_fp32 = t.q_end - t.q_begin > ROW_PATH_ROWS && panattn_kv_dtype(p) == PANATTN_DTYPE_F32 &&
                           p->block_table == NULL;
    ks.pack_k = strip_fp32 && rows_alias_in_l1(p->k_row_stride, d);
    ks.pack_v = strip_fp32 && rows_alias_in_l1(p->v_row_stride, d);
    ks.extras = panattn_has_logit_extras(p);
    ks.cap2 = p->softcap * LOG2E_F;
    ks.slope2 = p->alibi_slopes != NULL ? p->alibi_slopes[t.h] * LOG2E_F : 0.0f;
    ks.lo = key_lo;
    ks.end = kv_len < key_hi ? kv_len : key_hi; /* keys past kv_len are never read */
    if (ks.band.has_hi && t.q_end + ks.band.hi_off < ks.end) {
        ks.end = t.q_end + ks.band.hi_off; /* the tile's last row bounds what the tile can see */
    }
    if (ks.band.has_lo && t.q_begin + ks.band.lo_off > ks.lo) {
        ks.lo = t.q_begin + ks.band.lo_off; /* its first row's window starts no earlier */
    }
    ks.b = t.b;
    ks.kvh = kvh;
    ks.paged = p->block_table != NULL;
    ks.kv_dtype = panattn_kv_dtype(p);
    ks.kscale = ks.vscale = NULL;
    ks.kscale_stride = ks.vscale_stride = 0;
    if (p->kv_dtype == PANATTN_DTYPE_I8) { /* batched caches only (validated) */
        ks.kscale = p->k_scale + t.b * p->k_scale_batch_stride + kvh * p->k_scale_head_stride;
        ks.vscale = p->v_scale + t.b * p->v_scale_batch_stride + kvh * p->v_scale_head_stride;
        ks.kscale_stride = p->k_scale_row_stride;
        ks.vscale_stride = p->v_scale_row_stride;
    }
    return ks;
}

/* Row path query row i of tile t into q (ldo floats): times softmax_scale * log2(e), zero padded. */
static void load_q_row(const panattn_params *p, const panattn_tile t, int64_t i, float *restrict q, int64_t ldo) {
    const int64_t d = p->head_dim;
    const float qscale = p->softmax_scale * LOG2E_F;
    load_f32(q, p->q, panattn_q_offset(p, t.b, t.h, 0) + i * p->q_row_stride, d, p->dtype);
    for (int64_t x = 0; x < d; x++) {
        q[x] *= qscale;
    }
    memset(q + d, 0, (size_t)(ldo - d) * sizeof(float));
}

/* Normalises tile t's rows (o: rows x ldo unnormalised sums, m, l their running max and sum) and
 * writes them out with their LSE; o is scaled in place. */
static void finish_tile(const panattn_params *p, const panattn_run *run, const panattn_tile t, int64_t split,
                        float *restrict o_rows, const float *m, const float *l, int64_t ldo) {
    const int64_t d = p->head_dim, rows = t.q_end - t.q_begin;
    const int want_lse = p->lse != NULL || run->partial != NULL;
    /* rows of a plain run are normalised straight into out (fp16 / bf16 converted on the way,
     * bit for bit panattn_emit_row's conversion: its scalar loop was 2-3% of a bf16 prefill at
     * d 64); split-KV partial records go through emit */
    const int direct = run->partial == NULL;
    for (int64_t r = 0; r < rows; r++) {
        float *o = o_rows + r * ldo;
        float lse;
        if (m[r] == -INFINITY && l[r] == 0.0f) {
            memset(o, 0, (size_t)d * sizeof(float)); /* no finite logit: 0 and -inf by contract */
            lse = -INFINITY;
        } else {
            const float inv1 = 1.0f / l[r]; /* l NaN: the row becomes NaN, as it should */
            const vf inv = v_set1(inv1);
            /* logf costs ~20 ns a row (~1% of a 128-key tile): only when someone reads the LSE */
            lse = want_lse ? m[r] * LN2_F + logf(l[r]) : 0.0f;
            if (direct) { /* straight into out: the copy through scratch was ~1% of a tile */
                const int64_t off = panattn_out_offset(p, t.b, t.h, t.q_begin + r);
                if (p->dtype == PANATTN_DTYPE_F32) {
                    float *dst = (float *)p->out + off;
                    int64_t x = 0;
                    for (; x + VL <= d; x += VL) {
                        v_storeu(dst + x, v_mul(v_load(o + x), inv));
                    }
                    for (; x < d; x++) {
                        dst[x] = o[x] * inv1;
                    }
                } else {
                    uint16_t *dst = (uint16_t *)p->out + off;
                    const int f16 = p->dtype == PANATTN_DTYPE_F16;
                    int64_t x = 0;
                    for (; x + VL <= d; x += VL) {
                        const vf y = v_mul(v_load(o + x), inv);
                        if (f16) {
                            v_store_f16(dst + x, y);
                        } else {
                            v_store_bf16(dst + x, y);
                        }
                    }
                    for (; x < d; x++) {
                        dst[x] = f16 ? panattn_f32_to_f16(o[x] * inv1) : panattn_f32_to_bf16(o[x] * inv1);
                    }
                }
                if (p->lse != NULL) {
                    p->lse[panattn_lse_offset(p, t.b, t.h, t.q_begin + r)] = lse;
                }
                continue;
            }
            for (int64_t x = 0; x < ldo; x += VL) {
                v_store(o + x, v_mul(v_load(o + x), inv));
            }
        }
        panattn_emit_row(p, run, t.b, t.h, t.q_begin + r, split, o, lse);
    }
}

static void run_tile(const panattn_params *p, const panattn_run *run, int64_t tile_index, const scratch *w) {
    int64_t key_lo, key_hi, split;
    const panattn_tile t = panattn_run_tile(p, run, tile_index, &key_lo, &key_hi, &split);
    const int64_t d = w->d, ldo = w->ldo, rows = t.q_end - t.q_begin;
    const int64_t kvh = t.h / (p->heads / p->kv_heads);
    keys ks = tile_keys(p, t, key_lo, key_hi);
    /* query row i of the tile's sequence is at q_base + i * q_row_stride, packed or not */
    const int64_t q_base = panattn_q_offset(p, t.b, t.h, 0);
    const float qscale = p->softmax_scale * LOG2E_F; /* logits in log2 units: exp2 needs no multiply */

    const int row_path = rows <= ROW_PATH_ROWS;
    if (!row_path && ks.end > ks.lo && ks.strided) {
        /* strided K/V (see strip_tile): the first block is asked for while Q is converted */
        int64_t k_off, v_off;
        const int64_t first = panattn_key_run(p, t.b, kvh, ks.lo, ks.end - ks.lo < w->kb ? ks.end - ks.lo : w->kb,
                                              &k_off, &v_off);
        prefetch_kv_l2(p, k_off, v_off, 0, first, d);
    }
    /* Rows the tile computes: its own, and for the strip path the padding rows of its last strip.
     * Only those are reset (a decode tile has 1 row: clearing all TQ rows of O was 64 KiB of
     * memset per tile at head_dim 128). */
    const int64_t live = row_path ? rows : round_up(rows, QS);
    for (int64_t r = 0; r < live; r++) {
        w->m[r] = -INFINITY;
        w->l[r] = 0.0f;
    }
    memset(w->o, 0, (size_t)(live * ldo) * sizeof(float));
    if (row_path) {
        for (int64_t r = 0; r < rows; r++) {
            load_q_row(p, t, t.q_begin + r, w->qrow + r * ldo, ldo);
        }
    }
#if defined(SIMD_DP_BF16)
    else if (p->dtype == PANATTN_DTYPE_BF16 && !ks.paged) { /* the strip path's vdpbf16ps form (strip_tile) */
        dp_prep_q(p, w, q_base + t.q_begin * p->q_row_stride, rows, live);
    }
#endif
    else {
        /* qt is (strip, d, QS): every column of the live strips is written, the padding rows' with 0.
         * fp32 Q is read in place (a copy into qrow first was ~2% of a tile at N = 1024), VL rows x
         * VL columns at a time through an in-register transpose (the scalar loop below, which the
         * compiler vectorised with lane extracts, was ~3 us of a tile's ~12 us fixed cost). */
        const int64_t full_rows = p->dtype == PANATTN_DTYPE_F32 ? rows / VL * VL : 0, full_d = d / VL * VL;
        const vf scale = v_set1(qscale);
        for (int64_t r0 = 0; r0 < full_rows; r0 += VL) {
            const float *src = (const float *)p->q + q_base + (t.q_begin + r0) * p->q_row_stride;
            float *qt = w->qt + (r0 / QS) * d * QS + r0 % QS;
            for (int64_t x0 = 0; x0 < full_d; x0 += VL) {
                vf blk[VL];
#pragma GCC unroll 16
                for (int i = 0; i < VL; i++) {
                    blk[i] = v_mul(v_loadu(src + i * p->q_row_stride + x0), scale);
                }
                v_transpose(blk);
#pragma GCC unroll 16
                for (int j = 0; j < VL; j++) {
                    v_store(qt + (x0 + j) * QS, blk[j]);
                }
            }
            for (int64_t i = 0; i < VL; i++) { /* the columns past the last full VL */
                for (int64_t x = full_d; x < d; x++) {
                    qt[x * QS + i] = src[i * p->q_row_stride + x] * qscale;
                }
            }
        }
        for (int64_t r = full_rows; r < live; r++) {
            float *qt = w->qt + (r / QS) * d * QS + r % QS;
            if (r >= rows) {
                for (int64_t x = 0; x < d; x++) {
                    qt[x * QS] = 0.0f;
                }
                continue;
            }
            const float *src = (const float *)p->q + q_base + (t.q_begin + r) * p->q_row_stride;
            if (p->dtype != PANATTN_DTYPE_F32) {
                load_f32(w->qrow, p->q, q_base + (t.q_begin + r) * p->q_row_stride, d, p->dtype);
                src = w->qrow;
            }
            for (int64_t x = 0; x < d; x++) {
                qt[x * QS] = src[x] * qscale;
            }
        }
    }
    if (ks.end > ks.lo) {
        if (row_path) {
            row_tile(p, w, &t, &ks);
        } else {
            strip_tile(p, w, &t, &ks);
        }
    }
    finish_tile(p, run, t, split, w->o, w->m, w->l, ldo);
}

/* Page-major paged decode. A 16-key page holds every kv head's rows of those keys back to back
 * (8 KiB a head at d 128), so a decode that walks one head through all its pages reads 8 KiB runs
 * scattered over the pool, and paged decode ran at about half the contiguous speed. Here the
 * consecutive tiles of one call that belong to one sequence (its heads, in tile order) and one
 * key split walk together: page after page, every tile's rows of a page read in the order the page
 * stores them (key after key or head after head), so a thread reads a page in address order (see
 * walk_step). Each tile keeps its own o, m, l and running-sum lanes (fused_row's state); the keys
 * are walked in the same VL-key steps, and the running sums are folded at the same block ends, as
 * one tile alone walks them, so the result is bitwise that of the contiguous call (a page's keys
 * are at one row stride: the strided form, no row addresses). Used where that holds by
 * construction: fp32 keys, row-path tiles of the one-pass form, pages a multiple of VL keys that
 * tile a key block, splits that start on a key block, no window's left edge (every row's keys
 * start at its block's start). */
/* Rows per tile a page-major walk keeps state for (0: this call never walks page-major). The
 * per-tile conditions are group_member's. */
static int64_t group_rows_for(const panattn_params *p, const panattn_run *run, int64_t tile_begin, int64_t tile_end) {
    const int64_t d = p->head_dim;
    const int walks = tile_end - tile_begin > 1 && p->block_table != NULL && panattn_kv_dtype(p) == PANATTN_DTYPE_F32 &&
                      d % VL == 0 && p->block_size % VL == 0 && kb_for(d) % p->block_size == 0 &&
                      (run->partial == NULL || run->chunk % kb_for(d) == 0);
    return walks ? (p->seq_q < ROW_PATH_ROWS ? p->seq_q : ROW_PATH_ROWS) : 0;
}

/* Tile t (keys ks, key split `split`) may join a walk led by tile t0: the same sequence, query
 * block and split, so the same key range; a row-path tile; no window's left edge, so that range
 * starts at the split's first key (a page and block start), and every row's keys start at each
 * block's start. Evaluated whole (`&`): every part is cheap. */
static int group_member(const panattn_tile *t0, int64_t split0, const panattn_tile *t, int64_t split, const keys *ks,
                        int64_t rows_max) {
    return (t->b == t0->b) & (t->q_begin == t0->q_begin) & (split == split0) & (t->q_end - t->q_begin <= rows_max) &
           !ks->band.has_lo;
}

/* A walk's rows ("units": tile t's row r is unit t * group_rows + r) and where one page's keys
 * of each unit's kv head start. */
typedef struct walk_page {
    const float *k[GROUP_MAX], *v[GROUP_MAX]; /* key c0 of the page, tile t's kv head */
    int64_t ks, vs;                            /* row strides */
    int64_t g[GROUP_MAX * ROW_PATH_ROWS];      /* keys of the step each unit sees (0: none) */
    int heads_outer; /* the page keeps each kv head's keys together: address order is head after
                        head; else (vLLM's layout, each key's heads together) key after key */
} walk_page;

/* A place in a step's walk order: key k of tile t's kv head. */
typedef struct walk_pos {
    int64_t k, t;
} walk_pos;

/* The next place in address order. */
static inline void walk_next(walk_pos *c, int heads_outer, int64_t gmax, int64_t count) {
    if (heads_outer) {
        if (++c->k == gmax) {
            c->k = 0, c->t++;
        }
    } else if (++c->t == count) {
        c->t = 0, c->k++;
    }
}

/* A pass's prefetch cursor, `ahead` rows into its walk order. */
static inline walk_pos walk_ahead(int heads_outer, int64_t gmax, int64_t count, int64_t ahead) {
    walk_pos pf = {0, 0};
    for (int64_t i = 0; i < ahead && i < gmax * count; i++) {
        walk_next(&pf, heads_outer, gmax, count);
    }
    return pf;
}

/* Asks the pass's row at *pf (key s0 + pf->k of unit pf->t: rows of base[t], stride apart) into
 * L1 and moves *pf on. */
static inline __attribute__((always_inline)) void walk_prefetch(walk_pos *pf, const float *const *base, int64_t stride,
                                                                int64_t s0, int heads_outer, int64_t gmax,
                                                                int64_t count, int64_t d) {
    prefetch_rows(ROWS_STRIDED, (key_rows){.base = base[pf->t] + (s0 + pf->k) * stride}, 0, 1, d);
    walk_next(pf, heads_outer, gmax, count);
}

/* One step of a page (up to WALK_KEYS keys, whole VL-key groups) for every unit, its K rows and
 * then its V rows read in address order (walk_next): reading a page's rows in any other order,
 * even two keys of a head at a time, read at about half the speed on two threads
 * (docs/CPU-KERNEL.md, "Paged decode on several threads"). Per unit each VL-key group is
 * fused_row's step to the bit: the same dot1 per key, the same softmax update, and P·V one key
 * after another into the unit's O (kept in memory here, as the units take turns), O rescaled
 * before the group's first V row. */
static inline __attribute__((always_inline)) void walk_step(const int nv, const panattn_params *p, const scratch *w,
                                                            const panattn_tile *tl, const keys *kss, int64_t count,
                                                            const walk_page *pg, int64_t s0, int64_t key0) {
    const int64_t d = w->d, ldo = w->ldo, R = w->group_rows;
    int64_t gmax = 0;
    for (int64_t x = 0; x < count * R; x++) {
        gmax = pg->g[x] > gmax ? pg->g[x] : gmax;
    }
    /* Rows in walk order are one steady stream, asked into L1 w->walk_pf rows ahead (4-8 KiB,
     * walk_pf_rows): without it one thread read 16 GB/s here, where the same bytes stream at 27
     * with no arithmetic. */
    const int64_t ahead = w->walk_pf, rows = gmax * count;
    walk_pos at = {0, 0}, pf = walk_ahead(pg->heads_outer, gmax, count, ahead);
    for (int64_t idx = 0; idx < rows; idx++, walk_next(&at, pg->heads_outer, gmax, count)) {
        if (idx + ahead < rows) {
            walk_prefetch(&pf, pg->k, pg->ks, s0, pg->heads_outer, gmax, count, d);
        }
        const int64_t k = at.k, t = at.t;
        const float *kr = pg->k[t] + (s0 + k) * pg->ks;
        for (int64_t r = 0; r < tl[t].q_end - tl[t].q_begin; r++) {
            const int64_t x = t * R + r;
            if (k < pg->g[x]) {
                w->gs[x * WALK_KEYS + k] = dot1(w->gq + x * ldo, kr, d);
            }
        }
    }
    /* The softmax of each VL-key group in turn, as fused_row's steps: the max, a rescale of the
     * sums, the weights. O's rescale waits for the V pass (ga), which applies it before the
     * group's first V row, after the previous group's last, as fused_row does. */
    for (int64_t t = 0; t < count; t++) {
        const keys *ks = &kss[t];
        for (int64_t r = 0; r < tl[t].q_end - tl[t].q_begin; r++) {
            const int64_t x = t * R + r, i = tl[t].q_begin + r;
            for (int64_t j = 0; j < WALK_GROUPS; j++) {
                const int64_t g = pg->g[x] - j * VL < VL ? pg->g[x] - j * VL : VL;
                if (g <= 0) {
                    break;
                }
                float *sc = w->gs + x * WALK_KEYS + j * VL;
                const int64_t kg = key0 + s0 + j * VL; /* the group's first key */
                if (ks->extras) {
                    extras_row(ks, sc, g, i, kg);
                }
                for (int64_t k = g; k < VL; k++) {
                    sc[k] = -INFINITY; /* padding lanes: exp2 gives exactly 0 */
                }
                if (p->mask != NULL) {
                    const float *mrow = p->mask + tl[t].b * p->mask_batch_stride + tl[t].h * p->mask_head_stride +
                                        i * p->mask_row_stride + kg;
                    for (int64_t k = 0; k < g; k++) {
                        sc[k] = mrow[k] == -INFINITY ? -INFINITY : sc[k] + mrow[k] * LOG2E_F;
                    }
                }
                float m = w->gm[x];
                float mx = m;
                for (int64_t k = 0; k < g; k++) {
                    mx = sc[k] > mx ? sc[k] : mx; /* `>` skips NaN, as in the portable kernel */
                }
                w->ga[x * WALK_GROUPS + j] = 1.0f;
                if (mx > m) {
                    const float alpha = exp2_one(m - mx);
                    w->ga[x * WALK_GROUPS + j] = alpha;
                    w->gl[x] = (w->gl[x] + v_hsum(w->glv[x])) * alpha;
                    w->glv[x] = v_zero();
                    w->gm[x] = m = mx;
                }
                const float mu = m == -INFINITY ? 0.0f : m;
                const vf pv = v_exp2(v_sub(v_loadu(sc), v_set1(mu)));
                v_storeu(sc, pv);
                w->glv[x] = v_add(w->glv[x], pv);
            }
        }
    }
    at = (walk_pos){0, 0}, pf = walk_ahead(pg->heads_outer, gmax, count, ahead);
    for (int64_t idx = 0; idx < rows; idx++, walk_next(&at, pg->heads_outer, gmax, count)) {
        if (idx + ahead < rows) {
            walk_prefetch(&pf, pg->v, pg->vs, s0, pg->heads_outer, gmax, count, d);
        }
        const int64_t k = at.k, t = at.t;
        const float *vr = pg->v[t] + (s0 + k) * pg->vs;
        for (int64_t r = 0; r < tl[t].q_end - tl[t].q_begin; r++) {
            const int64_t x = t * R + r;
            if (k >= pg->g[x]) {
                continue;
            }
            float *o = w->go + x * ldo;
            if (k % VL == 0 && w->ga[x * WALK_GROUPS + k / VL] != 1.0f) { /* a new max in this group */
                o_scale(nv, o, w->ga[x * WALK_GROUPS + k / VL]);
            }
            const float pk = w->gs[x * WALK_KEYS + k];
            if (pk != 0.0f) {
                o_row_fma(nv, ROWS_STRIDED, o, pk, (key_rows){.base = vr}, 0);
            }
        }
    }
}

/* walk_step at a run-time number of O vectors (one copy per count, as fused_row_strided). */
static __attribute__((noinline)) void walk_step_nv(int64_t nv, const panattn_params *p, const scratch *w,
                                                   const panattn_tile *tl, const keys *kss, int64_t count,
                                                   const walk_page *pg, int64_t s0, int64_t key0) {
    switch (nv) {
    case 1: walk_step(1, p, w, tl, kss, count, pg, s0, key0); break;
    case 2: walk_step(2, p, w, tl, kss, count, pg, s0, key0); break;
    case 3: walk_step(3, p, w, tl, kss, count, pg, s0, key0); break;
    case 4: walk_step(4, p, w, tl, kss, count, pg, s0, key0); break;
    case 5: walk_step(5, p, w, tl, kss, count, pg, s0, key0); break;
    case 6: walk_step(6, p, w, tl, kss, count, pg, s0, key0); break;
    case 7: walk_step(7, p, w, tl, kss, count, pg, s0, key0); break;
    case 8: walk_step(8, p, w, tl, kss, count, pg, s0, key0); break;
    default: walk_step((int)nv, p, w, tl, kss, count, pg, s0, key0); break; /* wider heads: a loop */
    }
}

/* Tiles [0, count) of tl / kss (one sequence and split, group_member of the first) walked page
 * after page, each page in address order (walk_step). */
static void group_walk(const panattn_params *p, const panattn_run *run, const scratch *w, const panattn_tile *tl,
                       const keys *kss, const int64_t *splits, int64_t count) {
    const int64_t ldo = w->ldo, R = w->group_rows, page = p->block_size;
    const int64_t b = tl[0].b, lo = kss[0].lo, end = kss[0].end;
    for (int64_t t = 0; t < count; t++) {
        for (int64_t r = 0; r < tl[t].q_end - tl[t].q_begin; r++) {
            const int64_t x = t * R + r;
            w->gm[x] = -INFINITY;
            w->gl[x] = 0.0f;
            memset(w->go + x * ldo, 0, (size_t)ldo * sizeof(float));
            load_q_row(p, tl[t], tl[t].q_begin + r, w->gq + x * ldo, ldo);
        }
    }
    walk_page pg;
    memset(pg.g, 0, sizeof pg.g); /* units past a tile's rows see nothing */
    pg.ks = p->k_row_stride, pg.vs = p->v_row_stride;
    pg.heads_outer = p->kv_heads > 1 && p->k_head_stride > p->k_row_stride;
    for (int64_t k0 = lo; k0 < end; k0 += w->kb) {
        const int64_t n = end - k0 < w->kb ? end - k0 : w->kb;
        for (int64_t x = 0; x < count * R; x++) {
            w->glv[x] = v_zero();
        }
        for (int64_t c = 0; c < n; c += page) {
            int64_t k_off, v_off; /* the page's rows of kv head 0; every head's follow at its head stride */
            const int64_t keys_here = panattn_key_run(p, b, 0, k0 + c, n - c, &k_off, &v_off);
            for (int64_t t = 0; t < count; t++) {
                pg.k[t] = (const float *)p->k + k_off + kss[t].kvh * p->k_head_stride;
                pg.v[t] = (const float *)p->v + v_off + kss[t].kvh * p->v_head_stride;
            }
            for (int64_t s0 = 0; s0 < keys_here; s0 += WALK_KEYS) {
                int any = 0;
                for (int64_t t = 0; t < count; t++) {
                    for (int64_t r = 0; r < tl[t].q_end - tl[t].q_begin; r++) {
                        int64_t c0, nr; /* c0 is 0: no window's left edge */
                        panattn_band_cols(&kss[t].band, tl[t].q_begin + r, k0, n, &c0, &nr);
                        /* the keys of this page (as one call over them would see) in this step */
                        const int64_t seen = (nr - c < keys_here ? nr - c : keys_here) - s0;
                        pg.g[t * R + r] = seen <= 0 ? 0 : seen < WALK_KEYS ? seen : WALK_KEYS;
                        any |= seen > 0;
                    }
                }
                if (any) {
                    walk_step_nv(ldo / VL, p, w, tl, kss, count, &pg, s0, k0 + c);
                }
            }
        }
        for (int64_t t = 0; t < count; t++) {
            for (int64_t r = 0; r < tl[t].q_end - tl[t].q_begin; r++) {
                w->gl[t * R + r] += v_hsum(w->glv[t * R + r]); /* the block's end, as in row_block */
            }
        }
    }
    for (int64_t t = 0; t < count; t++) {
        finish_tile(p, run, tl[t], splits[t], w->go + t * R * ldo, w->gm + t * R, w->gl + t * R, ldo);
    }
}

int32_t KERNEL_FN(const panattn_params *p, const panattn_run *run, int64_t tile_begin, int64_t tile_end) {
    scratch w;
    /* a tile has at most seq_q rows: with seq_q <= ROW_PATH_ROWS every tile takes the row path */
    /* K/V buffers follow K/V's type */
    const int gathers = p->block_table != NULL || rows_alias_in_l1(p->k_row_stride, p->head_dim) ||
                        rows_alias_in_l1(p->v_row_stride, p->head_dim); /* fp32 buffers: tile_keys' pack_k / pack_v */
    if (!scratch_init(&w, p->head_dim, panattn_kv_dtype(p), gathers && p->seq_q > ROW_PATH_ROWS,
                      group_rows_for(p, run, tile_begin, tile_end))) {
        return panattn_fail(PANATTN_ERR_OUT_OF_MEMORY, "cannot allocate the SIMD kernel scratch for head_dim %lld",
                            (long long)p->head_dim);
    }
    panattn_tile tl[GROUP_MAX];
    keys kss[GROUP_MAX];
    int64_t splits[GROUP_MAX];
#if defined(SIMD_AMX_BF16)
    const int tiles_on = p->dtype == PANATTN_DTYPE_BF16; /* only bf16 strips use the tiles */
    if (tiles_on) {
        amx_tiles_on();
    }
#endif
    for (int64_t t = tile_begin; t < tile_end;) {
        int64_t count = 0;
        while (w.group_rows > 0 && count < GROUP_MAX && t + count < tile_end) {
            int64_t key_lo, key_hi;
            tl[count] = panattn_run_tile(p, run, t + count, &key_lo, &key_hi, &splits[count]);
            kss[count] = tile_keys(p, tl[count], key_lo, key_hi);
            if (!group_member(&tl[0], splits[0], &tl[count], splits[count], &kss[count], w.group_rows)) {
                break;
            }
            count++;
        }
        if (count > 1) {
            group_walk(p, run, &w, tl, kss, splits, count);
            t += count;
        } else {
            run_tile(p, run, t, &w);
            t++;
        }
    }
#if defined(SIMD_AMX_BF16)
    if (tiles_on) {
        amx_tiles_off();
    }
#endif
    panattn_free(w.block);
    return PANATTN_OK;
}

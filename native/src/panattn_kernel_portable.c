/*
 * panattn_kernel_portable.c — the PANATTN_ISA_SCALAR kernel: flash-style attention in plain C.
 *
 * For each tile (b, h, up to PANATTN_TILE_Q query rows) it streams PANATTN_KEY_BLOCK keys at a
 * time and keeps, per row, the running max m, the running sum l and an unnormalised output
 * accumulator (online softmax, Milakov & Gimelshein 2018; FlashAttention, Dao et al. 2022).
 * Nothing of size seq_q x seq_k is ever stored. Everything is fp32 after the load.
 *
 * Written for gcc -O3 auto-vectorisation without -ffast-math: every inner loop is an
 * elementwise update over a contiguous fp32 row (no reductions, which strict FP semantics
 * would keep scalar). That is why K is stored transposed: scores for one query row are then
 * s[c] += q[d] * kT[d][c], an axpy over keys instead of a dot product over head_dim.
 * The exponentials stay scalar expf; a vectorised exp is the job of the SIMD variants.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panattn_alloc.h"
#include "panattn_half.h"
#include "panattn_internal.h"

enum { TQ = PANATTN_TILE_Q, KB = PANATTN_KEY_BLOCK };

/* Scratch of one call, reused by every tile of the range. Rows are padded to 16 floats so
 * each starts on a 64-byte line. */
typedef struct scratch {
    int64_t ld;    /* padded head_dim                                   */
    float *q;      /* q is (TQ, ld), already in fp32                    */
    float *acc;    /* acc is (TQ, ld), unnormalised sum of p * v        */
    float *kt;     /* kt is (ld, KB): K block transposed                */
    float *v;      /* v is (KB, ld)                                     */
    float *s;      /* s is (TQ, KB): logits, then probabilities         */
    float *m;      /* m is (TQ): running max of the finite logits       */
    float *l;      /* l is (TQ): running sum of exp(s - m)              */
    void *block;
} scratch;

/* Bytes of the scratch for head_dim (<= 1024: about 2 MiB), a multiple of the 64-byte alignment. */
static size_t scratch_bytes(int64_t head_dim) {
    int64_t ld = (head_dim + 15) & ~(int64_t)15;
    size_t floats = (size_t)(4 * TQ * ld + TQ * KB + 2 * TQ);
    return (floats * sizeof(float) + 63) & ~(size_t)63;
}

static int scratch_init(scratch *w, int64_t head_dim) {
    int64_t ld = (head_dim + 15) & ~(int64_t)15;
    float *base = panattn_aligned_alloc(64, scratch_bytes(head_dim));
    if (base == NULL) {
        return 0;
    }
    w->ld = ld;
    w->block = base;
    w->q = base;
    w->acc = w->q + TQ * ld;
    w->kt = w->acc + TQ * ld;
    w->v = w->kt + ld * KB;
    w->s = w->v + KB * ld;
    w->m = w->s + TQ * KB;
    w->l = w->m + TQ;
    return 1;
}

/* Converts n elements of src (in dtype) starting at element offset `off` to fp32; int8 (quantised
 * K/V) is multiplied by its row's scale, which the other dtypes ignore. */
static void load_row(float *restrict dst, const void *src, int64_t off, int64_t n, int32_t dtype, float scale) {
    if (dtype == PANATTN_DTYPE_F32) {
        memcpy(dst, (const float *)src + off, (size_t)n * sizeof(float));
    } else if (dtype == PANATTN_DTYPE_I8) {
        const int8_t *restrict b = (const int8_t *)src + off;
        for (int64_t i = 0; i < n; i++) {
            dst[i] = (float)b[i] * scale;
        }
    } else if (dtype == PANATTN_DTYPE_F16) {
        const uint16_t *restrict h = (const uint16_t *)src + off;
        for (int64_t i = 0; i < n; i++) {
            dst[i] = panattn_f16_to_f32(h[i]);
        }
    } else {
        const uint16_t *restrict h = (const uint16_t *)src + off;
        for (int64_t i = 0; i < n; i++) {
            dst[i] = panattn_bf16_to_f32(h[i]);
        }
    }
}

/* Same, but scattered down column c of a (rows, KB) transposed block. */
static void load_column(float *restrict dst, int64_t c, const void *src, int64_t off, int64_t n, int32_t dtype,
                        float scale) {
    if (dtype == PANATTN_DTYPE_F32) {
        const float *restrict f = (const float *)src + off;
        for (int64_t i = 0; i < n; i++) {
            dst[i * KB + c] = f[i];
        }
    } else if (dtype == PANATTN_DTYPE_I8) {
        const int8_t *restrict b = (const int8_t *)src + off;
        for (int64_t i = 0; i < n; i++) {
            dst[i * KB + c] = (float)b[i] * scale;
        }
    } else if (dtype == PANATTN_DTYPE_F16) {
        const uint16_t *restrict h = (const uint16_t *)src + off;
        for (int64_t i = 0; i < n; i++) {
            dst[i * KB + c] = panattn_f16_to_f32(h[i]);
        }
    } else {
        const uint16_t *restrict h = (const uint16_t *)src + off;
        for (int64_t i = 0; i < n; i++) {
            dst[i * KB + c] = panattn_bf16_to_f32(h[i]);
        }
    }
}

static void axpy(float *restrict y, const float *restrict x, float a, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        y[i] += a * x[i];
    }
}

static void scale_row(float *restrict y, float a, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        y[i] *= a;
    }
}

/* softcap, then ALiBi, on the logits s[c0 .. c1) of row i against keys k0 + c (natural units):
 * s = cap * tanh(s / cap), then s -= slope * |i + offset - j|. Only when p asks for either. */
static void logit_extras(const panattn_params *p, float *restrict s, int64_t c0, int64_t c1, int64_t i, int64_t k0,
                         int64_t h, int64_t offset) {
    if (p->softcap > 0.0f) {
        const float cap = p->softcap, inv = 1.0f / p->softcap;
        for (int64_t c = c0; c < c1; c++) {
            s[c] = cap * tanhf(s[c] * inv);
        }
    }
    if (p->alibi_slopes != NULL) {
        const float slope = p->alibi_slopes[h];
        for (int64_t c = c0; c < c1; c++) {
            const int64_t dist = i + offset - (k0 + c);
            s[c] -= slope * (float)(dist < 0 ? -dist : dist);
        }
    }
}

static void run_tile(const panattn_params *p, const panattn_run *run, int64_t tile_index, scratch *w) {
    int64_t key_lo, key_hi, split;
    const panattn_tile tile = panattn_run_tile(p, run, tile_index, &key_lo, &key_hi, &split);
    const panattn_tile *t = &tile;
    const int64_t d = p->head_dim, ld = w->ld;
    const int64_t rows = t->q_end - t->q_begin;
    const int64_t kvh = t->h / (p->heads / p->kv_heads);
    const int64_t kv_len = panattn_kv_len(p, t->b);
    const panattn_band band = panattn_band_of(p, panattn_q_len(p, t->b), kv_len);
    const int extras = panattn_has_logit_extras(p);
    /* Keys past kv_len are never read (a KV cache may hold garbage there); the tile's last row
     * bounds the keys the whole tile can see from above (causal, window), its first row from
     * below (window), so blocks outside the band are never touched. */
    int64_t key_end = kv_len < key_hi ? kv_len : key_hi;
    if (band.has_hi && t->q_end - 1 + band.hi_off + 1 < key_end) {
        key_end = t->q_end + band.hi_off < 0 ? 0 : t->q_end + band.hi_off;
    }
    if (band.has_lo && t->q_begin + band.lo_off > key_lo) {
        key_lo = t->q_begin + band.lo_off;
    }

    for (int64_t r = 0; r < rows; r++) {
        load_row(w->q + r * ld, p->q, panattn_q_offset(p, t->b, t->h, t->q_begin + r), d, p->dtype, 1.0f);
        memset(w->acc + r * ld, 0, (size_t)d * sizeof(float));
        w->m[r] = -INFINITY;
        w->l[r] = 0.0f;
    }

    for (int64_t k0 = key_lo; k0 < key_end; k0 += KB) {
        const int64_t n = key_end - k0 < KB ? key_end - k0 : KB;
        /* The block is copied anyway, so a paged cache's block is gathered page by page (one
         * table lookup per page) and keeps the contiguous call's blocking: the same fp32 sums. */
        const int32_t kvd = panattn_kv_dtype(p);
        int64_t run;
        for (int64_t c0 = 0; c0 < n; c0 += run) {
            int64_t k_off, v_off;
            run = panattn_key_run(p, t->b, kvh, k0 + c0, n - c0, &k_off, &v_off);
            for (int64_t c = c0; c < c0 + run; c++) {
                load_column(w->kt, c, p->k, k_off + (c - c0) * p->k_row_stride, d, kvd,
                            panattn_kv_scale(p, 0, t->b, kvh, k0 + c));
                load_row(w->v + c * ld, p->v, v_off + (c - c0) * p->v_row_stride, d, kvd,
                         panattn_kv_scale(p, 1, t->b, kvh, k0 + c));
            }
        }
        for (int64_t r = 0; r < rows; r++) {
            const int64_t i = t->q_begin + r;
            int64_t c0, nr; /* the row sees columns [c0, nr) of the block */
            panattn_band_cols(&band, i, k0, n, &c0, &nr);
            if (nr == c0) {
                continue; /* the whole block is outside this row's causal limit or window */
            }
            float *restrict s = w->s + r * KB;
            const float *restrict q = w->q + r * ld;
            memset(s + c0, 0, (size_t)(nr - c0) * sizeof(float));
            for (int64_t x = 0; x < d; x++) {
                axpy(s + c0, w->kt + x * KB + c0, q[x], nr - c0);
            }
            scale_row(s + c0, p->softmax_scale, nr - c0);
            if (extras) {
                logit_extras(p, s, c0, nr, i, k0, t->h, band.offset);
            }
            if (p->mask != NULL) {
                const float *restrict mrow = p->mask + t->b * p->mask_batch_stride +
                                             t->h * p->mask_head_stride + i * p->mask_row_stride + k0;
                for (int64_t c = c0; c < nr; c++) {
                    /* -inf excludes the key even when q.k is NaN: an excluded key has no say */
                    s[c] = mrow[c] == -INFINITY ? -INFINITY : s[c] + mrow[c];
                }
            }
            /* Online softmax. `>` skips NaN, so m stays NaN-free and NaN reaches l through
             * exp(NaN - m) instead; a NaN in a block with nothing finite is caught below. */
            float block_max = -INFINITY;
            for (int64_t c = c0; c < nr; c++) {
                block_max = s[c] > block_max ? s[c] : block_max;
            }
            const float m_old = w->m[r];
            const float m_new = block_max > m_old ? block_max : m_old;
            if (m_new == -INFINITY) {
                for (int64_t c = c0; c < nr; c++) {
                    if (isnan(s[c])) {
                        w->l[r] = NAN;
                    }
                }
                continue;
            }
            if (m_new != m_old) {
                const float alpha = expf(m_old - m_new); /* 0 when m_old = -inf */
                scale_row(w->acc + r * ld, alpha, d);
                w->l[r] *= alpha;
                w->m[r] = m_new;
            }
            float sum = 0.0f;
            float *restrict acc = w->acc + r * ld;
            for (int64_t c = c0; c < nr; c++) {
                if (s[c] == -INFINITY) {
                    continue; /* excluded: skip, so a NaN or inf in its v cannot leak in */
                }
                const float pc = expf(s[c] - m_new);
                sum += pc;
                axpy(acc, w->v + c * ld, pc, d);
            }
            w->l[r] += sum;
        }
    }

    for (int64_t r = 0; r < rows; r++) {
        const int64_t i = t->q_begin + r;
        float *restrict acc = w->acc + r * ld;
        float lse;
        if (w->m[r] == -INFINITY && w->l[r] == 0.0f) {
            /* No key with a finite logit: zeros and lse = -inf by contract, not 0/0. */
            memset(acc, 0, (size_t)d * sizeof(float));
            lse = -INFINITY;
        } else {
            scale_row(acc, 1.0f / w->l[r], d); /* l NaN: the row becomes NaN, as it should */
            lse = w->m[r] + logf(w->l[r]);
        }
        panattn_emit_row(p, run, t->b, t->h, i, split, acc, lse);
    }
}

int32_t panattn_kernel_portable(const panattn_params *p, const panattn_run *run, int64_t tile_begin, int64_t tile_end) {
    scratch w;
    if (!scratch_init(&w, p->head_dim)) {
        return panattn_fail(PANATTN_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes of kernel scratch for head_dim %lld",
                            scratch_bytes(p->head_dim), (long long)p->head_dim);
    }
    for (int64_t t = tile_begin; t < tile_end; t++) {
        run_tile(p, run, t, &w);
    }
    panattn_free(w.block);
    return PANATTN_OK;
}

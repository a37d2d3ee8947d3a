/*
 * panattn_cuda_attn.cu — the CUDA attention kernels and their host dispatch.
 *
 *   fused_tc_kernel   F16/BF16 on tensor cores: mma.sync m16n8k16 (fp32 accumulate) fed by
 *                     ldmatrix, online softmax in registers, FlashAttention-2's structure: one CTA
 *                     per (64-query block, head, batch), 4 warps of 16 query rows each over the whole
 *                     key block, so row reductions stay inside a quad of lanes.
 *   simt_kernel       fp32-accumulating SIMT kernel for any dtype (the F32 path): 4 warps x 4 query
 *                     rows, one key per lane per 32-key block. With SPLIT it works on one key range
 *                     and writes a normalised fp32 partial O and its LSE (flash-decoding).
 *   combine_kernel    merges split partials by their log-sum-exp.
 *   softmax_kernel    the unfused (cuBLAS) path's masked softmax over materialised scores.
 *
 * Semantics are panattn.h's: logits = scale * q.k + mask; causal TOP_LEFT/BOTTOM_RIGHT against
 * the batch's key length; keys >= key_lengths[b] are invisible; a row that sees no key gives
 * out = 0 and lse = -inf, never NaN. Scores are kept in the log2 domain, x = logit * log2(e),
 * so p = exp2(x - max) and lse = ln2 * (max + log2(sum)).
 *
 * Version history (llm.c style; speeds are to be measured on the H200, none yet):
 *   v1 (this file): plain global->shared loads (16-byte when aligned), no cp.async pipelining,
 *      element-wise output stores, masks evaluated in every key block. Correctness first.
 *   v2: keys a row does not see are never consulted, inside a tile too: their logit is assigned
 *      -inf (a NaN q.k + a -inf mask entry stays hidden), the SIMT kernel skips P = 0 keys, and a
 *      tensor-core tile whose V holds inf/NaN does P.V without the MMA, skipping P = 0 keys. d = 256
 *      now runs the SIMT kernel: at 250 registers the tensor-core kernel had none left for that
 *      path (ptxas spilled 64 bytes with it), and a spill fails the build.
 */
#include <cmath>
#include <cstdio>
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "panattn.h"
#include "panattn_cuda.h"
#include "panattn_cuda_frag.h"
#include "panattn_cuda_internal.h"

using panattn_cuda::fail;
using panattn_cuda::stream_of;

namespace {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

/* The kernels' view of panattn_params: device pointers, 32-bit sizes, 64-bit strides. */
struct Args {
    const void *q;
    const void *k;
    const void *v;
    void *out;
    float *lse;
    const float *mask;
    const int32_t *key_lengths;
    int batch, heads, kv_heads, group, seq_q, seq_k, head_dim, causal;
    int64_t q_bs, q_hs, q_rs, k_bs, k_hs, k_rs, v_bs, v_hs, v_rs, o_bs, o_hs, o_rs;
    int64_t l_bs, l_hs, m_bs, m_hs, m_rs;
    float scale_log2; /* softmax_scale * log2(e) */
    int vec16;        /* q, k, v 16-byte aligned and every row/head/batch stride a multiple of 8 */
    /* split-KV */
    int num_splits;
    int keys_per_split;
    float *o_part; /* (splits, batch, heads, seq_q, head_dim) */
    float *l_part; /* (splits, batch, heads, seq_q) */
};

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }
__device__ __forceinline__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T> __device__ __forceinline__ T from_float(float x);
template <> __device__ __forceinline__ float from_float<float>(float x) { return x; }
template <> __device__ __forceinline__ __half from_float<__half>(float x) { return __float2half_rn(x); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }

/* Packs (lo, hi) into one .b32 of two 16-bit elements, lo in the low half (the PTX ISA's packing). */
template <typename T> __device__ __forceinline__ uint32_t pack2(float lo, float hi);
template <> __device__ __forceinline__ uint32_t pack2<__half>(float lo, float hi) {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<uint32_t *>(&h);
}
template <> __device__ __forceinline__ uint32_t pack2<__nv_bfloat16>(float lo, float hi) {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t *>(&h);
}
static_assert(sizeof(__nv_bfloat162) == 4 && sizeof(__half2) == 4, "two 16-bit elements per register");

__device__ __forceinline__ int key_length(const Args &a, int b) {
    int n = a.key_lengths != nullptr ? a.key_lengths[b] : a.seq_k;
    return n < 0 ? 0 : (n > a.seq_k ? a.seq_k : n); /* Java validated; clamp for memory safety anyway */
}

/* Keys [0, visible_end) are visible to query row i (may be <= 0: none). */
__device__ __forceinline__ int visible_end(const Args &a, int kvlen, int row) {
    if (a.causal == PANATTN_CAUSAL_TOP_LEFT) {
        return min(kvlen, row + 1);
    }
    if (a.causal == PANATTN_CAUSAL_BOTTOM_RIGHT) {
        return min(kvlen, row + 1 + kvlen - a.seq_q);
    }
    return kvlen;
}

/* One past the last key any row in [m0, m0 + rows) may see. */
__device__ __forceinline__ int block_key_end(const Args &a, int kvlen, int m0, int rows) {
    int last = min(m0 + rows, a.seq_q) - 1;
    return max(0, visible_end(a, kvlen, last));
}

/* The log2-domain logit of (row, col) from the raw q.k, or -inf when the row does not see the key
 * (col >= vend, or a -inf mask entry). Assigned, never added: NaN q.k + (-inf) would stay NaN.
 * mask is the (batch, head) plane or NULL; rows past seq_q (tile padding) read no mask. */
__device__ __forceinline__ float visible_logit(const Args &a, const float *mask, int row, int col, int vend, float qk) {
    if (col >= vend) {
        return -INFINITY;
    }
    float x = qk * a.scale_log2;
    if (mask != nullptr && row < a.seq_q) {
        const float m = mask[(int64_t)row * a.m_rs + col];
        x = m == -INFINITY ? -INFINITY : x + m * kLog2e;
    }
    return x;
}

__device__ __forceinline__ void ldsm_x4(uint32_t (&r)[4], const void *p) {
    uint32_t addr = static_cast<uint32_t>(__cvta_generic_to_shared(p));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr)
                 : "memory");
}

__device__ __forceinline__ void ldsm_x4_trans(uint32_t (&r)[4], const void *p) {
    uint32_t addr = static_cast<uint32_t>(__cvta_generic_to_shared(p));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr)
                 : "memory");
}

/* c += a . b on a 16x8x16 tile, fp32 accumulate. */
template <typename T>
__device__ __forceinline__ void mma16816(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    if constexpr (std::is_same<T, __half>::value) {
        asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
            : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
}

/* Exponent bits all ones: inf or NaN, for the 16-bit float in the low half of bits. */
template <typename T> __device__ __forceinline__ bool nonfinite_bits(uint32_t bits) {
    constexpr uint32_t kExp = std::is_same<T, __half>::value ? 0x7C00u : 0x7F80u;
    return (bits & kExp) == kExp;
}

/* True when either 16-bit element packed in w is inf or NaN. */
template <typename T> __device__ __forceinline__ bool nonfinite2(uint32_t w) {
    return nonfinite_bits<T>(w) || nonfinite_bits<T>(w >> 16);
}

/* rows x D elements of g (row stride in elements) into s (row stride LDS), rows >= valid zeroed
 * (a P of 0 does not protect against NaN garbage in V). With
 * DETECT_NONFINITE (the V tile) the return value says whether this thread stored an inf/NaN: the
 * tile is shared by 64 rows, and a key one row sees may be hidden from another, whose P = 0 would
 * turn that V into 0 x NaN = NaN in the MMA. */
template <typename T, int D, int LDS, int THREADS, bool DETECT_NONFINITE>
__device__ __forceinline__ bool load_tile(T *s, const T *g, int64_t row_stride, int rows, int valid, bool vec) {
    bool bad = false;
    if (vec) {
        constexpr int CHUNKS = D / 8; /* 16-byte chunks per row */
        for (int i = threadIdx.x; i < rows * CHUNKS; i += THREADS) {
            int r = i / CHUNKS, c = (i % CHUNKS) * 8;
            uint4 val = make_uint4(0, 0, 0, 0);
            if (r < valid) {
                val = *reinterpret_cast<const uint4 *>(g + r * row_stride + c);
                if constexpr (DETECT_NONFINITE) {
                    bad = bad || nonfinite2<T>(val.x) || nonfinite2<T>(val.y) || nonfinite2<T>(val.z) || nonfinite2<T>(val.w);
                }
            }
            *reinterpret_cast<uint4 *>(s + r * LDS + c) = val;
        }
    } else {
        for (int i = threadIdx.x; i < rows * D; i += THREADS) {
            int r = i / D, c = i % D;
            const T x = r < valid ? g[r * row_stride + c] : from_float<T>(0.0f);
            if constexpr (DETECT_NONFINITE) {
                bad = bad || !isfinite(to_float(x));
            }
            s[r * LDS + c] = x;
        }
    }
    return bad;
}

/* O += P.V for a tile whose V holds an inf/NaN, without tensor cores: each lane adds, for the keys
 * its rows see (P > 0), P (rounded to T as the MMA would) times V to its own accumulators, so a
 * row never touches the V of a key it does not see, and a row that does see one is inf/NaN as the
 * plain sum would make it. Lanes hold P as the S accumulators: key j of row half r sits in n-tile
 * j / 8, element 2r + (j & 1), of lane 4g + (j % 8) / 2. Only the rare tiles with such a V run it. */
template <typename T, int D, int BN, int LDS>
__device__ __forceinline__ void pv_skipping_unseen(float (&o)[D / 8][4], const float (&p)[BN / 8][4], const T *sv,
                                                   int lane) {
    const int t = panattn_frag::thread_in_group(lane);
#pragma unroll 1 /* rolled: a rare path, not worth BN copies of its code */
    for (int j = 0; j < BN; j++) {
        float pr[2];
#pragma unroll
        for (int r = 0; r < 2; r++) {
            float mine = 0.0f;
#pragma unroll
            for (int kt = 0; kt < BN / 8; kt++) {
                /* selects, not p[kt][2r + (j & 1)]: a run-time register index would go to local memory */
                const float pick = (j & 1) != 0 ? p[kt][2 * r + 1] : p[kt][2 * r];
                mine = kt == (j >> 3) ? pick : mine;
            }
            pr[r] = __shfl_sync(0xffffffffu, mine, (lane & ~3) | ((j & 7) >> 1));
        }
        const T *vj = sv + j * LDS + 2 * t;
        const float pq0 = pr[0] != 0.0f ? to_float(from_float<T>(pr[0])) : 0.0f;
        const float pq1 = pr[1] != 0.0f ? to_float(from_float<T>(pr[1])) : 0.0f;
#pragma unroll
        for (int nt = 0; nt < D / 8; nt++) {
            const float v0 = to_float(vj[nt * 8]), v1 = to_float(vj[nt * 8 + 1]);
            if (pr[0] != 0.0f) {
                o[nt][0] = fmaf(pq0, v0, o[nt][0]);
                o[nt][1] = fmaf(pq0, v1, o[nt][1]);
            }
            if (pr[1] != 0.0f) {
                o[nt][2] = fmaf(pq1, v0, o[nt][2]);
                o[nt][3] = fmaf(pq1, v1, o[nt][3]);
            }
        }
    }
}

/* k-steps of Q.K^T unrolled; d = 256 keeps them rolled, else ptxas hoists loads and spills. */
constexpr __host__ __device__ int qk_unroll(int d) { return d <= 128 ? d / 16 : 1; }

template <int D> struct TcTile {
    static constexpr int BM = 64;  /* 4 warps x 16 rows */
    static constexpr int BN = 64;
    static constexpr int WARPS = 4;
    static constexpr int THREADS = 32 * WARPS;
    static constexpr int LDS = D + 8; /* +16 bytes per row: ldmatrix rows stay 16-byte aligned, no bank conflicts */
    static constexpr size_t SMEM = (size_t)(BM + 2 * BN) * LDS * 2;
    static_assert(BM == 16 * WARPS, "one 16-row slab per warp");
    static_assert(BN % 16 == 0, "k16 steps of P.V and pairs of n8 tiles of Q.K^T");
    static_assert(D % 16 == 0, "k16 steps of Q.K^T and pairs of n8 tiles of P.V");
    static_assert((LDS * 2) % 16 == 0, "ldmatrix row addresses must be 16-byte aligned");
};

/* The largest head dim the tensor-core kernel is launched for. d = 256 needed 250 registers on
 * sm_90 and spilled on sm_80 (ptxas 13.0); with the path that keeps unseen keys' inf/NaN V out
 * of O (pv_skipping_unseen) it spills on sm_90 too, so d = 256 runs the SIMT kernel. */
constexpr int kTcMaxHeadDim = 128;

template <typename T, int D>
__device__ __forceinline__ void fused_tc_body(const Args &a);

template <typename T, int D>
__global__ void __launch_bounds__(TcTile<D>::THREADS, 1) fused_tc_kernel(const Args a) {
    static_assert(D <= kTcMaxHeadDim, "d > kTcMaxHeadDim runs the SIMT kernel");
    fused_tc_body<T, D>(a);
}

template <typename T, int D>
__device__ __forceinline__ void fused_tc_body(const Args &a) {
    using Tile = TcTile<D>;
    constexpr int BM = Tile::BM, BN = Tile::BN, LDS = Tile::LDS, THREADS = Tile::THREADS;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    T *sQ = reinterpret_cast<T *>(smem_raw);
    T *sK = sQ + BM * LDS;
    T *sV = sK + BN * LDS;

    const int m0 = blockIdx.x * BM;
    const int h = blockIdx.y, b = blockIdx.z, hk = h / a.group;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int kvlen = key_length(a, b);
    const int n_end = block_key_end(a, kvlen, m0, BM);
    const int n_blocks = (n_end + BN - 1) / BN;

    const T *q = static_cast<const T *>(a.q) + b * a.q_bs + h * a.q_hs + (int64_t)m0 * a.q_rs;
    const T *k = static_cast<const T *>(a.k) + b * a.k_bs + hk * a.k_hs;
    const T *v = static_cast<const T *>(a.v) + b * a.v_bs + hk * a.v_hs;
    const float *mask = a.mask != nullptr ? a.mask + b * a.m_bs + h * a.m_hs : nullptr;
    load_tile<T, D, LDS, THREADS, false>(sQ, q, a.q_rs, BM, min(BM, a.seq_q - m0), a.vec16 != 0);

    float o[D / 8][4];
#pragma unroll
    for (int nt = 0; nt < D / 8; nt++) {
        o[nt][0] = o[nt][1] = o[nt][2] = o[nt][3] = 0.0f;
    }
    float row_max[2] = {-INFINITY, -INFINITY};
    float row_sum[2] = {0.0f, 0.0f};
    int vis_end[2];
#pragma unroll
    for (int r = 0; r < 2; r++) {
        vis_end[r] = visible_end(a, kvlen, m0 + warp * 16 + panattn_frag::acc_row(lane, 2 * r));
    }

    for (int nb = 0; nb < n_blocks; nb++) {
        const int n0 = nb * BN;
        __syncthreads(); /* every warp is done with the previous sK/sV */
        const int valid = min(BN, kvlen - n0);
        load_tile<T, D, LDS, THREADS, false>(sK, k + (int64_t)n0 * a.k_rs, a.k_rs, BN, valid, a.vec16 != 0);
        const bool v_bad = load_tile<T, D, LDS, THREADS, true>(sV, v + (int64_t)n0 * a.v_rs, a.v_rs, BN, valid, a.vec16 != 0);
        const bool tile_has_nonfinite_v = __syncthreads_or(v_bad) != 0; /* block-uniform */

        float s[BN / 8][4];
#pragma unroll
        for (int nt = 0; nt < BN / 8; nt++) {
            s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.0f;
        }
        const panattn_frag::RowCol qa_at = panattn_frag::ldsm_addr_a(lane);
        const panattn_frag::RowCol kb_at = panattn_frag::ldsm_addr_bk(lane);
#pragma unroll(qk_unroll(D))
        for (int kk = 0; kk < D / 16; kk++) {
            uint32_t qa[4];
            ldsm_x4(qa, sQ + (warp * 16 + qa_at.row) * LDS + kk * 16 + qa_at.col);
#pragma unroll
            for (int np = 0; np < BN / 16; np++) {
                uint32_t kb[4];
                ldsm_x4(kb, sK + (np * 16 + kb_at.row) * LDS + kk * 16 + kb_at.col);
                mma16816<T>(s[2 * np], qa, kb[0], kb[1]);
                mma16816<T>(s[2 * np + 1], qa, kb[2], kb[3]);
            }
        }

        /* logits in the log2 domain; keys a row does not see (past its key length, causally
         * hidden, or a -inf mask entry) are assigned -inf, never added to: a NaN q.k stays hidden */
#pragma unroll
        for (int nt = 0; nt < BN / 8; nt++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int row = m0 + warp * 16 + panattn_frag::acc_row(lane, e);
                const int col = n0 + panattn_frag::acc_col(lane, nt, e);
                s[nt][e] = visible_logit(a, mask, row, col, vis_end[e >> 1], s[nt][e]);
            }
        }

        /* online softmax, per row half r (elements 2r, 2r+1 of every n-tile) */
#pragma unroll
        for (int r = 0; r < 2; r++) {
            float mx = -INFINITY;
#pragma unroll
            for (int nt = 0; nt < BN / 8; nt++) {
                mx = fmaxf(mx, fmaxf(s[nt][2 * r], s[nt][2 * r + 1]));
            }
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
            const float new_max = fmaxf(row_max[r], mx);
            const float m_use = new_max == -INFINITY ? 0.0f : new_max; /* guard (-inf) - (-inf) */
            const float alpha = exp2f(row_max[r] - m_use);
            row_max[r] = new_max;
            row_sum[r] *= alpha;
#pragma unroll
            for (int nt = 0; nt < D / 8; nt++) {
                o[nt][2 * r] *= alpha;
                o[nt][2 * r + 1] *= alpha;
            }
#pragma unroll
            for (int nt = 0; nt < BN / 8; nt++) {
                const float p0 = exp2f(s[nt][2 * r] - m_use);
                const float p1 = exp2f(s[nt][2 * r + 1] - m_use);
                s[nt][2 * r] = p0;
                s[nt][2 * r + 1] = p1;
                row_sum[r] += p0 + p1; /* the unrounded p, as FlashAttention-2 */
            }
        }

        if (tile_has_nonfinite_v) { /* block-uniform */
            pv_skipping_unseen<T, D, BN, LDS>(o, s, sV, lane);
            continue;
        }
        /* O += P.V: the S accumulators are the A fragments of P (no shared-memory round trip) */
        const panattn_frag::RowCol vb_at = panattn_frag::ldsm_addr_vt(lane);
#pragma unroll
        for (int kk = 0; kk < BN / 16; kk++) {
            uint32_t pa[4];
#pragma unroll
            for (int reg = 0; reg < 4; reg++) {
                const int tile = panattn_frag::p_from_s_tile(kk, reg);
                pa[reg] = pack2<T>(s[tile][panattn_frag::p_from_s_elem(reg, 0)], s[tile][panattn_frag::p_from_s_elem(reg, 1)]);
            }
#pragma unroll
            for (int dp = 0; dp < D / 16; dp++) {
                uint32_t vb[4];
                ldsm_x4_trans(vb, sV + (kk * 16 + vb_at.row) * LDS + dp * 16 + vb_at.col);
                mma16816<T>(o[2 * dp], pa, vb[0], vb[1]);
                mma16816<T>(o[2 * dp + 1], pa, vb[2], vb[3]);
            }
        }
    }

    /* epilogue: O / l, LSE; fully masked rows (l = 0) give 0 and -inf */
    T *out = static_cast<T *>(a.out) + b * a.o_bs + h * a.o_hs;
#pragma unroll
    for (int r = 0; r < 2; r++) {
        float sum = row_sum[r];
        sum += __shfl_xor_sync(0xffffffffu, sum, 2);
        sum += __shfl_xor_sync(0xffffffffu, sum, 1);
        /* sum is >= 1 when the row saw a key (its max key has p = 1), NaN when it saw a NaN
         * logit (the row is NaN, not "fully masked"), 0 only when it saw none */
        const float inv = sum != 0.0f ? 1.0f / sum : 0.0f;
        const int row = m0 + warp * 16 + panattn_frag::acc_row(lane, 2 * r);
        if (row < a.seq_q) {
#pragma unroll
            for (int nt = 0; nt < D / 8; nt++) {
                const int col = panattn_frag::acc_col(lane, nt, 2 * r);
                out[(int64_t)row * a.o_rs + col] = from_float<T>(sum != 0.0f ? o[nt][2 * r] * inv : 0.0f);
                out[(int64_t)row * a.o_rs + col + 1] = from_float<T>(sum != 0.0f ? o[nt][2 * r + 1] * inv : 0.0f);
            }
            if (a.lse != nullptr && panattn_frag::thread_in_group(lane) == 0) {
                a.lse[b * a.l_bs + h * a.l_hs + row] = sum != 0.0f ? (row_max[r] + log2f(sum)) * kLn2 : -INFINITY;
            }
        }
    }
}

/* ---------------------------------------------------------------- SIMT (fp32, any dtype) */

constexpr int kSimtWarps = 4;
constexpr int kSimtRowsPerWarp = 4;
constexpr int kSimtBM = kSimtWarps * kSimtRowsPerWarp; /* 16 query rows per CTA */
constexpr int kSimtBN = 32;                             /* one key per lane */
constexpr int kSimtThreads = 32 * kSimtWarps;

inline size_t simt_smem(int d) {
    return sizeof(float) * ((size_t)kSimtBM * d + (size_t)kSimtBN * (d + 1) + (size_t)kSimtBN * d);
}

/* grid (m_blocks * splits, heads, batch). DPL = ceil(head_dim / 32) output columns per lane. */
template <typename T, int DPL, bool SPLIT>
__global__ void __launch_bounds__(kSimtThreads, 1) simt_kernel(const Args a) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int D = a.head_dim;
    float *sQ = reinterpret_cast<float *>(smem_raw); /* [BM][D] */
    float *sK = sQ + kSimtBM * D;                     /* [BN][D + 1]: lane j reads row j, no bank conflicts */
    float *sV = sK + kSimtBN * (D + 1);               /* [BN][D] */

    const int splits = SPLIT ? a.num_splits : 1;
    const int split = blockIdx.x % splits;
    const int m0 = (blockIdx.x / splits) * kSimtBM;
    const int h = blockIdx.y, b = blockIdx.z, hk = h / a.group;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int kvlen = key_length(a, b);
    int n_begin = 0;
    int n_end = block_key_end(a, kvlen, m0, kSimtBM);
    if (SPLIT) {
        n_begin = split * a.keys_per_split;
        n_end = min(n_end, n_begin + a.keys_per_split);
    }

    const T *q = static_cast<const T *>(a.q) + b * a.q_bs + h * a.q_hs;
    const T *k = static_cast<const T *>(a.k) + b * a.k_bs + hk * a.k_hs;
    const T *v = static_cast<const T *>(a.v) + b * a.v_bs + hk * a.v_hs;
    const float *mask = a.mask != nullptr ? a.mask + b * a.m_bs + h * a.m_hs : nullptr;
    for (int i = threadIdx.x; i < kSimtBM * D; i += kSimtThreads) {
        const int r = i / D, c = i % D;
        sQ[i] = m0 + r < a.seq_q ? to_float(q[(int64_t)(m0 + r) * a.q_rs + c]) : 0.0f;
    }

    float o[kSimtRowsPerWarp][DPL];
    float row_max[kSimtRowsPerWarp], row_sum[kSimtRowsPerWarp];
#pragma unroll
    for (int r = 0; r < kSimtRowsPerWarp; r++) {
        row_max[r] = -INFINITY;
        row_sum[r] = 0.0f;
#pragma unroll
        for (int c = 0; c < DPL; c++) {
            o[r][c] = 0.0f;
        }
    }

    for (int n0 = n_begin; n0 < n_end; n0 += kSimtBN) {
        __syncthreads();
        const int valid = min(kSimtBN, kvlen - n0);
        for (int i = threadIdx.x; i < kSimtBN * D; i += kSimtThreads) {
            const int r = i / D, c = i % D;
            sK[r * (D + 1) + c] = r < valid ? to_float(k[(int64_t)(n0 + r) * a.k_rs + c]) : 0.0f;
            sV[r * D + c] = r < valid ? to_float(v[(int64_t)(n0 + r) * a.v_rs + c]) : 0.0f;
        }
        __syncthreads();
        const int col = n0 + lane;
#pragma unroll
        for (int r = 0; r < kSimtRowsPerWarp; r++) {
            const int lrow = warp * kSimtRowsPerWarp + r;
            const int row = m0 + lrow;
            float dot = 0.0f;
            for (int d = 0; d < D; d++) {
                dot = fmaf(sQ[lrow * D + d], sK[lane * (D + 1) + d], dot);
            }
            const float x = visible_logit(a, mask, row, col, min(visible_end(a, kvlen, row), n_end), dot);
            float mx = x;
#pragma unroll
            for (int off = 16; off > 0; off >>= 1) {
                mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
            }
            const float new_max = fmaxf(row_max[r], mx);
            const float m_use = new_max == -INFINITY ? 0.0f : new_max;
            const float alpha = exp2f(row_max[r] - m_use);
            const float p = exp2f(x - m_use);
            float ps = p;
#pragma unroll
            for (int off = 16; off > 0; off >>= 1) {
                ps += __shfl_xor_sync(0xffffffffu, ps, off);
            }
            row_max[r] = new_max;
            row_sum[r] = row_sum[r] * alpha + ps;
#pragma unroll
            for (int c = 0; c < DPL; c++) {
                o[r][c] *= alpha;
            }
            for (int j = 0; j < kSimtBN; j++) {
                const float pj = __shfl_sync(0xffffffffu, p, j);
                if (pj == 0.0f) {
                    continue; /* warp-uniform; a key this row does not see: 0 x NaN in its V must not reach O */
                }
#pragma unroll
                for (int c = 0; c < DPL; c++) {
                    const int d = lane + 32 * c;
                    if (d < D) {
                        o[r][c] = fmaf(pj, sV[j * D + d], o[r][c]);
                    }
                }
            }
        }
    }

#pragma unroll
    for (int r = 0; r < kSimtRowsPerWarp; r++) {
        const int row = m0 + warp * kSimtRowsPerWarp + r;
        if (row >= a.seq_q) {
            break; /* rows increase with r */
        }
        const float sum = row_sum[r];
        const float inv = sum != 0.0f ? 1.0f / sum : 0.0f;
        const float lse = sum != 0.0f ? (row_max[r] + log2f(sum)) * kLn2 : -INFINITY;
        if (SPLIT) {
            const int64_t prow = (((int64_t)split * a.batch + b) * a.heads + h) * a.seq_q + row;
#pragma unroll
            for (int c = 0; c < DPL; c++) {
                const int d = lane + 32 * c;
                if (d < D) {
                    a.o_part[prow * D + d] = sum != 0.0f ? o[r][c] * inv : 0.0f;
                }
            }
            if (lane == 0) {
                a.l_part[prow] = lse;
            }
        } else {
            T *out = static_cast<T *>(a.out) + b * a.o_bs + h * a.o_hs + (int64_t)row * a.o_rs;
#pragma unroll
            for (int c = 0; c < DPL; c++) {
                const int d = lane + 32 * c;
                if (d < D) {
                    out[d] = from_float<T>(sum != 0.0f ? o[r][c] * inv : 0.0f);
                }
            }
            if (lane == 0 && a.lse != nullptr) {
                a.lse[b * a.l_bs + h * a.l_hs + row] = lse;
            }
        }
    }
}

/* One warp per (batch, head, row): LSE = log Σ exp(LSE_s); O = Σ exp(LSE_s - LSE) O_s.
 * All splits empty or fully masked: O = 0, LSE = -inf (FlashAttention-2 writes +inf here). */
template <typename T>
__global__ void __launch_bounds__(128) combine_kernel(const Args a) {
    const int64_t rows = (int64_t)a.batch * a.heads * a.seq_q;
    const int64_t idx = (int64_t)blockIdx.x * 4 + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (idx >= rows) {
        return; /* whole warp leaves together: no warp-collective operation follows */
    }
    const int row = (int)(idx % a.seq_q);
    const int h = (int)((idx / a.seq_q) % a.heads);
    const int b = (int)(idx / ((int64_t)a.seq_q * a.heads));
    float mx = -INFINITY;
    for (int s = 0; s < a.num_splits; s++) {
        mx = fmaxf(mx, a.l_part[(int64_t)s * rows + idx]);
    }
    /* splits that saw no key (LSE -inf) take no part; a NaN partial makes the row NaN */
    const float m_use = mx == -INFINITY ? 0.0f : mx;
    float total = 0.0f;
    for (int s = 0; s < a.num_splits; s++) {
        const float l = a.l_part[(int64_t)s * rows + idx];
        if (l != -INFINITY) {
            total += expf(l - m_use);
        }
    }
    const bool seen = total != 0.0f;
    const float lse = seen ? m_use + logf(total) : -INFINITY;
    T *out = static_cast<T *>(a.out) + b * a.o_bs + h * a.o_hs + (int64_t)row * a.o_rs;
    for (int d = lane; d < a.head_dim; d += 32) {
        float acc = 0.0f;
        if (seen) {
            for (int s = 0; s < a.num_splits; s++) {
                const float l = a.l_part[(int64_t)s * rows + idx];
                if (l != -INFINITY) {
                    acc = fmaf(expf(l - lse), a.o_part[((int64_t)s * rows + idx) * a.head_dim + d], acc);
                }
            }
        }
        out[d] = from_float<T>(acc);
    }
    if (lane == 0 && a.lse != nullptr) {
        a.lse[b * a.l_bs + h * a.l_hs + row] = lse;
    }
}

/* ---------------------------------------------------------------- unfused path: masked softmax */

/* One warp per row of scores ((nb, nh, seq_q, seq_k) contiguous fp32, unscaled q.k). */
template <typename T>
__global__ void __launch_bounds__(128) softmax_kernel(const Args a, float *scores, T *probs_lowp, int b0, int nb,
                                                      int h0, int nh) {
    const int64_t rows = (int64_t)nb * nh * a.seq_q;
    const int64_t idx = (int64_t)blockIdx.x * 4 + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (idx >= rows) {
        return;
    }
    const int row = (int)(idx % a.seq_q);
    const int h = h0 + (int)((idx / a.seq_q) % nh);
    const int b = b0 + (int)(idx / ((int64_t)a.seq_q * nh));
    const int kvlen = key_length(a, b);
    const int vend = visible_end(a, kvlen, row);
    float *s = scores + idx * a.seq_k;
    const float *mask = a.mask != nullptr ? a.mask + b * a.m_bs + h * a.m_hs : nullptr;
    float mx = -INFINITY;
    for (int j = lane; j < a.seq_k; j += 32) {
        const float x = visible_logit(a, mask, row, j, vend, s[j]);
        s[j] = x;
        mx = fmaxf(mx, x);
    }
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) {
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
    }
    const float m_use = mx == -INFINITY ? 0.0f : mx;
    float sum = 0.0f;
    for (int j = lane; j < a.seq_k; j += 32) {
        sum += exp2f(s[j] - m_use);
    }
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) {
        sum += __shfl_xor_sync(0xffffffffu, sum, off);
    }
    const float inv = sum != 0.0f ? 1.0f / sum : 0.0f;
    for (int j = lane; j < a.seq_k; j += 32) {
        const float p = exp2f(s[j] - m_use) * inv;
        s[j] = p;
        if (probs_lowp != nullptr) {
            probs_lowp[idx * a.seq_k + j] = from_float<T>(p);
        }
    }
    if (lane == 0 && a.lse != nullptr) {
        a.lse[b * a.l_bs + h * a.l_hs + row] = sum != 0.0f ? (m_use + log2f(sum)) * kLn2 : -INFINITY;
    }
}

/* ---------------------------------------------------------------- host side */

bool supported_head_dim(int64_t d) {
    return d == 32 || d == 64 || d == 80 || d == 96 || d == 128 || d == 256;
}

int32_t validate(const panattn_params *p) {
    const char *fn = "panattn_cuda_validate";
    if (p == nullptr) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "params must not be NULL");
    }
    if (p->q == nullptr || p->k == nullptr || p->v == nullptr || p->out == nullptr) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "q, k, v and out must not be NULL");
    }
    if (p->batch < 1 || p->heads < 1 || p->kv_heads < 1 || p->seq_q < 1 || p->seq_k < 1 || p->head_dim < 1) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "batch, heads, kv_heads, seq_q, seq_k and head_dim must be >= 1");
    }
    if (p->heads % p->kv_heads != 0) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "kv_heads must divide heads");
    }
    // The serving options (sliding window, softcap, ALiBi) run on the CPU kernels only: refuse them
    // here rather than compute plain attention for a C caller who set them.
    if (p->window != 0 || p->softcap != 0.0f || p->alibi_slopes != nullptr) {
        return fail(PANATTN_ERR_UNSUPPORTED, fn, "sliding window, softcap and ALiBi are not implemented by the CUDA kernels");
    }
    // Packed batches and paged keys too: the kernels index q, k and v by (batch, head, row) strides
    // only, so such params would read the wrong rows. The message names the field that is set.
    const char *layout = p->cu_seqlens_q != nullptr   ? "cu_seqlens_q is set: packed variable-length batches"
                         : p->cu_seqlens_k != nullptr ? "cu_seqlens_k is set: packed variable-length batches"
                         : p->block_table != nullptr  ? "block_table is set: paged keys"
                                                      : nullptr;
    if (layout != nullptr) {
        char msg[160];
        std::snprintf(msg, sizeof msg, "%s are not implemented by the CUDA kernels (the CPU kernels run them)", layout);
        return fail(PANATTN_ERR_UNSUPPORTED, fn, msg);
    }
    // Quantised or mixed K/V (F16/BF16/I8 K and V for fp32 queries) is read by the CPU kernels
    // only; the CUDA kernels would read int8 or half K/V as q's dtype.
    if (p->kv_dtype != 0 || p->k_scale != nullptr || p->v_scale != nullptr) {
        return fail(PANATTN_ERR_UNSUPPORTED, fn,
                    "kv_dtype (and k_scale/v_scale): quantised or mixed K/V is not implemented by the CUDA kernels; "
                    "leave kv_dtype 0 and the scales NULL");
    }
    // PANATTN_WEIGHTS_BF16 is a permission: these kernels keep the weights at fp32 accuracy.
    if (p->weights != PANATTN_WEIGHTS_FP32 && p->weights != PANATTN_WEIGHTS_BF16) {
        char msg[96];
        std::snprintf(msg, sizeof msg, "weights (%lld) must be FP32 (0) or BF16 (1)", (long long)p->weights);
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, msg);
    }
    if (p->batch > 65535 || p->heads > 65535 || p->seq_q > INT32_MAX - 256 || p->seq_k > INT32_MAX - 256) {
        return fail(PANATTN_ERR_UNSUPPORTED, fn, "CUDA grid limits: batch and heads <= 65535, sequences < 2^31");
    }
    if (!supported_head_dim(p->head_dim)) {
        char msg[160];
        std::snprintf(msg, sizeof msg, "head_dim %lld is not supported by the CUDA kernels (supported: 32, 64, 80, 96, 128, 256)",
                      (long long)p->head_dim);
        return fail(PANATTN_ERR_UNSUPPORTED, fn, msg);
    }
    if (p->dtype != PANATTN_DTYPE_F32 && p->dtype != PANATTN_DTYPE_F16 && p->dtype != PANATTN_DTYPE_BF16) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "dtype must be PANATTN_DTYPE_F32, _F16 or _BF16");
    }
    if (p->causal != PANATTN_CAUSAL_NONE && p->causal != PANATTN_CAUSAL_TOP_LEFT && p->causal != PANATTN_CAUSAL_BOTTOM_RIGHT) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "causal must be PANATTN_CAUSAL_NONE, _TOP_LEFT or _BOTTOM_RIGHT");
    }
    const int64_t strides[] = {p->q_batch_stride, p->q_head_stride, p->q_row_stride, p->k_batch_stride, p->k_head_stride,
                               p->k_row_stride, p->v_batch_stride, p->v_head_stride, p->v_row_stride, p->out_batch_stride,
                               p->out_head_stride, p->out_row_stride, p->lse_batch_stride, p->lse_head_stride,
                               p->mask_batch_stride, p->mask_head_stride, p->mask_row_stride};
    for (int64_t s : strides) {
        if (s < 0) {
            return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "strides must be >= 0");
        }
    }
    if (!std::isfinite(p->softmax_scale)) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "softmax_scale must be finite");
    }
    return PANATTN_OK;
}

Args make_args(const panattn_params *p) {
    Args a{};
    a.q = p->q;
    a.k = p->k;
    a.v = p->v;
    a.out = p->out;
    a.lse = p->lse;
    a.mask = p->mask;
    a.key_lengths = p->key_lengths;
    a.batch = (int)p->batch;
    a.heads = (int)p->heads;
    a.kv_heads = (int)p->kv_heads;
    a.group = (int)(p->heads / p->kv_heads);
    a.seq_q = (int)p->seq_q;
    a.seq_k = (int)p->seq_k;
    a.head_dim = (int)p->head_dim;
    a.causal = p->causal;
    a.q_bs = p->q_batch_stride;
    a.q_hs = p->q_head_stride;
    a.q_rs = p->q_row_stride;
    a.k_bs = p->k_batch_stride;
    a.k_hs = p->k_head_stride;
    a.k_rs = p->k_row_stride;
    a.v_bs = p->v_batch_stride;
    a.v_hs = p->v_head_stride;
    a.v_rs = p->v_row_stride;
    a.o_bs = p->out_batch_stride;
    a.o_hs = p->out_head_stride;
    a.o_rs = p->out_row_stride;
    a.l_bs = p->lse_batch_stride;
    a.l_hs = p->lse_head_stride;
    a.m_bs = p->mask_batch_stride;
    a.m_hs = p->mask_head_stride;
    a.m_rs = p->mask_row_stride;
    a.scale_log2 = (float)((double)p->softmax_scale * 1.4426950408889634);
    bool vec = true;
    for (const void *ptr : {p->q, p->k, p->v}) {
        vec = vec && (reinterpret_cast<uintptr_t>(ptr) % 16 == 0);
    }
    for (int64_t s : {p->q_batch_stride, p->q_head_stride, p->q_row_stride, p->k_batch_stride, p->k_head_stride,
                      p->k_row_stride, p->v_batch_stride, p->v_head_stride, p->v_row_stride}) {
        vec = vec && (s % 8 == 0);
    }
    a.vec16 = vec ? 1 : 0;
    a.num_splits = 1;
    return a;
}

int32_t check_launch(const char *what) {
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) {
        return panattn_cuda::fail_cuda(what, e);
    }
    return PANATTN_OK;
}

template <typename T, int D>
int32_t launch_tc(const Args &a, cudaStream_t s) {
    using Tile = TcTile<D>;
    auto kernel = fused_tc_kernel<T, D>;
    if (Tile::SMEM > 48 * 1024) {
        PANATTN_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)Tile::SMEM));
    }
    dim3 grid((unsigned)((a.seq_q + Tile::BM - 1) / Tile::BM), (unsigned)a.heads, (unsigned)a.batch);
    kernel<<<grid, Tile::THREADS, Tile::SMEM, s>>>(a);
    return check_launch("fused_tc_kernel launch");
}

template <typename T>
int32_t launch_tc_dim(const Args &a, cudaStream_t s) {
    switch (a.head_dim) {
    case 32: return launch_tc<T, 32>(a, s);
    case 64: return launch_tc<T, 64>(a, s);
    case 80: return launch_tc<T, 80>(a, s);
    case 96: return launch_tc<T, 96>(a, s);
    case 128: return launch_tc<T, 128>(a, s);
    default: return fail(PANATTN_ERR_UNSUPPORTED, "panattn_cuda_forward", "head_dim not compiled for tensor cores");
    }
}

template <typename T, int DPL, bool SPLIT>
int32_t launch_simt_dpl(const Args &a, cudaStream_t s) {
    auto kernel = simt_kernel<T, DPL, SPLIT>;
    const size_t smem = simt_smem(a.head_dim);
    if (smem > 48 * 1024) {
        PANATTN_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    }
    const unsigned m_blocks = (unsigned)((a.seq_q + kSimtBM - 1) / kSimtBM);
    dim3 grid(m_blocks * (unsigned)(SPLIT ? a.num_splits : 1), (unsigned)a.heads, (unsigned)a.batch);
    kernel<<<grid, kSimtThreads, smem, s>>>(a);
    return check_launch(SPLIT ? "simt_kernel<split> launch" : "simt_kernel launch");
}

template <typename T, bool SPLIT>
int32_t launch_simt(const Args &a, cudaStream_t s) {
    switch ((a.head_dim + 31) / 32) {
    case 1: return launch_simt_dpl<T, 1, SPLIT>(a, s);
    case 2: return launch_simt_dpl<T, 2, SPLIT>(a, s);
    case 3: return launch_simt_dpl<T, 3, SPLIT>(a, s);
    case 4: return launch_simt_dpl<T, 4, SPLIT>(a, s);
    case 8: return launch_simt_dpl<T, 8, SPLIT>(a, s);
    default: return fail(PANATTN_ERR_UNSUPPORTED, "panattn_cuda_forward", "head_dim not compiled");
    }
}

/* FlashAttention-2's wave rule, simplified: aim for >= 2 CTAs per SM in
 * total and >= 128 keys per split, at most 128 splits; 1 when the grid already fills the GPU. */
int choose_splits(const panattn_params *p, int sms) {
    const int64_t ctas = p->batch * p->heads * ((p->seq_q + kSimtBM - 1) / kSimtBM);
    const int64_t target = 2LL * sms;
    if (ctas * 10 >= target * 8) {
        return 1;
    }
    int64_t s = (target + ctas - 1) / ctas;
    s = s < (p->seq_k + 127) / 128 ? s : (p->seq_k + 127) / 128;
    s = s < 128 ? s : 128;
    return s < 1 ? 1 : (int)s;
}

template <typename T>
int32_t run_split(Args a, int splits, cudaStream_t s) {
    const int64_t key_blocks = (a.seq_k + kSimtBN - 1) / kSimtBN;
    const int64_t blocks_per_split = (key_blocks + splits - 1) / splits;
    a.keys_per_split = (int)(blocks_per_split * kSimtBN);
    a.num_splits = (int)((key_blocks + blocks_per_split - 1) / blocks_per_split); /* no empty tail splits */
    const int64_t rows = (int64_t)a.batch * a.heads * a.seq_q;
    const size_t obytes = sizeof(float) * (size_t)(rows * a.num_splits * a.head_dim);
    const size_t lbytes = sizeof(float) * (size_t)(rows * a.num_splits);
    void *ws = nullptr;
    PANATTN_CUDA_CHECK(cudaMallocAsync(&ws, obytes + lbytes, s));
    a.o_part = static_cast<float *>(ws);
    a.l_part = reinterpret_cast<float *>(static_cast<char *>(ws) + obytes);
    int32_t st = launch_simt<T, true>(a, s);
    if (st == PANATTN_OK) {
        combine_kernel<T><<<(unsigned)((rows + 3) / 4), 128, 0, s>>>(a);
        st = check_launch("combine_kernel launch");
    }
    cudaError_t fe = cudaFreeAsync(ws, s);
    if (st == PANATTN_OK && fe != cudaSuccess) {
        return panattn_cuda::fail_cuda("cudaFreeAsync(split workspace)", fe);
    }
    return st;
}

template <typename T>
int32_t forward_typed(const panattn_params *p, const Args &a, int kernel, int splits, int sms, cudaStream_t s) {
    if (kernel == PANATTN_CUDA_KERNEL_AUTO) {
        kernel = PANATTN_CUDA_KERNEL_FUSED;
        if (p->seq_q <= 16 && p->seq_k >= 512) {
            splits = splits > 0 ? splits : choose_splits(p, sms);
            if (splits > 1) {
                kernel = PANATTN_CUDA_KERNEL_SPLIT_KV;
            }
        }
    }
    switch (kernel) {
    case PANATTN_CUDA_KERNEL_FUSED:
        if constexpr (std::is_same<T, float>::value) {
            return launch_simt<T, false>(a, s);
        } else {
            if (a.head_dim > kTcMaxHeadDim) {
                return launch_simt<T, false>(a, s);
            }
            return launch_tc_dim<T>(a, s);
        }
    case PANATTN_CUDA_KERNEL_SIMT:
        return launch_simt<T, false>(a, s);
    case PANATTN_CUDA_KERNEL_SPLIT_KV:
        return run_split<T>(a, splits > 0 ? splits : choose_splits(p, sms), s);
    default:
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_forward", "kernel must be PANATTN_CUDA_KERNEL_*");
    }
}

int32_t dispatch(const panattn_params *p, const Args &a, int kernel, int splits, int sms, cudaStream_t s) {
    switch (p->dtype) {
    case PANATTN_DTYPE_F32: return forward_typed<float>(p, a, kernel, splits, sms, s);
    case PANATTN_DTYPE_F16: return forward_typed<__half>(p, a, kernel, splits, sms, s);
    default: return forward_typed<__nv_bfloat16>(p, a, kernel, splits, sms, s);
    }
}

/* reps launches of p on s, each between two events; ms[i] = cudaEventElapsedTime of launch i. */
int32_t time_launches(const panattn_params *p, const Args &a, int kernel, int splits, int sms, cudaStream_t s,
                      cudaEvent_t start, cudaEvent_t stop, int reps, float *ms) {
    for (int i = 0; i < reps; i++) {
        PANATTN_CUDA_CHECK(cudaEventRecord(start, s));
        int32_t st = dispatch(p, a, kernel, splits, sms, s);
        if (st != PANATTN_OK) {
            return st;
        }
        PANATTN_CUDA_CHECK(cudaEventRecord(stop, s));
        PANATTN_CUDA_CHECK(cudaEventSynchronize(stop));
        PANATTN_CUDA_CHECK(cudaEventElapsedTime(&ms[i], start, stop));
    }
    return PANATTN_OK;
}

} // namespace

extern "C" {

PANATTN_CUDA_API int32_t panattn_cuda_validate(const panattn_params *p) {
    return validate(p);
}

PANATTN_CUDA_API int32_t panattn_cuda_forward(const panattn_params *p, int32_t device, int32_t kernel,
                                              int32_t num_splits, void *stream) {
    int32_t st = validate(p);
    if (st != PANATTN_OK) {
        return st;
    }
    if (kernel < PANATTN_CUDA_KERNEL_AUTO || kernel > PANATTN_CUDA_KERNEL_SPLIT_KV || num_splits < 0 || num_splits > 1024) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_forward",
                    "kernel must be PANATTN_CUDA_KERNEL_* and num_splits in [0, 1024]");
    }
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    int sms = 0;
    PANATTN_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    cudaStream_t s = stream_of(stream);
    const Args a = make_args(p);
    st = dispatch(p, a, kernel, num_splits, sms, s);
    /* Wait, and surface an asynchronous fault of this call rather than a later one's. */
    cudaError_t e = cudaStreamSynchronize(s);
    if (st == PANATTN_OK && e != cudaSuccess) {
        return panattn_cuda::fail_cuda("attention kernel (cudaStreamSynchronize)", e);
    }
    return st;
}

/* Benchmark entry, bound by name by the GPU benchmark (GpuBench) and not declared in
 * panattn_cuda.h: runs panattn_cuda_forward's kernels reps times on the calling thread's stream,
 * each launch between two CUDA events, and writes launch i's milliseconds to ms[i]
 * (cudaEventElapsedTime: device time of the kernels, as torch.cuda.Event times PyTorch's SDPA;
 * the split-KV workspace's stream-ordered alloc/free are inside it). Warm-up is the caller's. */
PANATTN_CUDA_API int32_t panattn_cuda_bench_forward_ms(const panattn_params *p, int32_t device, int32_t kernel,
                                                       int32_t num_splits, int32_t reps, float *ms) {
    int32_t st = validate(p);
    if (st != PANATTN_OK) {
        return st;
    }
    if (kernel < PANATTN_CUDA_KERNEL_AUTO || kernel > PANATTN_CUDA_KERNEL_SPLIT_KV || num_splits < 0 || num_splits > 1024 ||
        reps < 1 || reps > 100000 || ms == nullptr) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, "panattn_cuda_bench_forward_ms",
                    "kernel must be PANATTN_CUDA_KERNEL_*, num_splits in [0, 1024], reps in [1, 100000] and ms not NULL");
    }
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    int sms = 0;
    PANATTN_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    cudaEvent_t start = nullptr, stop = nullptr;
    PANATTN_CUDA_CHECK(cudaEventCreate(&start));
    cudaError_t e = cudaEventCreate(&stop);
    if (e != cudaSuccess) {
        cudaEventDestroy(start);
        return panattn_cuda::fail_cuda("cudaEventCreate(&stop)", e);
    }
    const Args a = make_args(p);
    st = time_launches(p, a, kernel, num_splits, sms, cudaStreamPerThread, start, stop, reps, ms);
    /* wait for anything a failed launch left queued before the events go */
    cudaError_t se = cudaStreamSynchronize(cudaStreamPerThread);
    cudaError_t d1 = cudaEventDestroy(start), d2 = cudaEventDestroy(stop);
    if (st != PANATTN_OK) {
        return st;
    }
    for (cudaError_t x : {se, d1, d2}) {
        if (x != cudaSuccess) {
            return panattn_cuda::fail_cuda("panattn_cuda_bench_forward_ms (synchronize / cudaEventDestroy)", x);
        }
    }
    return PANATTN_OK;
}

PANATTN_CUDA_API int32_t panattn_cuda_masked_softmax(const panattn_params *p, int32_t device, float *scores,
                                                     void *probs_lowp, int64_t b0, int64_t nb, int64_t h0,
                                                     int64_t nh, void *stream) {
    const char *fn = "panattn_cuda_masked_softmax";
    if (p == nullptr || scores == nullptr) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "params and scores must not be NULL");
    }
    if (b0 < 0 || nb < 1 || h0 < 0 || nh < 1 || b0 + nb > p->batch || h0 + nh > p->heads || p->seq_q < 1 ||
        p->seq_k < 1 || p->batch > 65535 || p->heads > 65535 || p->seq_q > INT32_MAX || p->seq_k > INT32_MAX) {
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "batch/head range outside params, or empty sequences");
    }
    PANATTN_CUDA_CHECK(cudaSetDevice(device));
    cudaStream_t s = stream_of(stream);
    const Args a = make_args(p);
    const int64_t rows = nb * nh * p->seq_q;
    const unsigned blocks = (unsigned)((rows + 3) / 4);
    switch (p->dtype) {
    case PANATTN_DTYPE_F32:
        softmax_kernel<float><<<blocks, 128, 0, s>>>(a, scores, static_cast<float *>(probs_lowp), (int)b0, (int)nb, (int)h0, (int)nh);
        break;
    case PANATTN_DTYPE_F16:
        softmax_kernel<__half><<<blocks, 128, 0, s>>>(a, scores, static_cast<__half *>(probs_lowp), (int)b0, (int)nb, (int)h0, (int)nh);
        break;
    case PANATTN_DTYPE_BF16:
        softmax_kernel<__nv_bfloat16><<<blocks, 128, 0, s>>>(a, scores, static_cast<__nv_bfloat16 *>(probs_lowp), (int)b0,
                                                             (int)nb, (int)h0, (int)nh);
        break;
    default:
        return fail(PANATTN_ERR_INVALID_ARGUMENT, fn, "dtype must be PANATTN_DTYPE_F32, _F16 or _BF16");
    }
    int32_t st = check_launch("softmax_kernel launch");
    if (st != PANATTN_OK) {
        return st;
    }
    PANATTN_CUDA_CHECK(cudaStreamSynchronize(s));
    return PANATTN_OK;
}

} // extern "C"

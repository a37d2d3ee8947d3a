/*
 * panattn_cuda_frag.h — every fragment index of the tensor-core kernel, as constexpr
 * __host__ __device__ functions, so the host test (tests/test_cuda_frag.cu) can emulate a warp
 * over its 32 lanes and check them against a plain matmul with no GPU.
 *
 * mma.sync.aligned.m16n8k16.row.col.f32.{f16|bf16}.{f16|bf16}.f32, per the PTX ISA ("Matrix
 * Fragments for mma.m16n8k16 with floating point type"); g = lane >> 2 (groupID),
 * t = lane & 3 (threadID_in_group). Each .b32 register holds two 16-bit elements, the
 * lower-indexed one in the low half.
 */
#ifndef PANATTN_CUDA_FRAG_H
#define PANATTN_CUDA_FRAG_H

#if defined(__CUDACC__)
#define PANATTN_HD __host__ __device__ __forceinline__
#else
#define PANATTN_HD inline
#endif

namespace panattn_frag {

struct RowCol {
    int row;
    int col;
};

constexpr PANATTN_HD int group_of(int lane) { return lane >> 2; }
constexpr PANATTN_HD int thread_in_group(int lane) { return lane & 3; }

/* A (16x16, row-major), element e in 0..7 of a lane (register e/2, half e%2). */
constexpr PANATTN_HD RowCol a_elem(int lane, int e) {
    return RowCol{group_of(lane) + ((e >> 1) & 1) * 8, 2 * thread_in_group(lane) + (e & 1) + (e >> 2) * 8};
}

/* B (16x8, K x N, "col"), element e in 0..3: row = k, col = n. */
constexpr PANATTN_HD RowCol b_elem(int lane, int e) {
    return RowCol{2 * thread_in_group(lane) + (e & 1) + (e >> 1) * 8, group_of(lane)};
}

/* C/D (16x8 fp32), element e in 0..3 (c0..c3). */
constexpr PANATTN_HD RowCol c_elem(int lane, int e) {
    return RowCol{group_of(lane) + (e >> 1) * 8, 2 * thread_in_group(lane) + (e & 1)};
}

/* ldmatrix.m8n8.b16: register r of a lane holds matrix r; half h of it is element
 * (row, col) of that 8x8 matrix, where the matrix's rows come from the addresses of lanes
 * 8r..8r+7. Without .trans lane l gets row l/4, columns 2(l%4)+h; with .trans the transpose. */
constexpr PANATTN_HD RowCol ldsm_elem(int lane, int h, bool trans) {
    return trans ? RowCol{2 * (lane & 3) + h, lane >> 2} : RowCol{lane >> 2, 2 * (lane & 3) + h};
}

/* The row address each lane passes to ldmatrix.x4, as (row, col) offsets inside the tile:
 *  - A operand (Q, row-major [row][d]), no .trans: lane -> row lane%16, column (lane/16)*8.
 *    Matrices: 0 = rows 0-7 cols 0-7, 1 = rows 8-15 cols 0-7, 2 = rows 0-7 cols 8-15, 3 = rows 8-15 cols 8-15.
 *  - B operand of S = Q.K^T (K stored [key][d]), no .trans, two n-tiles of 8 keys:
 *    lane -> key (lane%8) + (lane/16)*8, column ((lane/8)%2)*8; registers 0,1 = n-tile 0, 2,3 = n-tile 1.
 *  - B operand of O = P.V (V stored [key][d]), .trans, two n-tiles of 8 head-dim columns:
 *    lane -> key lane%16, column (lane/16)*8; registers 0,1 = n-tile 0, 2,3 = n-tile 1. */
constexpr PANATTN_HD RowCol ldsm_addr_a(int lane) { return RowCol{lane & 15, (lane >> 4) * 8}; }
constexpr PANATTN_HD RowCol ldsm_addr_bk(int lane) { return RowCol{(lane & 7) + (lane >> 4) * 8, ((lane >> 3) & 1) * 8}; }
constexpr PANATTN_HD RowCol ldsm_addr_vt(int lane) { return RowCol{lane & 15, (lane >> 4) * 8}; }

/* The S accumulators of n-tiles 2kk and 2kk+1 (keys 16kk..16kk+15) become the A operand of
 * k-step kk of P.V with no data movement: A register r is packed from S n-tile
 * 2kk + (r >> 1), elements c[(r & 1) * 2], c[(r & 1) * 2 + 1]. These give the tile and element. */
constexpr PANATTN_HD int p_from_s_tile(int kk, int reg) { return 2 * kk + (reg >> 1); }
constexpr PANATTN_HD int p_from_s_elem(int reg, int h) { return (reg & 1) * 2 + h; }

/* Row of the warp's 16-row slab that accumulator element e of a lane belongs to, and column
 * inside n-tile nt: what masking and the epilogue use. */
constexpr PANATTN_HD int acc_row(int lane, int e) { return c_elem(lane, e).row; }
constexpr PANATTN_HD int acc_col(int lane, int nt, int e) { return nt * 8 + c_elem(lane, e).col; }

} // namespace panattn_frag

#endif /* PANATTN_CUDA_FRAG_H */

/*
 * test_cuda_frag.cu — host-only test of the tensor-core fragment indices (panattn_cuda_frag.h).
 * No GPU needed: it emulates one warp over its 32 lanes.
 *   1. a_elem / b_elem / c_elem cover their 16x16 / 16x8 / 16x8 tiles exactly once;
 *   2. ldmatrix (x4, with and without .trans), fed the row addresses the kernel uses, hands each
 *      lane exactly the elements the mma fragment layout says it must hold (Q, K, V operands);
 *   3. one key block of the fused kernel (S = Q.K^T over D/16 k-steps, P taken from the S
 *      accumulators with no data movement, O = P.V) matches a plain matmul, for every head dim
 *      the kernels are compiled for.
 * Registers hold floats here instead of packed 16-bit pairs; the index structure is the same.
 */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "panattn_cuda_frag.h"

using namespace panattn_frag;

static int failures = 0;

static void check(bool ok, const char *what, int a = 0, int b = 0, int c = 0) {
    if (!ok) {
        if (failures < 20) {
            std::printf("FAIL %s (%d, %d, %d)\n", what, a, b, c);
        }
        failures++;
    }
}

/* Tile-coverage: every (row, col) exactly once over 32 lanes x per-lane elements. */
template <typename F>
static void coverage(const char *name, int rows, int cols, int per_lane, F elem) {
    std::vector<int> seen(rows * cols, 0);
    for (int lane = 0; lane < 32; lane++) {
        for (int e = 0; e < per_lane; e++) {
            RowCol rc = elem(lane, e);
            bool in = rc.row >= 0 && rc.row < rows && rc.col >= 0 && rc.col < cols;
            check(in, name, lane, e, -1);
            if (in) {
                seen[rc.row * cols + rc.col]++;
            }
        }
    }
    for (int i = 0; i < rows * cols; i++) {
        check(seen[i] == 1, name, i / cols, i % cols, seen[i]);
    }
}

/* A shared-memory tile: rows x ld floats, values unique so a wrong index cannot pass by luck. */
struct Smem {
    int rows, ld;
    std::vector<float> v;
    Smem(int r, int l, unsigned seed) : rows(r), ld(l), v((size_t)r * l) {
        std::srand(seed);
        for (float &x : v) {
            x = (float)(std::rand() % 2001 - 1000) / 256.0f;
        }
    }
    float at(int r, int c) const { return v[(size_t)r * ld + c]; }
};

/* ldmatrix.x4 emulation: reg[lane][r*2 + h]. addr(lane) gives the (row, col) each lane points at,
 * relative to (row0, col0); matrix r's rows come from lanes 8r..8r+7. */
template <typename Addr>
static void ldmatrix_x4(const Smem &s, int row0, int col0, Addr addr, bool trans, float reg[32][8]) {
    for (int lane = 0; lane < 32; lane++) {
        for (int r = 0; r < 4; r++) {
            for (int h = 0; h < 2; h++) {
                RowCol e = ldsm_elem(lane, h, trans);
                RowCol row_addr = addr(8 * r + e.row);
                reg[lane][r * 2 + h] = s.at(row0 + row_addr.row, col0 + row_addr.col + e.col);
            }
        }
    }
}

/* c[lane][0..3] += A.B for one m16n8k16 with per-lane A (8 values) and B (4 values). */
static void mma_emulated(float c[32][4], const float a[32][8], const float b[32][4]) {
    float A[16][16], B[16][8];
    for (int lane = 0; lane < 32; lane++) {
        for (int e = 0; e < 8; e++) {
            RowCol rc = a_elem(lane, e);
            A[rc.row][rc.col] = a[lane][e];
        }
        for (int e = 0; e < 4; e++) {
            RowCol rc = b_elem(lane, e);
            B[rc.row][rc.col] = b[lane][e];
        }
    }
    for (int lane = 0; lane < 32; lane++) {
        for (int e = 0; e < 4; e++) {
            RowCol rc = c_elem(lane, e);
            float acc = 0;
            for (int kx = 0; kx < 16; kx++) {
                acc += A[rc.row][kx] * B[kx][rc.col];
            }
            c[lane][e] += acc;
        }
    }
}

static void ldmatrix_operands(int D) {
    const int LDS = D + 8;
    Smem q(16, LDS, 1), k(16, LDS, 2), v(16, LDS, 3);
    float reg[32][8];
    for (int kk = 0; kk < D / 16; kk++) {
        ldmatrix_x4(q, 0, kk * 16, ldsm_addr_a, false, reg);
        for (int lane = 0; lane < 32; lane++) {
            for (int e = 0; e < 8; e++) {
                RowCol rc = a_elem(lane, e);
                check(reg[lane][e] == q.at(rc.row, kk * 16 + rc.col), "ldmatrix A = Q fragment", lane, e, kk);
            }
        }
        ldmatrix_x4(k, 0, kk * 16, ldsm_addr_bk, false, reg);
        for (int lane = 0; lane < 32; lane++) {
            for (int nt = 0; nt < 2; nt++) {
                for (int e = 0; e < 4; e++) {
                    RowCol rc = b_elem(lane, e); /* B[k][n] = K[n][k] */
                    check(reg[lane][nt * 4 + e] == k.at(nt * 8 + rc.col, kk * 16 + rc.row), "ldmatrix B = K^T fragment",
                          lane, e, nt);
                }
            }
        }
    }
    for (int dp = 0; dp < D / 16; dp++) {
        ldmatrix_x4(v, 0, dp * 16, ldsm_addr_vt, true, reg);
        for (int lane = 0; lane < 32; lane++) {
            for (int nt = 0; nt < 2; nt++) {
                for (int e = 0; e < 4; e++) {
                    RowCol rc = b_elem(lane, e); /* B[k][n] = V[key k][d n] */
                    check(reg[lane][nt * 4 + e] == v.at(rc.row, dp * 16 + nt * 8 + rc.col), "ldmatrix.trans B = V fragment",
                          lane, e, nt);
                }
            }
        }
    }
}

/* One warp's key block, exactly as fused_tc_kernel indexes it; P = S (no softmax) so the result
 * is Q.K^T.V, checked against doubles. */
static void warp_block(int D, int BN) {
    const int LDS = D + 8;
    Smem q(16, LDS, 11), k(BN, LDS, 12), v(BN, LDS, 13);
    std::vector<float> s((size_t)(BN / 8) * 32 * 4, 0.0f);
    auto S = [&](int nt) { return reinterpret_cast<float(*)[4]>(&s[(size_t)nt * 32 * 4]); };
    float qa[32][8], kb[32][8];
    for (int kk = 0; kk < D / 16; kk++) {
        ldmatrix_x4(q, 0, kk * 16, ldsm_addr_a, false, qa);
        for (int np = 0; np < BN / 16; np++) {
            ldmatrix_x4(k, np * 16, kk * 16, ldsm_addr_bk, false, kb);
            float b0[32][4], b1[32][4];
            for (int lane = 0; lane < 32; lane++) {
                for (int e = 0; e < 4; e++) {
                    b0[lane][e] = kb[lane][e];
                    b1[lane][e] = kb[lane][4 + e];
                }
            }
            mma_emulated(S(2 * np), qa, b0);
            mma_emulated(S(2 * np + 1), qa, b1);
        }
    }
    /* S against the plain matmul, through the accumulator row/col helpers the mask code uses */
    std::vector<double> sref((size_t)16 * BN);
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < BN; j++) {
            double acc = 0;
            for (int d = 0; d < D; d++) {
                acc += (double)q.at(i, d) * k.at(j, d);
            }
            sref[(size_t)i * BN + j] = acc;
        }
    }
    for (int nt = 0; nt < BN / 8; nt++) {
        for (int lane = 0; lane < 32; lane++) {
            for (int e = 0; e < 4; e++) {
                double want = sref[(size_t)acc_row(lane, e) * BN + acc_col(lane, nt, e)];
                check(std::fabs(S(nt)[lane][e] - want) <= 1e-3 * (1 + std::fabs(want)), "S = Q.K^T", D, nt, lane);
            }
        }
    }
    /* O = P.V with P taken from the S accumulators */
    std::vector<float> o((size_t)(D / 8) * 32 * 4, 0.0f);
    auto O = [&](int nt) { return reinterpret_cast<float(*)[4]>(&o[(size_t)nt * 32 * 4]); };
    float vb[32][8];
    for (int kk = 0; kk < BN / 16; kk++) {
        float pa[32][8];
        for (int lane = 0; lane < 32; lane++) {
            for (int reg = 0; reg < 4; reg++) {
                for (int h = 0; h < 2; h++) {
                    pa[lane][reg * 2 + h] = S(p_from_s_tile(kk, reg))[lane][p_from_s_elem(reg, h)];
                }
            }
        }
        for (int dp = 0; dp < D / 16; dp++) {
            ldmatrix_x4(v, kk * 16, dp * 16, ldsm_addr_vt, true, vb);
            float b0[32][4], b1[32][4];
            for (int lane = 0; lane < 32; lane++) {
                for (int e = 0; e < 4; e++) {
                    b0[lane][e] = vb[lane][e];
                    b1[lane][e] = vb[lane][4 + e];
                }
            }
            mma_emulated(O(2 * dp), pa, b0);
            mma_emulated(O(2 * dp + 1), pa, b1);
        }
    }
    for (int nt = 0; nt < D / 8; nt++) {
        for (int lane = 0; lane < 32; lane++) {
            for (int e = 0; e < 4; e++) {
                const int i = acc_row(lane, e), d = acc_col(lane, nt, e);
                double want = 0;
                for (int j = 0; j < BN; j++) {
                    want += sref[(size_t)i * BN + j] * v.at(j, d);
                }
                check(std::fabs(O(nt)[lane][e] - want) <= 1e-3 * (1 + std::fabs(want)), "O = P.V", D, nt, lane);
            }
        }
    }
}

int main() {
    coverage("a_elem covers 16x16 once", 16, 16, 8, a_elem);
    coverage("b_elem covers 16x8 once", 16, 8, 4, b_elem);
    coverage("c_elem covers 16x8 once", 16, 8, 4, c_elem);
    coverage("ldsm_elem covers 8x8 once", 8, 8, 2, [](int lane, int h) { return ldsm_elem(lane, h, false); });
    coverage("ldsm_elem.trans covers 8x8 once", 8, 8, 2, [](int lane, int h) { return ldsm_elem(lane, h, true); });
    /* every lane-address helper names each (row, 8-column half) of a 16x16 tile once */
    coverage("ldsm_addr_a rows", 16, 2, 1, [](int lane, int) { RowCol r = ldsm_addr_a(lane); return RowCol{r.row, r.col / 8}; });
    coverage("ldsm_addr_bk rows", 16, 2, 1, [](int lane, int) { RowCol r = ldsm_addr_bk(lane); return RowCol{r.row, r.col / 8}; });
    coverage("ldsm_addr_vt rows", 16, 2, 1, [](int lane, int) { RowCol r = ldsm_addr_vt(lane); return RowCol{r.row, r.col / 8}; });
    /* the two row halves of a lane: elements 0,1 -> row g, 2,3 -> row g+8 (the quad reduction relies on it) */
    for (int lane = 0; lane < 32; lane++) {
        check(acc_row(lane, 0) == acc_row(lane, 1) && acc_row(lane, 2) == acc_row(lane, 3) &&
                  acc_row(lane, 2) == acc_row(lane, 0) + 8 && acc_row(lane, 0) == (lane >> 2),
              "accumulator rows per lane", lane);
    }
    const int dims[] = {32, 64, 80, 96, 128, 256};
    for (int D : dims) {
        ldmatrix_operands(D);
        warp_block(D, D <= 128 ? 64 : 32);
    }
    warp_block(64, 16);
    if (failures != 0) {
        std::printf("test_cuda_frag: %d failures\n", failures);
        return 1;
    }
    std::printf("test_cuda_frag: all fragment, ldmatrix and warp-MMA emulation checks passed\n");
    return 0;
}

// The tiled GEMM core shared by gemm.cu (dense batched products) and conv2d.cu (convolutions as
// implicit GEMMs). A block of 256 threads computes one BM x BN tile of C = op(A) op(B), where op(A)
// is M x K and op(B) is K x N, walking K in steps of BK:
//
//   - Operands ("loaders") fetch their BM x BK (A) or BK x BN (B) slice of the next K step from
//     global memory into registers, 4 elements per thread, while the block computes on the current
//     one; then they store it into shared memory, stored k-major: tile[k][t] with t the row of A or
//     the column of B (the slice is double-buffered, so one barrier per K step suffices). How an
//     operand finds element (t, k) is its own business: a dense matrix (gemm.cu, conv weights) or
//     an im2col gather computed on the fly (conv2d.cu), which is what makes the convolutions
//     implicit GEMMs: no im2col matrix is ever written.
//   - The main loop, `tile_fma`, multiplies one shared slice into the accumulators: thread (ty, tx)
//     of a (BM/TM) x (BN/TN) grid holds a TM x TN register block, reads TM values of A and TN of B
//     per k as 4-wide vectors and does TM*TN FMAs. The rows of a register block are TM/4 runs of 4
//     spread BM/(TM/4) apart (likewise the columns), so that the 16 threads of a half-warp read
//     consecutive float4s. It is the only function a tensor-core version (mma.sync, or wgmma on
//     sm_90a) has to replace; everything around it is layout.
//   - The epilogue ("output") maps row m and column n of C to an element offset (or -1: outside)
//     and writes alpha * acc + beta * C (beta == 0 overwrites: the old C, even NaN, is not read).
//
// Configurations (Tiles<T, BM, BN, BK, TM, TN>): float32 128x128x8 with 8x8 per thread (large
// problems), float32 and float64 64x64x16 with 4x4 per thread (small ones: 4 times the blocks).
// Each thread loads exactly 4 elements of each operand per K step (BM*BK = BN*BK = 4*256), so a
// dense operand whose contiguous dimension is aligned takes one float4 load.
//
// Launch: block (256, 1, 1); grid x covers N in BN tiles, y covers M in BM tiles, z is the caller's
// (batch, group, split). A block whose tile lies outside its problem exits before any barrier.
#pragma once

namespace gemm {

constexpr int THREADS = 256;
// Shared rows are padded by 4 elements: an operand stored transposed into the tile (4 k-values per
// thread) then hits 2 banks per pair of threads instead of one, and rows stay 16-byte aligned.
constexpr int PAD = 4;

template <class T_, int BM_, int BN_, int BK_, int TM_, int TN_>
struct Tiles {
    using T = T_;
    static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
    static_assert((BM / TM) * (BN / TN) == THREADS, "one register block per thread");
    static_assert(BM * BK == 4 * THREADS && BN * BK == 4 * THREADS, "4 elements of each operand per thread and K step");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "register blocks are runs of 4");
    static_assert(THREADS % BM == 0 && THREADS % BN == 0 && THREADS % BK == 0, "the loaders' thread maps");
};

using LargeF32 = Tiles<float, 128, 128, 8, 8, 8>;
using SmallF32 = Tiles<float, 64, 64, 16, 4, 4>;
using SmallF64 = Tiles<double, 64, 64, 16, 4, 4>;

// Four consecutive values from shared memory (16-byte aligned for float).
__device__ __forceinline__ void load4(const float* p, float* v) {
    float4 q = *reinterpret_cast<const float4*>(p);
    v[0] = q.x; v[1] = q.y; v[2] = q.z; v[3] = q.w;
}
__device__ __forceinline__ void load4(const double* p, double* v) {
    double2 a = *reinterpret_cast<const double2*>(p), b = *reinterpret_cast<const double2*>(p + 2);
    v[0] = a.x; v[1] = a.y; v[2] = b.x; v[3] = b.y;
}

__device__ __forceinline__ bool aligned16(const void* p) {
    return (reinterpret_cast<unsigned long long>(p) & 15) == 0;
}

// Where row i of a thread's register block lies within the tile (columns alike, with BN and TN).
template <int B, int TB>
__device__ __forceinline__ int block_offset(int i, int thread) {
    return (i / 4) * (4 * B / TB) + thread * 4 + (i % 4);
}

// The main loop: acc += As^T Bs over one shared K slice (As [BK][BM+PAD], Bs [BK][BN+PAD]).
template <class C>
__device__ __forceinline__ void tile_fma(const typename C::T* As, const typename C::T* Bs,
                                         typename C::T (&acc)[C::TM][C::TN], int ty, int tx) {
    using T = typename C::T;
#pragma unroll
    for (int k = 0; k < C::BK; k++) {
        T a[C::TM], b[C::TN];
#pragma unroll
        for (int c = 0; c < C::TM / 4; c++) load4(As + k * (C::BM + PAD) + c * (4 * C::BM / C::TM) + ty * 4, a + 4 * c);
#pragma unroll
        for (int c = 0; c < C::TN / 4; c++) load4(Bs + k * (C::BN + PAD) + c * (4 * C::BN / C::TN) + tx * 4, b + 4 * c);
#pragma unroll
        for (int i = 0; i < C::TM; i++)
#pragma unroll
            for (int j = 0; j < C::TN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
    }
}

// ---------------------------------------------------------------------------------------------
// Thread maps of the loaders. Each thread fetches 4 elements (t, k) of a BT x BK slice and stores
// them into the shared tile s[k][t] (row length BT + PAD).
//
//   "t-major": the thread's elements share one t (t = tid % BT) and step in k by THREADS/BT: a
//   gather whose per-column setup (which image, which pixel) is done once per block.
//   "k-major": they share one k (k = tid % BK) and step in t by THREADS/BK: a gather whose
//   per-k decoding (which channel, which tap) is done once per K step.
template <int BT>
struct TMajor {
    static constexpr int KSTEP = THREADS / BT;
    __device__ static int t(int tid) { return tid % BT; }
    __device__ static int k(int tid) { return tid / BT; }
    template <class T>
    __device__ static void stash(const T (&r)[4], T* s, int tid) {
#pragma unroll
        for (int q = 0; q < 4; q++) s[(k(tid) + q * KSTEP) * (BT + PAD) + t(tid)] = r[q];
    }
};

template <int BT, int BK>
struct KMajor {
    static constexpr int TSTEP = THREADS / BK;
    __device__ static int t(int tid) { return tid / BK; }
    __device__ static int k(int tid) { return tid % BK; }
    template <class T>
    __device__ static void stash(const T (&r)[4], T* s, int tid) {
#pragma unroll
        for (int q = 0; q < 4; q++) s[k(tid) * (BT + PAD) + t(tid) + q * TSTEP] = r[q];
    }
};

// A dense matrix operand: element (t, k) at p[k * ld + t] (tContig) or p[t * ld + k], nt x nk.
// Each thread fetches 4 consecutive elements along the contiguous dimension, as one vector load
// where the matrix is 16-byte aligned with ld a multiple of 4 (float32 only), else one by one.
template <class C, int BT>
struct DenseOperand {
    using T = typename C::T;
    const T* p;
    long long ld;
    int nt, nk, t0;
    bool tContig, vec;
    int t, k;  // the thread's first element within the slice

    __device__ DenseOperand(const T* p_, long long ld_, bool tContig_, int nt_, int nk_, int t0_)
        : p(p_), ld(ld_), nt(nt_), nk(nk_), t0(t0_), tContig(tContig_) {
        vec = sizeof(T) == 4 && aligned16(p) && (ld % 4 == 0);
        int tid = threadIdx.x;
        if (tContig) { t = tid % (BT / 4) * 4; k = tid / (BT / 4); }
        else { k = tid % (C::BK / 4) * 4; t = tid / (C::BK / 4); }
    }

    __device__ void fetch(int k0, T (&r)[4]) const {
        int gt = t0 + t, gk = k0 + k;
        // Along the contiguous dimension: start index, extent, and the fixed other index.
        int i0 = tContig ? gt : gk, n = tContig ? nt : nk;
        bool rowInside = tContig ? gk < nk : gt < nt;
        const T* q = p + (tContig ? (long long)gk * ld + gt : (long long)gt * ld + gk);
        if (!rowInside) {
#pragma unroll
            for (int e = 0; e < 4; e++) r[e] = 0;
        } else if (vec && i0 + 3 < n) {
            load_vec(q, r);
        } else {
#pragma unroll
            for (int e = 0; e < 4; e++) r[e] = i0 + e < n ? q[e] : T(0);
        }
    }

    __device__ void stash(const T (&r)[4], T* s) const {
        constexpr int W = BT + PAD;
        if (tContig) {
#pragma unroll
            for (int e = 0; e < 4; e++) s[k * W + t + e] = r[e];
        } else {
#pragma unroll
            for (int e = 0; e < 4; e++) s[(k + e) * W + t] = r[e];
        }
    }

private:
    __device__ static void load_vec(const float* q, float (&r)[4]) {
        float4 v = *reinterpret_cast<const float4*>(q);
        r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
    }
    __device__ static void load_vec(const double* q, double (&r)[4]) {  // never taken: vec is float32 only
        for (int e = 0; e < 4; e++) r[e] = q[e];
    }
};

// ---------------------------------------------------------------------------------------------
// The block's work: C tile (blockIdx.y, blockIdx.x) over the K steps [kt0, kt1) (all of them, or
// one split of a split-K product). Out maps rows and columns of C to element offsets of c.
template <class C, class LoadA, class LoadB, class Out>
__device__ __forceinline__ void gemm_block(const LoadA& la, const LoadB& lb, const Out& out, typename C::T* c,
                                           int kt0, int kt1, typename C::T alpha, typename C::T beta) {
    using T = typename C::T;
    __shared__ __align__(16) T As[2][C::BK][C::BM + PAD];
    __shared__ __align__(16) T Bs[2][C::BK][C::BN + PAD];
    const int tid = threadIdx.x, ty = tid / (C::BN / C::TN), tx = tid % (C::BN / C::TN);

    T acc[C::TM][C::TN];
#pragma unroll
    for (int i = 0; i < C::TM; i++)
#pragma unroll
        for (int j = 0; j < C::TN; j++) acc[i][j] = 0;

    if (kt0 < kt1) {
        T ra[4], rb[4];
        la.fetch(kt0 * C::BK, ra);
        lb.fetch(kt0 * C::BK, rb);
        la.stash(ra, &As[0][0][0]);
        lb.stash(rb, &Bs[0][0][0]);
        __syncthreads();
        for (int kt = kt0; kt < kt1; kt++) {
            int cur = (kt - kt0) & 1;
            bool more = kt + 1 < kt1;
            if (more) {  // the next slice's loads are in flight during the FMAs
                la.fetch((kt + 1) * C::BK, ra);
                lb.fetch((kt + 1) * C::BK, rb);
            }
            tile_fma<C>(&As[cur][0][0], &Bs[cur][0][0], acc, ty, tx);
            if (more) {  // the other buffer was last read before the previous barrier
                la.stash(ra, &As[cur ^ 1][0][0]);
                lb.stash(rb, &Bs[cur ^ 1][0][0]);
            }
            __syncthreads();
        }
    }

    const int m0 = blockIdx.y * C::BM, n0 = blockIdx.x * C::BN;
    long long col[C::TN];
#pragma unroll
    for (int j = 0; j < C::TN; j++) col[j] = out.col(n0 + block_offset<C::BN, C::TN>(j, tx));
#pragma unroll
    for (int i = 0; i < C::TM; i++) {
        long long row = out.row(m0 + block_offset<C::BM, C::TM>(i, ty));
        if (row < 0) continue;
#pragma unroll
        for (int j = 0; j < C::TN; j++) {
            if (col[j] < 0) continue;
            T* dst = c + row + col[j];
            *dst = beta == T(0) ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *dst;
        }
    }
}

}  // namespace gemm

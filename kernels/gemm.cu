// Batched dense GEMM, the twin of the CPU's Gemm.gemmBatched: for every z < batch,
//   C_z = alpha * op(A_z) * op(B_z) + beta * C_z     (beta == 0 overwrites C: its old contents are not read)
// with op(A) M x K, op(B) K x N, all row-major. A is stored M x K (transA = 0, lda >= K) or K x M
// (transA = 1, lda >= M); likewise B (K x N, or N x K with transB). Matrix z of X starts at
// X + z * strideX (0 broadcasts one matrix to every product). C matrices must not overlap.
// The tiling is gemm_core.cuh's; A and B are its DenseOperands (float4 loads where aligned).
//
// Kernels (one per tile configuration; the Java launcher CudaGemm picks one):
//   gemm_f32_128x128  float32, 128x128 tiles, 8x8 per thread: large products
//   gemm_f32_64x64    float32, 64x64 tiles, 4x4 per thread: small products (4x the blocks)
//   gemm_f64_64x64    float64, 64x64 tiles, 4x4 per thread
// Launch: block (256,1,1), grid (ceil(N/BN), ceil(M/BM), batch) with batch <= 65535.
#include "cuda_emu.h"
#include "gemm_core.cuh"

namespace {

// C is row-major with ldc; rows and columns outside M x N map to -1.
struct DenseOut {
    int m, n;
    long long ldc;
    __device__ long long row(int i) const { return i < m ? (long long)i * ldc : -1; }
    __device__ long long col(int j) const { return j < n ? j : -1; }
};

template <class C>
__device__ __forceinline__ void gemm_batched(int transA, int transB, int M, int N, int K, typename C::T alpha,
                                     const typename C::T* A, int lda, long long strideA,
                                     const typename C::T* B, int ldb, long long strideB, typename C::T beta,
                                     typename C::T* Cm, int ldc, long long strideC) {
    if ((int)blockIdx.y * C::BM >= M || (int)blockIdx.x * C::BN >= N) return;
    long long z = blockIdx.z;
    // op(A) row m is t, k is k: contiguous in t exactly when A is stored transposed.
    gemm::DenseOperand<C, C::BM> la(A + z * strideA, lda, transA != 0, M, K, blockIdx.y * C::BM);
    // op(B) column n is t: contiguous in t when B is stored as K x N.
    gemm::DenseOperand<C, C::BN> lb(B + z * strideB, ldb, transB == 0, N, K, blockIdx.x * C::BN);
    gemm::gemm_block<C>(la, lb, DenseOut{M, N, ldc}, Cm + z * strideC, 0, (K + C::BK - 1) / C::BK, alpha, beta);
}

}  // namespace

#define GEMM_KERNEL(name, Config)                                                                                 \
    extern "C" __global__ void __launch_bounds__(gemm::THREADS)                                                    \
    name(int transA, int transB, int M, int N, int K, Config::T alpha, const Config::T* A, int lda,                \
         long long strideA, const Config::T* B, int ldb, long long strideB, Config::T beta, Config::T* C, int ldc, \
         long long strideC) {                                                                                      \
        gemm_batched<Config>(transA, transB, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC);     \
    }

GEMM_KERNEL(gemm_f32_128x128, gemm::LargeF32)
GEMM_KERNEL(gemm_f32_64x64, gemm::SmallF32)
GEMM_KERNEL(gemm_f64_64x64, gemm::SmallF64)

EMU_EXPORT(gemm_f32_128x128)
EMU_EXPORT(gemm_f32_64x64)
EMU_EXPORT(gemm_f64_64x64)

// Test kernels for the tensor-core wrappers of ptx.cuh: one warp per block computes one 16x8 tile
// of c = a b + c_in, a [M,K] and b [K,N] row-major floats, grid (N/8, M/16), block (32).
#include "cuda_emu.h"
#include "ptx.cuh"

// TF32 (K a multiple of 8): tiles staged into shared memory by cp.async, double-buffered, the
// operands rounded with cvt.rna.tf32 as they are read into fragments.
extern "C" __global__ void mma_tf32_gemm(const float* a, const float* b, const float* c_in, float* c, int n, int k) {
    __shared__ __align__(16) float as[2][16][8];
    __shared__ __align__(16) float bs[2][8][8];
    unsigned lane = threadIdx.x, g = lane / 4, t = lane % 4;
    int row0 = blockIdx.y * 16, col0 = blockIdx.x * 8;
    float acc[4] = {c_in[(row0 + g) * n + col0 + 2 * t], c_in[(row0 + g) * n + col0 + 2 * t + 1],
                    c_in[(row0 + g + 8) * n + col0 + 2 * t], c_in[(row0 + g + 8) * n + col0 + 2 * t + 1]};
    int steps = k / 8;
    for (int s = 0; s <= steps; s++) {
        if (s < steps) {  // stage step s: 32 copies of 4 floats for A, 16 for B
            int buf = s % 2, k0 = 8 * s, r = lane / 2, q = 4 * (lane % 2);
            cp_async_16(&as[buf][r][q], a + (row0 + r) * k + k0 + q);
            if (lane < 16) cp_async_16(&bs[buf][r][q], b + (k0 + r) * n + col0 + q);
            cp_async_commit();
        }
        if (s == 0) continue;
        // compute step s - 1 once its copies (not those of step s) have landed
        if (s < steps) cp_async_wait<1>();
        else cp_async_wait<0>();
        __syncwarp();
        int buf = (s - 1) % 2;
        uint32_t af[4] = {f32_to_tf32(as[buf][g][t]), f32_to_tf32(as[buf][g + 8][t]),
                          f32_to_tf32(as[buf][g][t + 4]), f32_to_tf32(as[buf][g + 8][t + 4])};
        uint32_t bf[2] = {f32_to_tf32(bs[buf][t][g]), f32_to_tf32(bs[buf][t + 4][g])};
        mma_m16n8k8_tf32(acc, af, bf, acc);
        __syncwarp();  // before the next staging overwrites this buffer
    }
    c[(row0 + g) * n + col0 + 2 * t] = acc[0];
    c[(row0 + g) * n + col0 + 2 * t + 1] = acc[1];
    c[(row0 + g + 8) * n + col0 + 2 * t] = acc[2];
    c[(row0 + g + 8) * n + col0 + 2 * t + 1] = acc[3];
}

// BF16 (K a multiple of 16): the operands rounded to bf16 (nearest even) into shared memory, the
// fragments loaded with ldmatrix (A) and ldmatrix.trans (B, stored k-major).
extern "C" __global__ void mma_bf16_gemm(const float* a, const float* b, const float* c_in, float* c, int n, int k) {
    __shared__ __align__(16) uint32_t as[16][8];  // 16 rows of 16 bf16
    __shared__ __align__(16) uint32_t bs[16][4];  // 16 k-rows of 8 bf16
    unsigned lane = threadIdx.x, g = lane / 4, t = lane % 4;
    int row0 = blockIdx.y * 16, col0 = blockIdx.x * 8;
    float acc[4] = {c_in[(row0 + g) * n + col0 + 2 * t], c_in[(row0 + g) * n + col0 + 2 * t + 1],
                    c_in[(row0 + g + 8) * n + col0 + 2 * t], c_in[(row0 + g + 8) * n + col0 + 2 * t + 1]};
    for (int k0 = 0; k0 < k; k0 += 16) {
        for (int j = 0; j < 4; j++) {
            int p = 4 * lane + j, r = p / 8, q = p % 8;
            const float* src = a + (row0 + r) * k + k0 + 2 * q;
            as[r][q] = pack_bf16x2(src[0], src[1]);
        }
        for (int j = 0; j < 2; j++) {
            int p = 2 * lane + j, r = p / 4, q = p % 4;
            const float* src = b + (k0 + r) * n + col0 + 2 * q;
            bs[r][q] = pack_bf16x2(src[0], src[1]);
        }
        __syncwarp();
        uint32_t af[4], bf[2];
        ldmatrix_x4(af, &as[lane % 16][4 * (lane / 16)]);
        ldmatrix_x2_trans(bf, &bs[lane % 16][0]);
        mma_m16n8k16_bf16(acc, af, bf, acc);
        __syncwarp();
    }
    c[(row0 + g) * n + col0 + 2 * t] = acc[0];
    c[(row0 + g) * n + col0 + 2 * t + 1] = acc[1];
    c[(row0 + g + 8) * n + col0 + 2 * t] = acc[2];
    c[(row0 + g + 8) * n + col0 + 2 * t + 1] = acc[3];
}

EMU_EXPORT(mma_tf32_gemm)
EMU_EXPORT(mma_bf16_gemm)

// Test kernels for warp-synchronous calls: the four shuffles, votes, and a warp reduction in
// double (an 8-byte shuffle). Blocks are one-dimensional with blockDim.x a multiple of 32.
#include "cuda_emu.h"

// Per thread: out[4 i + 0..3] = __shfl_sync (source lane 7 lane + 3), __shfl_up_sync by up,
// __shfl_down_sync by down, __shfl_xor_sync with xor_mask, all with the given width.
extern "C" __global__ void warp_shuffles(const int* in, int* out, int width, int up, int down, int xor_mask) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int lane = threadIdx.x % 32;
    int v = in[i];
    out[4 * i] = __shfl_sync(0xffffffffu, v, 7 * lane + 3, width);
    out[4 * i + 1] = __shfl_up_sync(0xffffffffu, v, up, width);
    out[4 * i + 2] = __shfl_down_sync(0xffffffffu, v, down, width);
    out[4 * i + 3] = __shfl_xor_sync(0xffffffffu, v, xor_mask, width);
}

// Per thread: out[4 i + 0..3] = ballot, any, all over the warp, and the ballot of lanes 0-15 alone
// (mask 0xffff; lanes 16-31 write 0).
extern "C" __global__ void warp_votes(const int* in, unsigned* out) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int p = in[i];
    out[4 * i] = __ballot_sync(0xffffffffu, p);
    out[4 * i + 1] = __any_sync(0xffffffffu, p);
    out[4 * i + 2] = __all_sync(0xffffffffu, p);
    out[4 * i + 3] = threadIdx.x % 32 < 16 ? __ballot_sync(0x0000ffffu, p) : 0u;
}

// out[warp] = sum of the warp's 32 values, by a butterfly of __shfl_xor_sync in double.
extern "C" __global__ void warp_sum(const double* in, double* out) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    double v = in[i];
    for (int m = 16; m > 0; m /= 2) v += __shfl_xor_sync(0xffffffffu, v, m);
    __syncwarp();
    if (threadIdx.x % 32 == 0) out[i / 32] = v;
}

EMU_EXPORT(warp_shuffles)
EMU_EXPORT(warp_votes)
EMU_EXPORT(warp_sum)

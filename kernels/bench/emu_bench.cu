// Kernels that measure what the emulator costs per CUDA thread (kernels/bench/run.sh).
// One-dimensional blocks of 256 threads.
#include "cuda_emu.h"

// No barrier: the fast path (plain calls, no fibers).
extern "C" __global__ void axpy(const float* x, float* y, float a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}

// One barrier: every thread becomes a fiber and switches once.
extern "C" __global__ void neighbour(const float* x, float* y, int n) {
    __shared__ float s[256];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    s[threadIdx.x] = i < n ? x[i] : 0.0f;
    __syncthreads();
    if (i < n) y[i] = s[(threadIdx.x + 1) % blockDim.x];
}

// Nine barriers: a shared-memory tree reduction of 256 elements.
extern "C" __global__ void block_sum9(const float* x, float* out, int n) {
    __shared__ float s[256];
    unsigned t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    s[t] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride) s[t] += s[t + stride];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = s[0];
}

// Five shuffles: a warp reduction.
extern "C" __global__ void warp_sum5(const float* x, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = i < n ? x[i] : 0.0f;
    for (int m = 16; m > 0; m /= 2) v += __shfl_xor_sync(0xffffffffu, v, m);
    if (threadIdx.x % 32 == 0) out[i / 32] = v;
}

EMU_EXPORT(axpy)
EMU_EXPORT(neighbour)
EMU_EXPORT(block_sum9)
EMU_EXPORT(warp_sum5)

// Test kernels for block barriers: a correct shared-memory reduction, the same with a missing
// barrier, a barrier in divergent code, threads that exit before a barrier, a deadlock, and
// __syncthreads_count/and/or.
// Blocks are one-dimensional with a power-of-two blockDim.x of at most 1024.
#include "cuda_emu.h"

// out[block] = sum of the block's blockDim.x elements of in (zero past n).
extern "C" __global__ void block_sum(const float* in, float* out, int n) {
    __shared__ float s[1024];
    unsigned t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    s[t] = i < n ? in[i] : 0.0f;
    __syncthreads();
    for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride) s[t] += s[t + stride];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = s[0];
}

// block_sum without the barrier between the loads and the first reduction step: a bug. On the
// emulator, thread t runs before thread t + stride has stored its element, every time.
extern "C" __global__ void block_sum_missing_barrier(const float* in, float* out, int n) {
    __shared__ float s[1024];
    unsigned t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    s[t] = i < n ? in[i] : 0.0f;
    for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride) s[t] += s[t + stride];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = s[0];
}

// Only even threads reach the barrier: undefined on a GPU; strict mode refuses it.
extern "C" __global__ void divergent_barrier(float* out) {
    __shared__ float s[1024];
    unsigned t = threadIdx.x;
    s[t] = (float)t;
    if (t % 2 == 0) __syncthreads();
    out[blockIdx.x * blockDim.x + t] = s[(t + 1) % blockDim.x];
}

// Threads below first return at once (they count as arrived at the barrier); the others pass
// values through shared memory. On the emulator the fast path meets the barrier at thread first.
extern "C" __global__ void exit_before_barrier(const float* in, float* out, int first) {
    __shared__ float s[1024];
    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
    if (t < first) return;
    s[t] = in[i];
    __syncthreads();
    out[i] = s[t + 1 < (int)blockDim.x ? t + 1 : first];
}

// Lanes 0-15 wait in a full-warp shuffle for lanes 16-31, which wait at __syncthreads for them.
extern "C" __global__ void shuffle_barrier_deadlock(float* out) {
    float v = (float)threadIdx.x;
    if (threadIdx.x < 16) v = __shfl_down_sync(0xffffffffu, v, 1);
    else __syncthreads();
    out[threadIdx.x] = v;
}

// out[3 block + 0..2] = __syncthreads_count / _and / _or of (in[i] > 0) over the block.
extern "C" __global__ void barrier_votes(const int* in, int* out) {
    int p = in[blockIdx.x * blockDim.x + threadIdx.x] > 0;
    int count = __syncthreads_count(p);
    int all = __syncthreads_and(p);
    int any = __syncthreads_or(p);
    if (threadIdx.x == 0) {
        out[3 * blockIdx.x] = count;
        out[3 * blockIdx.x + 1] = all;
        out[3 * blockIdx.x + 2] = any;
    }
}

EMU_EXPORT(block_sum)
EMU_EXPORT(block_sum_missing_barrier)
EMU_EXPORT(divergent_barrier)
EMU_EXPORT(exit_before_barrier)
EMU_EXPORT(shuffle_barrier_deadlock)
EMU_EXPORT(barrier_votes)

// A block's sum of one double per thread in a fixed order (a tree through shared memory down to
// one warp, then __shfl_down_sync), so that a reduction built on it gives the same bits on every
// run: the deterministic sums of sum.cu and modulation.cu. Blocks of exactly STRIDED_BLOCK threads.
#pragma once
#include "strided.cuh"

// The block's sum of v over its threads; valid in thread 0. Every thread of the block must call it.
// Starts with a barrier, so consecutive calls may reuse the buffer.
__device__ __forceinline__ double block_sum(double v) {
    __shared__ double buf[STRIDED_BLOCK];
    unsigned t = threadIdx.x;
    __syncthreads();
    buf[t] = v;
    __syncthreads();
    // Halve down to one warp through shared memory, then shuffles within warp 0.
#pragma unroll
    for (unsigned half = STRIDED_BLOCK / 2; half >= 32; half >>= 1) {
        if (t < half) buf[t] += buf[t + half];
        __syncthreads();
    }
    double s = 0;
    if (t < 32) {
        s = buf[t];
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffffu, s, o);
    }
    return s;
}

// Test kernels for the emulator and the kernel runtimes (KernelRuntimeTest): indexing, argument
// packing, dynamic shared memory and atomics. Any block shape unless a kernel says otherwise.
#include "cuda_emu.h"

// c = a + b over n elements, one element per thread, grid-stride free.
extern "C" __global__ void vector_add(const float* a, const float* b, float* c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}

// Every thread of a 3-D launch writes its 12 index values at its linear global position.
extern "C" __global__ void thread_indices(int* out) {
    unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    int* o = out + 12 * (block * blockDim.x * blockDim.y * blockDim.z + thread);
    o[0] = threadIdx.x; o[1] = threadIdx.y; o[2] = threadIdx.z;
    o[3] = blockIdx.x;  o[4] = blockIdx.y;  o[5] = blockIdx.z;
    o[6] = blockDim.x;  o[7] = blockDim.y;  o[8] = blockDim.z;
    o[9] = gridDim.x;   o[10] = gridDim.y;  o[11] = gridDim.z;
}

// Writes back every argument as 64 bits: one thread.
extern "C" __global__ void echo_args(long long* out, const float* p, int i, long long l, float f, double d,
                                     unsigned u, float f2) {
    out[0] = (long long)p;
    out[1] = i;
    out[2] = l;
    out[3] = __float_as_int(f);
    out[4] = __double_as_longlong(d);
    out[5] = u;
    out[6] = __float_as_int(f2);
}

// Reverses each block's run of elements through dynamic shared memory (blockDim.x floats).
extern "C" __global__ void reverse_in_blocks(const float* in, float* out, int n) {
    EMU_DYNAMIC_SHARED(float, tile);
    int start = blockIdx.x * blockDim.x;
    int count = min(n - start, (int)blockDim.x);
    int t = threadIdx.x;
    if (t < count) tile[t] = in[start + t];
    __syncthreads();
    if (t < count) out[start + t] = tile[count - 1 - t];
}

// Atomics from every thread of every block: sums, maxima, and a counter built on atomicCAS.
extern "C" __global__ void atomics(const int* values, int n, int* int_sum, unsigned* uint_sum, float* float_sum,
                                   int* int_max, unsigned* uint_max, int* int_min, int* cas_count) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int v = values[i];
    atomicAdd(int_sum, v);
    atomicAdd(uint_sum, (unsigned)(v & 0xff));
    atomicAdd(float_sum, (float)v);
    atomicMax(int_max, v);
    atomicMax(uint_max, (unsigned)v);
    atomicMin(int_min, v);
    int old = *cas_count, seen;
    while ((seen = atomicCAS(cas_count, old, old + 1)) != old) old = seen;
}

EMU_EXPORT(vector_add)
EMU_EXPORT(thread_indices)
EMU_EXPORT(echo_args)
EMU_EXPORT(reverse_in_blocks)
EMU_EXPORT(atomics)

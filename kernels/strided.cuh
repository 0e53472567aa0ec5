// Strided operands for the elementwise, reduction and copy kernels (fill, assign, unary, binary,
// where, sum): a shape and, per operand, strides in elements, passed as plain kernel arguments
// (kernel parameters are scalars on both the GPU and the emulator; the driver copies them at
// launch, so nothing is uploaded and nothing waits). The Java side (backend/cuda/StridedLayout)
// first merges dimensions that are contiguous in every operand and drops those of size 1, so a
// contiguous tensor arrives as rank 1; what still has more than STRIDED_MAX_RANK dimensions is
// split over its outer dimensions into several launches there.
//
// Dimensions travel innermost first: n0 is the fastest-varying extent. An element's linear index
// i counts in row-major order of the shape; offsets() turns it into each operand's element offset.
#pragma once

#define STRIDED_MAX_RANK 8

// A shape as kernel parameters: RANK_PARAMS(d) is `int d_rank, int d0, ..., int d7` (unused
// extents are 1), SHAPE(d) the Shape value built from them.
#define RANK_PARAMS(p) int p##_rank, int p##0, int p##1, int p##2, int p##3, int p##4, int p##5, int p##6, int p##7
#define SHAPE(p) Shape{p##_rank, {p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7}}
// One operand's strides as kernel parameters (unused strides are 0), and the Strides value.
#define STRIDE_PARAMS(p) long long p##0, long long p##1, long long p##2, long long p##3, \
                         long long p##4, long long p##5, long long p##6, long long p##7
#define STRIDES(p) Strides{{p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7}}

struct Shape {
    int rank;
    int n[STRIDED_MAX_RANK];
};

struct Strides {
    long long s[STRIDED_MAX_RANK];
};

// Threads per block of every kernel built on this header, and the most blocks a launch uses: the
// kernels loop over their elements with a grid stride, so a launch of 4096 blocks (a million
// threads, several waves on any GPU) covers any size, and the emulator pays for few threads.
#define STRIDED_BLOCK 256

// The element offsets of element i in K operands. Indices below 2^31 (nearly every tensor) are
// split with 32-bit divisions, which cost a fraction of 64-bit ones on the GPU.
template <int K>
__device__ __forceinline__ void offsets(long long i, const Shape& shape, const Strides (&st)[K], long long (&off)[K]) {
#pragma unroll
    for (int k = 0; k < K; k++) off[k] = 0;
    if (i <= 0x7fffffffLL) {
        unsigned r = (unsigned)i;
#pragma unroll
        for (int d = 0; d < STRIDED_MAX_RANK; d++) {
            if (d >= shape.rank) break;
            unsigned n = (unsigned)shape.n[d];
            unsigned q = r / n;
            long long at = (long long)(r - q * n);
            r = q;
#pragma unroll
            for (int k = 0; k < K; k++) off[k] += at * st[k].s[d];
        }
    } else {
        long long r = i;
#pragma unroll
        for (int d = 0; d < STRIDED_MAX_RANK; d++) {
            if (d >= shape.rank) break;
            long long q = r / shape.n[d];
            long long at = r - q * shape.n[d];
            r = q;
#pragma unroll
            for (int k = 0; k < K; k++) off[k] += at * st[k].s[d];
        }
    }
}

// The offset of element i in one operand.
__device__ __forceinline__ long long offset1(long long i, const Shape& shape, const Strides& st) {
    const Strides s[1] = {st};
    long long off[1];
    offsets<1>(i, shape, s, off);
    return off[0];
}

// Elements in a shape.
__device__ __forceinline__ long long numel(const Shape& shape) {
    long long n = 1;
    for (int d = 0; d < shape.rank; d++) n *= shape.n[d];
    return n;
}

// The first element index of this thread and the grid stride of a 1-D grid-stride loop.
__device__ __forceinline__ long long grid_start() { return (long long)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ long long grid_stride() { return (long long)gridDim.x * blockDim.x; }

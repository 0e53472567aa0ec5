// sum: sums x over a set of dimensions (Backend.sum; the CPU twin is cpu/Reduce). The Java side
// (CudaReduce) splits x's dimensions into kept ones (k: they index the contiguous output, in
// order) and reduced ones (r), each merged and innermost first as in strided.cuh. Sums accumulate
// in double and are deterministic: no atomics, every partial sum is combined in a fixed order
// that depends only on the shape, so two runs give identical bits.
//
// Two strategies, chosen by CudaReduce from the shape:
// - sum_serial_*: one thread per output element adds its nr inputs in order (many outputs, or few
//   inputs each). 1-D grid of STRIDED_BLOCK threads, grid-stride loop; no barriers.
// - sum_blocks_*: grid (P, outputs): block (p, k) adds chunk p of output k's inputs (chunk
//   elements each) with a fixed tree over exactly STRIDED_BLOCK threads, and writes the result to
//   out[k * P + p]: the output itself when P is 1, else a double array of partial sums that
//   sum_serial_d2* then adds in order of p.
#include "cuda_emu.h"
#include "strided.cuh"
#include "block_sum.cuh"

// One output element per thread. Its inputs are walked as rows of the innermost reduced
// dimension (one division per row, not per element).
template <class TX, class TO>
__device__ void sum_serial_body(const TX* x, TO* out, long long nk, long long nr, Shape ks, Strides kst, Shape rs,
                                Strides rst) {
    long long inner = rs.rank > 0 ? rs.n[0] : 1, innerStride = rs.rank > 0 ? rst.s[0] : 0;
    Shape outer = rs;  // the reduced dimensions without the innermost one
    Strides outerStrides = rst;
    if (rs.rank > 0) {
        for (int d = 0; d + 1 < STRIDED_MAX_RANK; d++) {
            outer.n[d] = rs.n[d + 1];
            outerStrides.s[d] = rst.s[d + 1];
        }
        outer.rank = rs.rank - 1;
    }
    long long rows = nr / inner;
    for (long long k = grid_start(); k < nk; k += grid_stride()) {
        long long base = offset1(k, ks, kst);
        double acc = 0;
        for (long long row = 0; row < rows; row++) {
            const TX* p = x + base + offset1(row, outer, outerStrides);
            for (long long j = 0; j < inner; j++) acc += (double)p[j * innerStride];
        }
        out[k] = (TO)acc;
    }
}

template <class TX, class TO>
__device__ void sum_blocks_body(const TX* x, TO* out, long long nk, long long nr, long long chunk, Shape ks,
                                Strides kst, Shape rs, Strides rst) {
    long long p = blockIdx.x, parts = gridDim.x;
    long long from = p * chunk, to = min(nr, from + chunk);
    for (long long k = blockIdx.y; k < nk; k += gridDim.y) {
        long long base = offset1(k, ks, kst);
        double acc = 0;
        for (long long j = from + threadIdx.x; j < to; j += STRIDED_BLOCK) acc += (double)x[base + offset1(j, rs, rst)];
        double s = block_sum(acc);
        if (threadIdx.x == 0) out[k * parts + p] = (TO)s;
    }
}

#define SUM_SERIAL_KERNEL(name, TX, TO)                                                                \
    extern "C" __global__ void name(const TX* x, TO* out, long long nk, long long nr, RANK_PARAMS(k),  \
                                    STRIDE_PARAMS(ks), RANK_PARAMS(r), STRIDE_PARAMS(rs)) {            \
        sum_serial_body<TX, TO>(x, out, nk, nr, SHAPE(k), STRIDES(ks), SHAPE(r), STRIDES(rs));         \
    }                                                                                                  \
    EMU_EXPORT(name)

#define SUM_BLOCKS_KERNEL(name, TX, TO)                                                                \
    extern "C" __global__ void name(const TX* x, TO* out, long long nk, long long nr, long long chunk,  \
                                    RANK_PARAMS(k), STRIDE_PARAMS(ks), RANK_PARAMS(r), STRIDE_PARAMS(rs)) { \
        sum_blocks_body<TX, TO>(x, out, nk, nr, chunk, SHAPE(k), STRIDES(ks), SHAPE(r), STRIDES(rs));  \
    }                                                                                                  \
    EMU_EXPORT(name)

SUM_SERIAL_KERNEL(sum_serial_f32, float, float)
SUM_SERIAL_KERNEL(sum_serial_f64, double, double)
// The second pass over partial sums (double) into a float32 output; a float64 output uses sum_serial_f64.
SUM_SERIAL_KERNEL(sum_serial_d2f, double, float)
SUM_BLOCKS_KERNEL(sum_blocks_f32, float, float)
SUM_BLOCKS_KERNEL(sum_blocks_f64, double, double)
// Partial sums of float32 inputs, kept in double for the second pass.
SUM_BLOCKS_KERNEL(sum_blocks_f32_partial, float, double)

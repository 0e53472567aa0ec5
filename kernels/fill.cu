// fill: every element of a strided tensor set to one value (Backend.fill; the CPU twin is
// CpuBackend.fill). The value arrives as a double and is rounded to the element type, as the CPU
// does. 1-D grid of STRIDED_BLOCK threads, grid-stride loop; no barriers.
#include "cuda_emu.h"
#include "strided.cuh"

template <class T>
__device__ void fill_body(T* dst, double value, long long n, Shape shape, Strides ds) {
    const Strides st[1] = {ds};
    T v = (T)value;
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        long long off[1];
        offsets<1>(i, shape, st, off);
        dst[off[0]] = v;
    }
}

#define FILL_KERNEL(name, T)                                                                        \
    extern "C" __global__ void name(T* dst, double value, long long n, RANK_PARAMS(d), STRIDE_PARAMS(ds)) { \
        fill_body<T>(dst, value, n, SHAPE(d), STRIDES(ds));                                         \
    }                                                                                               \
    EMU_EXPORT(name)

FILL_KERNEL(fill_f32, float)
FILL_KERNEL(fill_f64, double)

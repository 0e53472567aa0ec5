// where: out[i] = cond[i] != 0 ? a[i] : b[i] (Backend.where; the CPU twin is CpuBackend.where).
// cond, a and b are out-shaped strided views (stride 0 where broadcast); cond may have the other
// dtype. 1-D grid of STRIDED_BLOCK threads, grid-stride loop; no barriers. Kernels are named
// where_<values>_<cond>.
#include "cuda_emu.h"
#include "strided.cuh"

template <class T, class C>
__device__ void where_body(const C* cond, const T* a, const T* b, T* out, long long n, Shape shape, Strides cs,
                           Strides as, Strides bs, Strides os) {
    const Strides st[4] = {cs, as, bs, os};
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        long long off[4];
        offsets<4>(i, shape, st, off);
        out[off[3]] = cond[off[0]] != C(0) ? a[off[1]] : b[off[2]];
    }
}

#define WHERE_KERNEL(name, T, C)                                                                       \
    extern "C" __global__ void name(const C* cond, const T* a, const T* b, T* out, long long n, RANK_PARAMS(d), \
                                    STRIDE_PARAMS(cs), STRIDE_PARAMS(as), STRIDE_PARAMS(bs), STRIDE_PARAMS(os)) { \
        where_body<T, C>(cond, a, b, out, n, SHAPE(d), STRIDES(cs), STRIDES(as), STRIDES(bs), STRIDES(os)); \
    }                                                                                                  \
    EMU_EXPORT(name)

WHERE_KERNEL(where_f32_f32, float, float)
WHERE_KERNEL(where_f32_f64, float, double)
WHERE_KERNEL(where_f64_f32, double, float)
WHERE_KERNEL(where_f64_f64, double, double)

// assign: dst[i] = src[i] for a strided dst and a src of the same shape, any strides (0 where src
// is broadcast), converting float32 <-> float64 (Backend.assign; the CPU twin is
// CpuBackend.assign). Contiguous copies of one dtype do not come here: the backend copies them
// with the runtime's device-to-device copy. 1-D grid of STRIDED_BLOCK threads, grid-stride loop;
// no barriers. Kernels are named assign_<dst>_<src>.
#include "cuda_emu.h"
#include "strided.cuh"

template <class TD, class TS>
__device__ void assign_body(TD* dst, const TS* src, long long n, Shape shape, Strides ds, Strides ss) {
    const Strides st[2] = {ds, ss};
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        long long off[2];
        offsets<2>(i, shape, st, off);
        dst[off[0]] = (TD)src[off[1]];
    }
}

#define ASSIGN_KERNEL(name, TD, TS)                                                                 \
    extern "C" __global__ void name(TD* dst, const TS* src, long long n, RANK_PARAMS(d), STRIDE_PARAMS(ds), \
                                    STRIDE_PARAMS(ss)) {                                            \
        assign_body<TD, TS>(dst, src, n, SHAPE(d), STRIDES(ds), STRIDES(ss));                       \
    }                                                                                               \
    EMU_EXPORT(name)

ASSIGN_KERNEL(assign_f32_f32, float, float)
ASSIGN_KERNEL(assign_f64_f64, double, double)
ASSIGN_KERNEL(assign_f32_f64, float, double)
ASSIGN_KERNEL(assign_f64_f32, double, float)

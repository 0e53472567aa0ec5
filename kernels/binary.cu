// binary: out[i] = op(a[i], b[i]) for every BinaryOp, the op a kernel parameter (Backend.binary;
// the reference is BinaryOp.apply, the CPU twin CpuBackend.binary). a and b are out-shaped
// strided views (stride 0 where broadcast); out may be a itself (in-place accumulation:
// Elementwise.addInPlace). Comparisons give 1 or 0; pow, max and min follow Java's Math
// (java_math.cuh). 1-D grid of STRIDED_BLOCK threads, grid-stride loop; no barriers.
#include "cuda_emu.h"
#include "java_math.cuh"
#include "strided.cuh"

// The order of org.stylemap.backend.BinaryOp: the Java side passes the constant's ordinal.
enum BinaryOp { ADD, SUB, MUL, DIV, POW, MAX, MIN, GT, GE };

template <class T>
__device__ __forceinline__ T apply_binary(int op, T a, T b) {
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
        case POW: return java_pow(a, b);
        case MAX: return java_max(a, b);
        case MIN: return java_min(a, b);
        case GT: return a > b ? T(1) : T(0);
        case GE: return a >= b ? T(1) : T(0);
        default: return T(NAN);  // an op this file does not know: NaN, never a silent result
    }
}

template <class T>
__device__ void binary_body(const T* a, const T* b, T* out, int op, long long n, Shape shape, Strides as, Strides bs,
                            Strides os) {
    const Strides st[3] = {as, bs, os};
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        long long off[3];
        offsets<3>(i, shape, st, off);
        out[off[2]] = apply_binary<T>(op, a[off[0]], b[off[1]]);
    }
}

#define BINARY_KERNEL(name, T)                                                                         \
    extern "C" __global__ void name(const T* a, const T* b, T* out, int op, long long n, RANK_PARAMS(d), \
                                    STRIDE_PARAMS(as), STRIDE_PARAMS(bs), STRIDE_PARAMS(os)) {         \
        binary_body<T>(a, b, out, op, n, SHAPE(d), STRIDES(as), STRIDES(bs), STRIDES(os));             \
    }                                                                                                  \
    EMU_EXPORT(name)

BINARY_KERNEL(binary_f32, float)
BINARY_KERNEL(binary_f64, double)

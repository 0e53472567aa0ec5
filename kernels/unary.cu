// unary: out[i] = op(x[i], p) for every UnaryOp, the op a kernel parameter (Backend.unary; the
// reference is UnaryOp.apply, the CPU twin CpuBackend.unary). x strided, out strided (contiguous
// in practice); out may be x itself (the same element is read, then written). Arithmetic in the
// element type (float math for float32, so results may differ from the CPU's double-then-round by
// an ulp or two in exp, log, pow, sigmoid and softplus). 1-D grid of STRIDED_BLOCK threads,
// grid-stride loop; no barriers.
#include "cuda_emu.h"
#include "java_math.cuh"
#include "strided.cuh"

// The order of org.stylemap.backend.UnaryOp: the Java side passes the constant's ordinal.
enum UnaryOp { NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, SIGMOID, SOFTPLUS, POW, SCALE, ADD_SCALAR, LEAKY_RELU, LEAKY_RELU_SLOPE };

template <class T>
__device__ __forceinline__ T apply_unary(int op, T x, T p) {
    switch (op) {
        case NEG: return -x;
        case EXP: return exp(x);
        case LOG: return log(x);
        case SQRT: return sqrt(x);
        case RSQRT: return T(1) / sqrt(x);
        case ABS: return fabs(x);
        case SIGN: return java_signum(x);
        case SIGMOID: return x >= T(0) ? T(1) / (T(1) + exp(-x)) : exp(x) / (T(1) + exp(x));
        case SOFTPLUS: return (x > T(0) ? x : T(0)) + log1p(exp(-fabs(x)));
        case POW: return java_pow(x, p);
        case SCALE: return x * p;
        case ADD_SCALAR: return x + p;
        case LEAKY_RELU: return x > T(0) ? x : p * x;
        case LEAKY_RELU_SLOPE: return x > T(0) ? T(1) : p;
        default: return T(NAN);  // an op this file does not know: NaN, never a silent copy
    }
}

template <class T>
__device__ void unary_body(const T* x, T* out, int op, double p, long long n, Shape shape, Strides xs, Strides os) {
    const Strides st[2] = {xs, os};
    T q = (T)p;
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        long long off[2];
        offsets<2>(i, shape, st, off);
        out[off[1]] = apply_unary<T>(op, x[off[0]], q);
    }
}

#define UNARY_KERNEL(name, T)                                                                        \
    extern "C" __global__ void name(const T* x, T* out, int op, double p, long long n, RANK_PARAMS(d), \
                                    STRIDE_PARAMS(xs), STRIDE_PARAMS(os)) {                          \
        unary_body<T>(x, out, op, p, n, SHAPE(d), STRIDES(xs), STRIDES(os));                         \
    }                                                                                                \
    EMU_EXPORT(name)

UNARY_KERNEL(unary_f32, float)
UNARY_KERNEL(unary_f64, double)

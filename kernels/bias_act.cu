// bias_act: StyleGAN's fused bias + leaky ReLU with gain, and its gradient (Backend.biasAct /
// biasActBackward, ops.BiasAct; the CPU twin is cpu/BiasActKernel).
//   forward:  y = (v > 0 ? v : v * slope) * gain with v = x + b[c], c the index along dimension 1
//             of x read as [outer, C, inner] (inner = 1 for a linear layer's [N, C]); b may be null
//             (no bias: v = x + 0, as the CPU adds a zero);
//   backward: dx = y > 0 ? dy * gain : (dy * gain) * slope. Linear in dy with the mask fixed by y,
//             so it is also its own gradient (the R1 penalty's double backward calls it again).
// Every step rounds in the element type with slope and gain already rounded to it (the Java side
// passes float32 scalars to the f32 kernels), as the CPU twin and the composite reference do, so
// both give the same bits. No product here feeds an addition, so nothing can be contracted into an FMA.
// Contiguous tensors; y may alias x, dx may alias dy (each element is read before it is written,
// by the same thread).
//
// Kernels: bias_act_f32/f64, bias_act_backward_f32/f64.
// Launch: 1-D grid of STRIDED_BLOCK (256) threads, at most 4096 blocks, grid-stride loop; no barriers.
#include "cuda_emu.h"
#include "strided.cuh"

// The channel of element i: (i / inner) mod c, in 32-bit arithmetic where the index allows.
__device__ __forceinline__ int channel_of(long long i, long long inner, int c) {
    if (i <= 0x7fffffffLL && inner <= 0x7fffffffLL) return (int)(((unsigned)i / (unsigned)inner) % (unsigned)c);
    return (int)((i / inner) % c);
}

template <class T>
__device__ void bias_act_body(const T* x, const T* b, T* y, long long n, int c, long long inner, T slope, T gain) {
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        T v = x[i] + (b ? b[channel_of(i, inner, c)] : T(0));
        y[i] = (v > T(0) ? v : v * slope) * gain;
    }
}

template <class T>
__device__ void bias_act_backward_body(const T* dy, const T* y, T* dx, long long n, T slope, T gain) {
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        T t = dy[i] * gain;
        dx[i] = y[i] > T(0) ? t : t * slope;
    }
}

#define BIAS_ACT_KERNELS(T, suffix)                                                                        \
    extern "C" __global__ void bias_act_##suffix(const T* x, const T* b, T* y, long long n, int c,          \
                                                 long long inner, T slope, T gain) {                        \
        bias_act_body<T>(x, b, y, n, c, inner, slope, gain);                                               \
    }                                                                                                      \
    EMU_EXPORT(bias_act_##suffix)                                                                          \
    extern "C" __global__ void bias_act_backward_##suffix(const T* dy, const T* y, T* dx, long long n,      \
                                                          T slope, T gain) {                                \
        bias_act_backward_body<T>(dy, y, dx, n, slope, gain);                                              \
    }                                                                                                      \
    EMU_EXPORT(bias_act_backward_##suffix)

BIAS_ACT_KERNELS(float, f32)
BIAS_ACT_KERNELS(double, f64)

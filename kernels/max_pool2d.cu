// max_pool2d: max pooling over k x k windows with a stride and -inf padding, and its gradient
// (Backend.maxPool2d / maxPool2dBackward; the CPU twin is cpu/Pool). x [N,C,H,W] and dy
// [N,C,OH,OW] strided (four strides each), out and dx contiguous. Ties go to the first maximum in
// window order (rows, then columns), as on the CPU.
//
// The backward gathers instead of scattering: each dx element visits the windows that cover it
// (in increasing output order), recomputes their first maximum and adds dy where it is this
// element. No atomics, and every dx element is written (zero where no window picks it), with the
// same additions in the same order as the CPU's scatter, so the results are identical.
// 1-D grids of STRIDED_BLOCK threads, grid-stride loops; no barriers.
#include "cuda_emu.h"
#include "strided.cuh"

struct Pool {
    int n, c, h, w, oh, ow, k, stride, pad;
    long long sn, sc, sh, sw;  // x's strides
};

// The position of element i of a contiguous [N, C, H, W] tensor.
struct At {
    int n, c, y, x;
};
__device__ __forceinline__ At at(long long i, int c, int h, int w) {
    At a;
    a.x = (int)(i % w);
    long long r = i / w;
    a.y = (int)(r % h);
    r /= h;
    a.c = (int)(r % c);
    a.n = (int)(r / c);
    return a;
}

// The flat (iy * w + ix) position of the first maximum of window (oy, ox) of one plane, or -1
// when the window covers no input (cannot happen for pad <= k / 2, which the op checks).
template <class T>
__device__ __forceinline__ int first_max(const T* plane, const Pool& p, int oy, int ox, T* best_out) {
    T best = T(-INFINITY);
    int arg = -1;
    for (int ky = 0; ky < p.k; ky++) {
        int iy = oy * p.stride + ky - p.pad;
        if (iy < 0 || iy >= p.h) continue;
        for (int kx = 0; kx < p.k; kx++) {
            int ix = ox * p.stride + kx - p.pad;
            if (ix < 0 || ix >= p.w) continue;
            T v = plane[iy * p.sh + ix * p.sw];
            if (v > best || arg < 0) {
                best = v;
                arg = iy * p.w + ix;
            }
        }
    }
    *best_out = best;
    return arg;
}

template <class T>
__device__ void max_pool2d_body(const T* x, T* out, Pool p) {
    long long total = (long long)p.n * p.c * p.oh * p.ow;
    for (long long i = grid_start(); i < total; i += grid_stride()) {
        At o = at(i, p.c, p.oh, p.ow);
        T best;
        first_max<T>(x + o.n * p.sn + o.c * p.sc, p, o.y, o.x, &best);
        out[i] = best;
    }
}

template <class T>
__device__ void max_pool2d_backward_body(const T* x, const T* dy, T* dx, Pool p, long long dn, long long dc,
                                         long long dh, long long dw) {
    long long total = (long long)p.n * p.c * p.h * p.w;
    for (long long i = grid_start(); i < total; i += grid_stride()) {
        At e = at(i, p.c, p.h, p.w);
        int iy = e.y, ix = e.x;
        const T* plane = x + e.n * p.sn + e.c * p.sc;
        const T* g = dy + e.n * dn + e.c * dc;
        // Windows oy with oy * stride - pad <= iy <= oy * stride - pad + k - 1, likewise ox.
        int oy0 = max(0, (iy + p.pad - p.k + p.stride) / p.stride), oy1 = min(p.oh - 1, (iy + p.pad) / p.stride);
        int ox0 = max(0, (ix + p.pad - p.k + p.stride) / p.stride), ox1 = min(p.ow - 1, (ix + p.pad) / p.stride);
        int self = iy * p.w + ix;
        T acc = T(0);
        for (int oy = oy0; oy <= oy1; oy++)
            for (int ox = ox0; ox <= ox1; ox++) {
                T best;
                if (first_max<T>(plane, p, oy, ox, &best) == self) acc += g[oy * dh + ox * dw];
            }
        dx[i] = acc;
    }
}

#define POOL_PARAMS int n, int c, int h, int w, int oh, int ow, int k, int stride, int pad, \
                    long long sn, long long sc, long long sh, long long sw
#define POOL_OF Pool{n, c, h, w, oh, ow, k, stride, pad, sn, sc, sh, sw}

#define MAX_POOL2D_KERNELS(T, suffix)                                                                  \
    extern "C" __global__ void max_pool2d_##suffix(const T* x, T* out, POOL_PARAMS) {                  \
        max_pool2d_body<T>(x, out, POOL_OF);                                                           \
    }                                                                                                  \
    EMU_EXPORT(max_pool2d_##suffix)                                                                    \
    extern "C" __global__ void max_pool2d_backward_##suffix(const T* x, const T* dy, T* dx, POOL_PARAMS, \
                                                            long long dn, long long dc, long long dh, long long dw) { \
        max_pool2d_backward_body<T>(x, dy, dx, POOL_OF, dn, dc, dh, dw);                               \
    }                                                                                                  \
    EMU_EXPORT(max_pool2d_backward_##suffix)

MAX_POOL2D_KERNELS(float, f32)
MAX_POOL2D_KERNELS(double, f64)

// upfirdn2d, the twin of the CPU's Upfirdn2dKernel (StyleGAN's upsample, FIR filter, downsample)
// on contiguous x [planes, H, W] (planes = N*C) with a 2-D kernel k [KH, KW]:
//   U = x with up-1 zeros inserted after every sample, padded by padX0/padY0 before (negative
//   pads crop) and as far as the outputs read after;
//   out[p, oy, ox] = sum over ky, kx of kf[ky, kx] * U[oy*downY + ky, ox*downX + kx]
// where kf is k rotated by 180 degrees (a true convolution, as StyleGAN's), or k as stored when
// flip != 0 (a cross-correlation: the gradient's form, without copying the kernel). out is
// overwritten.
//
// One thread per output element, no shared memory. Of the taps only those landing on real samples
// of U are visited: along y, ky = ky0 + upY*t with ky0 = (padY0 - oy*downY) mod upY, so a 2x
// upsampling with a 4x4 kernel costs 4 multiply-adds per output, not 16. Inputs and taps are read
// through the caches (neighbouring threads read overlapping windows). A shared-memory tiled
// version (load the input window of a block once) is the next step where this shows up in a
// profile.
//
// Kernels: upfirdn2d_f32, upfirdn2d_f64 (float32 accumulates in float).
// Launch: block (256,1,1), grid (ceil(planes*outH*outW / 256), 1, 1).
#include "cuda_emu.h"

namespace {

__device__ __forceinline__ int floor_mod(int a, int m) {
    int r = a % m;
    return r < 0 ? r + m : r;
}

template <class T>
__device__ __forceinline__ void upfirdn2d(const T* x, const T* k, T* out, long long planes, int h, int w, int kh,
                                          int kw, int flip, int upX, int upY, int downX, int downY, int padX0,
                                          int padY0, int outH, int outW) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= planes * outH * outW) return;
    int ox = (int)(i % outW);
    long long rest = i / outW;
    int oy = (int)(rest % outH);
    const T* plane = x + rest / outH * h * w;
    // U index oy*downY + ky is sample iy = (by + ky) / upY when divisible.
    int by = oy * downY - padY0, bx = ox * downX - padX0;
    int ky0 = floor_mod(-by, upY), kx0 = floor_mod(-bx, upX);
    T sum = 0;
    for (int ky = ky0; ky < kh; ky += upY) {
        int iy = (by + ky) / upY;  // exact: by + ky is a multiple of upY
        if ((unsigned)iy >= (unsigned)h) continue;
        const T* row = plane + (long long)iy * w;
        const T* taps = k + (long long)(flip ? ky : kh - 1 - ky) * kw;
        for (int kx = kx0; kx < kw; kx += upX) {
            int ix = (bx + kx) / upX;
            if ((unsigned)ix >= (unsigned)w) continue;
            sum = fma(__ldg(taps + (flip ? kx : kw - 1 - kx)), __ldg(row + ix), sum);
        }
    }
    out[i] = sum;
}

}  // namespace

#define UPFIRDN2D_KERNEL(name, T)                                                                                \
    extern "C" __global__ void name(const T* x, const T* k, T* out, long long planes, int h, int w, int kh,     \
                                    int kw, int flip, int upX, int upY, int downX, int downY, int padX0,        \
                                    int padY0, int outH, int outW) {                                            \
        upfirdn2d(x, k, out, planes, h, w, kh, kw, flip, upX, upY, downX, downY, padX0, padY0, outH, outW);     \
    }

UPFIRDN2D_KERNEL(upfirdn2d_f32, float)
UPFIRDN2D_KERNEL(upfirdn2d_f64, double)

EMU_EXPORT(upfirdn2d_f32)
EMU_EXPORT(upfirdn2d_f64)

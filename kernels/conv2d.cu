// 2-D convolutions as implicit GEMMs, the twins of the CPU's ConvKernels: cross-correlation with
// zero padding, dilation 1, groups; x [N,C,H,W], w [O,C/G,KH,KW], y [N,O,OH,OW], all contiguous.
// Each kernel runs gemm_core.cuh's tiled GEMM with operands that gather their elements straight
// from the tensors (no im2col matrix is written) and an epilogue that scatters into NCHW/OIHW.
// Per group g (cg = C/G input and og = O/G output channels per group, P = OH*OW):
//
// conv2d_*: y = conv2d(x, w), y overwritten.
//   GEMM rows = og output channels, columns = N*P (all images' pixels, so small images still
//   fill tiles), K = cg*KH*KW. A = w[g] (dense, row-major), B = the im2col gather of x (each thread
//   owns one column: its pixel is decoded once per block).
//   grid (ceil(N*P/BN), ceil(og/BM), G).
//
// conv2d_backward_data_*: dx = the adjoint with respect to x (conv_transpose2d), dx overwritten.
//   Gathering dy for every (input pixel, tap) would multiply zeros for all but 1/(SH*SW) of the taps
//   at stride > 1, so the input pixels are split into SH*SW phases by (h + PH) mod SH and
//   (w + PW) mod SW; the pixels of one phase receive exactly the taps i = a + SH*ti, j = b + SW*tj,
//   from dy[oh = hq + dh - ti, ow = wq + dw - tj] (dense, no zero taps; a phase without taps, e.g.
//   1x1 stride 2, writes zeros). Per (group, phase): rows = cg input channels, columns = N*Hq*Wq
//   (the phase's pixels), K = og*nti*ntj. A = w gathered transposed, B = dy gathered.
//   grid (ceil(N*ceil(H/SH)*ceil(W/SW)/BN), ceil(cg/BM), G*SH*SW); blocks past their phase exit.
//
// conv2d_backward_weight_*: dw = the adjoint with respect to w: rows = og, columns = cg*KH*KW,
//   K = N*P (the long reduction over every image's pixels). With splits > 1, split s sums the K
//   steps [s*per, (s+1)*per) into workspace[s] ([splits][O][cg*KH*KW]) and
//   conv2d_backward_weight_reduce_* adds the splits in order into dw (deterministic: no atomics).
//   grid (ceil(cg*KH*KW/BN), ceil(og/BM), G*splits); the reduce: one thread per dw element,
//   blocks of 256 covering O*cg*KH*KW.
//
// Tile configurations as in gemm.cu: *_f32_128x128, *_f32_64x64, *_f64_64x64 (CudaConv picks).
// Launch: block (256,1,1). Indices: 32-bit within one image or weight, 64-bit offsets.
#include "cuda_emu.h"
#include "gemm_core.cuh"

namespace {

using gemm::KMajor;
using gemm::TMajor;

// The geometry, as the kernels receive it (ConvGeom on the Java side).
struct Geom {
    int n, c, h, w, o, kh, kw, sh, sw, ph, pw, groups, oh, ow;
    __device__ int cg() const { return c / groups; }
    __device__ int og() const { return o / groups; }
    __device__ int khw() const { return kh * kw; }
    __device__ int hw() const { return h * w; }
    __device__ int p() const { return oh * ow; }
};

__device__ __forceinline__ bool inside(int i, int n) {
    return (unsigned)i < (unsigned)n;
}

// n / d for 0 <= n < 2^31 and a fixed d >= 1 by a multiply-high, an add and a shift instead of
// an integer division (about 20 instructions on the GPU): with s = ceil(log2 d) and
// m = floor(2^32 (2^s - d) / d) + 1, n / d = (umulhi(n, m) + n) >> s (Granlund and Montgomery's
// round-up method; checked against / for every d < 5000 and 2 million random pairs). The im2col
// gathers decode (channel, tap) or (image, pixel) from k for every element they load.
struct FastDiv {
    unsigned d, m, s;
    __device__ explicit FastDiv(int divisor) : d(max(divisor, 1)), s(0) {
        while ((1u << s) < d) s++;
        m = (unsigned)(((1ull << 32) * ((1ull << s) - d)) / d + 1);
    }
    __device__ int operator()(int n) const { return (int)((__umulhi((unsigned)n, m) + (unsigned)n) >> s); }
};

// A B operand whose column reads a window of a stack of planes: k = (plane, ty, tx) over
// planes x ny x nx taps, B[k, column] = plane[y0 + dir*ty][x0 + dir*tx] inside h x w, else 0.
// Forward reads x (dir +1 from the window's corner), backward data reads dy (dir -1: the taps of a
// phase walk back through dy). Each thread owns one column, set up once per block; the k decoding
// is two FastDivs per element.
template <class C>
struct WindowGather {
    using T = typename C::T;
    using Map = TMajor<C::BN>;
    const T* base;  // the column's image, first plane of the group
    long long planeSize;
    int y0, x0, dir, h, w, nx, taps, K;
    bool valid;
    FastDiv byTaps, byNx;

    __device__ WindowGather(const T* base_, int h_, int w_, int y0_, int x0_, int dir_, int ny, int nx_, int planes, bool valid_)
        : base(base_), planeSize((long long)h_ * w_), y0(y0_), x0(x0_), dir(dir_), h(h_), w(w_), nx(nx_), taps(ny * nx_),
          K(planes * ny * nx_), valid(valid_), byTaps(ny * nx_), byNx(nx_) {}

    __device__ void fetch(int k0, T (&r)[4]) const {
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int k = k0 + Map::k(threadIdx.x) + q * Map::KSTEP;
            r[q] = 0;
            if (!valid || k >= K) continue;
            int plane = byTaps(k), tap = k - plane * taps, ty = byNx(tap), tx = tap - ty * nx;
            int y = y0 + dir * ty, x = x0 + dir * tx;
            if (inside(y, h) && inside(x, w)) r[q] = base[plane * planeSize + y * w + x];
        }
    }

    __device__ void stash(const T (&r)[4], T* sh) const { Map::stash(r, sh, threadIdx.x); }
};

// ------------------------------------------------------------------------------------- forward

// B[k = (ci, i, j), column = (img, oh, ow)] = x[img, g*cg + ci, oh*sh - ph + i, ow*sw - pw + j].
template <class C>
__device__ __forceinline__ WindowGather<C> forward_input(const typename C::T* x, const Geom& s, int grp, int n0) {
    int j = n0 + TMajor<C::BN>::t(threadIdx.x), p = s.p();
    bool valid = j < s.n * p;
    int img = valid ? j / p : 0, pix = j - img * p, oh = pix / s.ow, ow = pix - oh * s.ow;
    return WindowGather<C>(x + ((long long)img * s.c + (long long)grp * s.cg()) * s.hw(), s.h, s.w, oh * s.sh - s.ph,
                           ow * s.sw - s.pw, 1, s.kh, s.kw, s.cg(), valid);
}

// y[img, g*og + m, pix] for column (img, pix).
struct ForwardOut {
    Geom s;
    int grp;
    __device__ long long row(int m) const { return m < s.og() ? (long long)(grp * s.og() + m) * s.p() : -1; }
    __device__ long long col(int j) const {
        int p = s.p();
        if (j >= s.n * p) return -1;
        int img = j / p;
        return (long long)img * s.o * p + (j - img * p);
    }
};

template <class C>
__device__ __forceinline__ void forward(const typename C::T* x, const typename C::T* w, typename C::T* y, const Geom& s) {
    int grp = blockIdx.z, K = s.cg() * s.khw();
    if ((int)blockIdx.y * C::BM >= s.og() || (int)blockIdx.x * C::BN >= s.n * s.p()) return;
    gemm::DenseOperand<C, C::BM> la(w + (long long)grp * s.og() * K, K, false, s.og(), K, blockIdx.y * C::BM);
    WindowGather<C> lb = forward_input<C>(x, s, grp, blockIdx.x * C::BN);
    gemm::gemm_block<C>(la, lb, ForwardOut{s, grp}, y, 0, (K + C::BK - 1) / C::BK, 1, 0);
}

// ------------------------------------------------------------------------------- backward data

// One phase (a, b) of the input pixels: those with (h + ph) mod sh == a and (w + pw) mod sw == b.
struct Phase {
    int a, b;      // tap residues: the phase's taps are i = a + sh*ti, j = b + sw*tj
    int h0, w0;    // its first pixel row and column
    int hq, wq;    // its pixel rows and columns (h = h0 + sh*r for r < hq)
    int nti, ntj;  // its taps per kernel row and column
    int dh, dw;    // oh = r + dh - ti, ow = c + dw - tj

    __device__ Phase(const Geom& s, int phase) {
        a = phase / s.sw;
        b = phase - a * s.sw;
        h0 = ((a - s.ph) % s.sh + s.sh) % s.sh;
        w0 = ((b - s.pw) % s.sw + s.sw) % s.sw;
        hq = h0 < s.h ? (s.h - h0 + s.sh - 1) / s.sh : 0;
        wq = w0 < s.w ? (s.w - w0 + s.sw - 1) / s.sw : 0;
        nti = a < s.kh ? (s.kh - a + s.sh - 1) / s.sh : 0;
        ntj = b < s.kw ? (s.kw - b + s.sw - 1) / s.sw : 0;
        dh = (h0 + s.ph - a) / s.sh;  // exact, and >= 0
        dw = (w0 + s.pw - b) / s.sw;
    }

    __device__ int columns(const Geom& s) const { return s.n * hq * wq; }
    __device__ int depth(const Geom& s) const { return s.og() * nti * ntj; }
};

// A[row = ci, k = (o, ti, tj)] = w[g*og + o, ci, a + sh*ti, b + sw*tj]; the k decoding once per K step.
template <class C>
struct DataWeights {
    using T = typename C::T;
    using Map = KMajor<C::BM, C::BK>;
    Geom s;
    Phase ph;
    const T* base;  // w of group g's first output channel
    int t0, K;
    FastDiv byTaps, byNtj;

    __device__ DataWeights(const T* w, const Geom& s_, const Phase& ph_, int grp, int t0_)
        : s(s_), ph(ph_), t0(t0_), byTaps(ph_.nti * ph_.ntj), byNtj(ph_.ntj) {
        base = w + (long long)grp * s.og() * s.cg() * s.khw();
        K = ph.depth(s);
    }

    __device__ void fetch(int k0, T (&r)[4]) const {
        int k = k0 + Map::k(threadIdx.x), t = t0 + Map::t(threadIdx.x);
#pragma unroll
        for (int q = 0; q < 4; q++) r[q] = 0;
        if (k >= K) return;
        int o = byTaps(k), tap = k - o * ph.nti * ph.ntj, ti = byNtj(tap), tj = tap - ti * ph.ntj;
        const T* p = base + (long long)o * s.cg() * s.khw() + (ph.a + s.sh * ti) * s.kw + ph.b + s.sw * tj;
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int ci = t + q * Map::TSTEP;
            if (ci < s.cg()) r[q] = p[(long long)ci * s.khw()];
        }
    }

    __device__ void stash(const T (&r)[4], T* sh) const { Map::stash(r, sh, threadIdx.x); }
};

// B[k = (o, ti, tj), column = (img, r, c)] = dy[img, g*og + o, r + dh - ti, c + dw - tj].
template <class C>
__device__ __forceinline__ WindowGather<C> data_gradients(const typename C::T* dy, const Geom& s, const Phase& ph, int grp,
                                                          int n0) {
    int j = n0 + TMajor<C::BN>::t(threadIdx.x), per = ph.hq * ph.wq;
    bool valid = j < s.n * per;
    int img = valid ? j / per : 0, pix = j - img * per, r = valid ? pix / ph.wq : 0, c = pix - r * ph.wq;
    return WindowGather<C>(dy + ((long long)img * s.o + (long long)grp * s.og()) * s.p(), s.oh, s.ow, r + ph.dh, c + ph.dw, -1,
                           ph.nti, ph.ntj, s.og(), valid);
}

// dx[img, g*cg + ci, h0 + sh*r, w0 + sw*c] for row ci, column (img, r, c).
struct DataOut {
    Geom s;
    Phase ph;
    int grp;
    __device__ long long row(int ci) const { return ci < s.cg() ? (long long)(grp * s.cg() + ci) * s.hw() : -1; }
    __device__ long long col(int j) const {
        int per = ph.hq * ph.wq;
        if (j >= s.n * per) return -1;
        int img = j / per, pix = j - img * per, r = pix / ph.wq, c = pix - r * ph.wq;
        return (long long)img * s.c * s.hw() + (ph.h0 + s.sh * r) * s.w + ph.w0 + s.sw * c;
    }
};

template <class C>
__device__ __forceinline__ void backward_data(const typename C::T* dy, const typename C::T* w, typename C::T* dx,
                                              const Geom& s) {
    int phases = s.sh * s.sw, grp = blockIdx.z / phases;
    Phase ph(s, blockIdx.z - grp * phases);
    if ((int)blockIdx.y * C::BM >= s.cg() || (int)blockIdx.x * C::BN >= ph.columns(s)) return;
    DataWeights<C> la(w, s, ph, grp, blockIdx.y * C::BM);
    WindowGather<C> lb = data_gradients<C>(dy, s, ph, grp, blockIdx.x * C::BN);
    gemm::gemm_block<C>(la, lb, DataOut{s, ph, grp}, dx, 0, (ph.depth(s) + C::BK - 1) / C::BK, 1, 0);
}

// ----------------------------------------------------------------------------- backward weight

// A[row = o, k = (img, pix)] = dy[img, g*og + o, pix]; the k decoding once per K step.
template <class C>
struct WeightGradients {
    using T = typename C::T;
    using Map = KMajor<C::BM, C::BK>;
    Geom s;
    const T* base;  // dy, group g's first channel
    int t0;
    FastDiv byP;

    __device__ WeightGradients(const T* dy, const Geom& s_, int grp, int t0_) : s(s_), t0(t0_), byP(s_.p()) {
        base = dy + (long long)grp * s.og() * s.p();
    }

    __device__ void fetch(int k0, T (&r)[4]) const {
        int k = k0 + Map::k(threadIdx.x), t = t0 + Map::t(threadIdx.x), p = s.p();
#pragma unroll
        for (int q = 0; q < 4; q++) r[q] = 0;
        if (k >= s.n * p) return;
        int img = byP(k);
        const T* at = base + (long long)img * s.o * p + (k - img * p);
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int o = t + q * Map::TSTEP;
            if (o < s.og()) r[q] = at[(long long)o * p];
        }
    }

    __device__ void stash(const T (&r)[4], T* sh) const { Map::stash(r, sh, threadIdx.x); }
};

// B[k = (img, oh, ow), column = (ci, i, j)] = x[img, g*cg + ci, oh*sh - ph + i, ow*sw - pw + j];
// the thread's 4 columns are decoded once, its k once per K step.
template <class C>
struct WeightInputs {
    using T = typename C::T;
    using Map = KMajor<C::BN, C::BK>;
    Geom s;
    const T* base;  // x, group g's first channel
    long long chan[4];
    int ti[4], tj[4];
    bool valid[4];
    FastDiv byP, byOw;

    __device__ WeightInputs(const T* x, const Geom& s_, int grp, int n0) : s(s_), byP(s_.p()), byOw(s_.ow) {
        base = x + (long long)grp * s.cg() * s.hw();
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int t = n0 + Map::t(threadIdx.x) + q * Map::TSTEP;
            valid[q] = t < s.cg() * s.khw();
            int ci = valid[q] ? t / s.khw() : 0, tap = t - ci * s.khw();
            chan[q] = (long long)ci * s.hw();
            ti[q] = valid[q] ? tap / s.kw : 0;
            tj[q] = tap - ti[q] * s.kw;
        }
    }

    __device__ void fetch(int k0, T (&r)[4]) const {
        int k = k0 + Map::k(threadIdx.x), p = s.p();
#pragma unroll
        for (int q = 0; q < 4; q++) r[q] = 0;
        if (k >= s.n * p) return;
        int img = byP(k), pix = k - img * p, oh = byOw(pix), ow = pix - oh * s.ow;
        int ihb = oh * s.sh - s.ph, iwb = ow * s.sw - s.pw;
        const T* at = base + (long long)img * s.c * s.hw();
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int ih = ihb + ti[q], iw = iwb + tj[q];
            if (valid[q] && inside(ih, s.h) && inside(iw, s.w)) r[q] = at[chan[q] + ih * s.w + iw];
        }
    }

    __device__ void stash(const T (&r)[4], T* sh) const { Map::stash(r, sh, threadIdx.x); }
};

// dw[g*og + o, column] (or the split's slice of the workspace, same layout).
struct WeightOut {
    Geom s;
    int grp;
    __device__ long long row(int o) const {
        return o < s.og() ? (long long)(grp * s.og() + o) * s.cg() * s.khw() : -1;
    }
    __device__ long long col(int j) const { return j < s.cg() * s.khw() ? j : -1; }
};

template <class C>
__device__ __forceinline__ void backward_weight(const typename C::T* x, const typename C::T* dy, typename C::T* dw,
                                                typename C::T* workspace, int splits, const Geom& s) {
    int grp = blockIdx.z / splits, split = blockIdx.z - grp * splits;
    if ((int)blockIdx.y * C::BM >= s.og() || (int)blockIdx.x * C::BN >= s.cg() * s.khw()) return;
    int steps = (s.n * s.p() + C::BK - 1) / C::BK, per = (steps + splits - 1) / splits;
    int kt0 = min(steps, split * per), kt1 = min(steps, kt0 + per);
    typename C::T* out = splits == 1 ? dw : workspace + (long long)split * s.o * s.cg() * s.khw();
    WeightGradients<C> la(dy, s, grp, blockIdx.y * C::BM);
    WeightInputs<C> lb(x, s, grp, blockIdx.x * C::BN);
    gemm::gemm_block<C>(la, lb, WeightOut{s, grp}, out, kt0, kt1, 1, 0);
}

// dw[i] = sum over s < splits, in order, of workspace[s * count + i].
template <class T>
__device__ __forceinline__ void reduce_splits(const T* workspace, T* dw, long long count, int splits) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    T sum = 0;
    for (int s = 0; s < splits; s++) sum += workspace[(long long)s * count + i];
    dw[i] = sum;
}

}  // namespace

#define CONV_GEOM_PARAMS                                                                                     \
    int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int groups, int oh, int ow
#define CONV_GEOM Geom{n, c, h, w, o, kh, kw, sh, sw, ph, pw, groups, oh, ow}

#define CONV_KERNELS(suffix, Config)                                                                              \
    extern "C" __global__ void __launch_bounds__(gemm::THREADS)                                                     \
    conv2d_##suffix(const Config::T* x, const Config::T* wt, Config::T* y, CONV_GEOM_PARAMS) {                      \
        forward<Config>(x, wt, y, CONV_GEOM);                                                                       \
    }                                                                                                               \
    extern "C" __global__ void __launch_bounds__(gemm::THREADS)                                                     \
    conv2d_backward_data_##suffix(const Config::T* dy, const Config::T* wt, Config::T* dx, CONV_GEOM_PARAMS) {      \
        backward_data<Config>(dy, wt, dx, CONV_GEOM);                                                               \
    }                                                                                                               \
    extern "C" __global__ void __launch_bounds__(gemm::THREADS)                                                     \
    conv2d_backward_weight_##suffix(const Config::T* x, const Config::T* dy, Config::T* dw, Config::T* workspace, \
                                    int splits, CONV_GEOM_PARAMS) {                                                 \
        backward_weight<Config>(x, dy, dw, workspace, splits, CONV_GEOM);                                           \
    }

CONV_KERNELS(f32_128x128, gemm::LargeF32)
CONV_KERNELS(f32_64x64, gemm::SmallF32)
CONV_KERNELS(f64_64x64, gemm::SmallF64)

extern "C" __global__ void conv2d_backward_weight_reduce_f32(const float* workspace, float* dw, long long count, int splits) {
    reduce_splits(workspace, dw, count, splits);
}
extern "C" __global__ void conv2d_backward_weight_reduce_f64(const double* workspace, double* dw, long long count,
                                                             int splits) {
    reduce_splits(workspace, dw, count, splits);
}

EMU_EXPORT(conv2d_f32_128x128)
EMU_EXPORT(conv2d_f32_64x64)
EMU_EXPORT(conv2d_f64_64x64)
EMU_EXPORT(conv2d_backward_data_f32_128x128)
EMU_EXPORT(conv2d_backward_data_f32_64x64)
EMU_EXPORT(conv2d_backward_data_f64_64x64)
EMU_EXPORT(conv2d_backward_weight_f32_128x128)
EMU_EXPORT(conv2d_backward_weight_f32_64x64)
EMU_EXPORT(conv2d_backward_weight_f64_64x64)
EMU_EXPORT(conv2d_backward_weight_reduce_f32)
EMU_EXPORT(conv2d_backward_weight_reduce_f64)

// modulation: StyleMapGAN's spatially variant modulation, y = (x - mean) * rstd * gamma + beta,
// and its gradients (Backend.modulation / modulationBackward, ops.Modulation; the CPU twin is
// cpu/ModulationKernel).
//
// x [N,C,H,W] contiguous falls into groups of len contiguous elements: a sample (LayerNorm,
// len = C*H*W) or a sample and channel (InstanceNorm, len = H*W); group g is x[g*len, (g+1)*len).
// gammaBeta [N,2C,H,W] holds gamma in channels [0, C) and beta in [C, 2C), so element i of x
// (sample n = i / chw) finds its gamma at i + n*chw and its beta chw further.
//
// Statistics as the CPU computes them, in double: the mean first, then the sum of squared
// deviations from that mean (two passes); biased variance, rstd = 1 / sqrt(var + eps). The
// backward's two sums, sum(dy * gamma) and sum(dy * gamma * (x - mean)), likewise in double.
// Every reduction is deterministic: a group is cut into `parts` chunks of `chunk` elements, block
// (p, g) adds chunk p of group g with a fixed tree (block_sum.cuh) into partial[g * parts + p],
// and one thread per group adds its parts in order. (The CPU adds in another fixed order, so the
// double sums may differ in their last bits, which rounding to float32 nearly always hides.)
// The elementwise steps round as the CPU's do, in its order and without FMA contraction (rn.cuh);
// the statistics they use are mean and rstd rounded to the element type, as the CPU uses them.
//
// Forward, five launches: modulation_moment (sum x), modulation_mean, modulation_moment (sum of
// squared deviations), modulation_rstd, modulation_apply. Backward, three: modulation_grad_moments,
// modulation_grad_means, modulation_grad_apply.
// Launch shapes: the *moment* kernels grid (parts, min(groups, 65535)), block (STRIDED_BLOCK = 256)
// exactly (block_sum), looping over groups along y; the others a 1-D grid of 256-thread blocks
// (at most 4096), grid-stride, no barriers: one thread per group (mean, rstd, grad_means) or per
// element (apply, grad_apply).
#include "cuda_emu.h"
#include "strided.cuh"
#include "block_sum.cuh"
#include "rn.cuh"

// i / d in 32-bit arithmetic where both allow (a fraction of a 64-bit division's cost on the GPU).
__device__ __forceinline__ long long div_index(long long i, long long d) {
    if (i <= 0x7fffffffLL && d <= 0x7fffffffLL) return (long long)((unsigned)i / (unsigned)d);
    return i / d;
}

// The elements [from, to) of chunk p of a group of len elements.
struct Chunk {
    long long from, to;
};
__device__ __forceinline__ Chunk chunk_of(long long p, long long chunk, long long len) {
    long long from = p * chunk;
    return Chunk{from, min(len, from + chunk)};
}

// partial[g * parts + p] = sum over chunk p of group g of x (shift == nullptr), or of
// (x - shift[g])^2: the statistics' two passes.
template <class T>
__device__ void moment_body(const T* x, const double* shift, double* partial, long long groups, long long len,
                            long long chunk) {
    long long p = blockIdx.x, parts = gridDim.x;
    Chunk c = chunk_of(p, chunk, len);
    for (long long g = blockIdx.y; g < groups; g += gridDim.y) {
        const T* xg = x + g * len;
        double acc = 0;
        if (shift) {
            double m = shift[g];
            for (long long j = c.from + threadIdx.x; j < c.to; j += STRIDED_BLOCK) {
                double d = (double)xg[j] - m;
                acc += d * d;
            }
        } else {
            for (long long j = c.from + threadIdx.x; j < c.to; j += STRIDED_BLOCK) acc += (double)xg[j];
        }
        double s = block_sum(acc);
        if (threadIdx.x == 0) partial[g * parts + p] = s;
    }
}

// The parts of group g added in order.
__device__ __forceinline__ double parts_sum(const double* partial, long long g, long long parts) {
    double s = 0;
    for (long long p = 0; p < parts; p++) s += partial[g * parts + p];
    return s;
}

template <class T>
__device__ void mean_body(const double* partial, long long parts, long long groups, long long len, double* meanD,
                          T* mean) {
    for (long long g = grid_start(); g < groups; g += grid_stride()) {
        double m = parts_sum(partial, g, parts) / (double)len;
        meanD[g] = m;
        mean[g] = (T)m;
    }
}

template <class T>
__device__ void rstd_body(const double* partial, long long parts, long long groups, long long len, double eps, T* rstd) {
    for (long long g = grid_start(); g < groups; g += grid_stride())
        rstd[g] = (T)(1.0 / sqrt(parts_sum(partial, g, parts) / (double)len + eps));
}

// y = ((x - mean) * rstd) * gamma + beta, with the statistics in the element type.
template <class T>
__device__ void apply_body(const T* x, const T* gb, const T* mean, const T* rstd, T* y, long long n, long long len,
                           long long chw) {
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        long long g = div_index(i, len), gamma = i + div_index(i, chw) * chw;
        T xhat = (x[i] - mean[g]) * rstd[g];
        y[i] = add_rn(mul_rn(xhat, gb[gamma]), gb[gamma + chw]);
    }
}

// partial[g * parts + p] and partial[(groups + g) * parts + p]: sum(dy * gamma) and
// sum(dy * gamma * (x - mean)) over chunk p of group g, the products of widened values.
template <class T>
__device__ void grad_moments_body(const T* dy, const T* x, const T* gb, const T* mean, double* partial,
                                  long long groups, long long len, long long chw, long long chunk) {
    long long p = blockIdx.x, parts = gridDim.x;
    Chunk c = chunk_of(p, chunk, len);
    for (long long g = blockIdx.y; g < groups; g += gridDim.y) {
        long long base = g * len, gammaBase = base + div_index(base, chw) * chw;  // a group lies in one sample
        double m = (double)mean[g], sg = 0, sgx = 0;
        for (long long j = c.from + threadIdx.x; j < c.to; j += STRIDED_BLOCK) {
            double prod = (double)dy[base + j] * (double)gb[gammaBase + j];
            sg += prod;
            sgx += prod * ((double)x[base + j] - m);
        }
        double a = block_sum(sg), b = block_sum(sgx);
        if (threadIdx.x == 0) {
            partial[g * parts + p] = a;
            partial[(groups + g) * parts + p] = b;
        }
    }
}

// means[g] = sum(dy * gamma) / len and means[groups + g] = sum(dy * gamma * (x - mean)) * rstd / len
// (= sum(dy * gamma * xhat) / len), in double.
template <class T>
__device__ void grad_means_body(const double* partial, long long parts, long long groups, long long len, const T* rstd,
                                double* means) {
    for (long long g = grid_start(); g < groups; g += grid_stride()) {
        means[g] = parts_sum(partial, g, parts) / (double)len;
        means[groups + g] = __dmul_rn(parts_sum(partial, groups + g, parts), (double)rstd[g]) / (double)len;
    }
}

// dx = (dy * gamma - mean_g - xhat * mean_gx) * rstd, dgamma = dy * xhat, dbeta = dy.
template <class T>
__device__ void grad_apply_body(const T* dy, const T* x, const T* gb, const T* mean, const T* rstd, const double* means,
                                T* dx, T* dgb, long long n, long long groups, long long len, long long chw) {
    for (long long i = grid_start(); i < n; i += grid_stride()) {
        long long g = div_index(i, len), gamma = i + div_index(i, chw) * chw;
        T d = dy[i], r = rstd[g], xhat = (x[i] - mean[g]) * r;
        T mg = (T)means[g], mgx = (T)means[groups + g];
        dx[i] = mul_rn(sub_rn(sub_rn(mul_rn(d, gb[gamma]), mg), mul_rn(xhat, mgx)), r);
        dgb[gamma] = d * xhat;
        dgb[gamma + chw] = d;
    }
}

#define MODULATION_KERNELS(T, suffix)                                                                              \
    extern "C" __global__ void modulation_moment_##suffix(const T* x, const double* shift, double* partial,         \
                                                          long long groups, long long len, long long chunk) {       \
        moment_body<T>(x, shift, partial, groups, len, chunk);                                                     \
    }                                                                                                              \
    EMU_EXPORT(modulation_moment_##suffix)                                                                         \
    extern "C" __global__ void modulation_mean_##suffix(const double* partial, long long parts, long long groups,   \
                                                        long long len, double* meanD, T* mean) {                    \
        mean_body<T>(partial, parts, groups, len, meanD, mean);                                                    \
    }                                                                                                              \
    EMU_EXPORT(modulation_mean_##suffix)                                                                           \
    extern "C" __global__ void modulation_rstd_##suffix(const double* partial, long long parts, long long groups,   \
                                                        long long len, double eps, T* rstd) {                       \
        rstd_body<T>(partial, parts, groups, len, eps, rstd);                                                      \
    }                                                                                                              \
    EMU_EXPORT(modulation_rstd_##suffix)                                                                           \
    extern "C" __global__ void modulation_apply_##suffix(const T* x, const T* gb, const T* mean, const T* rstd,      \
                                                         T* y, long long n, long long len, long long chw) {         \
        apply_body<T>(x, gb, mean, rstd, y, n, len, chw);                                                          \
    }                                                                                                              \
    EMU_EXPORT(modulation_apply_##suffix)                                                                          \
    extern "C" __global__ void modulation_grad_moments_##suffix(const T* dy, const T* x, const T* gb, const T* mean, \
                                                                double* partial, long long groups, long long len,   \
                                                                long long chw, long long chunk) {                   \
        grad_moments_body<T>(dy, x, gb, mean, partial, groups, len, chw, chunk);                                   \
    }                                                                                                              \
    EMU_EXPORT(modulation_grad_moments_##suffix)                                                                   \
    extern "C" __global__ void modulation_grad_means_##suffix(const double* partial, long long parts,               \
                                                              long long groups, long long len, const T* rstd,       \
                                                              double* means) {                                      \
        grad_means_body<T>(partial, parts, groups, len, rstd, means);                                              \
    }                                                                                                              \
    EMU_EXPORT(modulation_grad_means_##suffix)                                                                     \
    extern "C" __global__ void modulation_grad_apply_##suffix(const T* dy, const T* x, const T* gb, const T* mean,  \
                                                              const T* rstd, const double* means, T* dx, T* dgb,    \
                                                              long long n, long long groups, long long len,         \
                                                              long long chw) {                                      \
        grad_apply_body<T>(dy, x, gb, mean, rstd, means, dx, dgb, n, groups, len, chw);                            \
    }                                                                                                              \
    EMU_EXPORT(modulation_grad_apply_##suffix)

MODULATION_KERNELS(float, f32)
MODULATION_KERNELS(double, f64)

// random: standard normal or uniform [0, 1) numbers from the counter-based Philox4x32-10
// generator (Backend.random; the CPU twin is random/Philox, whose numbers these equal bit for bit):
// element i of the contiguous out uses counter (offset + i) and the 64-bit key seed. uniform takes
// 53 bits of words 0 and 1; normal is Box-Muller over all four words, with log and cos(2 pi u)
// evaluated from +, -, *, /, sqrt and fused multiply-adds only (no library calls, no contraction
// the compilers may choose), exactly as Philox.java does, so every device rounds identically.
// float32 uniform values that round up to 1 are replaced by the largest float below 1, as the CPU
// does. 1-D grid of STRIDED_BLOCK threads, grid-stride loop; no barriers.
#include "cuda_emu.h"
#include "strided.cuh"

__device__ __forceinline__ void philox(unsigned long long seed, unsigned long long counter, unsigned (&w)[4]) {
    const unsigned M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    unsigned c0 = (unsigned)counter, c1 = (unsigned)(counter >> 32), c2 = 0, c3 = 0;
    unsigned k0 = (unsigned)seed, k1 = (unsigned)(seed >> 32);
#pragma unroll
    for (int r = 0; r < 10; r++) {
        unsigned long long p0 = (unsigned long long)M0 * c0, p1 = (unsigned long long)M1 * c2;
        unsigned n0 = (unsigned)(p1 >> 32) ^ c1 ^ k0, n2 = (unsigned)(p0 >> 32) ^ c3 ^ k1;
        c1 = (unsigned)p1;
        c3 = (unsigned)p0;
        c0 = n0;
        c2 = n2;
        k0 += W0;
        k1 += W1;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

// Uniform [0, 1) with 53 bits from two words (exact: an integer below 2^53 times 2^-53).
__device__ __forceinline__ double unit(unsigned hi, unsigned lo) {
    unsigned long long bits = ((unsigned long long)hi << 21) ^ ((unsigned long long)lo >> 11);
    return (double)(bits & ((1ULL << 53) - 1)) * 0x1.0p-53;
}

// log(u) for u in [2^-53, 1]: u = m 2^e with m in [sqrt(2)/2, sqrt(2)), f = m - 1 (exact),
// s = f / (2 + f), log(m) = 2 atanh(s) = f - s (f - T) with T = 2 s^2 (1/3 + s^2/5 + s^4/7 + ...).
__device__ __forceinline__ double portable_log(double u) {
    long long bits = __double_as_longlong(u);
    int e = (int)(bits >> 52) - 1023;
    double m = __longlong_as_double((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    if (m > 0x1.6a09e667f3bcdp+0) {
        m = m * 0.5;
        e += 1;
    }
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = __dmul_rn(s, s);
    double p = 2.0 / 25.0;
    p = fma(p, z, 2.0 / 23.0);
    p = fma(p, z, 2.0 / 21.0);
    p = fma(p, z, 2.0 / 19.0);
    p = fma(p, z, 2.0 / 17.0);
    p = fma(p, z, 2.0 / 15.0);
    p = fma(p, z, 2.0 / 13.0);
    p = fma(p, z, 2.0 / 11.0);
    p = fma(p, z, 2.0 / 9.0);
    p = fma(p, z, 2.0 / 7.0);
    p = fma(p, z, 2.0 / 5.0);
    p = fma(p, z, 2.0 / 3.0);
    double t = __dmul_rn(z, p);
    double logm = fma(-s, f - t, f);
    double de = (double)e;
    return fma(de, 0x1.62e42fefa39efp-1, fma(de, 0x1.abc9e3b39803fp-56, logm));
}

// cos(2 pi u) for u in [0, 1) (a multiple of 2^-53): u = n/4 + r exactly with |r| <= 1/8, then
// the Taylor series of cos(2 pi r) or sin(2 pi r) in r (terms to r^19: below 2^-60 of the result).
__device__ __forceinline__ double portable_cos2pi(double u) {
    int n = (int)(u * 4.0 + 0.5);
    double r = u - (double)n * 0.25;
    double t = __dmul_rn(r, r);
    if ((n & 1) == 0) {
        double c = -0x1.2a0c591af8314p-5;
        c = fma(c, t, 0x1.20c62c2f2d7f5p-2);
        c = fma(c, t, -0x1.b6e24f44b128fp+0);
        c = fma(c, t, 0x1.f9d38a3763cc3p+2);
        c = fma(c, t, -0x1.a6d1f2a204a8cp+4);
        c = fma(c, t, 0x1.e1f506891babbp+5);
        c = fma(c, t, -0x1.55d3c7e3cbffap+6);
        c = fma(c, t, 0x1.03c1f081b5ac4p+6);
        c = fma(c, t, -0x1.3bd3cc9be45dep+4);
        c = fma(c, t, 1.0);
        return (n & 2) == 0 ? c : -c;
    }
    double s = -0x1.8a404211f9547p-7;
    s = fma(s, t, 0x1.aaec32af93359p-4);
    s = fma(s, t, -0x1.6fadb9f155744p-1);
    s = fma(s, t, 0x1.e8f434d018d63p+1);
    s = fma(s, t, -0x1.e3074fde8871fp+3);
    s = fma(s, t, 0x1.50783487ee782p+5);
    s = fma(s, t, -0x1.32d2cce62bd86p+6);
    s = fma(s, t, 0x1.466bc6775aae2p+6);
    s = fma(s, t, -0x1.4abbce625be53p+5);
    s = fma(s, t, 0x1.921fb54442d18p+2);
    s = __dmul_rn(s, r);
    // cos(x + pi/2) = -sin(x), cos(x + 3 pi/2) = sin(x)
    return (n & 2) == 0 ? -s : s;
}

template <class T>
__device__ __forceinline__ T draw(unsigned long long seed, unsigned long long counter, bool uniform);

template <>
__device__ __forceinline__ double draw<double>(unsigned long long seed, unsigned long long counter, bool uniform) {
    unsigned w[4];
    philox(seed, counter, w);
    if (uniform) return unit(w[0], w[1]);
    double u1 = 1.0 - unit(w[0], w[1]);  // in (0, 1], so the log is finite
    double u2 = unit(w[2], w[3]);
    return sqrt(-2.0 * portable_log(u1)) * portable_cos2pi(u2);
}

template <>
__device__ __forceinline__ float draw<float>(unsigned long long seed, unsigned long long counter, bool uniform) {
    float v = (float)draw<double>(seed, counter, uniform);
    return uniform && v >= 1.0f ? 0x1.fffffep-1f : v;
}

template <class T>
__device__ void random_body(T* out, long long n, long long seed, long long offset, int uniform) {
    for (long long i = grid_start(); i < n; i += grid_stride())
        out[i] = draw<T>((unsigned long long)seed, (unsigned long long)(offset + i), uniform != 0);
}

#define RANDOM_KERNEL(name, T)                                                                       \
    extern "C" __global__ void name(T* out, long long n, long long seed, long long offset, int uniform) { \
        random_body<T>(out, n, seed, offset, uniform);                                               \
    }                                                                                                \
    EMU_EXPORT(name)

RANDOM_KERNEL(random_f32, float)
RANDOM_KERNEL(random_f64, double)

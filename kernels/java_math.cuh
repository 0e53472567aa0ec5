// Java's Math semantics where C's differ, for kernels whose CPU twins compute with java.lang.Math
// (UnaryOp.apply, BinaryOp.apply): the special values (NaN, signed zeros, infinities) come out as
// on the CPU.
#pragma once

// Math.pow: NaN for a NaN exponent, and for |base| == 1 with an infinite exponent (C gives 1).
template <class T>
__device__ __forceinline__ T java_pow(T a, T b) {
    if (b != b || (fabs(a) == T(1) && fabs(b) == T(INFINITY))) return T(NAN);
    return pow(a, b);
}

template <class T>
__device__ __forceinline__ bool negative_zero(T x) {
    return x == T(0) && signbit(x);
}

// Math.max / Math.min: NaN if either is NaN (C's fmax returns the other), +0 above -0.
template <class T>
__device__ __forceinline__ T java_max(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return negative_zero(a) ? b : a;
    return a > b ? a : b;
}

template <class T>
__device__ __forceinline__ T java_min(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return negative_zero(a) ? a : b;
    return a < b ? a : b;
}

// Math.signum: the sign of zero and NaN kept.
template <class T>
__device__ __forceinline__ T java_signum(T x) {
    return x > T(0) ? T(1) : x < T(0) ? T(-1) : x;
}

// Arithmetic that rounds after every operation, for kernels whose float results must have the
// bits of their CPU twin (Java rounds every + and *, and never fuses them): nvcc (and the
// emulator's g++ with -ffp-contract=fast) would contract a * b + c into one FMA, which rounds once.
// The _rn intrinsics are never contracted. Division and sqrt round correctly without help (nvcc's
// defaults, -prec-div=true and -prec-sqrt=true; the fatbins are not built with --use_fast_math).
#pragma once

__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float add_rn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add_rn(double a, double b) { return __dadd_rn(a, b); }
// a - b, rounded once (negation is exact).
__device__ __forceinline__ float sub_rn(float a, float b) { return __fadd_rn(a, -b); }
__device__ __forceinline__ double sub_rn(double a, double b) { return __dadd_rn(a, -b); }

// Inline PTX, only here, each instruction behind a __device__ wrapper with a host branch that the
// emulator runs (docs/CUDA-EMULATOR.md). On the GPU (__CUDA_ARCH__) the wrappers emit the PTX;
// under g++ they do the same thing warp-collectively: every lane hands its registers to the
// warp, the last lane to arrive computes the result of the whole warp, every lane gets its part.
//
//   f32_to_tf32          cvt.rna.tf32.f32 (round to nearest, ties away from zero, to 10 mantissa bits)
//   mma_m16n8k8_tf32     mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
//   mma_m16n8k16_bf16    mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
//   pack_bf16x2          two floats to one .b32 register of bf16 (cvt.rn: nearest even), low half first
//   ldmatrix_x{1,2,4}[_trans]   ldmatrix.sync.aligned.m8n8.x{1,2,4}[.trans].shared.b16
//   cp_async_{4,8,16}, cp_async_commit, cp_async_wait<N>, cp_async_wait_all
//
// Fragment layouts (PTX ISA, "Matrix fragments for mma.m16n8k8 / m16n8k16"), with
// g = lane / 4 and t = lane % 4:
//   m16n8k8 .tf32  A (16x8, row):  a0 (g, t)   a1 (g+8, t)   a2 (g, t+4)   a3 (g+8, t+4)
//                  B (8x8, col):   b0 (t, g)   b1 (t+4, g)
//   m16n8k16 .bf16 A (16x16, row): a[r] holds two elements (low half first):
//                  a0 (g, 2t..2t+1)  a1 (g+8, 2t..2t+1)  a2 (g, 2t+8..2t+9)  a3 (g+8, 2t+8..2t+9)
//                  B (16x8, col):  b0 (2t..2t+1, g)  b1 (2t+8..2t+9, g)
//   C and D (16x8, f32): c0 (g, 2t)  c1 (g, 2t+1)  c2 (g+8, 2t)  c3 (g+8, 2t+1)
//   ldmatrix: lanes 8j..8j+7 give the row addresses of matrix j (16 bytes each); lane l receives
//   in register j the elements (l/4, 2(l%4)..+1) of matrix j, or with .trans (2(l%4)..+1, l/4).
#pragma once
#include "cuda_emu.h"
#include <stdint.h>
#if defined(__CUDACC__)
#include <cuda_bf16.h>
#endif

#if !defined(__CUDACC__)
namespace emu {

inline float bits_to_float(uint32_t b) { return from_bits<float>(b); }

// cvt.rna.tf32.f32: add half an ulp of the 10-bit mantissa to the magnitude and truncate;
// NaN and infinity pass unchanged.
inline uint32_t tf32_rna(float x) {
    uint32_t u = (uint32_t)to_bits(x);
    if ((u & 0x7f800000u) == 0x7f800000u) return u;
    return (u + 0x1000u) & 0xffffe000u;
}

struct MmaArgs {
    const uint32_t* a;
    const uint32_t* b;
    const float* c;
    float* d;
};

// D = A B + C over the whole warp, from the fragments of all 32 lanes. The products are exact
// (11-bit and 8-bit significands) and the sum is formed in double and rounded once; the tensor
// cores accumulate in float, so results may differ from the GPU in the last bits.
template <int K, class Element>
inline void mma_combine(void* const* data, unsigned lanes) {
    if (lanes != 0xffffffffu) fail("mma.sync needs all 32 lanes of the warp (lanes 0x%08x took part)", lanes);
    double a[16][K], b[K][8], c[16][8];
    for (int lane = 0; lane < 32; lane++) {
        const MmaArgs& m = *static_cast<const MmaArgs*>(data[lane]);
        int g = lane / 4, t = lane % 4;
        Element::load_a(m.a, g, t, a);
        Element::load_b(m.b, g, t, b);
        c[g][2 * t] = m.c[0];
        c[g][2 * t + 1] = m.c[1];
        c[g + 8][2 * t] = m.c[2];
        c[g + 8][2 * t + 1] = m.c[3];
    }
    for (int lane = 0; lane < 32; lane++) {
        const MmaArgs& m = *static_cast<const MmaArgs*>(data[lane]);
        int g = lane / 4, t = lane % 4;
        const int rows[4] = {g, g, g + 8, g + 8}, cols[4] = {2 * t, 2 * t + 1, 2 * t, 2 * t + 1};
        for (int r = 0; r < 4; r++) {
            double sum = c[rows[r]][cols[r]];
            for (int k = 0; k < K; k++) sum += a[rows[r]][k] * b[k][cols[r]];
            m.d[r] = (float)sum;
        }
    }
}

struct Tf32 {
    // The tensor cores read 19 bits of each .tf32 register; the low 13 are ignored (use
    // f32_to_tf32 to round first, as cvt.rna does).
    static double value(uint32_t r) { return bits_to_float(r & 0xffffe000u); }
    static void load_a(const uint32_t* a, int g, int t, double (*out)[8]) {
        out[g][t] = value(a[0]);
        out[g + 8][t] = value(a[1]);
        out[g][t + 4] = value(a[2]);
        out[g + 8][t + 4] = value(a[3]);
    }
    static void load_b(const uint32_t* b, int g, int t, double (*out)[8]) {
        out[t][g] = value(b[0]);
        out[t + 4][g] = value(b[1]);
    }
};

struct Bf16 {
    static double low(uint32_t r) { return bits_to_float(r << 16); }
    static double high(uint32_t r) { return bits_to_float(r & 0xffff0000u); }
    static void load_a(const uint32_t* a, int g, int t, double (*out)[16]) {
        for (int r = 0; r < 4; r++) {
            int row = g + (r & 1) * 8, col = 2 * t + (r >> 1) * 8;
            out[row][col] = low(a[r]);
            out[row][col + 1] = high(a[r]);
        }
    }
    static void load_b(const uint32_t* b, int g, int t, double (*out)[8]) {
        for (int r = 0; r < 2; r++) {
            out[2 * t + r * 8][g] = low(b[r]);
            out[2 * t + r * 8 + 1][g] = high(b[r]);
        }
    }
};

inline const WarpOp mma_tf32_op{"mma.sync.m16n8k8.tf32", mma_combine<8, Tf32>};
inline const WarpOp mma_bf16_op{"mma.sync.m16n8k16.bf16", mma_combine<16, Bf16>};

struct LdMatrixArgs {
    const unsigned char* row;  // the row address this lane gives
    uint32_t* out;
};

template <int Count, bool Trans>
inline void ldmatrix_combine(void* const* data, unsigned lanes) {
    if (lanes != 0xffffffffu) fail("ldmatrix needs all 32 lanes of the warp (lanes 0x%08x took part)", lanes);
    auto element = [&](int matrix, int r, int col) {
        uint16_t v;
        memcpy(&v, static_cast<const LdMatrixArgs*>(data[8 * matrix + r])->row + 2 * col, 2);
        return (uint32_t)v;
    };
    for (int lane = 0; lane < 32; lane++) {
        auto& args = *static_cast<const LdMatrixArgs*>(data[lane]);
        for (int j = 0; j < Count; j++) {
            int r = lane / 4, c = 2 * (lane % 4);
            args.out[j] = Trans ? element(j, c, r) | element(j, c + 1, r) << 16
                                : element(j, r, c) | element(j, r, c + 1) << 16;
        }
    }
}

template <int Count, bool Trans> inline void ldmatrix(uint32_t* out, const void* row) {
    static const WarpOp op{Trans ? "ldmatrix.trans" : "ldmatrix", ldmatrix_combine<Count, Trans>};
    LdMatrixArgs args{static_cast<const unsigned char*>(row), out};
    warp_collective(0xffffffffu, op, &args);
}

}  // namespace emu
#endif

#if defined(__CUDA_ARCH__)
__device__ __forceinline__ unsigned smem_address(const void* p) {
    return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
#endif

__device__ __forceinline__ uint32_t f32_to_tf32(float x) {
#if defined(__CUDA_ARCH__)
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
#elif !defined(__CUDACC__)
    return emu::tf32_rna(x);
#endif
}

// Two floats as one register of two bf16 (lo in the low half), rounded to nearest even.
__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
#if defined(__CUDA_ARCH__)
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&v);
#elif !defined(__CUDACC__)
    return (uint32_t)emu::bf16_bits_rn(lo) | (uint32_t)emu::bf16_bits_rn(hi) << 16;
#endif
}

// d = a b + c for one 16x8x8 tile (d may be c). Warp-collective: all 32 lanes call it together.
__device__ __forceinline__ void mma_m16n8k8_tf32(float d[4], const uint32_t a[4], const uint32_t b[2], const float c[4]) {
#if defined(__CUDA_ARCH__)
    asm volatile(
        "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};\n"
        : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),
          "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#elif !defined(__CUDACC__)
    emu::MmaArgs m{a, b, c, d};
    emu::warp_collective(0xffffffffu, emu::mma_tf32_op, &m);
#endif
}

// d = a b + c for one 16x8x16 tile of bf16 operands (d may be c). Warp-collective.
__device__ __forceinline__ void mma_m16n8k16_bf16(float d[4], const uint32_t a[4], const uint32_t b[2], const float c[4]) {
#if defined(__CUDA_ARCH__)
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};\n"
        : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),
          "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#elif !defined(__CUDACC__)
    emu::MmaArgs m{a, b, c, d};
    emu::warp_collective(0xffffffffu, emu::mma_bf16_op, &m);
#endif
}

// ldmatrix of one, two or four 8x8 matrices of 16-bit elements from shared memory. Warp-collective;
// row is this lane's row address (lanes 0-7 for x1, 0-15 for x2, all for x4; 16-byte aligned).
__device__ __forceinline__ void ldmatrix_x1(uint32_t r[1], const void* row) {
#if defined(__CUDA_ARCH__)
    asm volatile("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%0}, [%1];\n" : "=r"(r[0]) : "r"(smem_address(row)));
#elif !defined(__CUDACC__)
    emu::ldmatrix<1, false>(r, row);
#endif
}
__device__ __forceinline__ void ldmatrix_x2(uint32_t r[2], const void* row) {
#if defined(__CUDA_ARCH__)
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];\n" : "=r"(r[0]), "=r"(r[1]) : "r"(smem_address(row)));
#elif !defined(__CUDACC__)
    emu::ldmatrix<2, false>(r, row);
#endif
}
__device__ __forceinline__ void ldmatrix_x4(uint32_t r[4], const void* row) {
#if defined(__CUDA_ARCH__)
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_address(row)));
#elif !defined(__CUDACC__)
    emu::ldmatrix<4, false>(r, row);
#endif
}
__device__ __forceinline__ void ldmatrix_x2_trans(uint32_t r[2], const void* row) {
#if defined(__CUDA_ARCH__)
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0,%1}, [%2];\n" : "=r"(r[0]), "=r"(r[1]) : "r"(smem_address(row)));
#elif !defined(__CUDACC__)
    emu::ldmatrix<2, true>(r, row);
#endif
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t r[4], const void* row) {
#if defined(__CUDA_ARCH__)
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_address(row)));
#elif !defined(__CUDACC__)
    emu::ldmatrix<4, true>(r, row);
#endif
}

// cp.async: asynchronous global -> shared copies of 4, 8 or 16 bytes (aligned to their size),
// grouped by cp_async_commit and awaited by cp_async_wait<N> (at most N newest groups still in
// flight) or cp_async_wait_all. On the host the copies happen at the wait, not before.
#if defined(__CUDA_ARCH__)
#define EMU_CP_ASYNC(bytes, cache) \
    asm volatile("cp.async." cache ".shared.global [%0], [%1], " #bytes ";\n" :: "r"(smem_address(dst)), "l"(src))
#elif !defined(__CUDACC__)
#define EMU_CP_ASYNC(bytes, cache) emu::cp_async(dst, src, bytes)
#else
#define EMU_CP_ASYNC(bytes, cache)
#endif
__device__ __forceinline__ void cp_async_4(void* dst, const void* src) { EMU_CP_ASYNC(4, "ca"); }
__device__ __forceinline__ void cp_async_8(void* dst, const void* src) { EMU_CP_ASYNC(8, "ca"); }
__device__ __forceinline__ void cp_async_16(void* dst, const void* src) { EMU_CP_ASYNC(16, "cg"); }
#undef EMU_CP_ASYNC

__device__ __forceinline__ void cp_async_commit() {
#if defined(__CUDA_ARCH__)
    asm volatile("cp.async.commit_group;\n" ::);
#elif !defined(__CUDACC__)
    emu::cp_async_commit();
#endif
}
template <int N> __device__ __forceinline__ void cp_async_wait() {
#if defined(__CUDA_ARCH__)
    asm volatile("cp.async.wait_group %0;\n" :: "n"(N));
#elif !defined(__CUDACC__)
    emu::cp_async_wait(N);
#endif
}
__device__ __forceinline__ void cp_async_wait_all() {
#if defined(__CUDA_ARCH__)
    asm volatile("cp.async.wait_all;\n" ::);
#elif !defined(__CUDACC__)
    emu::cp_async_wait(-1);
#endif
}

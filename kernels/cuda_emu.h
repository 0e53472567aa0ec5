// The portability header every kernels/*.cu includes first.
//
// Under nvcc it only defines the two macros that differ between the GPU and the host:
//   EMU_EXPORT(kernel)              nothing on the GPU; on the host the exported launch entry
//   EMU_DYNAMIC_SHARED(type, name)  `extern __shared__ type name[]` on the GPU; a pointer on the host
//
// Under g++ it is a CUDA emulator (docs/CUDA-EMULATOR.md): the same .cu files compile into a host
// shared library. Each CUDA thread is a fiber on the worker thread that runs its block; barriers and
// warp-synchronous calls switch fibers; blocks run in parallel on a pool of workers. threadIdx,
// blockIdx, blockDim and gridDim are thread-local on the worker and follow the running fiber.
#pragma once

#if defined(__CUDACC__)

#define EMU_EXPORT(kernel)
#define EMU_DYNAMIC_SHARED(type, name) extern __shared__ __align__(16) type name[]

#else  // the host emulator

#include <cassert>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <math.h>  // libstdc++'s math.h puts the float overloads of std::exp etc. in the global namespace
#include <tuple>
#include <type_traits>
#include <utility>

#define __CUDA_EMU__ 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
#define __constant__
// One copy per worker thread; a worker runs one block at a time, so this is per-block storage.
// __thread (not thread_local) admits only trivially constructible types, as CUDA does for shared memory.
#define __shared__ static __thread
#define EMU_DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(::emu::dynamic_shared())

// ---------------------------------------------------------------------------------------------
// Vector types (same sizes and alignments as CUDA's)
struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};
#define EMU_VEC2(T, name, al) struct __attribute__((aligned(al))) name { T x, y; }; \
    inline name make_##name(T x, T y) { return name{x, y}; }
#define EMU_VEC3(T, name) struct name { T x, y, z; }; \
    inline name make_##name(T x, T y, T z) { return name{x, y, z}; }
#define EMU_VEC4(T, name, al) struct __attribute__((aligned(al))) name { T x, y, z, w; }; \
    inline name make_##name(T x, T y, T z, T w) { return name{x, y, z, w}; }
EMU_VEC2(float, float2, 8)
EMU_VEC3(float, float3)
EMU_VEC4(float, float4, 16)
EMU_VEC2(int, int2, 8)
EMU_VEC3(int, int3)
EMU_VEC4(int, int4, 16)
EMU_VEC2(unsigned, uint2, 8)
EMU_VEC4(unsigned, uint4, 16)
EMU_VEC2(double, double2, 16)
EMU_VEC2(long long, longlong2, 16)
EMU_VEC4(unsigned char, uchar4, 4)
EMU_VEC4(char, char4, 4)
inline uint3 make_uint3(unsigned x, unsigned y, unsigned z) { return uint3{x, y, z}; }
#undef EMU_VEC2
#undef EMU_VEC3
#undef EMU_VEC4

// ---------------------------------------------------------------------------------------------
// The emulator's interface to kernels (implemented in cuda_emu.cpp)
namespace emu {

struct Index { uint3 thread, block, block_dim, grid_dim; unsigned lane; };
extern __thread Index idx;  // of the fiber running on this worker

struct WarpOp {
    const char* name;
    // Run by the last lane to arrive, while every other lane of the round is parked: data[lane]
    // is what each participating lane passed (lanes: the participating lanes).
    void (*combine)(void* const* data, unsigned lanes);
};

void syncthreads();
// __syncthreads that also counts the predicates of the arriving threads; *arrived (optional)
// receives how many threads arrived (exited threads count as arrived but not as voting).
int syncthreads_count(int predicate, int* arrived = nullptr);
// Parks the calling lane until every live lane named in mask has arrived at the same op.
void warp_collective(unsigned mask, const WarpOp& op, void* data);
unsigned active_mask();
void* dynamic_shared();
bool strict();
[[noreturn]] void fail(const char* format, ...) __attribute__((format(printf, 1, 2)));

void cp_async(void* dst, const void* src, unsigned bytes);
void cp_async_commit();
void cp_async_wait(int pending_groups);  // -1: wait for everything, committed or not

using Invoke = void (*)(void* args);
int launch(const char* name, Invoke invoke, void* args,
           const unsigned* grid, const unsigned* block, unsigned shared_bytes);

template <class T> inline uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "bit copies (shuffles) of types up to 8 bytes");
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <class T> inline T from_bits(uint64_t b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}

struct Shuffle {
    uint64_t value;   // this lane's var
    int src;          // the lane it reads, or -1 for its own value
    uint64_t result;
};
extern const WarpOp shfl_op;

// The lane __shfl_sync reads: src modulo width, within the caller's group of width lanes.
inline int shfl_source(int lane, int src, int width) {
    return (lane & ~(width - 1)) + (src & (width - 1));
}

struct Vote { int predicate; unsigned result, lanes; };
extern const WarpOp ballot_op;
extern const WarpOp syncwarp_op;

inline unsigned lane_id() { return idx.lane; }

template <class T> inline T shuffle(unsigned mask, T var, int src) {
    Shuffle s{to_bits(var), src, 0};
    warp_collective(mask, shfl_op, &s);
    return from_bits<T>(s.result);
}

}  // namespace emu

#define threadIdx (::emu::idx.thread)
#define blockIdx (::emu::idx.block)
#define blockDim (::emu::idx.block_dim)
#define gridDim (::emu::idx.grid_dim)
constexpr int warpSize = 32;

// An assert in a kernel fails the launch with a message instead of aborting the JVM.
#undef assert
#define assert(e) ((e) ? (void)0 : ::emu::fail("assertion failed: %s (%s:%d)", #e, __FILE__, __LINE__))
inline void __trap() { ::emu::fail("kernel called __trap()"); }

// ---------------------------------------------------------------------------------------------
// Barriers and warp-synchronous calls
inline void __syncthreads() { emu::syncthreads(); }
inline int __syncthreads_count(int p) { return emu::syncthreads_count(p); }
inline int __syncthreads_and(int p) { int n; return emu::syncthreads_count(p, &n) == n; }
inline int __syncthreads_or(int p) { return emu::syncthreads_count(p) != 0; }
inline void __syncwarp(unsigned mask = 0xffffffffu) { emu::warp_collective(mask, emu::syncwarp_op, nullptr); }
inline unsigned __activemask() { return emu::active_mask(); }

template <class T> inline T __shfl_sync(unsigned mask, T var, int src, int width = 32) {
    return emu::shuffle(mask, var, emu::shfl_source((int)emu::lane_id(), src, width));
}
template <class T> inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    int lane = (int)emu::lane_id();
    int src = (lane & (width - 1)) >= (int)delta ? lane - (int)delta : -1;
    return emu::shuffle(mask, var, src);
}
template <class T> inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    int lane = (int)emu::lane_id();
    int src = (lane & (width - 1)) + (int)delta < width ? lane + (int)delta : -1;
    return emu::shuffle(mask, var, src);
}
template <class T> inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32) {
    int lane = (int)emu::lane_id();
    int src = lane ^ lane_mask;
    // A lane may read from its own or an earlier group of width lanes, never a later one.
    if ((src & ~(width - 1)) > (lane & ~(width - 1))) src = -1;
    return emu::shuffle(mask, var, src);
}
namespace emu {
inline Vote vote(unsigned mask, int predicate) {
    Vote v{predicate, 0, 0};
    warp_collective(mask, ballot_op, &v);
    return v;
}
}  // namespace emu
inline unsigned __ballot_sync(unsigned mask, int predicate) { return emu::vote(mask, predicate).result; }
inline int __any_sync(unsigned mask, int predicate) { return emu::vote(mask, predicate).result != 0; }
inline int __all_sync(unsigned mask, int predicate) {
    emu::Vote v = emu::vote(mask, predicate);
    return v.result == v.lanes;
}

// ---------------------------------------------------------------------------------------------
// Atomics: relaxed, as CUDA's are; blocks run concurrently on several workers.
#define EMU_ATOMIC_INT(T) \
    inline T atomicAdd(T* p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); } \
    inline T atomicSub(T* p, T v) { return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED); } \
    inline T atomicExch(T* p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); } \
    inline T atomicAnd(T* p, T v) { return __atomic_fetch_and(p, v, __ATOMIC_RELAXED); } \
    inline T atomicOr(T* p, T v) { return __atomic_fetch_or(p, v, __ATOMIC_RELAXED); } \
    inline T atomicXor(T* p, T v) { return __atomic_fetch_xor(p, v, __ATOMIC_RELAXED); } \
    inline T atomicCAS(T* p, T compare, T v) { \
        __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED); \
        return compare; } \
    inline T atomicMax(T* p, T v) { T old = __atomic_load_n(p, __ATOMIC_RELAXED); \
        while (old < v && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {} \
        return old; } \
    inline T atomicMin(T* p, T v) { T old = __atomic_load_n(p, __ATOMIC_RELAXED); \
        while (old > v && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {} \
        return old; }
EMU_ATOMIC_INT(int)
EMU_ATOMIC_INT(unsigned)
EMU_ATOMIC_INT(unsigned long long)
EMU_ATOMIC_INT(long long)
#undef EMU_ATOMIC_INT

namespace emu {
// Floating-point read-modify-write through a compare-and-swap on the bits.
template <class F, class Bits, class Op> inline F atomic_float(F* p, Op op) {
    Bits* bits = reinterpret_cast<Bits*>(p);
    Bits old = __atomic_load_n(bits, __ATOMIC_RELAXED), next;
    do {
        next = (Bits)to_bits(op(from_bits<F>(old)));
    } while (!__atomic_compare_exchange_n(bits, &old, next, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return from_bits<F>(old);
}
}  // namespace emu
inline float atomicAdd(float* p, float v) { return emu::atomic_float<float, uint32_t>(p, [v](float x) { return x + v; }); }
inline double atomicAdd(double* p, double v) { return emu::atomic_float<double, uint64_t>(p, [v](double x) { return x + v; }); }
inline float atomicExch(float* p, float v) { return emu::from_bits<float>(atomicExch(reinterpret_cast<unsigned*>(p), (unsigned)emu::to_bits(v))); }
inline unsigned atomicInc(unsigned* p, unsigned limit) {
    unsigned old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(p, &old, old >= limit ? 0u : old + 1, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

// ---------------------------------------------------------------------------------------------
// Math and intrinsics. <math.h> provides expf, sqrtf, fmaxf, ... and the float overloads of exp etc.
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline float exp10f(float x) { return powf(10.0f, x); }
inline float __fdividef(float x, float y) { return x / y; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float __frsqrt_rn(float x) { return 1.0f / sqrtf(x); }
inline float __saturatef(float x) { return fminf(fmaxf(x, 0.0f), 1.0f); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
// The _rn arithmetic intrinsics are never contracted into an FMA; the empty asm keeps the
// rounded product a separate value.
inline float __fmul_rn(float a, float b) { float r = a * b; asm("" : "+x"(r)); return r; }
inline float __fadd_rn(float a, float b) { float r = a + b; asm("" : "+x"(r)); return r; }
inline double __dmul_rn(double a, double b) { double r = a * b; asm("" : "+x"(r)); return r; }
inline double __dadd_rn(double a, double b) { double r = a + b; asm("" : "+x"(r)); return r; }
inline int __float2int_rn(float x) { return (int)nearbyintf(x); }
inline int __float2int_rz(float x) { return (int)x; }
inline int __float2int_rd(float x) { return (int)floorf(x); }
inline int __float2int_ru(float x) { return (int)ceilf(x); }
inline unsigned __float2uint_rn(float x) { return (unsigned)nearbyintf(x); }
inline float __int2float_rn(int x) { return (float)x; }
inline int __float_as_int(float x) { return emu::from_bits<int>(emu::to_bits(x)); }
inline unsigned __float_as_uint(float x) { return emu::from_bits<unsigned>(emu::to_bits(x)); }
inline float __int_as_float(int x) { return emu::from_bits<float>(emu::to_bits(x)); }
inline float __uint_as_float(unsigned x) { return emu::from_bits<float>(emu::to_bits(x)); }
inline long long __double_as_longlong(double x) { return emu::from_bits<long long>(emu::to_bits(x)); }
inline double __longlong_as_double(long long x) { return emu::from_bits<double>(emu::to_bits(x)); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    return __builtin_bswap32(x);
}
inline int __mul24(int a, int b) { return (int)((unsigned)(a << 8) >> 8) * (int)((unsigned)(b << 8) >> 8); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline long long __mul64hi(long long a, long long b) { return (long long)(((__int128)a * b) >> 64); }
template <class T> inline T __ldg(const T* p) { return *p; }
inline long long clock64() { return (long long)__builtin_ia32_rdtsc(); }
inline void __nanosleep(unsigned) {}

#define EMU_MINMAX(T) \
    inline T min(T a, T b) { return a < b ? a : b; } \
    inline T max(T a, T b) { return a > b ? a : b; }
EMU_MINMAX(int)
EMU_MINMAX(unsigned)
EMU_MINMAX(long)
EMU_MINMAX(unsigned long)
EMU_MINMAX(long long)
EMU_MINMAX(unsigned long long)
#undef EMU_MINMAX
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline double min(float a, double b) { return fmin(a, b); }
inline double max(float a, double b) { return fmax(a, b); }
inline double min(double a, float b) { return fmin(a, b); }
inline double max(double a, float b) { return fmax(a, b); }

// bfloat16, as far as kernels and the mma wrappers need it (cuda_bf16.h on the GPU).
struct __nv_bfloat16 { unsigned short bits_; };
struct __nv_bfloat162 { __nv_bfloat16 x, y; };
namespace emu {
// Round to nearest even, as cvt.rn.bf16.f32; NaN stays NaN.
inline unsigned short bf16_bits_rn(float f) {
    uint32_t u = (uint32_t)to_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x40u);
    return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
}  // namespace emu
inline __nv_bfloat16 __float2bfloat16(float f) { return __nv_bfloat16{emu::bf16_bits_rn(f)}; }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __float2bfloat16(f); }
inline float __bfloat162float(__nv_bfloat16 h) { return emu::from_bits<float>((uint64_t)h.bits_ << 16); }
inline __nv_bfloat162 __floats2bfloat162_rn(float lo, float hi) { return {__float2bfloat16(lo), __float2bfloat16(hi)}; }
inline float __low2float(__nv_bfloat162 h) { return __bfloat162float(h.x); }
inline float __high2float(__nv_bfloat162 h) { return __bfloat162float(h.y); }

// ---------------------------------------------------------------------------------------------
// Exported launch entries
namespace emu {

// Kernel parameter types as the Java side packs them: p pointer, i 32-bit int, l 64-bit int,
// f float, d double; anything else is refused at compile time.
template <class T> constexpr char arg_code() {
    if constexpr (std::is_pointer<T>::value) return 'p';
    else if constexpr (std::is_same<T, float>::value) return 'f';
    else if constexpr (std::is_same<T, double>::value) return 'd';
    else if constexpr (std::is_integral<T>::value && sizeof(T) == 4) return 'i';
    else if constexpr (std::is_integral<T>::value && sizeof(T) == 8) return 'l';
    else static_assert(sizeof(T) == 0, "kernel parameter type the launch convention does not carry");
    return '?';
}

template <class F> struct Kernel;
template <class... A> struct Kernel<void (*)(A...)> {
    using Args = std::tuple<std::decay_t<A>...>;
    static constexpr char signature[] = {arg_code<std::decay_t<A>>()..., '\0'};
    template <size_t... I> static Args unpack(void** params, std::index_sequence<I...>) {
        return Args{*static_cast<std::decay_t<A>*>(params[I])...};
    }
    static Args unpack(void** params) { return unpack(params, std::index_sequence_for<A...>{}); }
};

// The cuLaunchKernel convention: grid[3], block[3], dynamic shared bytes, one pointer per parameter.
template <auto K> int launch_kernel(const char* name, const unsigned* grid, const unsigned* block,
                                    unsigned shared_bytes, void** params) {
    using Info = Kernel<decltype(K)>;
    typename Info::Args args = Info::unpack(params);
    return launch(name, [](void* a) { std::apply(K, *static_cast<typename Info::Args*>(a)); },
                  &args, grid, block, shared_bytes);
}

}  // namespace emu

#define EMU_CAT_(a, b, c, d) a##b##c##d
#define EMU_CAT(a, b, c, d) EMU_CAT_(a, b, c, d)
#if !defined(EMU_FAMILY) && !defined(EMU_RUNTIME)
#error "compile with -DEMU_FAMILY=<file name without .cu> (kernels/build.sh does)"
#endif
// emu_launch_<family>__<kernel> and emu_signature_<family>__<kernel>, looked up by the Java runtime.
#define EMU_EXPORT(kernel) \
    extern "C" __attribute__((visibility("default"))) int EMU_CAT(emu_launch_, EMU_FAMILY, __, kernel)( \
            const unsigned* grid, const unsigned* block, unsigned shared_bytes, void** params) { \
        return ::emu::launch_kernel<&kernel>(#kernel, grid, block, shared_bytes, params); \
    } \
    extern "C" __attribute__((visibility("default"))) const char* EMU_CAT(emu_signature_, EMU_FAMILY, __, kernel)() { \
        return ::emu::Kernel<decltype(&kernel)>::signature; \
    }

#endif  // host emulator

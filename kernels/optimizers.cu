// optimizers: multi-tensor Adam and EMA updates, one launch per optimizer step over every
// parameter tensor (Backend.adam / Backend.ema, nn.Adam / nn.Ema; the CPU twins are
// cpu/OptimizerKernels).
//
// The tensors are described by a small table in device memory, one entry per non-empty tensor
// (pointers, element count, the index of its first chunk, its own scalars), which the Java side
// (CudaFused) uploads with each call. The elements of tensor k are cut into chunks of
// OPTIMIZER_CHUNK; block b updates one chunk: it finds its tensor by a binary search over the
// entries' first chunks (every thread alone: no barrier, no shared memory), then its threads
// stride through the chunk. So a few large weights and many small biases cost one launch, and
// every block has the same work except a tensor's last.
//
// Adam (torch.optim.Adam's order, no weight decay, no amsgrad), per element of tensor k:
//   m = m * beta1 + (1 - beta1) * g
//   v = v * beta2 + ((1 - beta2) * g) * g
//   p = p + (-stepSize_k * m) / (sqrt(v) / biasCorrection2Sqrt_k + eps)
// a null gradient pointer being a zero gradient. EMA: t = t * decay + (1 - decay) * s.
// Every operation rounds in the element type, in this order, with no FMA contraction (rn.cuh),
// and every scalar is rounded to the element type first (beta1, 1 - beta1, ... arrive as kernel
// arguments of that type; the per-tensor doubles of the table are rounded here), exactly as
// PyTorch's CPU kernels and our CPU twin do: the fused update gives the CPU's bits.
//
// Kernels: adam_f32/f64 (table of AdamEntry), ema_f32/f64 (table of EmaEntry).
// Launch: grid (total chunks), block (OPTIMIZER_THREADS = 256); no barriers.
#include "cuda_emu.h"
#include "rn.cuh"

#define OPTIMIZER_CHUNK 4096
#define OPTIMIZER_THREADS 256

// 64 bytes; CudaFused writes these fields at these offsets (every field 8 bytes).
template <class T>
struct AdamEntry {
    T* p;                // 0
    const T* g;          // 8, null: a zero gradient
    T* m;                // 16
    T* v;                // 24
    long long n;         // 32, elements (> 0)
    long long first;     // 40, index of the tensor's first chunk
    double negStepSize;  // 48, -lr / (1 - beta1^t)
    double bc2Sqrt;      // 56, sqrt(1 - beta2^t)
};

// 32 bytes.
template <class T>
struct EmaEntry {
    T* t;              // 0
    const T* s;        // 8
    long long n;       // 16
    long long first;   // 24
};

// The entry whose chunks include this block: the last one with first <= blockIdx.x (entries are
// in chunk order and none is empty).
template <class E>
__device__ __forceinline__ const E& entry_of(const E* table, int entries) {
    long long b = blockIdx.x;
    int lo = 0, hi = entries - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (table[mid].first <= b) lo = mid;
        else hi = mid - 1;
    }
    return table[lo];
}

template <class T>
__device__ void adam_body(const AdamEntry<T>* table, int entries, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2,
                          T eps) {
    const AdamEntry<T>& e = entry_of(table, entries);
    long long from = ((long long)blockIdx.x - e.first) * OPTIMIZER_CHUNK, to = min(e.n, from + OPTIMIZER_CHUNK);
    T negStep = (T)e.negStepSize, bc2 = (T)e.bc2Sqrt;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
        T g = e.g ? e.g[i] : T(0);
        T m = add_rn(mul_rn(e.m[i], beta1), mul_rn(oneMinusBeta1, g));
        T v = add_rn(mul_rn(e.v[i], beta2), mul_rn(mul_rn(oneMinusBeta2, g), g));
        e.m[i] = m;
        e.v[i] = v;
        T denom = add_rn(sqrt(v) / bc2, eps);
        e.p[i] = add_rn(e.p[i], mul_rn(negStep, m) / denom);
    }
}

template <class T>
__device__ void ema_body(const EmaEntry<T>* table, int entries, T decay, T oneMinusDecay) {
    const EmaEntry<T>& e = entry_of(table, entries);
    long long from = ((long long)blockIdx.x - e.first) * OPTIMIZER_CHUNK, to = min(e.n, from + OPTIMIZER_CHUNK);
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x)
        e.t[i] = add_rn(mul_rn(e.t[i], decay), mul_rn(oneMinusDecay, e.s[i]));
}

#define OPTIMIZER_KERNELS(T, suffix)                                                                         \
    extern "C" __global__ void adam_##suffix(const AdamEntry<T>* table, int entries, T beta1, T oneMinusBeta1, \
                                             T beta2, T oneMinusBeta2, T eps) {                               \
        adam_body<T>(table, entries, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps);                       \
    }                                                                                                        \
    EMU_EXPORT(adam_##suffix)                                                                                \
    extern "C" __global__ void ema_##suffix(const EmaEntry<T>* table, int entries, T decay, T oneMinusDecay) { \
        ema_body<T>(table, entries, decay, oneMinusDecay);                                                   \
    }                                                                                                        \
    EMU_EXPORT(ema_##suffix)

OPTIMIZER_KERNELS(float, f32)
OPTIMIZER_KERNELS(double, f64)

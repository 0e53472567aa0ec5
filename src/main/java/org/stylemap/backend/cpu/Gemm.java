package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;

/** Placeholder until the fast kernels land. */
public final class Gemm {
    public static void gemmBatched(boolean f64, boolean transA, boolean transB, int batch, int M, int N, int K,
                                   double alpha, MemorySegment a, long aOff, int lda, long strideA,
                                   MemorySegment b, long bOff, int ldb, long strideB,
                                   double beta, MemorySegment c, long cOff, int ldc, long strideC) {
        for (int p = 0; p < batch; p++)
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++) {
                    double acc = 0;
                    for (int k = 0; k < K; k++) {
                        long ai = aOff + p * strideA + (transA ? (long) k * lda + i : (long) i * lda + k);
                        long bi = bOff + p * strideB + (transB ? (long) j * ldb + k : (long) k * ldb + j);
                        acc += CpuBackend.get(a, f64, ai) * CpuBackend.get(b, f64, bi);
                    }
                    long ci = cOff + p * strideC + (long) i * ldc + j;
                    CpuBackend.set(c, f64, ci, alpha * acc + (beta == 0 ? 0 : beta * CpuBackend.get(c, f64, ci)));
                }
    }
}

package org.stylemap.backend.cuda;

import java.util.EnumMap;
import java.util.Map;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.backend.cuda.runtime.KernelFunction;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.tensor.DType;

/**
 * Batched dense GEMM on a kernel runtime (kernels/gemm.cu), the twin of the CPU's
 * {@code Gemm.gemmBatched} with the same arguments: the (trans, ld, batch stride) form of each
 * operand that CpuBackend.matmul's gemmOperand produces, so transposed views need no copy.
 * Launches without waiting.
 */
public final class CudaGemm {
    private static final PerRuntime<Map<GemmTile, KernelFunction>> KERNELS = new PerRuntime<>(rt -> {
        Map<GemmTile, KernelFunction> m = new EnumMap<>(GemmTile.class);
        for (GemmTile t : GemmTile.values()) m.put(t, rt.function("gemm", "gemm_" + t.suffix));
        return m;
    });

    private CudaGemm() {}

    /**
     * For every i < batch: C_i = alpha * op(A_i) * op(B_i) + beta * C_i, row-major, op(A) M x K and
     * op(B) K x N. With transA, A is stored K x M (lda >= M) instead of M x K (lda >= K); likewise B.
     * Pointers are device addresses of element 0 of each buffer; offsets, leading dimensions and
     * batch strides count elements; matrix i of X starts at xOff + i * strideX (0 broadcasts one
     * matrix to every product). beta == 0 overwrites C (its old contents, even NaN, are ignored),
     * otherwise C is scaled and accumulated into; with K == 0 or alpha == 0, A and B are not read.
     * C must not overlap A, B or another C_i. float32 or float64, all three alike.
     */
    public static void gemmBatched(KernelRuntime rt, DType dtype, boolean transA, boolean transB, int batch, int m, int n,
                                   int k, double alpha, long a, long aOff, int lda, long strideA, long b, long bOff, int ldb,
                                   long strideB, double beta, long c, long cOff, int ldc, long strideC) {
        gemmBatched(rt, GemmTile.choose(dtype, m, n, batch), dtype, transA, transB, batch, m, n, k, alpha, a, aOff, lda, strideA,
                b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC);
    }

    /** {@link #gemmBatched} with a chosen tile configuration (tests and benchmarks). */
    static void gemmBatched(KernelRuntime rt, GemmTile tile, DType dtype, boolean transA, boolean transB, int batch, int m,
                            int n, int k, double alpha, long a, long aOff, int lda, long strideA, long b, long bOff, int ldb,
                            long strideB, double beta, long c, long cOff, int ldc, long strideC) {
        tile.check(dtype);
        if (batch < 0 || m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative GEMM size");
        if (tooSmall(lda, transA, m, k) || tooSmall(ldb, transB, k, n) || tooSmall(ldc, false, m, n))
            throw new IllegalArgumentException("leading dimension too small: lda=" + lda + " ldb=" + ldb + " ldc=" + ldc
                    + " for " + (transA ? "A^T " : "") + (transB ? "B^T " : "") + m + "x" + n + "x" + k);
        if (batch == 0 || m == 0 || n == 0) return;
        if (alpha == 0) k = 0; // BLAS convention: C only scaled, A and B not read (their NaNs must not show)
        KernelFunction f = KERNELS.get(rt).get(tile);
        int es = dtype.bytes;
        // Grid z holds at most 65535 products: larger batches take several launches.
        for (int z0 = 0; z0 < batch; z0 += GemmTile.MAX_GRID_YZ) {
            int z = Math.min(GemmTile.MAX_GRID_YZ, batch - z0);
            KernelArgs args = new KernelArgs().i32(transA ? 1 : 0).i32(transB ? 1 : 0).i32(m).i32(n).i32(k);
            scalar(args, dtype, alpha).ptr(a + (aOff + z0 * strideA) * es).i32(lda).i64(strideA)
                    .ptr(b + (bOff + z0 * strideB) * es).i32(ldb).i64(strideB);
            scalar(args, dtype, beta).ptr(c + (cOff + z0 * strideC) * es).i32(ldc).i64(strideC);
            rt.launch(f, tile.grid(m, n, z), tile.block(), 0, args);
        }
    }

    /** Whether ld is too small for an op(X) of rows x cols stored row-major (transposed: cols x rows). */
    private static boolean tooSmall(int ld, boolean trans, int rows, int cols) {
        int stored = trans ? cols : rows, width = trans ? rows : cols;
        return stored > 1 && ld < width;
    }

    /** Appends a scalar parameter of the kernel's element type. */
    static KernelArgs scalar(KernelArgs args, DType dtype, double v) {
        return switch (dtype) {
            case F32 -> args.f32((float) v);
            case F64 -> args.f64(v);
        };
    }
}

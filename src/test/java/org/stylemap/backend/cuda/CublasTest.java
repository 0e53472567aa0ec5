package org.stylemap.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.stylemap.backend.cuda.DeviceCheck.alloc;
import static org.stylemap.backend.cuda.DeviceCheck.assertClose;
import static org.stylemap.backend.cuda.DeviceCheck.download;
import static org.stylemap.backend.cuda.DeviceCheck.tolerance;
import static org.stylemap.backend.cuda.DeviceCheck.upload;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stylemap.backend.cpu.Gemm;
import org.stylemap.backend.cuda.runtime.Availability;
import org.stylemap.backend.cuda.runtime.DeviceArrays;
import org.stylemap.backend.cuda.runtime.DriverRuntime;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.TestRuntimes;
import org.stylemap.tensor.DType;

/**
 * cuBLAS through java.lang.foreign: where it does not load (every machine without CUDA 13's or
 * 12's libcublas), it says why in one line; on the GPU our GEMM kernels are checked against it
 * (reported as aborted, never passed, where there is no GPU or no cuBLAS).
 */
class CublasTest {
    @Test
    void availabilityIsOneLine() {
        Availability a = Cublas.availability();
        assertTrue(a.line().matches("(available|unavailable): \\S[^\\n]*"), a.line());
        if (!a.available()) assertTrue(a.line().contains("libcublas.so"), a.line());
    }

    /**
     * The column-major call Cublas makes, evaluated with the BLAS definition of gemm (column-major:
     * element (i, j) of X at X[i + j * ld]; op as transa/transb say), computes the row-major
     * product of the CPU's Gemm on the same storage, for every transposition and a one-row operand.
     */
    @Test
    void theColumnMajorCallComputesTheRowMajorProduct() {
        Random r = new Random(62);
        int[][] shapes = {{5, 7, 3}, {1, 6, 4}, {4, 1, 5}, {3, 4, 1}};
        for (int[] s : shapes)
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2];
                    // Padded leading dimensions, except that a stored matrix of one row gets ld 1 (legal: it is never used).
                    int rowsA = ta ? k : m, rowsB = tb ? n : k;
                    int lda = rowsA == 1 ? 1 : (ta ? m : k) + 2, ldb = rowsB == 1 ? 1 : (tb ? k : n) + 1, ldc = m == 1 ? 1 : n + 3;
                    double[] a = DeviceCheck.random(r, (rowsA - 1) * lda + (ta ? m : k));
                    double[] b = DeviceCheck.random(r, (rowsB - 1) * ldb + (tb ? k : n));
                    double[] c = DeviceCheck.random(r, (m - 1) * ldc + n), expected;
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment sa = arena.allocateFrom(JAVA_DOUBLE, a), sb = arena.allocateFrom(JAVA_DOUBLE, b);
                        MemorySegment sc = arena.allocateFrom(JAVA_DOUBLE, c);
                        Gemm.gemm(true, ta, tb, m, n, k, 0.5, sa, 0, lda, sb, 0, ldb, 2, sc, 0, ldc);
                        expected = sc.toArray(JAVA_DOUBLE);
                    }
                    Cublas.ColumnMajor cm = Cublas.ColumnMajor.of(ta, tb, m, n, k, lda, ldb, ldc);
                    // cuBLAS's first operand is our B, its second our A.
                    columnMajorGemm(cm, 0.5, b, a, 2, c);
                    assertClose("column-major call for " + m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : ""),
                            expected, c, 1e-14);
                }
    }

    /** The reference BLAS gemm: C = alpha op(X) op(Y) + beta C, column-major; checks the leading dimensions as BLAS does. */
    private static void columnMajorGemm(Cublas.ColumnMajor cm, double alpha, double[] x, double[] y, double beta, double[] c) {
        boolean tx = cm.transa() == Cublas.OP_T, ty = cm.transb() == Cublas.OP_T;
        assertTrue(cm.lda() >= Math.max(1, tx ? cm.k() : cm.m()) && cm.ldb() >= Math.max(1, ty ? cm.n() : cm.k())
                && cm.ldc() >= Math.max(1, cm.m()), "leading dimensions BLAS would reject: " + cm);
        for (int j = 0; j < cm.n(); j++)
            for (int i = 0; i < cm.m(); i++) {
                double sum = 0;
                for (int l = 0; l < cm.k(); l++)
                    sum += (tx ? x[l + i * cm.lda()] : x[i + l * cm.lda()]) * (ty ? y[j + l * cm.ldb()] : y[l + j * cm.ldb()]);
                c[i + j * cm.ldc()] = alpha * sum + beta * c[i + j * cm.ldc()];
            }
    }

    /** Sizes and storage: batch, m, n, k, transA, transB. */
    private static final int[][] CASES = {
            {1, 1, 1, 1, 0, 0}, {2, 17, 33, 65, 1, 0}, {3, 65, 3, 17, 0, 1}, {1, 130, 129, 257, 1, 1}, {1, 512, 512, 512, 0, 0},
    };

    @Test
    void ourGemmMatchesCublasOnTheGpu() {
        DriverRuntime rt = (DriverRuntime) TestRuntimes.Kind.DRIVER.open(KernelBundle.MAIN);
        Availability a = Cublas.availability();
        assumeTrue(a.available(), "cuBLAS " + a.line());
        Random r = new Random(61);
        try (Cublas cublas = Cublas.open(rt, false)) {
            for (GemmTile tile : GemmTile.values())
                for (int[] c : CASES) check(rt, cublas, tile, c, r);
        }
    }

    private static void check(DriverRuntime rt, Cublas cublas, GemmTile tile, int[] c, Random r) {
        DType dt = tile.dtype;
        int batch = c[0], m = c[1], n = c[2], k = c[3];
        boolean ta = c[4] == 1, tb = c[5] == 1;
        int lda = ta ? m : k, ldb = tb ? k : n;
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long pa = upload(d, dt, DeviceCheck.random(r, batch * m * k)), pb = upload(d, dt, DeviceCheck.random(r, batch * k * n));
            long ours = alloc(d, dt, (long) batch * m * n), theirs = alloc(d, dt, (long) batch * m * n);
            CudaGemm.gemmBatched(rt, tile, dt, ta, tb, batch, m, n, k, 1, pa, 0, lda, (long) m * k, pb, 0, ldb, (long) k * n, 0, ours, 0, n,
                    (long) m * n);
            cublas.gemmBatched(dt, ta, tb, batch, m, n, k, 1, pa, 0, lda, (long) m * k, pb, 0, ldb, (long) k * n, 0, theirs, 0, n,
                    (long) m * n);
            int count = batch * m * n;
            assertClose(tile + " vs cuBLAS " + batch + "x" + m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : ""),
                    download(d, dt, theirs, count), download(d, dt, ours, count), tolerance(dt, k));
        }
    }
}

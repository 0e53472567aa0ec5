package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.stylemap.backend.cuda.DeviceCheck.alloc;
import static org.stylemap.backend.cuda.DeviceCheck.assertClose;
import static org.stylemap.backend.cuda.DeviceCheck.download;
import static org.stylemap.backend.cuda.DeviceCheck.tolerance;
import static org.stylemap.backend.cuda.DeviceCheck.upload;

import java.util.Random;
import org.junit.jupiter.api.Test;
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

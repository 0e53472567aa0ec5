package org.stylemap.backend.cuda;

import static org.stylemap.backend.cuda.DeviceCheck.alloc;
import static org.stylemap.backend.cuda.DeviceCheck.assertClose;
import static org.stylemap.backend.cuda.DeviceCheck.cpu;
import static org.stylemap.backend.cuda.DeviceCheck.download;
import static org.stylemap.backend.cuda.DeviceCheck.tolerance;
import static org.stylemap.backend.cuda.DeviceCheck.upload;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cpu.Gemm;
import org.stylemap.backend.cuda.runtime.DeviceArrays;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.TestRuntimes;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * CudaGemm (kernels/gemm.cu) against the CPU backend's matmul on the same random operands, for
 * every tile configuration (float32 large and small, float64): odd sizes that leave ragged tiles,
 * sizes that cross a 128 tile, transposed operands, padded leading dimensions and unaligned offsets
 * (the one-by-one loads) and aligned ones (the vector loads), a broadcast operand (batch stride 0);
 * and alpha/beta against the CPU's Gemm.gemmBatched, including alpha = 0 not reading A.
 */
class CudaGemmTest {
    private static final String RUNTIMES = "org.stylemap.backend.cuda.runtime.TestRuntimes#all";

    /** Sizes; how A and B are stored: transposed, ld padding, element offset; A broadcast over the batch. */
    private record Case(int batch, int m, int n, int k, boolean transA, boolean transB, int pad, int offset, boolean broadcastA) {
        @Override
        public String toString() {
            return batch + "x" + m + "x" + n + "x" + k + (transA ? " A^T" : "") + (transB ? " B^T" : "") + (pad > 0 ? " ld+" + pad : "")
                    + (offset > 0 ? " offset " + offset : "") + (broadcastA ? " A broadcast" : "");
        }
    }

    private static final Case[] CASES = {
            new Case(1, 1, 1, 1, false, false, 0, 0, false),
            new Case(1, 3, 17, 33, false, false, 0, 0, false),
            new Case(2, 17, 33, 65, true, false, 0, 1, false),
            new Case(3, 65, 33, 17, false, true, 3, 0, false),
            new Case(2, 33, 65, 3, true, true, 1, 2, true),
            new Case(2, 64, 64, 32, false, false, 0, 0, false),
            new Case(2, 64, 32, 64, true, true, 4, 0, false),
            new Case(1, 130, 129, 20, false, false, 0, 0, false),
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource(RUNTIMES)
    void matchesTheCpuMatmul(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open(KernelBundle.MAIN);
        Random r = new Random(11);
        for (GemmTile tile : GemmTile.values())
            for (Case c : CASES) check(rt, tile, c, r);
    }

    private static void check(KernelRuntime rt, GemmTile tile, Case c, Random r) {
        DType dt = tile.dtype;
        try (Scope scope = Scope.open(); DeviceArrays d = new DeviceArrays(rt)) {
            Operand a = Operand.random(r, dt, c.broadcastA ? 1 : c.batch, c.batch, c.m, c.k, c.transA, c.pad, c.offset);
            Operand b = Operand.random(r, dt, c.batch, c.batch, c.k, c.n, c.transB, c.pad, c.offset);
            Tensor expected = Tensor.empty(dt, Device.CPU, c.batch, c.m, c.n);
            Backends.cpu().matmul(a.view, b.view, expected);
            long out = alloc(d, dt, (long) c.batch * c.m * c.n);
            CudaGemm.gemmBatched(rt, tile, dt, c.transA, c.transB, c.batch, c.m, c.n, c.k, 1, upload(d, dt, a.flat), a.offset, a.ld,
                    a.batchStride, upload(d, dt, b.flat), b.offset, b.ld, b.batchStride, 0, out, 0, c.n, (long) c.m * c.n);
            assertClose(tile + " " + c, expected.toDoubleArray(), download(d, dt, out, c.batch * c.m * c.n), tolerance(dt, c.k));
        }
    }

    /** A [batch, rows, cols] operand as raw values and as the CPU view of them. */
    private record Operand(double[] flat, Tensor view, int ld, long batchStride, int offset) {
        static Operand random(Random r, DType dt, int stored, int batch, int rows, int cols, boolean trans, int pad, int offset) {
            int ld = (trans ? rows : cols) + pad;
            long matrix = (long) (trans ? cols : rows) * ld, batchStride = stored == 1 ? 0 : matrix;
            double[] flat = DeviceCheck.random(r, offset + (int) (stored * matrix));
            Tensor base = cpu(dt, flat, flat.length);
            long[] strides = trans ? new long[] {batchStride, 1, ld} : new long[] {batchStride, ld, 1};
            return new Operand(flat, new Tensor(base.storage(), new int[] {batch, rows, cols}, strides, offset), ld, batchStride, offset);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(RUNTIMES)
    void alphaAndBetaFollowBlas(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open(KernelBundle.MAIN);
        Random r = new Random(12);
        int batch = 2, m = 17, n = 9, k = 33, ldc = n + 3;
        for (GemmTile tile : GemmTile.values()) {
            DType dt = tile.dtype;
            double[] a = DeviceCheck.random(r, batch * m * k), b = DeviceCheck.random(r, batch * n * k), c = DeviceCheck.random(r, batch * m * ldc);
            check(rt, tile, "alpha 0.5, beta -2", a, b, c, 0.5, -2, batch, m, n, k, ldc);
            a[5] = Double.NaN; // alpha = 0: A and B are not read, C is only scaled
            check(rt, tile, "alpha 0, beta 3", a, b, c, 0, 3, batch, m, n, k, ldc);
        }
    }

    /** A [batch,m,k] times B stored [batch,n,k] (transposed) into C [batch,m,ldc], against Gemm.gemmBatched. */
    private static void check(KernelRuntime rt, GemmTile tile, String what, double[] a, double[] b, double[] c, double alpha, double beta,
                              int batch, int m, int n, int k, int ldc) {
        DType dt = tile.dtype;
        boolean f64 = dt == DType.F64;
        double[] expected;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment sa = segment(arena, f64, a), sb = segment(arena, f64, b), sc = segment(arena, f64, c);
            Gemm.gemmBatched(f64, false, true, batch, m, n, k, alpha, sa, 0, k, (long) m * k, sb, 0, k, (long) n * k, beta, sc, 0, ldc,
                    (long) m * ldc);
            expected = new double[c.length];
            for (int i = 0; i < c.length; i++)
                expected[i] = f64 ? sc.getAtIndex(ValueLayout.JAVA_DOUBLE, i) : sc.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        }
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long pc = upload(d, dt, c);
            CudaGemm.gemmBatched(rt, tile, dt, false, true, batch, m, n, k, alpha, upload(d, dt, a), 0, k, (long) m * k, upload(d, dt, b), 0,
                    k, (long) n * k, beta, pc, 0, ldc, (long) m * ldc);
            // The padding columns of C are compared too: they must be left alone.
            assertClose(tile + " " + what, expected, download(d, dt, pc, c.length), 4 * tolerance(dt, k));
        }
    }

    private static MemorySegment segment(Arena arena, boolean f64, double[] v) {
        MemorySegment s = arena.allocate((long) v.length * (f64 ? 8 : 4), 64);
        for (int i = 0; i < v.length; i++) {
            if (f64) s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v[i]);
            else s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v[i]);
        }
        return s;
    }
}

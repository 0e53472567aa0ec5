package org.stylemap.backend.cuda;

import org.stylemap.backend.cuda.runtime.Dim3;
import org.stylemap.tensor.DType;

/**
 * The tile configurations of kernels/gemm_core.cuh, shared by the GEMM and convolution kernels:
 * each kernel of gemm.cu and conv2d.cu exists once per configuration, named with its suffix
 * ({@code gemm_f32_128x128}). Every configuration runs blocks of 256 threads.
 */
enum GemmTile {
    /** float32, 128x128 tiles, 8x8 accumulators per thread: the fastest per block, for large products. */
    F32_128X128(DType.F32, 128, 128),
    /** float32, 64x64 tiles, 4x4 per thread: four times the blocks, for products too small to fill the GPU with large ones. */
    F32_64X64(DType.F32, 64, 64),
    /** float64, 64x64 tiles, 4x4 per thread (tests and parity: simple rather than fast). */
    F64_64X64(DType.F64, 64, 64);

    static final int THREADS = 256;
    /** The largest grid y and z. */
    static final int MAX_GRID_YZ = 65535;
    /**
     * Large tiles are chosen when they still make at least this many blocks: two per SM of the
     * 132-SM H200 (a 128x128 block needs about 128 registers per thread, so one or two fit on an
     * SM). A first guess, to be tuned on the GPU with CudaKernelBench, which times both.
     */
    static final long LARGE_MIN_BLOCKS = 264;

    final DType dtype;
    final int bm, bn;
    final String suffix;

    GemmTile(DType dtype, int bm, int bn) {
        this.dtype = dtype;
        this.bm = bm;
        this.bn = bn;
        this.suffix = (dtype == DType.F32 ? "f32_" : "f64_") + bm + "x" + bn;
    }

    /** K elements per main-loop step (gemm_core.cuh: BM * BK = 4 * 256). */
    int bk() {
        return 4 * THREADS / bm;
    }

    /** The configuration for a product of rows x cols per each of z problems. */
    static GemmTile choose(DType dtype, long rows, long cols, long z) {
        return switch (dtype) {
            case F64 -> F64_64X64;
            case F32 -> F32_128X128.blocks(rows, cols, z) >= LARGE_MIN_BLOCKS ? F32_128X128 : F32_64X64;
        };
    }

    /** The tiles of this configuration over a rows x cols result, times z. */
    long blocks(long rows, long cols, long z) {
        return ceilDiv(rows, bm) * ceilDiv(cols, bn) * z;
    }

    /** The grid: x over columns, y over rows, z as given. */
    Dim3 grid(long rows, long cols, int z) {
        long x = ceilDiv(cols, bn), y = ceilDiv(rows, bm);
        if (x > Integer.MAX_VALUE || y > MAX_GRID_YZ || z > MAX_GRID_YZ)
            throw new IllegalArgumentException("product too large for one launch: " + rows + " x " + cols + " (" + z + " problems)");
        return Dim3.of((int) Math.max(1, x), (int) Math.max(1, y), Math.max(1, z));
    }

    Dim3 block() {
        return Dim3.of(THREADS);
    }

    void check(DType d) {
        if (d != dtype) throw new IllegalArgumentException("tile " + this + " is for " + dtype.label + ", not " + d.label);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

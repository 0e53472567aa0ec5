package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * upfirdn2d, one image plane at a time. out[y][x] = sum_{ky,kx} k[KH-1-ky][KW-1-kx] *
 * U[y*down + ky][x*down + kx], where U is the input zero-stuffed by up and padded (negative pads
 * crop): a true convolution (the kernel is flipped), as in StyleGAN's upfirdn2d.
 *
 * The plane is copied into a zero-stuffed, padded heap buffer, and every output sums its taps in
 * double, kernel row by kernel row, for both dtypes. Without downsampling (the blur around every
 * resampling layer, and the upsampling ones) {@link #ROWS} output rows at a time keep their sums
 * in vector registers; with it, each output row accumulates contiguous runs of the buffer, a loop
 * the JIT vectorises. Both add the same products in the same order, so they give the same bits.
 *
 * The float32 blur keeps double sums: float32 sums ({@link DepthwiseF32}), each output within
 * float rounding of these, moved the BatchNorm fixture's encoder-reconstruction gradients from
 * 5e-7 to 1.5e-3 relative error (measured: only with the blurs of one encoder block and the first
 * generator upsampling together, none alone, so most likely an activation near zero changing
 * sides; random noise of the same size on every blur output left them at 2e-6).
 *
 * Rows move between the tensors and the heap buffers in bulk copies: element-wise memory-segment
 * accesses are each bounds-checked, and in training's small planes those checks cost more than
 * the filter itself (seen as the top of a profile).
 */
final class Upfirdn2dKernel {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Output rows summed together without downsampling: four independent chains of additions. */
    private static final int ROWS = 4;

    private Upfirdn2dKernel() {}

    static void run(boolean f64, MemorySegment x, int[] xShape, MemorySegment k, int kh, int kw, boolean flipKernel,
                    int upX, int upY, int downX, int downY, int padX0, int padY0,
                    MemorySegment out, int outH, int outW) {
        int planes = xShape[0] * xShape[1], h = xShape[2], w = xShape[3];
        // The convolution reads the kernel rotated; a flipped kernel is read as stored.
        double[] flipped = new double[kh * kw];
        for (int i = 0; i < flipped.length; i++) flipped[i] = CpuBackend.get(k, f64, flipKernel ? i : flipped.length - 1 - i);
        // The padded signal only needs the rows and columns the outputs read.
        int uh = (outH - 1) * downY + kh, uw = (outW - 1) * downX + kw;
        // Input columns that land inside it: ix * upX + padX0 in [0, uw).
        int ix0 = Math.max(0, ceilDiv(-padX0, upX)), ix1 = Math.min(w, ceilDiv(uw - padX0, upX));
        Parallel.forRange(planes, Math.max(1, 2048 / Math.max(1, outH * outW)), (from, to) -> {
            // Without downsampling, the row blocks read up to ROWS - 1 rows and one vector past the signal.
            boolean blocks = downX == 1 && downY == 1;
            int blockStride = roundUp(outW);
            double[] u = new double[blocks ? (uh + ROWS - 1) * uw + D.length() : uh * uw];
            double[] row = new double[blocks ? ROWS * blockStride : outW];
            double[] inD = new double[w];
            float[] rowF = f64 ? null : new float[Math.max(w, outW)];
            for (int p = from; p < to; p++) {
                Arrays.fill(u, 0);
                long xb = (long) p * h * w, ob = (long) p * outH * outW;
                for (int iy = 0; iy < h; iy++) {
                    int uy = iy * upY + padY0;
                    if (uy < 0 || uy >= uh || ix0 >= ix1) continue;
                    readRow(f64, x, xb + (long) iy * w + ix0, ix1 - ix0, inD, rowF);
                    for (int ix = ix0, ux = uy * uw + ix0 * upX + padX0; ix < ix1; ix++, ux += upX) u[ux] = inD[ix - ix0];
                }
                if (blocks) {
                    for (int oy = 0; oy < outH; oy += ROWS) {
                        filterBlock(u, uw, flipped, kh, kw, oy, outW, row, blockStride);
                        for (int q = 0; q < Math.min(ROWS, outH - oy); q++)
                            writeRow(f64, row, q * blockStride, outW, out, ob + (long) (oy + q) * outW, rowF);
                    }
                    continue;
                }
                for (int oy = 0; oy < outH; oy++) {
                    Arrays.fill(row, 0);
                    for (int ky = 0; ky < kh; ky++) {
                        int base = (oy * downY + ky) * uw;
                        for (int kx = 0; kx < kw; kx++) {
                            double c = flipped[ky * kw + kx];
                            if (c == 0) continue;
                            int start = base + kx;
                            if (downX == 1) for (int ox = 0; ox < outW; ox++) row[ox] += c * u[start + ox];
                            else for (int ox = 0; ox < outW; ox++) row[ox] += c * u[start + ox * downX];
                        }
                    }
                    writeRow(f64, row, 0, outW, out, ob + (long) oy * outW, rowF);
                }
            }
        });
    }

    /** dst[0, n) = the n elements at src[at..] widened to double; scratch holds float32 rows on the way. */
    private static void readRow(boolean f64, MemorySegment src, long at, int n, double[] dst, float[] scratch) {
        if (f64) {
            MemorySegment.copy(src, ValueLayout.JAVA_DOUBLE, at * Double.BYTES, dst, 0, n);
            return;
        }
        MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, at * Float.BYTES, scratch, 0, n);
        for (int i = 0; i < n; i++) dst[i] = scratch[i];
    }

    /**
     * Output rows r to r + ROWS - 1 (those past the plane are computed and ignored) of the padded
     * signal u (row stride uw) into block (row stride blockStride), without downsampling: each
     * vector of columns adds tap by tap, kernel row by kernel row, skipping zero taps, a product
     * then a sum, the order of the row loop in {@link #run}.
     */
    private static void filterBlock(double[] u, int uw, double[] taps, int kh, int kw, int r, int outW,
                                    double[] block, int blockStride) {
        for (int c0 = 0; c0 < outW; c0 += D.length()) {
            DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) {
                    double t = taps[i * kw + j];
                    if (t == 0) continue;
                    int at = (r + i) * uw + c0 + j;
                    a0 = a0.add(DoubleVector.fromArray(D, u, at).mul(t));
                    a1 = a1.add(DoubleVector.fromArray(D, u, at + uw).mul(t));
                    a2 = a2.add(DoubleVector.fromArray(D, u, at + 2 * uw).mul(t));
                    a3 = a3.add(DoubleVector.fromArray(D, u, at + 3 * uw).mul(t));
                }
            a0.intoArray(block, c0);
            a1.intoArray(block, blockStride + c0);
            a2.intoArray(block, 2 * blockStride + c0);
            a3.intoArray(block, 3 * blockStride + c0);
        }
    }

    /** Columns rounded up to whole double vectors. */
    private static int roundUp(int n) {
        return (n + D.length() - 1) / D.length() * D.length();
    }

    /** dst[at, at + n) = src[from, from + n) rounded to the tensor's dtype. */
    private static void writeRow(boolean f64, double[] src, int from, int n, MemorySegment dst, long at, float[] scratch) {
        if (f64) {
            MemorySegment.copy(src, from, dst, ValueLayout.JAVA_DOUBLE, at * Double.BYTES, n);
            return;
        }
        for (int i = 0; i < n; i++) scratch[i] = (float) src[from + i];
        MemorySegment.copy(scratch, 0, dst, ValueLayout.JAVA_FLOAT, at * Float.BYTES, n);
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }
}

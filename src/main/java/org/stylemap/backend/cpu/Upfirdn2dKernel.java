package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * upfirdn2d, one image plane at a time. out[y][x] = sum_{ky,kx} k[KH-1-ky][KW-1-kx] *
 * U[y*down + ky][x*down + kx], where U is the input zero-stuffed by up and padded (negative pads
 * crop): a true convolution (the kernel is flipped), as in StyleGAN's upfirdn2d.
 *
 * The plane is copied into a zero-stuffed, padded heap buffer; every output row then accumulates
 * kernel-row by kernel-row contiguous runs of that buffer in double, a loop the JIT vectorises,
 * for both dtypes. The float32 blur is not handed to {@link DepthwiseF32}'s float32 sums,
 * although each of its outputs was within float rounding of these: the BatchNorm fixture's
 * encoder-reconstruction gradients then drifted from 5e-7 to 1.5e-3 relative error (measured;
 * random noise of the same size on these outputs left them at 2e-6), so the blur keeps double sums.
 *
 * Rows move between the tensors and the heap buffers in bulk copies: element-wise memory-segment
 * accesses are each bounds-checked, and in training's small planes those checks cost more than
 * the filter itself (seen as the top of a profile).
 */
final class Upfirdn2dKernel {
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
            double[] u = new double[uh * uw], row = new double[outW];
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
                    writeRow(f64, row, outW, out, ob + (long) oy * outW, rowF);
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

    /** dst[at, at + n) = src[0, n) rounded to the tensor's dtype. */
    private static void writeRow(boolean f64, double[] src, int n, MemorySegment dst, long at, float[] scratch) {
        if (f64) {
            MemorySegment.copy(src, 0, dst, ValueLayout.JAVA_DOUBLE, at * Double.BYTES, n);
            return;
        }
        for (int i = 0; i < n; i++) scratch[i] = (float) src[i];
        MemorySegment.copy(scratch, 0, dst, ValueLayout.JAVA_FLOAT, at * Float.BYTES, n);
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }
}

package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;

/**
 * upfirdn2d, one image plane at a time: the plane is copied into a zero-stuffed, padded heap
 * buffer (negative pads crop), then every output row accumulates kernel-row by kernel-row
 * contiguous runs of that buffer, a loop the JIT turns into vector code. Arithmetic is in double
 * for both dtypes. out[y][x] = sum_{ky,kx} k[KH-1-ky][KW-1-kx] * U[y*down + ky][x*down + kx]:
 * a true convolution (the kernel is flipped), as in StyleGAN's upfirdn2d.
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
        Parallel.forRange(planes, Math.max(1, 2048 / Math.max(1, outH * outW)), (from, to) -> {
            double[] u = new double[uh * uw], row = new double[outW];
            for (int p = from; p < to; p++) {
                java.util.Arrays.fill(u, 0);
                long xb = (long) p * h * w, ob = (long) p * outH * outW;
                for (int iy = 0; iy < h; iy++) {
                    int uy = iy * upY + padY0;
                    if (uy < 0 || uy >= uh) continue;
                    for (int ix = 0; ix < w; ix++) {
                        int ux = ix * upX + padX0;
                        if (ux >= 0 && ux < uw) u[uy * uw + ux] = CpuBackend.get(x, f64, xb + (long) iy * w + ix);
                    }
                }
                for (int oy = 0; oy < outH; oy++) {
                    java.util.Arrays.fill(row, 0);
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
                    long o = ob + (long) oy * outW;
                    for (int ox = 0; ox < outW; ox++) CpuBackend.set(out, f64, o + ox, row[ox]);
                }
            }
        });
    }
}

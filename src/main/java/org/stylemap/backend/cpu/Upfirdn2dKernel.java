package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;

/**
 * upfirdn2d as a direct loop over output pixels: each output reads only the input taps that the
 * zero-stuffed, padded signal would hold, so no upsampled buffer is materialised.
 * out[y][x] = sum over kernel taps (ky, kx) of k[KH-1-ky][KW-1-kx] * up(x)[y*down + ky - pad0][...]
 * (a true convolution: the kernel is flipped, as in StyleGAN's upfirdn2d).
 */
final class Upfirdn2dKernel {
    private Upfirdn2dKernel() {}

    static void run(boolean f64, MemorySegment x, int[] xShape, MemorySegment k, int kh, int kw,
                    int upX, int upY, int downX, int downY, int padX0, int padY0,
                    MemorySegment out, int outH, int outW) {
        int planes = xShape[0] * xShape[1], h = xShape[2], w = xShape[3];
        double[] taps = new double[kh * kw];
        for (int i = 0; i < taps.length; i++) taps[i] = CpuBackend.get(k, f64, i);
        Parallel.forRange(planes, Math.max(1, 4096 / Math.max(1, outH * outW)), (from, to) -> {
            for (int p = from; p < to; p++) {
                long xb = (long) p * h * w, ob = (long) p * outH * outW;
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        double acc = 0;
                        for (int ky = 0; ky < kh; ky++) {
                            int uy = oy * downY + ky - padY0; // row in the zero-stuffed signal
                            if (uy < 0 || uy % upY != 0 || uy / upY >= h) continue;
                            int iy = uy / upY;
                            for (int kx = 0; kx < kw; kx++) {
                                int ux = ox * downX + kx - padX0;
                                if (ux < 0 || ux % upX != 0 || ux / upX >= w) continue;
                                acc += taps[(kh - 1 - ky) * kw + (kw - 1 - kx)] * CpuBackend.get(x, f64, xb + (long) iy * w + ux / upX);
                            }
                        }
                        CpuBackend.set(out, f64, ob + (long) oy * outW + ox, acc);
                    }
                }
            }
        });
    }
}

package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;

/** Max pooling over k x k windows (padding counts as -infinity), and its gradient. */
final class Pool {
    private Pool() {}

    /**
     * Forward (dx == null): out = window maxima. Backward (dx != null): out holds dy, and each dy
     * element is added to dx at its window's first maximum of x.
     */
    static void max(boolean f64, MemorySegment x, int[] xShape, MemorySegment out, int outH, int outW,
                    int k, int stride, int pad, MemorySegment dx) {
        int planes = xShape[0] * xShape[1], h = xShape[2], w = xShape[3];
        Parallel.forRange(planes, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                long xb = (long) p * h * w, ob = (long) p * outH * outW;
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++) {
                        double best = Double.NEGATIVE_INFINITY;
                        long arg = -1;
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * stride + ky - pad;
                            if (iy < 0 || iy >= h) continue;
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * stride + kx - pad;
                                if (ix < 0 || ix >= w) continue;
                                long at = xb + (long) iy * w + ix;
                                double v = CpuBackend.get(x, f64, at);
                                if (v > best || arg < 0) { best = v; arg = at; }
                            }
                        }
                        long o = ob + (long) oy * outW + ox;
                        if (dx == null) CpuBackend.set(out, f64, o, best);
                        else CpuBackend.set(dx, f64, arg, CpuBackend.get(dx, f64, arg) + CpuBackend.get(out, f64, o));
                    }
            }
        });
    }
}

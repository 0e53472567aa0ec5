package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;

/** Placeholder until the fast kernels land: direct loops. */
public final class ConvKernels {
    public static void forward(boolean f64, ConvGeom g, MemorySegment x, MemorySegment w, MemorySegment y) { loop(f64, g, x, w, y, 0); }
    public static void backwardData(boolean f64, ConvGeom g, MemorySegment dy, MemorySegment w, MemorySegment dx) {
        dx.fill((byte) 0); loop(f64, g, dx, w, dy, 1); }
    public static void backwardWeight(boolean f64, ConvGeom g, MemorySegment x, MemorySegment dy, MemorySegment dw) {
        dw.fill((byte) 0); loop(f64, g, x, dw, dy, 2); }
    private static void loop(boolean f64, ConvGeom g, MemorySegment x, MemorySegment w, MemorySegment y, int mode) {
        int cg = g.c() / g.groups(), og = g.o() / g.groups(), oh = g.oh(), ow = g.ow();
        for (int n = 0; n < g.n(); n++) for (int o = 0; o < g.o(); o++) for (int a = 0; a < oh; a++) for (int b = 0; b < ow; b++) {
            long yi = ((long) (n * g.o() + o) * oh + a) * ow + b; double acc = 0;
            for (int c = 0; c < cg; c++) for (int i = 0; i < g.kh(); i++) for (int j = 0; j < g.kw(); j++) {
                int iy = a * g.sh() + i - g.ph(), ix = b * g.sw() + j - g.pw();
                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                int ci = (o / og) * cg + c;
                long xi = ((long) (n * g.c() + ci) * g.h() + iy) * g.w() + ix, wi = ((long) (o * cg + c) * g.kh() + i) * g.kw() + j;
                if (mode == 0) acc += CpuBackend.get(x, f64, xi) * CpuBackend.get(w, f64, wi);
                else if (mode == 1) CpuBackend.set(x, f64, xi, CpuBackend.get(x, f64, xi) + CpuBackend.get(y, f64, yi) * CpuBackend.get(w, f64, wi));
                else CpuBackend.set(w, f64, wi, CpuBackend.get(w, f64, wi) + CpuBackend.get(y, f64, yi) * CpuBackend.get(x, f64, xi));
            }
            if (mode == 0) CpuBackend.set(y, f64, yi, acc);
        }
    }
}

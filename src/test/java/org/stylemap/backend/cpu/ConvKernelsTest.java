package org.stylemap.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.stylemap.backend.cpu.GemmTest.assertClose;
import static org.stylemap.backend.cpu.GemmTest.read;
import static org.stylemap.backend.cpu.GemmTest.segment;
import static org.stylemap.backend.cpu.GemmTest.stored;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The three convolution kernels against a direct seven-loop reference in double precision (it
 * never builds an im2col matrix), in float32 and float64, over geometries that hit every path:
 * im2col bands, pointwise GEMMs, grouped and depthwise convolutions, strides, padding wider than
 * the kernel's reach, odd image sizes. Also checks that the backward kernels are the exact
 * adjoints of forward. float32 runs once with each GEMM micro-kernel shape.
 */
class ConvKernelsTest {
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    /** n, c, h, w, o, kh, kw, sh, sw, ph, pw, groups. */
    private static final ConvGeom[] GEOMS = {
            new ConvGeom(2, 3, 5, 7, 4, 3, 3, 1, 1, 1, 1, 1),
            new ConvGeom(2, 4, 9, 8, 6, 3, 3, 2, 2, 0, 0, 2),
            new ConvGeom(2, 4, 7, 7, 4, 3, 3, 2, 2, 0, 0, 1),
            new ConvGeom(2, 3, 11, 13, 5, 4, 4, 2, 2, 1, 1, 1),
            new ConvGeom(1, 5, 6, 9, 3, 3, 2, 1, 2, 2, 1, 1),
            new ConvGeom(1, 6, 8, 8, 6, 4, 4, 2, 2, 1, 1, 6),
            new ConvGeom(2, 5, 6, 7, 5, 4, 4, 1, 1, 2, 2, 5),
            new ConvGeom(1, 4, 6, 5, 8, 3, 3, 1, 1, 1, 1, 4),
            new ConvGeom(1, 3, 4, 5, 3, 2, 2, 1, 1, 2, 2, 3),
            new ConvGeom(2, 2, 5, 70, 2, 3, 3, 1, 1, 1, 1, 2),
            new ConvGeom(2, 8, 4, 4, 8, 1, 1, 1, 1, 0, 0, 1),
            new ConvGeom(2, 8, 5, 3, 4, 1, 1, 1, 1, 0, 0, 2),
            new ConvGeom(1, 4, 7, 5, 8, 1, 1, 2, 2, 1, 1, 1),
            new ConvGeom(1, 16, 4, 4, 32, 3, 3, 1, 1, 1, 1, 1),
            new ConvGeom(1, 3, 1, 1, 2, 3, 3, 1, 1, 1, 1, 1),
            new ConvGeom(2, 2, 3, 3, 3, 3, 3, 1, 1, 2, 2, 1),
            // Big enough for several im2col bands per image (weight-gradient bands that straddle
            // two images) and for the threads to split channels.
            new ConvGeom(2, 64, 40, 64, 8, 3, 3, 1, 1, 1, 1, 1),
            // Small images in numbers: bands of several whole images (outputs through scratch).
            new ConvGeom(5, 6, 6, 7, 5, 3, 3, 1, 1, 1, 1, 1),
            new ConvGeom(7, 4, 5, 5, 6, 3, 3, 2, 2, 1, 1, 2),
    };

    private record Tensors(double[] x, double[] w, double[] dy) {
        static Tensors random(Random r, boolean f64, ConvGeom g) {
            return new Tensors(stored(f64, GemmTest.random(r, g.n() * g.c() * g.h() * g.w())),
                    stored(f64, GemmTest.random(r, g.o() * g.cg() * g.kh() * g.kw())),
                    stored(f64, GemmTest.random(r, g.n() * g.o() * g.oh() * g.ow())));
        }
    }

    /**
     * The direct definition: y[n,o,oh,ow] = sum over c, i, j of w[o,c,i,j] * x[n, group*cg + c,
     * oh*sh - ph + i, ow*sw - pw + j]. Each multiply-add is handed to visit(xIndex, wIndex,
     * yIndex); the three passes differ only in which two operands they multiply and where the
     * product goes, so they all come from this one loop nest.
     */
    private interface Term {
        void visit(int xi, int wi, int yi);
    }

    private static void forEachTerm(ConvGeom g, Term t) {
        int cg = g.cg(), og = g.og();
        for (int n = 0; n < g.n(); n++)
            for (int o = 0; o < g.o(); o++)
                for (int oh = 0; oh < g.oh(); oh++)
                    for (int ow = 0; ow < g.ow(); ow++)
                        for (int c = 0; c < cg; c++)
                            for (int i = 0; i < g.kh(); i++)
                                for (int j = 0; j < g.kw(); j++) {
                                    int ih = oh * g.sh() - g.ph() + i, iw = ow * g.sw() - g.pw() + j;
                                    if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                                    int ci = o / og * cg + c;
                                    t.visit(((n * g.c() + ci) * g.h() + ih) * g.w() + iw,
                                            ((o * cg + c) * g.kh() + i) * g.kw() + j,
                                            ((n * g.o() + o) * g.oh() + oh) * g.ow() + ow);
                                }
    }

    /** [value, sum of |terms|] of the forward pass. */
    private static double[][] refForward(ConvGeom g, Tensors t) {
        double[] y = new double[t.dy.length], abs = new double[y.length];
        forEachTerm(g, (xi, wi, yi) -> {
            y[yi] += t.x[xi] * t.w[wi];
            abs[yi] += Math.abs(t.x[xi] * t.w[wi]);
        });
        return new double[][] {y, abs};
    }

    private static double[][] refBackwardData(ConvGeom g, Tensors t) {
        double[] dx = new double[t.x.length], abs = new double[dx.length];
        forEachTerm(g, (xi, wi, yi) -> {
            dx[xi] += t.dy[yi] * t.w[wi];
            abs[xi] += Math.abs(t.dy[yi] * t.w[wi]);
        });
        return new double[][] {dx, abs};
    }

    private static double[][] refBackwardWeight(ConvGeom g, Tensors t) {
        double[] dw = new double[t.w.length], abs = new double[dw.length];
        forEachTerm(g, (xi, wi, yi) -> {
            dw[wi] += t.dy[yi] * t.x[xi];
            abs[wi] += Math.abs(t.dy[yi] * t.x[xi]);
        });
        return new double[][] {dw, abs};
    }

    private double[] runForward(boolean f64, ConvGeom g, Tensors t) {
        MemorySegment y = segment(arena, f64, new double[t.dy.length]);
        fillGarbage(f64, y, t.dy.length);
        ConvKernels.forward(f64, g, segment(arena, f64, t.x), segment(arena, f64, t.w), y);
        return read(f64, y, t.dy.length);
    }

    private double[] runBackwardData(boolean f64, ConvGeom g, Tensors t) {
        MemorySegment dx = segment(arena, f64, new double[t.x.length]);
        fillGarbage(f64, dx, t.x.length);
        ConvKernels.backwardData(f64, g, segment(arena, f64, t.dy), segment(arena, f64, t.w), dx);
        return read(f64, dx, t.x.length);
    }

    private double[] runBackwardWeight(boolean f64, ConvGeom g, Tensors t) {
        MemorySegment dw = segment(arena, f64, new double[t.w.length]);
        fillGarbage(f64, dw, t.w.length);
        ConvKernels.backwardWeight(f64, g, segment(arena, f64, t.x), segment(arena, f64, t.dy), dw);
        return read(f64, dw, t.w.length);
    }

    /** Outputs are documented as overwritten: start them as NaN so any element left unwritten fails. */
    private static void fillGarbage(boolean f64, MemorySegment s, int n) {
        for (int i = 0; i < n; i++) {
            if (f64) s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, Double.NaN);
            else s.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.NaN);
        }
    }

    private void checkAll(boolean f64, double tol) {
        Random r = new Random(f64 ? 11 : 12);
        for (ConvGeom g : GEOMS) {
            Tensors t = Tensors.random(r, f64, g);
            String what = (f64 ? "f64 " : "f32 ") + g;
            double[][] y = refForward(g, t), dx = refBackwardData(g, t), dw = refBackwardWeight(g, t);
            assertClose("forward " + what, y[0], y[1], runForward(f64, g, t), tol);
            assertClose("backwardData " + what, dx[0], dx[1], runBackwardData(f64, g, t), tol);
            assertClose("backwardWeight " + what, dw[0], dw[1], runBackwardWeight(f64, g, t), tol);
        }
    }

    @Test
    void float32MatchesDirectReferenceWithEveryKernel() {
        GemmTest.withEachKernel(kernel -> checkAll(false, GemmTest.F32_TOL));
    }

    @Test
    void float64MatchesDirectReference() {
        checkAll(true, GemmTest.F64_TOL);
    }

    /** <forward(x, w), dy> == <x, backwardData(dy, w)> == <w, backwardWeight(x, dy)>, in float64. */
    @Test
    void backwardPassesAreAdjointsOfForward() {
        Random r = new Random(13);
        for (ConvGeom g : GEOMS) {
            Tensors t = Tensors.random(r, true, g);
            double viaY = dot(runForward(true, g, t), t.dy);
            double viaX = dot(t.x, runBackwardData(true, g, t));
            double viaW = dot(t.w, runBackwardWeight(true, g, t));
            double scale = Math.max(1, Math.abs(viaY));
            assertEquals(viaY, viaX, 1e-12 * scale, "<y, dy> vs <x, dx> for " + g);
            assertEquals(viaY, viaW, 1e-12 * scale, "<y, dy> vs <w, dw> for " + g);
        }
    }

    @Test
    void emptyBatchZeroesWeightGradient() {
        ConvGeom g = new ConvGeom(0, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 2);
        Tensors t = new Tensors(new double[0], new double[g.o() * g.cg() * 9], new double[0]);
        for (double v : runBackwardWeight(false, g, t)) assertEquals(0.0, v);
    }

    @Test
    void rejectsInconsistentGeometry() {
        assertThrows(IllegalArgumentException.class, () -> new ConvGeom(1, 6, 5, 5, 4, 3, 3, 1, 1, 1, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeom(1, 4, 2, 2, 4, 5, 5, 1, 1, 1, 1, 1));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}

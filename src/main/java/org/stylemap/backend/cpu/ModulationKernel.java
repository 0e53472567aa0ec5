package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.stylemap.tensor.Tensor;

/**
 * CPU twin of kernels/modulation.cu: normalize per group, then x * gamma + beta, and its
 * gradients (contracts in Backend.modulation / modulationBackward). A group (one sample for
 * LayerNorm, one sample and channel for InstanceNorm) is cut into blocks of {@link #BLOCK}
 * elements; blocks run in parallel, and each group's partial sums are combined in block order, so
 * the result does not depend on the number of threads. Sums accumulate in float64; float32
 * elementwise steps run on the Vector API and round after every step, in the composite's order.
 */
final class ModulationKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE;
    private static final int BLOCK = 4096;

    private ModulationKernel() {}

    /** Where group g's elements lie in x (and dx, y, dy) and in gammaBeta's gamma half; beta is chw further. */
    private record Groups(int count, int len, int perSample, long chw, int blocks) {
        static Groups of(Tensor x, boolean instanceNorm) {
            int n = x.shape(0), c = x.shape(1);
            long hw = (long) x.shape(2) * x.shape(3), chw = c * hw;
            long len = instanceNorm ? hw : chw;
            if (len > Integer.MAX_VALUE || (long) n * c > Integer.MAX_VALUE)
                throw new IllegalArgumentException("modulation: tensor too large for the CPU kernel: " + x);
            return new Groups(instanceNorm ? n * c : n, (int) len, instanceNorm ? c : 1, chw, (int) ((len + BLOCK - 1) / BLOCK));
        }

        long x(int g) { return (long) g * len; }

        long gamma(int g) { return (long) (g / perSample) * 2 * chw + (long) (g % perSample) * len; }

        int blockLen(int blk) { return Math.min(BLOCK, len - blk * BLOCK); }
    }

    @FunctionalInterface
    private interface BlockTask {
        /** Block blk of group g: elements [start, start + len) of the group. */
        void run(int g, int blk, int start, int len);
    }

    /** Runs task over every (group, block) in parallel. */
    private static void forBlocks(Groups gs, BlockTask task) {
        int tasks = gs.count() * gs.blocks();
        // At least 16K elements per parallel chunk: below that a thread hand-off costs more than it saves.
        Parallel.forRange(tasks, Math.max(1, (1 << 14) / Math.max(1, Math.min(BLOCK, gs.len()))), (from, to) -> {
            for (int t = from; t < to; t++) {
                int g = t / gs.blocks(), blk = t % gs.blocks();
                task.run(g, blk, blk * BLOCK, gs.blockLen(blk));
            }
        });
    }

    /** Sums partial[g * blocks + blk] over the blocks of each group, in block order. */
    private static double[] combine(Groups gs, double[] partial) {
        double[] s = new double[gs.count()];
        for (int g = 0; g < gs.count(); g++)
            for (int b = 0; b < gs.blocks(); b++) s[g] += partial[g * gs.blocks() + b];
        return s;
    }

    static void forward(Tensor x, Tensor gammaBeta, Tensor y, Tensor meanOut, Tensor rstdOut, boolean instanceNorm, double eps) {
        Groups gs = Groups.of(x, instanceNorm);
        boolean f64 = CpuBackend.f64(x);
        MemorySegment sx = CpuBackend.seg(x), sgb = CpuBackend.seg(gammaBeta), sy = CpuBackend.seg(y);
        long xo = x.offset(), gbo = gammaBeta.offset(), yo = y.offset();
        double[] partial = new double[gs.count() * gs.blocks()];
        forBlocks(gs, (g, blk, start, len) -> partial[g * gs.blocks() + blk] = sum(sx, f64, xo + gs.x(g) + start, len, 0));
        double[] mean = combine(gs, partial);
        for (int g = 0; g < gs.count(); g++) mean[g] /= gs.len();
        forBlocks(gs, (g, blk, start, len) ->
                partial[g * gs.blocks() + blk] = sumSquaredDeviation(sx, f64, xo + gs.x(g) + start, len, mean[g]));
        double[] rstd = combine(gs, partial);
        for (int g = 0; g < gs.count(); g++) rstd[g] = 1 / Math.sqrt(rstd[g] / gs.len() + eps);
        forBlocks(gs, (g, blk, start, len) -> {
            long xg = xo + gs.x(g) + start, yg = yo + gs.x(g) + start, gg = gbo + gs.gamma(g) + start, bg = gg + gs.chw();
            if (f64) {
                for (int i = 0; i < len; i++) {
                    double xhat = (sx.getAtIndex(D, xg + i) - mean[g]) * rstd[g];
                    sy.setAtIndex(D, yg + i, xhat * sgb.getAtIndex(D, gg + i) + sgb.getAtIndex(D, bg + i));
                }
                return;
            }
            float m = (float) mean[g], r = (float) rstd[g];
            int i = 0;
            for (int upper = S.loopBound(len); i < upper; i += S.length()) {
                FloatVector xhat = load(sx, xg + i).sub(m).mul(r);
                xhat.mul(load(sgb, gg + i)).add(load(sgb, bg + i)).intoMemorySegment(sy, (yg + i) * 4, NATIVE);
            }
            for (; i < len; i++) {
                float xhat = (sx.getAtIndex(F, xg + i) - m) * r;
                sy.setAtIndex(F, yg + i, xhat * sgb.getAtIndex(F, gg + i) + sgb.getAtIndex(F, bg + i));
            }
        });
        MemorySegment sm = CpuBackend.seg(meanOut), sr = CpuBackend.seg(rstdOut);
        for (int g = 0; g < gs.count(); g++) {
            CpuBackend.set(sm, f64, meanOut.offset() + g, mean[g]);
            CpuBackend.set(sr, f64, rstdOut.offset() + g, rstd[g]);
        }
    }

    static void backward(Tensor dy, Tensor x, Tensor gammaBeta, Tensor meanIn, Tensor rstdIn, Tensor dx, Tensor dGammaBeta,
                         boolean instanceNorm) {
        Groups gs = Groups.of(x, instanceNorm);
        boolean f64 = CpuBackend.f64(x);
        MemorySegment sdy = CpuBackend.seg(dy), sx = CpuBackend.seg(x), sgb = CpuBackend.seg(gammaBeta);
        MemorySegment sdx = CpuBackend.seg(dx), sdgb = CpuBackend.seg(dGammaBeta);
        long dyo = dy.offset(), xo = x.offset(), gbo = gammaBeta.offset(), dxo = dx.offset(), dgbo = dGammaBeta.offset();
        // The saved statistics, exactly as the forward used them (rounded to the dtype).
        double[] mean = new double[gs.count()], rstd = new double[gs.count()];
        MemorySegment sm = CpuBackend.seg(meanIn), sr = CpuBackend.seg(rstdIn);
        for (int g = 0; g < gs.count(); g++) {
            mean[g] = CpuBackend.get(sm, f64, meanIn.offset() + g);
            rstd[g] = CpuBackend.get(sr, f64, rstdIn.offset() + g);
        }
        // Per group: sum(dy * gamma) and sum(dy * gamma * (x - mean)); the second times rstd is sum(g * xhat).
        double[] pg = new double[gs.count() * gs.blocks()], pgx = new double[pg.length];
        forBlocks(gs, (g, blk, start, len) -> {
            long dyg = dyo + gs.x(g) + start, xg = xo + gs.x(g) + start, gg = gbo + gs.gamma(g) + start;
            double[] two = gradientSums(sdy, dyg, sgb, gg, sx, xg, len, mean[g], f64);
            pg[g * gs.blocks() + blk] = two[0];
            pgx[g * gs.blocks() + blk] = two[1];
        });
        double[] sg = combine(gs, pg), sgx = combine(gs, pgx);
        forBlocks(gs, (g, blk, start, len) -> {
            long e = gs.x(g) + start, gg = gs.gamma(g) + start;
            long dyg = dyo + e, xg = xo + e, dxg = dxo + e, gamma = gbo + gg, dgamma = dgbo + gg, dbeta = dgamma + gs.chw();
            double meanG = sg[g] / gs.len(), meanGx = sgx[g] * rstd[g] / gs.len();
            if (f64) {
                for (int i = 0; i < len; i++) {
                    double d = sdy.getAtIndex(D, dyg + i), xhat = (sx.getAtIndex(D, xg + i) - mean[g]) * rstd[g];
                    sdx.setAtIndex(D, dxg + i, rstd[g] * (d * sgb.getAtIndex(D, gamma + i) - meanG - xhat * meanGx));
                    sdgb.setAtIndex(D, dgamma + i, d * xhat);
                    sdgb.setAtIndex(D, dbeta + i, d);
                }
                return;
            }
            float m = (float) mean[g], r = (float) rstd[g], mg = (float) meanG, mgx = (float) meanGx;
            int i = 0;
            for (int upper = S.loopBound(len); i < upper; i += S.length()) {
                FloatVector d = load(sdy, dyg + i), xhat = load(sx, xg + i).sub(m).mul(r);
                d.mul(load(sgb, gamma + i)).sub(mg).sub(xhat.mul(mgx)).mul(r).intoMemorySegment(sdx, (dxg + i) * 4, NATIVE);
                d.mul(xhat).intoMemorySegment(sdgb, (dgamma + i) * 4, NATIVE);
                d.intoMemorySegment(sdgb, (dbeta + i) * 4, NATIVE);
            }
            for (; i < len; i++) {
                float d = sdy.getAtIndex(F, dyg + i), xhat = (sx.getAtIndex(F, xg + i) - m) * r;
                sdx.setAtIndex(F, dxg + i, (d * sgb.getAtIndex(F, gamma + i) - mg - xhat * mgx) * r);
                sdgb.setAtIndex(F, dgamma + i, d * xhat);
                sdgb.setAtIndex(F, dbeta + i, d);
            }
        });
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index * 4, NATIVE);
    }

    /** float32 lanes widened to float64: the low (part 0) or high (part 1) half. */
    private static DoubleVector widen(FloatVector v, int part) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, SD, part);
    }

    /** Lanes added in a fixed order (reduceLanes leaves the order open). */
    private static double lanes(DoubleVector v) {
        double s = 0;
        for (double d : v.toArray()) s += d;
        return s;
    }

    /** sum(x - shift) over len elements from index at. */
    private static double sum(MemorySegment s, boolean f64, long at, int len, double shift) {
        return reduce(s, f64, at, len, shift, false);
    }

    /** sum((x - mean)^2). */
    private static double sumSquaredDeviation(MemorySegment s, boolean f64, long at, int len, double mean) {
        return reduce(s, f64, at, len, mean, true);
    }

    private static double reduce(MemorySegment s, boolean f64, long at, int len, double shift, boolean square) {
        double acc = 0;
        int i = 0;
        if (f64) {
            for (; i < len; i++) {
                double d = s.getAtIndex(D, at + i) - shift;
                acc += square ? d * d : d;
            }
            return acc;
        }
        DoubleVector a0 = DoubleVector.zero(SD), a1 = DoubleVector.zero(SD);
        for (int upper = S.loopBound(len); i < upper; i += S.length()) {
            FloatVector v = load(s, at + i);
            DoubleVector lo = widen(v, 0).sub(shift), hi = widen(v, 1).sub(shift);
            a0 = square ? a0.add(lo.mul(lo)) : a0.add(lo);
            a1 = square ? a1.add(hi.mul(hi)) : a1.add(hi);
        }
        acc = lanes(a0) + lanes(a1);
        for (; i < len; i++) {
            double d = s.getAtIndex(F, at + i) - shift;
            acc += square ? d * d : d;
        }
        return acc;
    }

    /** {sum(dy * gamma), sum(dy * gamma * (x - mean))} over len elements. */
    private static double[] gradientSums(MemorySegment dy, long dyAt, MemorySegment gb, long gAt, MemorySegment x, long xAt,
                                         int len, double mean, boolean f64) {
        double sg = 0, sgx = 0;
        int i = 0;
        if (!f64) {
            DoubleVector g0 = DoubleVector.zero(SD), g1 = DoubleVector.zero(SD), gx0 = DoubleVector.zero(SD), gx1 = DoubleVector.zero(SD);
            for (int upper = S.loopBound(len); i < upper; i += S.length()) {
                FloatVector d = load(dy, dyAt + i), gamma = load(gb, gAt + i), xv = load(x, xAt + i);
                DoubleVector p0 = widen(d, 0).mul(widen(gamma, 0)), p1 = widen(d, 1).mul(widen(gamma, 1));
                g0 = g0.add(p0);
                g1 = g1.add(p1);
                gx0 = gx0.add(p0.mul(widen(xv, 0).sub(mean)));
                gx1 = gx1.add(p1.mul(widen(xv, 1).sub(mean)));
            }
            sg = lanes(g0) + lanes(g1);
            sgx = lanes(gx0) + lanes(gx1);
        }
        for (; i < len; i++) {
            double p = CpuBackend.get(dy, f64, dyAt + i) * CpuBackend.get(gb, f64, gAt + i);
            sg += p;
            sgx += p * (CpuBackend.get(x, f64, xAt + i) - mean);
        }
        return new double[] {sg, sgx};
    }
}

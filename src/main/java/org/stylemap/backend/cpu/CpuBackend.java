package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import org.stylemap.backend.Backend;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.MatmulOperand;
import org.stylemap.backend.MemoryStats;
import org.stylemap.backend.UnaryOp;
import org.stylemap.memory.Storage;
import org.stylemap.random.Philox;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * The CPU backend and the reference for every other backend. Elementwise work goes through
 * {@link Strided} (any strides, both dtypes, arithmetic in double); the float32 contiguous cases
 * that dominate training have Vector API fast paths in {@link FastF32}; GEMM and convolutions
 * are in {@link Gemm} and {@link ConvKernels}.
 */
public final class CpuBackend implements Backend {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE;

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String describe() {
        return "available: " + Parallel.THREADS + " threads, " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + "-bit vectors (" + FloatVector.SPECIES_PREFERRED.length() + " floats), float32 and float64";
    }

    @Override
    public Storage allocate(DType dtype, long numel) {
        return new CpuStorage(this, dtype, numel);
    }

    @Override
    public MemoryStats memoryStats() {
        return CpuStorage.stats();
    }

    @Override
    public void resetPeakMemory() {
        CpuStorage.resetPeak();
    }

    /** Work is done when a call returns: nothing to wait for. */
    @Override
    public void synchronize() {}

    static MemorySegment seg(Tensor t) {
        t.storage().checkLive();
        return ((CpuStorage) t.storage()).segment;
    }

    static boolean f64(Tensor t) {
        return t.dtype() == DType.F64;
    }

    static double get(MemorySegment s, boolean f64, long i) {
        return f64 ? s.getAtIndex(D, i) : s.getAtIndex(F, i);
    }

    static void set(MemorySegment s, boolean f64, long i, double v) {
        if (f64) s.setAtIndex(D, i, v);
        else s.setAtIndex(F, i, (float) v);
    }

    @Override
    public void copyFromHost(Tensor dst, MemorySegment src) {
        long bytes = dst.numel() * dst.dtype().bytes;
        MemorySegment.copy(src, 0, seg(dst), dst.offset() * dst.dtype().bytes, bytes);
    }

    @Override
    public void copyToHost(Tensor src, MemorySegment dst) {
        long bytes = src.numel() * src.dtype().bytes;
        MemorySegment.copy(seg(src), src.offset() * src.dtype().bytes, dst, 0, bytes);
    }

    @Override
    public void assign(Tensor dst, Tensor src) {
        MemorySegment sd = seg(dst), ss = seg(src);
        boolean dd = f64(dst), ds = f64(src);
        long idst = dst.rank() == 0 ? 1 : dst.stride(-1), isrc = src.rank() == 0 ? 1 : src.stride(-1);
        Strided.forEachRow(dst.shape(), new long[][] {dst.strides(), src.strides()}, new long[] {dst.offset(), src.offset()},
                (offs, len) -> {
                    if (dd == ds && idst == 1 && isrc == 1) {
                        long b = dst.dtype().bytes;
                        MemorySegment.copy(ss, offs[1] * b, sd, offs[0] * b, len * b);
                        return;
                    }
                    for (int i = 0; i < len; i++) set(sd, dd, offs[0] + i * idst, get(ss, ds, offs[1] + i * isrc));
                });
    }

    @Override
    public void fill(Tensor dst, double value) {
        MemorySegment s = seg(dst);
        boolean d = f64(dst);
        if (dst.isContiguous()) {
            long n = dst.numel(), b = dst.dtype().bytes, o = dst.offset();
            if (value == 0) {
                s.asSlice(o * b, n * b).fill((byte) 0);
                return;
            }
            Parallel.forRange((int) Math.min(n, Integer.MAX_VALUE), 1 << 16, (from, to) -> {
                for (long i = from; i < to; i++) set(s, d, o + i, value);
            });
            return;
        }
        long inner = dst.rank() == 0 ? 1 : dst.stride(-1);
        Strided.forEachRow(dst.shape(), new long[][] {dst.strides()}, new long[] {dst.offset()}, (offs, len) -> {
            for (int i = 0; i < len; i++) set(s, d, offs[0] + i * inner, value);
        });
    }

    @Override
    public void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        if (!f64(x) && x.isContiguous() && FastF32.unary(op, (float) p, seg(x), x.offset(), seg(out), out.offset(), out.numel()))
            return;
        MemorySegment sx = seg(x), so = seg(out);
        boolean d = f64(x);
        long ix = x.rank() == 0 ? 1 : x.stride(-1), io = out.rank() == 0 ? 1 : out.stride(-1);
        Strided.forEachRow(out.shape(), new long[][] {x.strides(), out.strides()}, new long[] {x.offset(), out.offset()},
                (offs, len) -> {
                    for (int i = 0; i < len; i++) set(so, d, offs[1] + i * io, op.apply(get(sx, d, offs[0] + i * ix), p));
                });
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (!f64(out) && FastF32.binary(op, a, b, out)) return;
        MemorySegment sa = seg(a), sb = seg(b), so = seg(out);
        boolean d = f64(out);
        long ia = a.rank() == 0 ? 1 : a.stride(-1), ib = b.rank() == 0 ? 1 : b.stride(-1), io = out.rank() == 0 ? 1 : out.stride(-1);
        Strided.forEachRow(out.shape(), new long[][] {a.strides(), b.strides(), out.strides()},
                new long[] {a.offset(), b.offset(), out.offset()}, (offs, len) -> {
                    for (int i = 0; i < len; i++)
                        set(so, d, offs[2] + i * io, op.apply(get(sa, d, offs[0] + i * ia), get(sb, d, offs[1] + i * ib)));
                });
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        MemorySegment sc = seg(cond), sa = seg(a), sb = seg(b), so = seg(out);
        boolean dc = f64(cond), d = f64(out);
        long ic = cond.rank() == 0 ? 1 : cond.stride(-1), ia = a.rank() == 0 ? 1 : a.stride(-1);
        long ib = b.rank() == 0 ? 1 : b.stride(-1), io = out.rank() == 0 ? 1 : out.stride(-1);
        Strided.forEachRow(out.shape(), new long[][] {cond.strides(), a.strides(), b.strides(), out.strides()},
                new long[] {cond.offset(), a.offset(), b.offset(), out.offset()}, (offs, len) -> {
                    for (int i = 0; i < len; i++) {
                        boolean c = get(sc, dc, offs[0] + i * ic) != 0;
                        set(so, d, offs[3] + i * io, c ? get(sa, d, offs[1] + i * ia) : get(sb, d, offs[2] + i * ib));
                    }
                });
    }

    @Override
    public void sum(Tensor x, Tensor out) {
        Reduce.sum(x, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        int batch = out.shape(0), m = out.shape(1), n = out.shape(2), k = a.shape(2);
        try (Copies c = new Copies()) {
            MatmulOperand la = MatmulOperand.of(a), lb = MatmulOperand.of(b);
            Tensor ta = la != null ? a : c.copy(a), tb = lb != null ? b : c.copy(b);
            if (la == null) la = MatmulOperand.dense(ta);
            if (lb == null) lb = MatmulOperand.dense(tb);
            Gemm.gemmBatched(f64(out), la.trans(), lb.trans(), batch, m, n, k, 1.0,
                    seg(ta), ta.offset(), la.ld(), ta.stride(0), seg(tb), tb.offset(), lb.ld(), tb.stride(0),
                    0.0, seg(out), out.offset(), n, (long) m * n);
        }
    }

    /**
     * Contiguous copies of strided operands for the kernels that need dense inputs, freed as soon as
     * the call ends (not left to a scope: they are never seen outside the call).
     */
    private final class Copies implements AutoCloseable {
        private final java.util.List<Tensor> made = new java.util.ArrayList<>(2);

        Tensor copy(Tensor t) {
            Tensor c = new Tensor(allocate(t.dtype(), t.numel()), t.shape(), Shape.contiguousStrides(t.shape()), 0);
            made.add(c);
            assign(c, t);
            return c;
        }

        Tensor dense(Tensor t) {
            return t.isContiguous() && t.offset() == 0 ? t : copy(t);
        }

        @Override
        public void close() {
            for (Tensor t : made) t.free();
        }
    }

    private static ConvGeom geom(Tensor x, Tensor w, int sh, int sw, int ph, int pw, int groups) {
        return new ConvGeom(x.shape(0), x.shape(1), x.shape(2), x.shape(3), w.shape(0), w.shape(2), w.shape(3),
                sh, sw, ph, pw, groups);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor y, int sh, int sw, int ph, int pw, int groups) {
        try (Copies c = new Copies()) {
            ConvKernels.forward(f64(y), geom(x, w, sh, sw, ph, pw, groups), seg(c.dense(x)), seg(c.dense(w)), seg(y));
        }
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, int sh, int sw, int ph, int pw, int groups) {
        try (Copies c = new Copies()) {
            ConvKernels.backwardData(f64(dx), geom(dx, w, sh, sw, ph, pw, groups), seg(c.dense(dy)), seg(c.dense(w)), seg(dx));
        }
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor dy, Tensor dw, int sh, int sw, int ph, int pw, int groups) {
        try (Copies c = new Copies()) {
            ConvKernels.backwardWeight(f64(dw), geom(x, dw, sh, sw, ph, pw, groups), seg(c.dense(x)), seg(c.dense(dy)), seg(dw));
        }
    }

    @Override
    public void upfirdn2d(Tensor x, Tensor k, boolean flipKernel, int upX, int upY, int downX, int downY,
                          int padX0, int padX1, int padY0, int padY1, Tensor out) {
        try (Copies c = new Copies()) {
            Upfirdn2dKernel.run(f64(out), seg(c.dense(x)), x.shape(), seg(c.dense(k)), k.shape(0), k.shape(1), flipKernel,
                    upX, upY, downX, downY, padX0, padY0, seg(out), out.shape(2), out.shape(3));
        }
    }

    @Override
    public void maxPool2d(Tensor x, Tensor out, int k, int stride, int pad) {
        try (Copies c = new Copies()) {
            Pool.max(f64(out), seg(c.dense(x)), x.shape(), seg(out), out.shape(2), out.shape(3), k, stride, pad, null);
        }
    }

    @Override
    public void maxPool2dBackward(Tensor x, Tensor dy, Tensor dx, int k, int stride, int pad) {
        fill(dx, 0);
        try (Copies c = new Copies()) {
            Pool.max(f64(dx), seg(c.dense(x)), x.shape(), seg(c.dense(dy)), dy.shape(2), dy.shape(3), k, stride, pad, seg(dx));
        }
    }

    @Override
    public void random(Tensor out, long seed, long offset, boolean uniform) {
        MemorySegment s = seg(out);
        boolean d = f64(out);
        long n = out.numel(), o = out.offset();
        Parallel.forRange((int) n, 4096, (from, to) -> {
            int[] scratch = new int[4];
            for (int i = from; i < to; i++) {
                double v = uniform ? Philox.uniform(seed, offset + i, scratch) : Philox.normal(seed, offset + i, scratch);
                // Rounding to float32 must not turn a uniform value just below 1 into 1: keep [0, 1).
                if (uniform && !d && (float) v >= 1f) v = Math.nextDown(1f);
                set(s, d, o + i, v);
            }
        });
    }

    // ---------------------------------------------------------------- fused primitives (contracts in Backend)

    @Override
    public void biasAct(Tensor x, Tensor b, Tensor y, double slope, double gain) {
        BiasActKernel.forward(x, b, y, slope, gain);
    }

    @Override
    public void biasActBackward(Tensor dy, Tensor y, Tensor dx, double slope, double gain) {
        BiasActKernel.backward(dy, y, dx, slope, gain);
    }

    @Override
    public void modulation(Tensor x, Tensor gammaBeta, Tensor y, Tensor mean, Tensor rstd, boolean instanceNorm, double eps) {
        ModulationKernel.forward(x, gammaBeta, y, mean, rstd, instanceNorm, eps);
    }

    @Override
    public void modulationBackward(Tensor dy, Tensor x, Tensor gammaBeta, Tensor mean, Tensor rstd,
                                   Tensor dx, Tensor dGammaBeta, boolean instanceNorm) {
        ModulationKernel.backward(dy, x, gammaBeta, mean, rstd, dx, dGammaBeta, instanceNorm);
    }

    @Override
    public void adam(Tensor[] params, Tensor[] grads, Tensor[] expAvg, Tensor[] expAvgSq,
                     double[] stepSize, double[] biasCorrection2Sqrt, double beta1, double beta2, double eps) {
        OptimizerKernels.adam(params, grads, expAvg, expAvgSq, stepSize, biasCorrection2Sqrt, beta1, beta2, eps);
    }

    @Override
    public void ema(Tensor[] targets, Tensor[] sources, double decay) {
        OptimizerKernels.ema(targets, sources, decay);
    }
}

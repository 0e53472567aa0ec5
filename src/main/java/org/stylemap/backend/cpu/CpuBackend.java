package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import org.stylemap.backend.Backend;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.UnaryOp;
import org.stylemap.memory.Scope;
import org.stylemap.memory.Storage;
import org.stylemap.random.Philox;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
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

    /** Bytes held by live CPU storages (all scopes and long-lived), for memory reports. */
    public static long liveBytes() {
        return CpuStorage.LIVE_BYTES.get();
    }

    @Override
    public Storage allocate(DType dtype, long numel) {
        Storage s = new CpuStorage(this, dtype, numel);
        Scope.register(s);
        return s;
    }

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
    public void write(Tensor dst, double[] values) {
        MemorySegment s = seg(dst);
        boolean d = f64(dst);
        long o = dst.offset();
        for (int i = 0; i < values.length; i++) set(s, d, o + i, values[i]);
    }

    @Override
    public double[] read(Tensor src) {
        long n = src.numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large to read to the host: " + src);
        double[] out = new double[(int) n];
        MemorySegment s = seg(src);
        boolean d = f64(src);
        long inner = src.rank() == 0 ? 1 : src.stride(-1);
        // Rows are visited in parallel; compute each row's place in the output from its offset order.
        long[] cstr = org.stylemap.tensor.Shape.contiguousStrides(src.shape());
        Strided.forEachRow(src.shape(), new long[][] {src.strides(), cstr}, new long[] {src.offset(), 0}, (offs, len) -> {
            long so = offs[0];
            int oo = (int) offs[1];
            for (int i = 0; i < len; i++) out[oo + i] = get(s, d, so + i * inner);
        });
        return out;
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
        GemmOperand ga = gemmOperand(a), gb = gemmOperand(b);
        Gemm.gemmBatched(f64(out), ga.trans, gb.trans, batch, m, n, k, 1.0,
                seg(ga.t), ga.t.offset(), ga.ld, ga.t.stride(0), seg(gb.t), gb.t.offset(), gb.ld, gb.t.stride(0),
                0.0, seg(out), out.offset(), n, (long) m * n);
    }

    /** A [B,R,C] matrix batch as GEMM sees it: unit stride along rows (trans) or columns, else a copy. */
    private record GemmOperand(Tensor t, boolean trans, int ld) {}

    private GemmOperand gemmOperand(Tensor t) {
        int r = t.shape(1), c = t.shape(2);
        long sr = t.stride(1), sc = t.stride(2);
        if ((sc == 1 || c == 1) && (r == 1 || sr >= c)) return new GemmOperand(t, false, (int) (r == 1 ? c : sr));
        if ((sr == 1 || r == 1) && (c == 1 || sc >= r)) return new GemmOperand(t, true, (int) (c == 1 ? r : sc));
        Tensor copy = copyOf(t);
        return new GemmOperand(copy, false, c);
    }

    private Tensor copyOf(Tensor t) {
        Tensor c = Tensor.empty(t.dtype(), t.device(), t.shape());
        assign(c, t);
        return c;
    }

    private static ConvGeom geom(Tensor x, Tensor w, int sh, int sw, int ph, int pw, int groups) {
        return new ConvGeom(x.shape(0), x.shape(1), x.shape(2), x.shape(3), w.shape(0), w.shape(2), w.shape(3),
                sh, sw, ph, pw, groups);
    }

    private Tensor contiguous(Tensor t) {
        return t.isContiguous() && t.offset() == 0 ? t : copyOf(t);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor y, int sh, int sw, int ph, int pw, int groups) {
        x = contiguous(x);
        w = contiguous(w);
        ConvKernels.forward(f64(y), geom(x, w, sh, sw, ph, pw, groups), seg(x), seg(w), seg(y));
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, int sh, int sw, int ph, int pw, int groups) {
        dy = contiguous(dy);
        w = contiguous(w);
        ConvKernels.backwardData(f64(dx), geom(dx, w, sh, sw, ph, pw, groups), seg(dy), seg(w), seg(dx));
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor dy, Tensor dw, int sh, int sw, int ph, int pw, int groups) {
        x = contiguous(x);
        dy = contiguous(dy);
        ConvKernels.backwardWeight(f64(dw), geom(x, dw, sh, sw, ph, pw, groups), seg(x), seg(dy), seg(dw));
    }

    @Override
    public void upfirdn2d(Tensor x, Tensor k, int upX, int upY, int downX, int downY,
                          int padX0, int padX1, int padY0, int padY1, Tensor out) {
        x = contiguous(x);
        k = contiguous(k);
        Upfirdn2dKernel.run(f64(out), seg(x), x.shape(), seg(k), k.shape(0), k.shape(1), upX, upY, downX, downY,
                padX0, padY0, seg(out), out.shape(2), out.shape(3));
    }

    @Override
    public void maxPool2d(Tensor x, Tensor out, int k, int stride, int pad) {
        x = contiguous(x);
        Pool.max(f64(out), seg(x), x.shape(), seg(out), out.shape(2), out.shape(3), k, stride, pad, null);
    }

    @Override
    public void maxPool2dBackward(Tensor x, Tensor dy, Tensor dx, int k, int stride, int pad) {
        x = contiguous(x);
        dy = contiguous(dy);
        fill(dx, 0);
        Pool.max(f64(dx), seg(x), x.shape(), seg(dy), dy.shape(2), dy.shape(3), k, stride, pad, seg(dx));
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

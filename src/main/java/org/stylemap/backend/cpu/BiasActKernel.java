package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.stylemap.tensor.Tensor;

/**
 * CPU twin of kernels/bias_act.cu: bias + leaky ReLU with gain and its gradient (contracts in
 * Backend.biasAct / biasActBackward). float32 runs on the Vector API, rounding after every step
 * as the composite reference does (so both give the same bits); float64 runs plain loops.
 * x is read as [outer, C, inner] rows: a row of inner elements shares one bias value, except for
 * inner == 1 (a linear layer's [N, C] output), where the bias runs along the row.
 */
final class BiasActKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE;
    /** Elements per parallel chunk at least: below this a thread hand-off costs more than it saves. */
    private static final int GRAIN = 1 << 14;

    private BiasActKernel() {}

    static void forward(Tensor x, Tensor b, Tensor y, double slope, double gain) {
        boolean f64 = CpuBackend.f64(x);
        MemorySegment sx = CpuBackend.seg(x), sy = CpuBackend.seg(y), sb = b == null ? null : CpuBackend.seg(b);
        long xo = x.offset(), yo = y.offset(), bo = b == null ? 0 : b.offset();
        int c = x.shape(1);
        long inner = x.numel() / ((long) x.shape(0) * c);
        boolean biasAlongRow = inner == 1;
        int rowLen = (int) (biasAlongRow ? c : inner);
        long rowsL = x.numel() / Math.max(1, rowLen);
        if (rowsL > Integer.MAX_VALUE) throw new IllegalArgumentException("bias_act: tensor too large for the CPU kernel: " + x);
        Parallel.forRange((int) rowsL, Math.max(1, GRAIN / Math.max(1, rowLen)), (from, to) -> {
            for (int r = from; r < to; r++) {
                long off = (long) r * rowLen;
                // bias of this row: one value (index r mod C), or the whole vector along the row
                long bRow = biasAlongRow ? bo : bo + r % c;
                if (f64) rowF64(sx, xo + off, sy, yo + off, rowLen, sb, bRow, biasAlongRow, slope, gain);
                else rowF32(sx, xo + off, sy, yo + off, rowLen, sb, bRow, biasAlongRow, (float) slope, (float) gain);
            }
        });
    }

    private static void rowF64(MemorySegment x, long xo, MemorySegment y, long yo, int len, MemorySegment b, long bo,
                               boolean biasAlongRow, double slope, double gain) {
        double bias = b == null || biasAlongRow ? 0 : b.getAtIndex(D, bo);
        for (int i = 0; i < len; i++) {
            double v = x.getAtIndex(D, xo + i) + (b == null ? 0 : biasAlongRow ? b.getAtIndex(D, bo + i) : bias);
            y.setAtIndex(D, yo + i, (v > 0 ? v : v * slope) * gain);
        }
    }

    private static void rowF32(MemorySegment x, long xo, MemorySegment y, long yo, int len, MemorySegment b, long bo,
                               boolean biasAlongRow, float slope, float gain) {
        float bias = b == null || biasAlongRow ? 0f : b.getAtIndex(F, bo);
        FloatVector biasV = FloatVector.broadcast(S, bias);
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += S.length()) {
            FloatVector bv = biasAlongRow && b != null ? FloatVector.fromMemorySegment(S, b, (bo + i) * 4, NATIVE) : biasV;
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, NATIVE).add(bv);
            v.blend(v.mul(slope), v.compare(VectorOperators.GT, 0f).not()).mul(gain)
                    .intoMemorySegment(y, (yo + i) * 4, NATIVE);
        }
        for (; i < len; i++) {
            float v = x.getAtIndex(F, xo + i) + (biasAlongRow && b != null ? b.getAtIndex(F, bo + i) : bias);
            y.setAtIndex(F, yo + i, (v > 0 ? v : v * slope) * gain);
        }
    }

    static void backward(Tensor dy, Tensor y, Tensor dx, double slope, double gain) {
        boolean f64 = CpuBackend.f64(dy);
        MemorySegment sdy = CpuBackend.seg(dy), sy = CpuBackend.seg(y), sdx = CpuBackend.seg(dx);
        long dyo = dy.offset(), yo = y.offset(), dxo = dx.offset(), n = dy.numel();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("bias_act: tensor too large for the CPU kernel: " + dy);
        Parallel.forRange((int) n, GRAIN, (from, to) -> {
            if (f64) {
                for (int i = from; i < to; i++) {
                    double t = sdy.getAtIndex(D, dyo + i) * gain;
                    sdx.setAtIndex(D, dxo + i, sy.getAtIndex(D, yo + i) > 0 ? t : t * slope);
                }
                return;
            }
            float s = (float) slope, g = (float) gain;
            int i = from;
            for (int upper = from + S.loopBound(to - from); i < upper; i += S.length()) {
                FloatVector t = FloatVector.fromMemorySegment(S, sdy, (dyo + i) * 4, NATIVE).mul(g);
                VectorMask<Float> positive = FloatVector.fromMemorySegment(S, sy, (yo + i) * 4, NATIVE).compare(VectorOperators.GT, 0f);
                t.mul(s).blend(t, positive).intoMemorySegment(sdx, (dxo + i) * 4, NATIVE);
            }
            for (; i < to; i++) {
                float t = sdy.getAtIndex(F, dyo + i) * g;
                sdx.setAtIndex(F, dxo + i, sy.getAtIndex(F, yo + i) > 0 ? t : t * s);
            }
        });
    }
}

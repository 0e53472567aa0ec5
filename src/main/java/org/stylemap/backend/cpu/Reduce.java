package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.stylemap.tensor.Tensor;

/**
 * Sum reductions. Sums are accumulated in double and combined in a fixed block order, so the
 * result does not depend on the number of threads.
 */
final class Reduce {
    /** Reduced elements per partial sum when one output element has many inputs. */
    private static final int BLOCK = 8192;

    private Reduce() {}

    /** out has x's rank; a dimension of size 1 in out (and not in x) is reduced. */
    static void sum(Tensor x, Tensor out) {
        int rank = x.rank();
        int[] xs = x.shape(), os = out.shape();
        long[] xst = x.strides();
        int nKept = 0, nRed = 0;
        for (int d = 0; d < rank; d++) if (os[d] == xs[d]) nKept++; else nRed++;
        int[] kShape = new int[nKept], rShape = new int[nRed];
        long[] kStr = new long[nKept], rStr = new long[nRed];
        for (int d = 0, ki = 0, ri = 0; d < rank; d++) {
            if (os[d] == xs[d]) { kShape[ki] = xs[d]; kStr[ki++] = xst[d]; }
            else { rShape[ri] = xs[d]; rStr[ri++] = xst[d]; }
        }
        long nk = org.stylemap.tensor.Shape.numel(kShape), nr = org.stylemap.tensor.Shape.numel(rShape);
        MemorySegment sx = CpuBackend.seg(x), so = CpuBackend.seg(out);
        boolean f64 = CpuBackend.f64(x);
        long base = x.offset(), outBase = out.offset();
        long blocks = (nr + BLOCK - 1) / BLOCK;
        if (nk >= Parallel.THREADS || blocks <= 1) {
            Parallel.forRange((int) nk, Math.max(1, (int) (65536 / Math.max(1, nr))), (from, to) -> {
                for (int k = from; k < to; k++) {
                    long off = base + offsetOf(k, kShape, kStr);
                    // The same block order as the partial-sum path below, so a result never depends
                    // on which path (and so on how many outputs or threads) computed it.
                    double s = 0;
                    for (long blk = 0; blk < blocks; blk++)
                        s += sumRange(sx, f64, off, rShape, rStr, blk * BLOCK, Math.min(nr, (blk + 1) * BLOCK));
                    CpuBackend.set(so, f64, outBase + k, s);
                }
            });
            return;
        }
        // Few outputs with many inputs each: partial sums over fixed blocks, combined in order.
        double[] partial = new double[(int) (nk * blocks)];
        Parallel.forRange((int) (nk * blocks), 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                long k = t / blocks, blk = t % blocks;
                long off = base + offsetOf(k, kShape, kStr);
                partial[t] = sumRange(sx, f64, off, rShape, rStr, blk * BLOCK, Math.min(nr, (blk + 1) * BLOCK));
            }
        });
        for (long k = 0; k < nk; k++) {
            double s = 0;
            for (long blk = 0; blk < blocks; blk++) s += partial[(int) (k * blocks + blk)];
            CpuBackend.set(so, f64, outBase + k, s);
        }
    }

    static long offsetOf(long linear, int[] shape, long[] strides) {
        long off = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            off += (linear % shape[d]) * strides[d];
            linear /= shape[d];
        }
        return off;
    }

    /**
     * The float32 run s[off, off + len) summed in double: four interleaved partial sums (one
     * chain of dependent additions would wait on each one's latency), added in a fixed order.
     */
    private static double sumF32(MemorySegment s, long off, int len) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int j = 0;
        for (; j + 4 <= len; j += 4) {
            a0 += s.getAtIndex(ValueLayout.JAVA_FLOAT, off + j);
            a1 += s.getAtIndex(ValueLayout.JAVA_FLOAT, off + j + 1);
            a2 += s.getAtIndex(ValueLayout.JAVA_FLOAT, off + j + 2);
            a3 += s.getAtIndex(ValueLayout.JAVA_FLOAT, off + j + 3);
        }
        for (; j < len; j++) a0 += s.getAtIndex(ValueLayout.JAVA_FLOAT, off + j);
        return (a0 + a1) + (a2 + a3);
    }

    /** Sum of the elements with linear indices [from, to) of the (shape, strides) block at base. */
    private static double sumRange(MemorySegment s, boolean f64, long base, int[] shape, long[] strides, long from, long to) {
        int r = shape.length;
        if (r == 0) return from < to ? CpuBackend.get(s, f64, base) : 0;
        int inner = shape[r - 1];
        long innerStride = strides[r - 1];
        double acc = 0;
        long i = from;
        while (i < to) {
            long rowStart = i - i % inner;
            long off = base + offsetOf(i, shape, strides);
            int len = (int) Math.min(to - i, rowStart + inner - i);
            if (innerStride == 1 && !f64) {
                acc += sumF32(s, off, len);
            } else {
                for (int j = 0; j < len; j++) acc += CpuBackend.get(s, f64, off + j * innerStride);
            }
            i += len;
        }
        return acc;
    }
}

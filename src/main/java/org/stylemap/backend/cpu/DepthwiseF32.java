package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 single-channel 2-D correlations at stride 1, one plane at a time: depthwise
 * convolutions (forward, backward-data, weight gradient; upfirdn2d keeps double sums, see
 * Upfirdn2dKernel). The input
 * plane is first copied into a zero-bordered heap plane ({@link HeapPlanes}), so the inner loops
 * read arrays with neither bounds arithmetic nor masks; each vector of columns of ROWS output
 * rows sums every tap in registers (ROWS independent FMA chains) and is stored once.
 */
final class DepthwiseF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output rows computed together: four independent FMA chains. */
    static final int ROWS = 4;

    private DepthwiseF32() {}

    /**
     * y[r, c] = sum over i < kh, j < kw of taps[i * kw + j] * x[r - top + i, c - left + j] for
     * r < outH, c < outW, reading zero outside the h x w plane at x[xPlane] (negative top or left
     * crop it); with accumulate the sum is added to y instead of overwriting it. hp: this thread's buffers.
     */
    static void correlate(HeapPlanes hp, MemorySegment x, long xPlane, int h, int w, int top, int left, float[] taps, int kh, int kw,
                          MemorySegment y, long yPlane, int outH, int outW, boolean accumulate) {
        int stride = paddedStride(outW, kw), outStride = roundUp(outW), rows = rowsFor(outH) + kh - 1;
        float[] p = hp.get(HeapPlanes.PLANE, rows * stride), o = hp.get(HeapPlanes.OUT, ROWS * outStride);
        HeapPlanes.pad(p, x, xPlane, h, w, top, left, outH + kh - 1, stride, rows);
        for (int r = 0; r < outH; r += ROWS) {
            int valid = Math.min(ROWS, outH - r);
            if (accumulate)
                for (int q = 0; q < valid; q++)
                    MemorySegment.copy(y, ValueLayout.JAVA_FLOAT, (yPlane + (long) (r + q) * outW) * Float.BYTES, o, q * outStride, outW);
            for (int c0 = 0; c0 < outW; c0 += L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < kh; i++) {
                    int row = (r + i) * stride + c0;
                    for (int j = 0; j < kw; j++) {
                        FloatVector t = FloatVector.broadcast(S, taps[i * kw + j]);
                        int at = row + j;
                        a0 = FloatVector.fromArray(S, p, at).fma(t, a0);
                        a1 = FloatVector.fromArray(S, p, at + stride).fma(t, a1);
                        a2 = FloatVector.fromArray(S, p, at + 2 * stride).fma(t, a2);
                        a3 = FloatVector.fromArray(S, p, at + 3 * stride).fma(t, a3);
                    }
                }
                if (accumulate) {
                    a0 = a0.add(FloatVector.fromArray(S, o, c0));
                    a1 = a1.add(FloatVector.fromArray(S, o, outStride + c0));
                    a2 = a2.add(FloatVector.fromArray(S, o, 2 * outStride + c0));
                    a3 = a3.add(FloatVector.fromArray(S, o, 3 * outStride + c0));
                }
                a0.intoArray(o, c0);
                a1.intoArray(o, outStride + c0);
                a2.intoArray(o, 2 * outStride + c0);
                a3.intoArray(o, 3 * outStride + c0);
            }
            for (int q = 0; q < valid; q++)
                MemorySegment.copy(o, q * outStride, y, ValueLayout.JAVA_FLOAT, (yPlane + (long) (r + q) * outW) * Float.BYTES, outW);
        }
    }

    /**
     * Adds to acc[i * kw + j] the weight gradient of {@link #correlate} for one (x plane, dy
     * plane) pair: the sum over r < outH, c < outW of dy[r, c] * x[r - top + i, c - left + j].
     * dy is padded with zeros to whole vectors and row blocks, so no load needs a mask; four
     * rows' partial sums per tap, added up in a fixed order.
     */
    static void weight(HeapPlanes hp, MemorySegment x, long xPlane, int h, int w, int top, int left, MemorySegment dy, long yPlane,
                       int outH, int outW, int kh, int kw, double[] acc) {
        int stride = paddedStride(outW, kw), dyStride = roundUp(outW), dyRows = rowsFor(outH);
        float[] p = hp.get(HeapPlanes.PLANE, (dyRows + kh - 1) * stride);
        float[] d = hp.get(HeapPlanes.AUX, dyRows * dyStride);
        HeapPlanes.pad(p, x, xPlane, h, w, top, left, outH + kh - 1, stride, dyRows + kh - 1);
        HeapPlanes.pad(d, dy, yPlane, outH, outW, 0, 0, outH, dyStride, dyRows);
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int r = 0; r < outH; r += ROWS)
                    for (int c0 = 0; c0 < outW; c0 += L) {
                        int yAt = r * dyStride + c0, xAt = (r + i) * stride + c0 + j;
                        a0 = FloatVector.fromArray(S, d, yAt).fma(FloatVector.fromArray(S, p, xAt), a0);
                        a1 = FloatVector.fromArray(S, d, yAt + dyStride).fma(FloatVector.fromArray(S, p, xAt + stride), a1);
                        a2 = FloatVector.fromArray(S, d, yAt + 2 * dyStride).fma(FloatVector.fromArray(S, p, xAt + 2 * stride), a2);
                        a3 = FloatVector.fromArray(S, d, yAt + 3 * dyStride).fma(FloatVector.fromArray(S, p, xAt + 3 * stride), a3);
                    }
                acc[i * kw + j] += Lanes.sum(a0.add(a1).add(a2.add(a3)));
            }
    }

    /** Row stride of a padded input plane: every vector of outputs reads kw - 1 columns past its start. */
    private static int paddedStride(int outW, int kw) {
        return roundUp(outW) + kw - 1;
    }

    /** Rows rounded up to whole row blocks. */
    private static int rowsFor(int outH) {
        return (outH + ROWS - 1) / ROWS * ROWS;
    }

    /** Columns rounded up to whole vectors. */
    private static int roundUp(int n) {
        return (n + L - 1) / L * L;
    }
}

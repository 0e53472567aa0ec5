package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class ReductionsTest {
    private static final int[] S = {3, 4, 5};

    /** Naive sums over dims (null: all); returns [sums, counts] with the output laid out over the kept dims. */
    static double[][] sumRef(double[] x, int[] shape, int[] dims) {
        boolean[] red = new boolean[shape.length];
        if (dims == null) java.util.Arrays.fill(red, true);
        else for (int d : dims) red[d < 0 ? d + shape.length : d] = true;
        int outN = 1;
        for (int d = 0; d < shape.length; d++) if (!red[d]) outN *= shape[d];
        double[] sum = new double[outN];
        int count = x.length / outN;
        for (int i = 0; i < x.length; i++) sum[keptIndex(i, shape, red)] += x[i];
        return new double[][] {sum, {count}};
    }

    static int[] outShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] red = new boolean[shape.length];
        if (dims == null) java.util.Arrays.fill(red, true);
        else for (int d : dims) red[d < 0 ? d + shape.length : d] = true;
        int n = 0;
        for (int d = 0; d < shape.length; d++) if (keepdim || !red[d]) n++;
        int[] o = new int[n];
        for (int d = 0, j = 0; d < shape.length; d++) if (keepdim || !red[d]) o[j++] = red[d] ? 1 : shape[d];
        return o;
    }

    private static final int[][] DIMS = {null, {0}, {1}, {2}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};

    @Test
    void sumForwardAndGrad() {
        Tensor x = randn(1, S);
        for (int[] dims : DIMS)
            for (boolean keep : new boolean[] {false, true}) {
                Tensor y = x.sum(dims, keep);
                assertShape(y, outShape(S, dims, keep));
                assertClose(sumRef(x.toDoubleArray(), S, dims)[0], y, 1e-14);
                assertGradOk(t -> t[0].sum(dims, keep), x);
            }
        assertEquals(0, x.sum().rank());
    }

    @Test
    void meanForwardAndGrad() {
        Tensor x = randn(2, S);
        for (int[] dims : DIMS)
            for (boolean keep : new boolean[] {false, true}) {
                double[][] r = sumRef(x.toDoubleArray(), S, dims);
                double[] expect = r[0].clone();
                for (int i = 0; i < expect.length; i++) expect[i] /= r[1][0];
                Tensor y = x.mean(dims, keep);
                assertShape(y, outShape(S, dims, keep));
                assertClose(expect, y, 1e-14);
                assertGradOk(t -> t[0].mean(dims, keep), x);
            }
    }

    @Test
    void varHandChecked() {
        Tensor x = of(new double[] {1, 2, 3, 4}, 4);
        assertEquals(1.25, Reductions.var(x, null, false, false).item(), 1e-15);
        assertEquals(5.0 / 3.0, Reductions.var(x, null, false, true).item(), 1e-15);
        Tensor m = of(new double[] {1, 2, 3, 4, 6, 8}, 2, 3);
        // rows: {1,2,3} var 2/3 biased, 1 unbiased; {4,6,8} var 8/3 biased, 4 unbiased
        assertArrayEquals(new double[] {2.0 / 3, 8.0 / 3}, Reductions.var(m, new int[] {1}, false, false).toDoubleArray(), 1e-14);
        assertArrayEquals(new double[] {1, 4}, Reductions.var(m, new int[] {1}, false, true).toDoubleArray(), 1e-14);
        // columns: {1,4} {2,6} {3,8}: biased 2.25, 4, 6.25
        Tensor cols = Reductions.var(m, new int[] {0}, true, false);
        assertShape(cols, 1, 3);
        assertArrayEquals(new double[] {2.25, 4, 6.25}, cols.toDoubleArray(), 1e-14);
    }

    @Test
    void varForwardAndGrad() {
        Tensor x = randn(3, S);
        double[] xv = x.toDoubleArray();
        for (int[] dims : DIMS)
            for (boolean keep : new boolean[] {false, true})
                for (boolean unbiased : new boolean[] {false, true}) {
                    double[][] r = sumRef(xv, S, dims);
                    int n = (int) r[1][0];
                    // two-pass reference: mean, then squared deviations, via the same index mapping
                    double[] mean = r[0].clone();
                    for (int i = 0; i < mean.length; i++) mean[i] /= n;
                    double[] sq = new double[xv.length];
                    double[] meanFull = broadcastBack(mean, S, dims);
                    for (int i = 0; i < xv.length; i++) sq[i] = (xv[i] - meanFull[i]) * (xv[i] - meanFull[i]);
                    double[] expect = sumRef(sq, S, dims)[0];
                    for (int i = 0; i < expect.length; i++) expect[i] /= unbiased ? n - 1 : n;
                    Tensor y = Reductions.var(x, dims, keep, unbiased);
                    assertShape(y, outShape(S, dims, keep));
                    assertClose(expect, y, 1e-13);
                    assertGradOk(t -> Reductions.var(t[0], dims, keep, unbiased), x);
                }
    }

    /** Spreads per-output values back over the input positions (reference helper). */
    private static double[] broadcastBack(double[] out, int[] shape, int[] dims) {
        boolean[] red = new boolean[shape.length];
        if (dims == null) java.util.Arrays.fill(red, true);
        else for (int d : dims) red[d < 0 ? d + shape.length : d] = true;
        int n = (int) numel(shape);
        double[] full = new double[n];
        for (int i = 0; i < n; i++) full[i] = out[keptIndex(i, shape, red)];
        return full;
    }

    @Test
    void reductionsOfStridedViews() {
        Tensor x = randn(4, 5, 7);
        Tensor t = x.transpose(0, 1).slice(0, 1, 6);   // [5, 5], non-contiguous with an offset
        double[] tv = t.toDoubleArray();
        assertClose(sumRef(tv, new int[] {5, 5}, new int[] {1})[0], t.sum(new int[] {1}, false), 1e-14);
        assertClose(sumRef(tv, new int[] {5, 5}, new int[] {0})[0], t.sum(new int[] {0}, false), 1e-14);
        assertGradOk(a -> a[0].transpose(0, 1).slice(0, 1, 6).sum(new int[] {0}, true).exp(), x);
    }

    @Test
    void oddSizes() {
        for (int[] s : new int[][] {{1}, {1, 1}, {7, 1, 3}, {1, 5, 1}}) {
            Tensor x = randn(5, s);
            assertClose(sumRef(x.toDoubleArray(), s, null)[0], x.sum(), 1e-14);
            assertGradOk(t -> t[0].mean(new int[] {0}, false), x);
        }
    }

    @Test
    void secondOrder() {
        Tensor x = randn(6, 3, 1, 5);
        assertSecondOk(t -> t[0].square().sum(new int[] {2}, true).mul(t[0]), x);
        assertSecondOk(t -> t[0].mean(new int[] {0, 2}, false).square(), x);
        assertSecondOk(t -> Reductions.var(t[0], new int[] {2}, false, false).sqrt(), x);
        assertSecondOk(t -> Reductions.var(t[0], new int[] {0}, true, true).mul(t[0]), x);
        assertSecondOk(t -> Reductions.var(t[0], null, false, false), x);
    }

    // ------------------------------------------------------------------ determinism of the CPU sum

    @Test
    void largeFloat32SumIsBitwiseReproducible() {
        Tensor x = Tensor.randn(new Rng(99), DType.F32, CPU, 1 << 22);
        double a = x.sum().item(), b = x.sum().item();
        assertEquals(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b));
        Tensor m = x.reshape(4, 1 << 20);
        double[] r1 = m.sum(new int[] {1}, false).toDoubleArray(), r2 = m.sum(new int[] {1}, false).toDoubleArray();
        assertArrayEquals(r1, r2, 0.0);
        // and it is the right sum (double reference over the float values)
        double[] v = x.toDoubleArray();
        double ref = 0;
        for (double d : v) ref += d;
        assertEquals(ref, a, 1e-6 * Math.sqrt(v.length));
    }

    @Test
    void largePermutedSumsMatchNaive() {
        // many reduced elements per output (block partial sums) over a non-contiguous multi-dim block
        Tensor x = randn(12, 3, 90, 120);
        Tensor p = x.permute(2, 0, 1);   // [120, 3, 90]
        double[] pv = p.toDoubleArray();
        int[] ps = {120, 3, 90};
        for (int[] dims : new int[][] {null, {0, 2}, {0}, {1, 2}}) {
            double[] ref = sumRef(pv, ps, dims)[0];
            assertClose(ref, p.sum(dims, false), 1e-12);
        }
        assertClose(sumRef(pv, ps, new int[] {0, 2})[0], p.to(DType.F32).sum(new int[] {0, 2}, false), 1e-5);
    }

    /**
     * The order in which one output's inputs are added must not depend on how many other outputs are
     * computed at the same time (nor, so, on the thread count): row i of a batched sum is bitwise the
     * sum of row i alone.
     */
    @Test
    void rowSumDoesNotDependOnBatching() {
        int rows = 64, cols = 50_001;
        Tensor x = Tensor.randn(new Rng(7), DType.F64, CPU, rows, cols).mul(1000).add(0.1);
        double[] batched = x.sum(new int[] {1}, false).toDoubleArray();
        for (int r : new int[] {0, 1, 37, rows - 1}) {
            double alone = x.slice(0, r, r + 1).sum().item();
            assertEquals(Double.doubleToRawLongBits(alone), Double.doubleToRawLongBits(batched[r]),
                    "row " + r + ": alone " + alone + " batched " + batched[r]);
        }
    }

    /** Row-major index, among the kept dimensions, of element i of a tensor of this shape. */
    private static int keptIndex(int i, int[] shape, boolean[] reduced) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = i % shape[d];
            i /= shape[d];
        }
        int o = 0;
        for (int d = 0; d < shape.length; d++) if (!reduced[d]) o = o * shape[d] + at[d];
        return o;
    }
}

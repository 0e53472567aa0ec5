package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class ConvTest {

    /** Naive cross-correlation with zero padding and groups (PyTorch's conv2d). */
    static double[] convRef(double[] x, int[] xs, double[] w, int[] ws, int stride, int pad, int groups) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = (h + 2 * pad - kh) / stride + 1, ow = (wd + 2 * pad - kw) / stride + 1, og = o / groups;
        double[] y = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double s = 0;
                        for (int ci = 0; ci < cg; ci++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int yi = i * stride + ki - pad, xj = j * stride + kj - pad;
                                    if (yi < 0 || yi >= h || xj < 0 || xj >= wd) continue;
                                    int inC = (oc / og) * cg + ci;
                                    s += x[((b * c + inC) * h + yi) * wd + xj] * w[((oc * cg + ci) * kh + ki) * kw + kj];
                                }
                        y[((b * o + oc) * oh + i) * ow + j] = s;
                    }
        return y;
    }

    /** Naive transposed convolution (scatter form): w [Cin, Cout, KH, KW]. */
    static double[] convTransposeRef(double[] x, int[] xs, double[] w, int[] ws, int stride, int pad) {
        return convTransposeRef(x, xs, w, ws, stride, pad, (xs[2] - 1) * stride - 2 * pad + ws[2], (xs[3] - 1) * stride - 2 * pad + ws[3]);
    }

    /** The same with an explicit output size (taps that land outside it are dropped). */
    static double[] convTransposeRef(double[] x, int[] xs, double[] w, int[] ws, int stride, int pad, int oh, int ow) {
        int n = xs[0], ci = xs[1], h = xs[2], wd = xs[3], co = ws[1], kh = ws[2], kw = ws[3];
        double[] y = new double[n * co * oh * ow];
        for (int b = 0; b < n; b++)
            for (int c = 0; c < ci; c++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++)
                        for (int o = 0; o < co; o++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int yi = i * stride + ki - pad, yj = j * stride + kj - pad;
                                    if (yi < 0 || yi >= oh || yj < 0 || yj >= ow) continue;
                                    y[((b * co + o) * oh + yi) * ow + yj] += x[((b * ci + c) * h + i) * wd + j] * w[((c * co + o) * kh + ki) * kw + kj];
                                }
        return y;
    }

    // n, c, h, w, o, k, stride, pad, groups
    @ParameterizedTest
    @CsvSource({
            "2, 2, 5, 5, 3, 3, 1, 1, 1",
            "1, 3, 5, 7, 2, 3, 2, 1, 1",
            "2, 2, 6, 5, 2, 3, 2, 0, 1",
            "1, 4, 4, 5, 2, 1, 1, 0, 2",
            "2, 4, 5, 4, 4, 3, 1, 1, 2",
            "1, 3, 5, 5, 3, 3, 2, 1, 3",
            "1, 2, 7, 6, 4, 4, 2, 1, 2",
            "1, 1, 4, 4, 1, 4, 1, 0, 1",
            "2, 2, 3, 3, 1, 1, 2, 0, 1",
            "1, 1, 1, 1, 2, 1, 1, 0, 1",
            "1, 2, 1, 3, 2, 3, 1, 1, 1"})
    void conv2dForwardAndGrad(int n, int c, int h, int w, int o, int k, int stride, int pad, int groups) {
        long seed = n * 1000L + c * 100L + h * 10L + w + o + k + stride + pad + groups;
        Tensor x = randn(seed, n, c, h, w), wt = randn(seed + 1, o, c / groups, k, k);
        Tensor y = Conv.conv2d(x, wt, stride, pad, groups);
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        assertShape(y, n, o, oh, ow);
        assertClose(convRef(x.toDoubleArray(), x.shape(), wt.toDoubleArray(), wt.shape(), stride, pad, groups), y, 1e-13);
        assertGradOk(t -> Conv.conv2d(t[0], t[1], stride, pad, groups), x, wt);
    }

    @Test
    void conv2dFloat32MatchesReference() {
        Tensor x = randn(1, 2, 3, 6, 5), w = randn(2, 4, 3, 3, 3);
        Tensor y = Conv.conv2d(x.to(DType.F32), w.to(DType.F32), 2, 1, 1);
        assertEquals(DType.F32, y.dtype());
        assertClose(convRef(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(), 2, 1, 1), y, 1e-5);
    }

    @Test
    void conv2dOnNonContiguousInput() {
        Tensor big = randn(3, 1, 2, 6, 7);
        Tensor w = randn(4, 2, 2, 3, 3);
        Tensor view = big.slice(3, 1, 6).transpose(2, 3);   // [1,2,5,6], offset and permuted strides
        assertClose(convRef(view.contiguous().toDoubleArray(), view.shape(), w.toDoubleArray(), w.shape(), 1, 1, 1),
                Conv.conv2d(view, w, 1, 1, 1), 1e-13);
        assertGradOk(t -> Conv.conv2d(t[0].slice(3, 1, 6).transpose(2, 3), t[1], 1, 1, 1), big, w);
    }

    @Test
    void conv2dShapeErrors() {
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(randn(1, 1, 3, 5, 5), randn(2, 2, 2, 3, 3), 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(randn(1, 1, 2, 2, 2), randn(2, 2, 2, 3, 3), 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(randn(1, 1, 4, 5, 5), randn(2, 3, 2, 3, 3), 1, 1, 2));
    }

    // n, c, h, w, o, k, stride, pad, groups
    @ParameterizedTest
    @CsvSource({
            "2, 2, 5, 5, 3, 3, 1, 1, 1",
            "1, 3, 6, 5, 2, 3, 2, 1, 1",
            "1, 4, 5, 5, 4, 3, 2, 0, 2",
            "1, 3, 4, 4, 3, 1, 1, 0, 3"})
    void backwardOpsAsOps(int n, int c, int h, int w, int o, int k, int stride, int pad, int groups) {
        long seed = 500 + n + c + h + w + o + k + stride + pad + groups;
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        int[] xs = {n, c, h, w}, ws = {o, c / groups, k, k};
        Tensor x = randn(seed, xs), wt = randn(seed + 1, ws), dy = randn(seed + 2, n, o, oh, ow);
        // adjointness: <conv(x, w), dy> = <x, bwdData(dy, w)> = <w, bwdWeight(x, dy)>
        double lhs = dot(Conv.conv2d(x, wt, stride, pad, groups), dy);
        Tensor dx = Conv.conv2dBackwardData(dy, wt, xs, stride, pad, groups);
        Tensor dw = Conv.conv2dBackwardWeight(x, dy, ws, stride, pad, groups);
        assertShape(dx, xs);
        assertShape(dw, ws);
        assertEquals(lhs, dot(x, dx), 1e-12 * Math.max(1, Math.abs(lhs)));
        assertEquals(lhs, dot(wt, dw), 1e-12 * Math.max(1, Math.abs(lhs)));
        assertGradOk(t -> Conv.conv2dBackwardData(t[0], t[1], xs, stride, pad, groups), dy, wt);
        assertGradOk(t -> Conv.conv2dBackwardWeight(t[0], t[1], ws, stride, pad, groups), x, dy);
    }

    private static double dot(Tensor a, Tensor b) {
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
        double s = 0;
        for (int i = 0; i < av.length; i++) s += av[i] * bv[i];
        return s;
    }

    @Test
    void backwardOpsCheckShapesAndDtypes() {
        Tensor w = randn(1, 2, 2, 3, 3), x = randn(2, 1, 2, 4, 4);
        // dy of the wrong spatial size for xShape (stride 1, pad 1 expects 4x4): must not be read as if it fitted
        Tensor dyBig = randn(3, 1, 2, 5, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Conv.conv2dBackwardData(dyBig, w, new int[] {1, 2, 4, 4}, 1, 1, 1));
        assertTrue(e.getMessage().contains("conv2d_backward_data"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conv.conv2dBackwardWeight(x, dyBig, w.shape(), 1, 1, 1));
        assertTrue(e.getMessage().contains("conv2d_backward_weight"), e.getMessage());
        // wrong channel count
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2dBackwardData(randn(4, 1, 3, 4, 4), w, new int[] {1, 2, 4, 4}, 1, 1, 1));
        // mixed dtypes
        Tensor dy = randn(5, 1, 2, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2dBackwardData(dy.to(DType.F32), w, new int[] {1, 2, 4, 4}, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2dBackwardWeight(x.to(DType.F32), dy, w.shape(), 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.convTranspose2d(randn(6, 1, 2, 3, 3).to(DType.F32), w, 2, 0));
    }

    @Test
    void backwardDataMatchesNaiveScatter() {
        // conv2dBackwardData with a [O, C, K, K] weight is conv_transpose2d with w read as [Cin=O, Cout=C]
        Tensor dy = randn(40, 2, 3, 3, 4), w = randn(41, 3, 2, 3, 3);
        int[] xs = {2, 2, 6, 8};   // stride 2, pad 1: (6 + 2 - 3)/2 + 1 = 3, (8 + 2 - 3)/2 + 1 = 4
        double[] expect = convTransposeRef(dy.toDoubleArray(), dy.shape(), w.toDoubleArray(), w.shape(), 2, 1, 6, 8);
        assertClose(expect, Conv.conv2dBackwardData(dy, w, xs, 2, 1, 1), 1e-13);
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 1", "2, 4, 1", "2, 3, 0", "1, 3, 1", "2, 1, 0"})
    void convTranspose2d(int stride, int k, int pad) {
        Tensor x = randn(50 + k, 2, 3, 3, 2), w = randn(60 + k, 3, 2, k, k);
        Tensor y = Conv.convTranspose2d(x, w, stride, pad);
        int oh = (3 - 1) * stride - 2 * pad + k, ow = (2 - 1) * stride - 2 * pad + k;
        assertShape(y, 2, 2, oh, ow);
        assertClose(convTransposeRef(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(), stride, pad), y, 1e-13);
        assertGradOk(t -> Conv.convTranspose2d(t[0], t[1], stride, pad), x, w);
    }

    @Test
    void convTranspose2dStyleGanUpsample() {
        // StyleGAN2's upsampling conv: conv_transpose2d(x, w, stride=2, padding=0) with a 3x3 kernel, then a blur.
        Tensor x = randn(70, 1, 2, 3, 3), w = randn(71, 2, 2, 3, 3);
        Tensor y = Conv.convTranspose2d(x, w, 2, 0);
        assertShape(y, 1, 2, 7, 7);
        assertClose(convTransposeRef(x.toDoubleArray(), x.shape(), w.toDoubleArray(), w.shape(), 2, 0), y, 1e-13);
        Tensor k = Upfirdn2dTest.blurKernel(4);
        assertGradOk(t -> Upfirdn2d.apply(Conv.convTranspose2d(t[0], t[1], 2, 0), k, 1, 1, 1, 1), x, w);
    }

    @Test
    void convTranspose2dWithATransposedWeightView() {
        // as StyleGAN's upsampling conv passes it: an [O, C, K, K] conv weight viewed as [C, O, K, K]
        Tensor x = randn(72, 2, 3, 2, 3), w = randn(73, 2, 3, 3, 3);   // w [O=2, C=3]
        Tensor wt = w.transpose(0, 1);
        double[] ref = convTransposeRef(x.toDoubleArray(), x.shape(), wt.contiguous().toDoubleArray(), wt.shape(), 2, 0);
        assertClose(ref, Conv.convTranspose2d(x, wt, 2, 0), 1e-13);
        assertGradOk(t -> Conv.convTranspose2d(t[0], t[1].transpose(0, 1), 2, 0), x, w);
        assertSecondOk(t -> Conv.convTranspose2d(t[0], t[1].transpose(0, 1), 2, 0).square(), x, w);
    }

    @Test
    void secondOrderConv2d() {
        Tensor x = randn(80, 2, 2, 5, 4), w = randn(81, 3, 2, 3, 3);
        assertSecondOk(t -> Conv.conv2d(t[0], t[1], 1, 1, 1), x, w);
        assertSecondOk(t -> Conv.conv2d(t[0], t[1], 2, 1, 1).square(), x, w);
        Tensor xg = randn(82, 1, 4, 4, 3), wg = randn(83, 4, 2, 3, 3);
        assertSecondOk(t -> Elementwise.softplus(Conv.conv2d(t[0], t[1], 2, 0, 2)), xg, wg);
    }

    @Test
    void secondOrderConvTranspose2d() {
        Tensor x = randn(84, 1, 2, 3, 2), w = randn(85, 2, 3, 3, 3);
        assertSecondOk(t -> Conv.convTranspose2d(t[0], t[1], 2, 0), x, w);
        assertSecondOk(t -> Conv.convTranspose2d(t[0], t[1], 2, 1).square(), x, w);
    }

    @Test
    void secondOrderBackwardOps() {
        int[] xs = {1, 2, 4, 4}, ws = {2, 2, 3, 3};
        Tensor x = randn(86, xs), w = randn(87, ws), dy = randn(88, 1, 2, 2, 2);
        assertSecondOk(t -> Conv.conv2dBackwardData(t[0], t[1], xs, 2, 1, 1).square(), dy, w);
        assertSecondOk(t -> Conv.conv2dBackwardWeight(t[0], t[1], ws, 2, 1, 1).square(), x, dy);
    }
}

package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.Tensor;

class PoolingTest {

    enum Kind { MAX, AVG, AVG_EXCLUDE_PAD }

    /**
     * Naive pooling: max (padding is -inf), average (padding counts as zero, divisor k*k), or average
     * over the covered pixels only (count_include_pad=False).
     */
    static double[] poolRef(double[] x, int[] xs, int k, int stride, int pad, Kind kind) {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        double[] y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double acc = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : 0;
                    int covered = 0;
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++) {
                            int r = i * stride + a - pad, c = j * stride + b - pad;
                            if (r < 0 || r >= h || c < 0 || c >= w) continue;
                            double v = x[(p * h + r) * w + c];
                            acc = kind == Kind.MAX ? Math.max(acc, v) : acc + v;
                            covered++;
                        }
                    y[(p * oh + i) * ow + j] = switch (kind) {
                        case MAX -> acc;
                        case AVG -> acc / (k * k);
                        case AVG_EXCLUDE_PAD -> acc / covered;
                    };
                }
        return y;
    }

    // n, c, h, w, k, stride, pad
    @ParameterizedTest
    @CsvSource({"1, 2, 4, 4, 2, 2, 0", "2, 1, 5, 7, 3, 2, 1", "1, 3, 3, 5, 3, 1, 1", "1, 1, 5, 5, 2, 1, 0", "2, 2, 1, 1, 1, 1, 0",
            "1, 1, 7, 3, 3, 3, 0"})
    void maxPool2d(int n, int c, int h, int w, int k, int stride, int pad) {
        Tensor x = distinct(n + c + h + w + k + stride + pad, n, c, h, w);
        Tensor y = Pooling.maxPool2d(x, k, stride, pad);
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        assertShape(y, n, c, oh, ow);
        assertClose(poolRef(x.toDoubleArray(), x.shape(), k, stride, pad, Kind.MAX), y, 0);
        assertGradOk(t -> Pooling.maxPool2d(t[0], k, stride, pad), x);
        assertGradOk(t -> Pooling.maxPool2d(t[0].exp(), k, stride, pad), x);   // monotone: keeps values distinct
    }

    @Test
    void maxPoolOverlappingWindowsAccumulate() {
        // 1x3 input, window 2 stride 1: the middle maximum is picked by both windows -> gradient 2
        Tensor x = of(new double[] {0, 5, 1}, 1, 1, 1, 3).requiresGrad(true);
        Tensor y = Pooling.maxPool2d(x, 1, 1, 0);
        assertArrayEquals(new double[] {0, 5, 1}, y.toDoubleArray());
        Tensor x2 = of(new double[] {0, 5, 1, 2, 3, 4}, 1, 1, 2, 3).requiresGrad(true);
        Tensor y2 = Pooling.maxPool2d(x2, 2, 1, 0);
        assertArrayEquals(new double[] {5, 5}, y2.toDoubleArray());
        Autograd.backward(y2.sum());
        assertArrayEquals(new double[] {0, 2, 0, 0, 0, 0}, x2.grad().toDoubleArray());
    }

    @Test
    void maxPoolTiesRouteToTheFirstMaximum() {
        // as PyTorch's CPU kernel: each window's gradient goes to the first maximum in row-major order
        Tensor x = of(new double[] {1, 3, 3, 3, 2, 2, 2, 2}, 1, 2, 2, 2).requiresGrad(true);
        Tensor y = Pooling.maxPool2d(x, 2, 2, 0);
        assertArrayEquals(new double[] {3, 2}, y.toDoubleArray());
        Autograd.backward(y.sum());
        assertArrayEquals(new double[] {0, 1, 0, 0, 1, 0, 0, 0}, x.grad().toDoubleArray());
    }

    @Test
    void maxPoolOfStridedView() {
        Tensor x = distinct(3, 1, 2, 6, 5);
        Tensor v = x.transpose(2, 3);
        assertClose(poolRef(v.contiguous().toDoubleArray(), v.shape(), 2, 2, 0, Kind.MAX), Pooling.maxPool2d(v, 2, 2, 0), 0);
        assertGradOk(t -> Pooling.maxPool2d(t[0].transpose(2, 3), 2, 2, 0), x);
    }

    @Test
    void maxPoolHasNoSecondDerivative() {
        Tensor x = distinct(4, 1, 1, 4, 4).requiresGrad(true);
        Tensor y = Pooling.maxPool2d(x, 2, 2, 0).exp().sum();
        assertThrows(UnsupportedOperationException.class, () -> Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, true));
        // first order still works on the same graph
        Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, false)[0];
        assertEquals(4, java.util.Arrays.stream(g.toDoubleArray()).filter(v -> v != 0).count());
    }

    // n, c, h, w, k, stride, pad, exclude padding from the count
    @ParameterizedTest
    @CsvSource({"1, 2, 4, 4, 2, 2, 0, false", "2, 1, 5, 7, 3, 2, 1, false", "1, 3, 3, 5, 3, 1, 1, false", "1, 1, 1, 1, 1, 1, 0, false",
            "1, 2, 4, 4, 3, 1, 1, true", "2, 1, 5, 7, 3, 2, 1, true", "1, 3, 1, 1, 3, 1, 1, true", "1, 1, 6, 5, 5, 2, 2, true",
            "1, 1, 3, 3, 2, 2, 0, true"})
    void avgPool2d(int n, int c, int h, int w, int k, int stride, int pad, boolean exclude) {
        Tensor x = randn(n + c + h + w + k + stride + pad, n, c, h, w);
        java.util.function.Function<Tensor, Tensor> pool = t -> exclude ? Pooling.avgPool2dExcludePad(t, k, stride, pad)
                : Pooling.avgPool2d(t, k, stride, pad);
        Tensor y = pool.apply(x);
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        assertShape(y, n, c, oh, ow);
        assertClose(poolRef(x.toDoubleArray(), x.shape(), k, stride, pad, exclude ? Kind.AVG_EXCLUDE_PAD : Kind.AVG), y, 1e-14);
        assertGradOk(t -> pool.apply(t[0]), x);
    }

    @Test
    void avgPoolExcludePadOfAConstantIsTheConstant() {
        // the property the FID Inception relies on: borders are not darkened by the zero padding
        Tensor y = Pooling.avgPool2dExcludePad(of(new double[] {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, 1, 1, 2, 3), 3, 1, 1);
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, y.toDoubleArray(), 1e-15);
    }

    @Test
    void avgPoolSecondOrder() {
        assertSecondOk(t -> Pooling.avgPool2d(t[0], 2, 2, 0).square(), randn(5, 1, 2, 4, 5));
    }
}

package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class ResizeTest {

    /** PyTorch's upsample_bilinear2d (align_corners=False) written as a direct loop over output pixels. */
    static double[] bilinearRef(double[] x, int[] xs, int oh, int ow) {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        double[] y = new double[planes * oh * ow];
        double sh = (double) h / oh, sw = (double) w / ow;
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++) {
                double ry = Math.max(sh * (i + 0.5) - 0.5, 0);
                int y0 = (int) ry, y1 = y0 < h - 1 ? y0 + 1 : y0;
                double ly = ry - y0;
                for (int j = 0; j < ow; j++) {
                    double rx = Math.max(sw * (j + 0.5) - 0.5, 0);
                    int x0 = (int) rx, x1 = x0 < w - 1 ? x0 + 1 : x0;
                    double lx = rx - x0;
                    double v00 = x[(p * h + y0) * w + x0], v01 = x[(p * h + y0) * w + x1];
                    double v10 = x[(p * h + y1) * w + x0], v11 = x[(p * h + y1) * w + x1];
                    y[(p * oh + i) * ow + j] = (1 - ly) * ((1 - lx) * v00 + lx * v01) + ly * ((1 - lx) * v10 + lx * v11);
                }
            }
        return y;
    }

    // h, w, oh, ow
    @ParameterizedTest
    @CsvSource({"4, 4, 8, 8", "3, 5, 7, 2", "7, 6, 3, 3", "5, 5, 5, 5", "1, 3, 4, 1", "2, 2, 5, 3", "8, 8, 4, 4"})
    void bilinear(int h, int w, int oh, int ow) {
        Tensor x = randn(h * 10 + w, 2, 1, h, w);
        Tensor y = Resize.bilinear(x, oh, ow);
        assertShape(y, 2, 1, oh, ow);
        assertClose(bilinearRef(x.toDoubleArray(), x.shape(), oh, ow), y, 1e-14);
        assertGradOk(t -> Resize.bilinear(t[0], oh, ow), x);
    }

    @Test
    void handCheckedBilinearUpsample() {
        // [0, 1] -> 4 samples at src positions 0 (clamped), 0.25, 0.75, 1 (clamped to the last index)
        Tensor x = of(new double[] {0, 1}, 1, 1, 1, 2);
        assertArrayEquals(new double[] {0, 0.25, 0.75, 1}, Resize.bilinear(x, 1, 4).toDoubleArray(), 1e-15);
        // 2x downsample by bilinear averages pairs
        Tensor z = of(new double[] {1, 3, 5, 9}, 1, 1, 1, 4);
        assertArrayEquals(new double[] {2, 7}, Resize.bilinear(z, 1, 2).toDoubleArray(), 1e-15);
    }

    @Test
    void float32AndSecondOrder() {
        Tensor x = randn(3, 1, 2, 3, 4);
        assertClose(bilinearRef(x.toDoubleArray(), x.shape(), 5, 2), Resize.bilinear(x.to(DType.F32), 5, 2), 1e-6);
        assertSecondOk(t -> Resize.bilinear(t[0], 5, 2).square(), x);
    }
}

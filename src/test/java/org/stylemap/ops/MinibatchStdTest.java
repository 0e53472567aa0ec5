package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stylemap.tensor.Tensor;

class MinibatchStdTest {

    /**
     * StyleGAN2's minibatch stddev written as loops: group = min(N, groupSize), M = N / group;
     * x viewed as [group, M, F, C/F, H, W]; std over dim 0 (biased variance + 1e-8); mean over
     * (C/F, H, W); sample n = g * M + m gets the F values of slot m; output = cat(x, std maps).
     */
    static double[] reference(double[] x, int n, int c, int h, int w, int groupSize, int features) {
        int group = Math.min(n, groupSize), m = n / group, cf = c / features, hw = h * w;
        double[][] stat = new double[m][features];
        for (int slot = 0; slot < m; slot++)
            for (int f = 0; f < features; f++) {
                double acc = 0;
                for (int ch = 0; ch < cf; ch++)
                    for (int p = 0; p < hw; p++) {
                        int channel = f * cf + ch;
                        double mean = 0;
                        for (int g = 0; g < group; g++) mean += x[((g * m + slot) * c + channel) * hw + p];
                        mean /= group;
                        double var = 0;
                        for (int g = 0; g < group; g++) {
                            double d = x[((g * m + slot) * c + channel) * hw + p] - mean;
                            var += d * d;
                        }
                        acc += Math.sqrt(var / group + 1e-8);
                    }
                stat[slot][f] = acc / (cf * hw);
            }
        double[] y = new double[n * (c + features) * hw];
        for (int s = 0; s < n; s++) {
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < hw; p++) y[(s * (c + features) + ch) * hw + p] = x[(s * c + ch) * hw + p];
            for (int f = 0; f < features; f++)
                for (int p = 0; p < hw; p++) y[(s * (c + features) + c + f) * hw + p] = stat[s % m][f];
        }
        return y;
    }

    // n, c, h, w, groupSize, features
    @ParameterizedTest
    @CsvSource({"4, 3, 2, 2, 4, 1", "8, 2, 3, 1, 4, 1", "8, 4, 2, 3, 4, 2", "2, 3, 2, 2, 4, 1", "6, 2, 1, 2, 2, 1", "1, 2, 2, 2, 4, 1",
            "8, 2, 2, 2, 2, 1"})
    void forward(int n, int c, int h, int w, int groupSize, int features) {
        Tensor x = randn(n * 100 + c * 10 + h + w + groupSize + features, n, c, h, w);
        Tensor y = MinibatchStd.apply(x, groupSize, features);
        assertShape(y, n, c + features, h, w);
        assertClose(reference(x.toDoubleArray(), n, c, h, w, groupSize, features), y, 1e-13);
    }

    @Test
    void handChecked() {
        // N = 2 (group 2), C = 1, 1x1: values 1 and 3 -> biased std 1 -> both samples get 1 (+ tiny eps)
        Tensor x = of(new double[] {1, 3}, 2, 1, 1, 1);
        double[] y = MinibatchStd.apply(x, 4, 1).toDoubleArray();
        assertArrayEquals(new double[] {1, Math.sqrt(1 + 1e-8), 3, Math.sqrt(1 + 1e-8)}, y, 1e-15);
        // N = 4, group 2 -> M = 2: slot 0 holds samples 0 and 2, slot 1 samples 1 and 3
        Tensor x4 = of(new double[] {0, 10, 2, 10}, 4, 1, 1, 1);
        double[] y4 = MinibatchStd.apply(x4, 2, 1).toDoubleArray();
        double s0 = Math.sqrt(1 + 1e-8), s1 = Math.sqrt(1e-8);
        assertArrayEquals(new double[] {0, s0, 10, s1, 2, s0, 10, s1}, y4, 1e-15);
    }

    @Test
    void gradientsBatch4() {
        Tensor x = randn(1, 4, 2, 2, 3);
        assertGradOk(t -> MinibatchStd.apply(t[0], 4, 1), x);
        assertSecondOk(t -> MinibatchStd.apply(t[0], 4, 1), x);
    }

    @Test
    void gradientsBatch8() {
        Tensor x = randn(2, 8, 2, 2, 2);
        assertGradOk(t -> MinibatchStd.apply(t[0], 4, 1), x);
        assertGradOk(t -> MinibatchStd.apply(t[0], 4, 2), x);
        assertSecondOk(t -> MinibatchStd.apply(t[0], 4, 1), x);
    }

    @Test
    void badShapes() {
        assertThrows(IllegalArgumentException.class, () -> MinibatchStd.apply(randn(1, 6, 2, 2, 2), 4, 1));
        assertThrows(IllegalArgumentException.class, () -> MinibatchStd.apply(randn(1, 4, 3, 2, 2), 4, 2));
    }
}

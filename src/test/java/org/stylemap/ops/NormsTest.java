package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.tensor.Tensor;

class NormsTest {

    /** (x - mean) / sqrt(biased var + eps) over contiguous groups of size group. */
    static double[] reference(double[] x, int group, double eps) {
        double[] y = new double[x.length];
        for (int g = 0; g < x.length / group; g++) {
            double m = 0, v = 0;
            for (int i = 0; i < group; i++) m += x[g * group + i];
            m /= group;
            for (int i = 0; i < group; i++) v += (x[g * group + i] - m) * (x[g * group + i] - m);
            v /= group;
            for (int i = 0; i < group; i++) y[g * group + i] = (x[g * group + i] - m) / Math.sqrt(v + eps);
        }
        return y;
    }

    @Test
    void layerNormForward() {
        Tensor x = randn(1, 3, 2, 5).mul(3).add(1);
        assertClose(reference(x.toDoubleArray(), 10, 1e-5), Norms.layerNorm(x, 1e-5), 1e-13);
        // hand-checked: [1, 3] -> mean 2, var 1 -> [-1, 1] / sqrt(1 + eps)
        double[] y = Norms.layerNorm(of(new double[] {1, 3}, 1, 2), 0).toDoubleArray();
        assertArrayEquals(new double[] {-1, 1}, y, 1e-15);
    }

    @Test
    void instanceNormForward() {
        Tensor x = randn(2, 2, 3, 4, 5).mul(2).sub(0.5);
        Tensor y = Norms.instanceNorm(x, 1e-5);
        assertShape(y, 2, 3, 4, 5);
        assertClose(reference(x.toDoubleArray(), 20, 1e-5), y, 1e-13);
    }

    @Test
    void instanceNormOfStridedView() {
        Tensor x = randn(3, 1, 2, 5, 4);
        Tensor v = x.transpose(2, 3);
        assertClose(reference(v.contiguous().toDoubleArray(), 20, 1e-5), Norms.instanceNorm(v, 1e-5), 1e-13);
    }

    @Test
    void gradients() {
        Tensor x = randn(4, 2, 3, 2, 3);
        assertGradOk(t -> Norms.layerNorm(t[0], 1e-5), x);
        assertGradOk(t -> Norms.instanceNorm(t[0], 1e-5), x);
        assertGradOk(t -> Norms.layerNorm(t[0], 1e-5), randn(5, 3, 7));
        assertSecondOk(t -> Norms.instanceNorm(t[0], 1e-5), randn(6, 1, 2, 3, 3));
        assertSecondOk(t -> Norms.layerNorm(t[0], 1e-5), randn(7, 2, 5));
    }
}

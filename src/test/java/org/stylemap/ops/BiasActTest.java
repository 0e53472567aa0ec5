package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class BiasActTest {

    /** Inputs with x + b kept at least 0.05 away from the kink at 0. */
    private static Tensor[] inputs(long seed, int... shape) {
        Tensor b = randn(seed, shape[1]);
        double[] bv = b.toDoubleArray();
        double[] base = awayFromZero(seed + 1, 0.05, shape).toDoubleArray();
        int c = shape[1], inner = 1;
        for (int d = 2; d < shape.length; d++) inner *= shape[d];
        double[] x = new double[base.length];
        for (int i = 0; i < x.length; i++) x[i] = base[i] - bv[(i / inner) % c];   // x + b = base
        return new Tensor[] {of(x, shape), b};
    }

    private static double[] reference(double[] x, double[] b, int c, int inner, double slope, double gain) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i] + (b == null ? 0 : b[(i / inner) % c]);
            y[i] = (v > 0 ? v : slope * v) * gain;
        }
        return y;
    }

    @Test
    void fusedLeakyReluForward() {
        Tensor[] in = inputs(1, 2, 3, 4, 5);
        Tensor y = BiasAct.fusedLeakyRelu(in[0], in[1]);
        assertShape(y, 2, 3, 4, 5);
        assertClose(reference(in[0].toDoubleArray(), in[1].toDoubleArray(), 3, 20, 0.2, Math.sqrt(2)), y, 1e-15);
        // hand-checked values: x + b = 1 -> sqrt 2; x + b = -1 -> -0.2 sqrt 2
        Tensor x = of(new double[] {0.5, -1.5}, 1, 2), b = of(new double[] {0.5, 0.5}, 2);
        assertArrayEquals(new double[] {Math.sqrt(2), -0.2 * Math.sqrt(2)}, BiasAct.fusedLeakyRelu(x, b).toDoubleArray(), 1e-15);
        assertEquals(0.2, BiasAct.SLOPE);
        assertEquals(Math.sqrt(2), BiasAct.GAIN);
    }

    @Test
    void fusedLeakyReluGradients() {
        Tensor[] in = inputs(2, 2, 3, 2, 3);
        assertGradOk(t -> BiasAct.fusedLeakyRelu(t[0], t[1]), in);
        assertSecondOk(t -> BiasAct.fusedLeakyRelu(t[0], t[1]).square(), in);
        assertSecondOk(t -> BiasAct.fusedLeakyRelu(t[0].mul(t[0]).sub(1.5), t[1]), in);
    }

    @Test
    void rank2InputAsAfterLinear() {
        Tensor[] in = inputs(3, 5, 7);
        assertClose(reference(in[0].toDoubleArray(), in[1].toDoubleArray(), 7, 1, 0.2, Math.sqrt(2)),
                BiasAct.fusedLeakyRelu(in[0], in[1]), 1e-15);
        assertGradOk(t -> BiasAct.fusedLeakyRelu(t[0], t[1]), in);
        assertSecondOk(t -> BiasAct.fusedLeakyRelu(t[0], t[1]).square(), in);
    }

    @Test
    void withoutBiasAndOtherParameters() {
        Tensor x = awayFromZero(4, 0.05, 1, 3, 3, 1);
        assertClose(reference(x.toDoubleArray(), null, 3, 3, 0.1, 2.0), BiasAct.apply(x, null, 0.1, 2.0), 1e-15);
        assertGradOk(t -> BiasAct.apply(t[0], null, 0.1, 2.0), x);
    }

    @Test
    void float32() {
        Tensor[] in = inputs(5, 2, 3, 5, 7);
        Tensor y = BiasAct.fusedLeakyRelu(in[0].to(DType.F32), in[1].to(DType.F32));
        assertClose(reference(in[0].toDoubleArray(), in[1].toDoubleArray(), 3, 35, 0.2, Math.sqrt(2)), y, 1e-6);
    }

    @Test
    void biasShapeIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> BiasAct.fusedLeakyRelu(randn(1, 2, 3, 4, 4), randn(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> BiasAct.fusedLeakyRelu(randn(1, 2, 3, 4, 4), randn(2, 3, 1)));
    }
}

package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.Twins;

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

    /** y, its first-order gradients (with graph) and an R1-like second-order gradient, for x and b. */
    private static Tensor[] valuesAndGradients(Tensor x0, Tensor b0, long seed) {
        Tensor x = x0.detach().requiresGrad(true), b = b0.detach().requiresGrad(true);
        // x*x - 1 before the op makes the second order non-zero (bias_act itself is piecewise linear)
        Tensor y = BiasAct.fusedLeakyRelu(x.mul(x).sub(1), b);
        Tensor r = uniform(seed, -1, 1, x0.shape()).to(x0.dtype());
        Tensor[] g = Autograd.grad(new Tensor[] {y.mul(r).sum()}, new Tensor[] {x, b}, true);
        Tensor penalty = g[0].square().sum().add(g[1].square().sum());
        Tensor[] h = Autograd.grad(new Tensor[] {penalty}, new Tensor[] {x, b}, false);
        return new Tensor[] {y, g[0], g[1], h[0], h[1]};
    }

    @Test
    void fusedAgreesWithItsReferenceOnOddShapes() {
        int[][] shapes = {{3, 5, 7, 3}, {5, 7}, {2, 3, 1, 1}, {1, 17, 9}, {2, 3, 37}};
        for (int i = 0; i < shapes.length; i++) {
            Tensor x = randn(10 + i, shapes[i]), b = randn(20 + i, shapes[i][1]);
            long seed = 30 + i;
            // float64: values and first order to the bit; second order within round-off (the gain and the
            // mask multiply in the other order on the composite's double backward)
            Twins.assertIdentical(() -> java.util.Arrays.copyOf(valuesAndGradients(x, b, seed), 3));
            Twins.assertAgree(1e-13, () -> valuesAndGradients(x, b, seed));
            // float32: every step rounds as the composite does, so the bits agree too
            Tensor xf = x.to(DType.F32), bf = b.to(DType.F32);
            Twins.assertIdentical(() -> new Tensor[] {BiasAct.fusedLeakyRelu(xf, bf), BiasAct.apply(xf, null, 0.1, 2.0)});
        }
    }

    @Test
    void theSwitchSelectsThePath() {
        Tensor x = randn(1, 2, 3, 4, 4).requiresGrad(true), b = randn(2, 3);
        try (var r = org.stylemap.ops.Reference.use(false)) {
            assertEquals("bias_act", BiasAct.fusedLeakyRelu(x, b).gradFn().op());
        }
        try (var r = org.stylemap.ops.Reference.use(true)) {
            assertEquals("scale", BiasAct.fusedLeakyRelu(x, b).gradFn().op());
        }
    }

    @Test
    void referenceGradients() {
        Tensor[] in = inputs(6, 2, 3, 2, 3);
        try (var r = org.stylemap.ops.Reference.use(true)) {
            assertGradOk(t -> BiasAct.fusedLeakyRelu(t[0], t[1]), in);
            assertSecondOk(t -> BiasAct.fusedLeakyRelu(t[0].mul(t[0]).sub(1.5), t[1]), in);
        }
    }

    @Test
    void backwardOpIsLinearInDyWithTheMaskOfY() {
        Tensor y = of(new double[] {1.5, -0.3, 0.0, 2.0, -4.0, 0.7}, 1, 2, 3);
        Tensor dy = of(new double[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        double g = Math.sqrt(2), s = 0.2;
        // y > 0 keeps dy * gain; y <= 0 (0 included, as leaky_relu's derivative at 0) takes the slope too
        assertArrayEquals(new double[] {g, 2 * g * s, 3 * g * s, 4 * g, 5 * g * s, 6 * g},
                BiasAct.backward(dy, y, s, g).toDoubleArray(), 1e-15);
        assertGradOk(t -> BiasAct.backward(t[0], y, s, g), dy);
        assertSecondOk(t -> BiasAct.backward(t[0].mul(t[0]), y, s, g), dy);
    }

    @Test
    void argumentsAreCheckedBeforeLaunch() {
        Tensor x = randn(1, 2, 3, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> BiasAct.apply(x, null, 0.2, 0));
        assertThrows(IllegalArgumentException.class, () -> BiasAct.apply(x, null, -0.2, 1));
        assertThrows(IllegalArgumentException.class, () -> BiasAct.apply(randn(1, 5), null, 0.2, 1));
        assertThrows(IllegalArgumentException.class, () -> BiasAct.apply(x, randn(2, 3).to(DType.F32), 0.2, 1));
        assertThrows(IllegalArgumentException.class, () -> BiasAct.backward(randn(3, 2, 3), randn(4, 3, 2), 0.2, 1));
    }
}

package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.autograd.Autograd;
import org.stylemap.ops.Modulation.Norm;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.Twins;

class ModulationTest {
    private static final double EPS = 1e-5;

    /** normalize(x) * gamma + beta in plain loops (NormsTest's normalization), gammaBeta [N, 2C, H, W]. */
    private static double[] expected(double[] x, double[] gb, int c, int hw, boolean instance) {
        double[] y = NormsTest.reference(x, instance ? hw : c * hw, EPS);
        for (int e = 0; e < y.length; e++) {
            int s = e / (c * hw), within = e % (c * hw);
            y[e] = y[e] * gb[s * 2 * c * hw + within] + gb[s * 2 * c * hw + c * hw + within];
        }
        return y;
    }

    @Test
    void forwardMatchesPlainLoops() {
        for (Norm norm : Norm.values()) {
            Tensor x = randn(1, 2, 3, 5, 7).mul(2).add(0.5), gb = randn(2, 2, 6, 5, 7);
            double[] want = expected(x.toDoubleArray(), gb.toDoubleArray(), 3, 35, norm == Norm.INSTANCE);
            assertClose(want, Modulation.apply(x, gb, norm, EPS), 1e-13);
            assertClose(want, Modulation.reference(x, gb, norm, EPS), 1e-13);
        }
        // hand-checked: one sample [1, 3] -> mean 2, var 1 -> [-1, 1] / sqrt(1 + eps), times gamma [2, 3], plus beta [10, 20]
        Tensor x = of(new double[] {1, 3}, 1, 1, 1, 2), gb = of(new double[] {2, 3, 10, 20}, 1, 2, 1, 2);
        double r = 1 / Math.sqrt(1 + EPS);
        assertArrayEquals(new double[] {10 - 2 * r, 20 + 3 * r}, Modulation.apply(x, gb, Norm.INSTANCE, EPS).toDoubleArray(), 1e-15);
    }

    /** y and the gradients of sum(y * r) for x and gammaBeta. */
    private static Tensor[] valuesAndGradients(Tensor x0, Tensor gb0, Norm norm, long seed) {
        Tensor x = x0.detach().requiresGrad(true), gb = gb0.detach().requiresGrad(true);
        Tensor y = Modulation.apply(x, gb, norm, EPS);
        Tensor r = uniform(seed, -1, 1, x0.shape()).to(x0.dtype());
        Tensor[] g = Autograd.grad(new Tensor[] {y.mul(r).sum()}, new Tensor[] {x, gb}, false);
        return new Tensor[] {y, g[0], g[1]};
    }

    @Test
    void fusedAgreesWithItsReferenceOnOddShapes() {
        // the last shape's LayerNorm group (3 * 37 * 41 = 4551 elements) spans two of the kernel's blocks
        int[][] shapes = {{2, 3, 5, 7}, {1, 1, 1, 1}, {3, 5, 4, 4}, {1, 3, 37, 41}, {2, 7, 3, 1}};
        for (int i = 0; i < shapes.length; i++) {
            int[] s = shapes[i];
            Tensor x = randn(10 + i, s).mul(1.5).add(0.3), gb = randn(20 + i, s[0], 2 * s[1], s[2], s[3]);
            for (Norm norm : Norm.values()) {
                long seed = 30 + i;
                Twins.assertAgree(1e-12, () -> valuesAndGradients(x, gb, norm, seed));
                Tensor xf = x.to(DType.F32), gbf = gb.to(DType.F32);
                Twins.assertAgree(2e-5, () -> valuesAndGradients(xf, gbf, norm, seed));
            }
        }
    }

    @Test
    void gradientsOfTheFusedOp() {
        for (Norm norm : Norm.values()) {
            Tensor x = randn(3, 2, 3, 2, 3), gb = randn(4, 2, 6, 2, 3);
            assertGradOk(t -> Modulation.apply(t[0], t[1], norm, EPS), x, gb);
            // second order goes through the reference (the fused backward is first order)
            assertSecondOk(t -> Modulation.apply(t[0], t[1], norm, EPS), x, gb);
        }
    }

    @Test
    void stridedInputsAndTheSwitch() {
        Tensor x = randn(5, 2, 4, 3, 3).transpose(2, 3), gb = randn(6, 2, 3, 8, 3).permute(0, 2, 1, 3);
        double[] want = expected(x.contiguous().toDoubleArray(), gb.contiguous().toDoubleArray(), 4, 9, false);
        assertClose(want, Modulation.apply(x, gb, Norm.LAYER, EPS), 1e-13);
        Tensor leaf = x.contiguous().requiresGrad(true);
        try (var r = Reference.use(false)) {
            assertEquals("modulation", Modulation.apply(leaf, gb, Norm.LAYER, EPS).gradFn().op());
        }
        try (var r = Reference.use(true)) {
            assertEquals("add", Modulation.apply(leaf, gb, Norm.LAYER, EPS).gradFn().op());
        }
    }

    @Test
    void shapesAreCheckedBeforeLaunch() {
        assertThrows(IllegalArgumentException.class, () -> Modulation.apply(randn(1, 2, 3, 4, 4), randn(2, 2, 3, 4, 4), Norm.LAYER, EPS));
        assertThrows(IllegalArgumentException.class, () -> Modulation.apply(randn(1, 2, 3, 4), randn(2, 2, 6, 4), Norm.LAYER, EPS));
        assertThrows(IllegalArgumentException.class,
                () -> Modulation.apply(randn(1, 2, 3, 4, 4), randn(2, 2, 6, 4, 4).to(DType.F32), Norm.INSTANCE, EPS));
    }
}

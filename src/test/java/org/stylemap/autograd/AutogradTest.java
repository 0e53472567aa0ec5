package org.stylemap.autograd;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class AutogradTest {

    @Test
    void backwardIntoLeaves() {
        Tensor a = of(new double[] {1, 2, 3}, 3).requiresGrad(true), b = of(new double[] {4, 5, 6}, 3).requiresGrad(true);
        Autograd.backward(a.mul(b).sum());
        assertArrayEquals(new double[] {4, 5, 6}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3}, b.grad().toDoubleArray());
    }

    @Test
    void gradsAccumulateAcrossBackwardCallsAndZeroGradResets() {
        Tensor x = of(new double[] {1, -2}, 2).requiresGrad(true);
        Autograd.backward(x.mul(x).sum());          // 2x
        Autograd.backward(x.mul(3).sum());          // + 3
        assertArrayEquals(new double[] {5, -1}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
        Autograd.backward(x.sum());
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray());
    }

    @Test
    void backwardWithSeed() {
        Tensor x = of(new double[] {1, 2}, 2).requiresGrad(true);
        Autograd.backward(x.mul(x), of(new double[] {10, 100}, 2));
        assertArrayEquals(new double[] {20, 400}, x.grad().toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> Autograd.backward(x.mul(x)));
        assertThrows(IllegalArgumentException.class, () -> Autograd.backward(x.mul(x), of(new double[] {1, 2, 3}, 3)));
    }

    @Test
    void gradModeOffRecordsNoGraph() {
        Tensor x = randn(1, 3).requiresGrad(true);
        Tensor y;
        try (GradMode g = GradMode.off()) {
            assertFalse(GradMode.enabled());
            y = x.exp().mul(x).sum();
            try (GradMode inner = GradMode.on()) {
                assertTrue(GradMode.enabled());
            }
            assertFalse(GradMode.enabled(), "closing a nested mode restores the outer one");
        }
        assertTrue(GradMode.enabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertTrue(x.exp().requiresGrad());
    }

    @Test
    void noGraphWithoutRequiresGrad() {
        Tensor x = randn(2, 3);
        Tensor y = x.exp().add(x);
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = of(new double[] {2, 3}, 2).requiresGrad(true);
        Tensor y = x.mul(x).detach().mul(x).sum();   // d/dx (c * x) with c = x^2 held constant
        Autograd.backward(y);
        assertArrayEquals(new double[] {4, 9}, x.grad().toDoubleArray());
    }

    @Test
    void gradReturnsZerosForAnUnusedInput() {
        Tensor x = randn(3, 2, 3).requiresGrad(true), unused = randn(4, 5).requiresGrad(true);
        Tensor[] g = Autograd.grad(new Tensor[] {x.square().sum()}, new Tensor[] {x, unused}, false);
        assertArrayEquals(x.mul(2).toDoubleArray(), g[0].toDoubleArray(), 1e-15);
        assertShape(g[1], 5);
        assertArrayEquals(new double[5], g[1].toDoubleArray());
        assertNull(x.grad(), "grad() must not touch .grad");
        assertNull(unused.grad());
    }

    @Test
    void gradOfNonLeafAndMultipleOutputs() {
        Tensor x = of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.mul(3);
        Tensor y1 = h.square().sum(), y2 = h.sum();
        Tensor[] g = Autograd.grad(new Tensor[] {y1, y2}, new Tensor[] {h, x}, false);
        assertArrayEquals(new double[] {2 * 3 + 1, 2 * 6 + 1}, g[0].toDoubleArray(), 1e-15);      // d/dh (h^2 + h)
        assertArrayEquals(new double[] {3 * 7, 3 * 13}, g[1].toDoubleArray(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Autograd.grad(new Tensor[] {y2}, new Tensor[] {randn(1, 2)}, false));
    }

    @Test
    void diamondGraphsSumBothPaths() {
        Tensor a = of(new double[] {1.5, -2}, 2).requiresGrad(true);
        Tensor b = a.exp();
        Tensor y = b.mul(a).add(b).add(a.mul(a)).sum();   // e^a a + e^a + a^2 -> e^a a + 2 e^a + 2a
        Autograd.backward(y);
        double[] av = {1.5, -2}, g = a.grad().toDoubleArray();
        for (int i = 0; i < 2; i++) assertEquals(Math.exp(av[i]) * av[i] + 2 * Math.exp(av[i]) + 2 * av[i], g[i], 1e-13);
    }

    @Test
    void createGraphGivesDifferentiableGradients() {
        Tensor x = of(new double[] {0.5, 2}, 2).requiresGrad(true);
        Tensor y = x.pow(3).sum();
        Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, true)[0];       // 3x^2
        assertTrue(g.requiresGrad());
        assertArrayEquals(new double[] {0.75, 12}, g.toDoubleArray(), 1e-14);
        Tensor g2 = Autograd.grad(new Tensor[] {g.sum()}, new Tensor[] {x}, true)[0]; // 6x
        assertArrayEquals(new double[] {3, 12}, g2.toDoubleArray(), 1e-14);
        Tensor g3 = Autograd.grad(new Tensor[] {g2.sum()}, new Tensor[] {x}, false)[0]; // 6
        assertArrayEquals(new double[] {6, 6}, g3.toDoubleArray(), 1e-14);
        assertFalse(g3.requiresGrad());
        Tensor plain = Autograd.grad(new Tensor[] {x.pow(3).sum()}, new Tensor[] {x}, false)[0];
        assertFalse(plain.requiresGrad());
    }

    @Test
    void backwardThroughAGradientPenalty() {
        // y = sum(w * x^2); g = dy/dx = 2 w x; penalty = sum(g^2) = 4 sum(w^2 x^2); d/dw = 8 w x^2
        Tensor x = of(new double[] {1, 2, -1}, 3).requiresGrad(true), w = of(new double[] {0.5, -1, 2}, 3).requiresGrad(true);
        Tensor g = Autograd.grad(new Tensor[] {w.mul(x.square()).sum()}, new Tensor[] {x}, true)[0];
        Autograd.backward(g.square().sum());
        assertArrayEquals(new double[] {4, -32, 16}, w.grad().toDoubleArray(), 1e-14);
        // d/dx of 4 sum(w^2 x^2) = 8 w^2 x
        assertArrayEquals(new double[] {2, 16, -32}, x.grad().toDoubleArray(), 1e-14);
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Tensor x = of(new double[] {1}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.add(0.001);
        Autograd.backward(y.mul(2).sum());
        assertEquals(2, x.grad().item());
    }

    @Test
    void inputThatIsAlsoTheOutput() {
        Tensor x = of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor g = Autograd.grad(new Tensor[] {x}, new Tensor[] {x}, false)[0];
        assertArrayEquals(new double[] {1, 1}, g.toDoubleArray());
    }

    @Test
    void float32Gradients() {
        Tensor x = Tensor.of(DType.F32, CPU, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Autograd.backward(x.mul(x).sum());
        assertEquals(DType.F32, x.grad().dtype());
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void gradCheckDetectsAWrongGradient() {
        // a custom op whose backward is deliberately wrong (factor 2 instead of 3): the check must fail
        java.util.function.Function<Tensor[], Tensor> wrong = t -> {
            Tensor out;
            try (GradMode g = GradMode.off()) {
                out = t[0].mul(3);
            }
            return Autograd.record(out, "wrong", (gy, n) -> new Tensor[] {gy.mul(2)}, t[0]);
        };
        GradCheck.Result r = GradCheck.first(wrong, new Tensor[] {randn(5, 4)}, 1, 1e-6);
        assertFalse(r.ok(1e-3), "max error " + r.maxError());
        // and a transposed gradient is caught too (the projection is random, not a plain sum)
        java.util.function.Function<Tensor[], Tensor> transposed = t -> {
            Tensor out;
            try (GradMode g = GradMode.off()) {
                out = t[0].transpose(0, 1).contiguous();
            }
            return Autograd.record(out, "bad_transpose", (gy, n) -> new Tensor[] {gy.reshape(t[0].shape())}, t[0]);
        };
        assertFalse(GradCheck.first(transposed, new Tensor[] {randn(6, 2, 3)}, 1, 1e-6).ok(1e-3));
        // a wrong second derivative: correct first derivative 2x computed as a constant
        java.util.function.Function<Tensor[], Tensor> flatSecond = t -> {
            Tensor out;
            try (GradMode g = GradMode.off()) {
                out = t[0].square();
            }
            return Autograd.record(out, "flat", (gy, n) -> new Tensor[] {gy.mul(t[0].detach().mul(2))}, t[0]);
        };
        Tensor x = randn(7, 3);
        assertTrue(GradCheck.first(flatSecond, new Tensor[] {x}, 1, 1e-6).ok(1e-6));
        assertFalse(GradCheck.second(flatSecond, new Tensor[] {x}, 1, 1e-5).ok(1e-3));
        assertThrows(IllegalArgumentException.class, () -> GradCheck.first(t -> t[0], new Tensor[] {x.to(DType.F32)}, 1, 1e-6));
    }
}

package org.stylemap.r1;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.autograd.Autograd;
import org.stylemap.memory.Scope;
import org.stylemap.ops.BiasAct;
import org.stylemap.ops.Conv;
import org.stylemap.ops.Linalg;
import org.stylemap.ops.MinibatchStd;
import org.stylemap.ops.Upfirdn2d;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

/**
 * End to end: the R1 penalty of a small StyleGAN-like discriminator, sum over the batch of
 * |dD(x)/dx|^2 with the inner gradient taken with createGraph, differentiated with respect to every
 * weight by backward(), against central finite differences of R1 in float64.
 */
class R1PenaltyTest {
    private static final int N = 4, C = 2, S = 6;

    private static Tensor blur(DType t) {
        double[] k1 = {1, 3, 3, 1};
        double[] k = new double[16];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) k[i * 4 + j] = k1[i] * k1[j] / 64;
        return Tensor.of(t, CPU, k, 4, 4);
    }

    /** conv3x3 -> bias + lrelu -> blur + downsample -> conv3x3 stride 2 -> bias + lrelu -> mbstd -> linear. */
    static Tensor discriminator(Tensor x, Tensor[] p) {
        Tensor h = Conv.conv2d(x, p[0], 1, 1, 1);                  // [N, 3, 6, 6]
        h = BiasAct.fusedLeakyRelu(h, p[1]);
        h = Upfirdn2d.apply(h, blur(x.dtype()), 1, 2, 1, 1);       // [N, 3, 3, 3]
        h = Conv.conv2d(h, p[2], 2, 1, 1);                         // [N, 4, 2, 2]
        h = BiasAct.fusedLeakyRelu(h, p[3]);
        h = MinibatchStd.apply(h, 4, 1);                           // [N, 5, 2, 2]
        h = h.reshape(x.shape(0), -1);                             // [N, 20]
        return Linalg.linear(h, p[4], p[5]);                       // [N, 1]
    }

    static Tensor r1(Tensor x, Tensor[] p) {
        Tensor xr = x.detach().requiresGrad(true);
        Tensor d = discriminator(xr, p);
        Tensor g = Autograd.grad(new Tensor[] {d.sum()}, new Tensor[] {xr}, true)[0];
        return g.square().sum();
    }

    private static Tensor[] params(DType t) {
        int[][] shapes = {{3, C, 3, 3}, {3}, {4, 3, 3, 3}, {4}, {1, 20}, {1}};
        double[] fanIn = {C * 9, 1, 27, 1, 20, 1};
        Tensor[] p = new Tensor[shapes.length];
        for (int i = 0; i < p.length; i++) {
            double scale = shapes[i].length == 1 ? 0.3 : 1.0 / Math.sqrt(fanIn[i]);
            p[i] = randn(100 + i, shapes[i]).mul(scale).to(t).requiresGrad(true);
        }
        return p;
    }

    @Test
    void r1WeightGradientsMatchFiniteDifferences() {
        Tensor x = randn(1, N, C, S, S);
        Tensor[] p = params(DType.F64);
        double r1Value;
        try (Scope s = Scope.open()) {
            Tensor penalty = r1(x, p);
            r1Value = penalty.item();
            Autograd.backward(penalty);
        }
        assertTrue(r1Value > 1e-3, "R1 should be non-trivial, was " + r1Value);
        double eps = 1e-6, worst = 0;
        String where = "";
        int nonZero = 0;
        for (int i = 0; i < p.length; i++) {
            // R1 does not depend on the last bias: backward() may leave its .grad unset (as PyTorch does)
            if (i < p.length - 1) assertNotNull(p[i].grad(), "parameter " + i + " got no gradient");
            double[] base = p[i].toDoubleArray();
            double[] analytic = p[i].grad() == null ? new double[base.length] : p[i].grad().toDoubleArray();
            for (int k = 0; k < base.length; k++) {
                double numeric;
                try (Scope s = Scope.open()) {
                    double plus = r1(x, perturbed(p, i, base, k, eps)).item();
                    double minus = r1(x, perturbed(p, i, base, k, -eps)).item();
                    numeric = (plus - minus) / (2 * eps);
                }
                double err = Math.abs(analytic[k] - numeric) / Math.max(1, Math.abs(numeric));
                if (Math.abs(numeric) > 1e-6) nonZero++;
                if (!(err <= worst)) {
                    worst = err;
                    where = "parameter " + i + " element " + k + ": analytic " + analytic[k] + ", numeric " + numeric;
                }
            }
        }
        assertTrue(worst < 1e-6, "max error " + worst + " at " + where);
        assertTrue(nonZero > 150, "most weight gradients should be non-zero, got " + nonZero);
    }

    private static Tensor[] perturbed(Tensor[] p, int which, double[] base, int k, double delta) {
        Tensor[] q = new Tensor[p.length];
        for (int i = 0; i < p.length; i++) {
            if (i != which) {
                q[i] = p[i].detach();
                continue;
            }
            double[] v = base.clone();
            v[k] += delta;
            q[i] = of(v, p[i].shape());
        }
        return q;
    }

    @Test
    void biasOfTheLastLayerHasNoR1Gradient() {
        // R1 does not depend on the final bias: its gradient must be exactly zero, not missing
        Tensor x = randn(2, N, C, S, S);
        Tensor[] p = params(DType.F64);
        Autograd.backward(r1(x, p));
        double[] g = p[5].grad() == null ? new double[] {0} : p[5].grad().toDoubleArray();
        assertEquals(0, g[0], 1e-12);
    }

    @Test
    void float32PathAgreesWithFloat64() {
        Tensor x = randn(3, N, C, S, S);
        Tensor[] p64 = params(DType.F64), p32 = params(DType.F32);
        Tensor r64 = r1(x, p64), r32 = r1(x.to(DType.F32), p32);
        assertEquals(DType.F32, r32.dtype());
        assertEquals(r64.item(), r32.item(), 1e-4 * Math.abs(r64.item()));
        Autograd.backward(r64);
        Autograd.backward(r32);
        for (int i = 0; i < p64.length - 1; i++) {
            double[] a = p64[i].grad().toDoubleArray(), b = p32[i].grad().toDoubleArray();
            double scale = 0;
            for (double v : a) scale = Math.max(scale, Math.abs(v));
            for (int k = 0; k < a.length; k++) assertEquals(a[k], b[k], 1e-3 * Math.max(scale, 1e-3), "parameter " + i + " element " + k);
        }
    }
}

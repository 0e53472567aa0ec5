package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class ElementwiseTest {
    private static final int[] A = {3, 1, 5}, B = {4, 1}, OUT = {3, 4, 5};

    /** Naive NumPy broadcasting of two row-major arrays, written independently of the engine. */
    static double[] broadcast(double[] a, int[] as, double[] b, int[] bs, int[] os, DoubleBinaryOperator op) {
        double[] out = new double[(int) numel(os)];
        int[] at = new int[os.length];
        for (int i = 0; i < out.length; i++) {
            int rem = i;
            for (int d = os.length - 1; d >= 0; d--) {
                at[d] = rem % os[d];
                rem /= os[d];
            }
            out[i] = op.applyAsDouble(a[pick(as, os, at)], b[pick(bs, os, at)]);
        }
        return out;
    }

    private static int pick(int[] s, int[] os, int[] at) {
        int lead = os.length - s.length, i = 0;
        for (int d = 0; d < s.length; d++) i = i * s[d] + (s[d] == 1 ? 0 : at[d + lead]);
        return i;
    }

    private static void checkBinaryForward(Tensor a, Tensor b, Function<Tensor[], Tensor> f, DoubleBinaryOperator op) {
        Tensor y = f.apply(new Tensor[] {a, b});
        assertShape(y, OUT);
        assertClose(broadcast(a.toDoubleArray(), a.shape(), b.toDoubleArray(), b.shape(), OUT, op), y, 1e-14);
    }

    // ------------------------------------------------------------------ binary with broadcasting

    @Test
    void addBroadcast() {
        Tensor a = randn(1, A), b = randn(2, B);
        checkBinaryForward(a, b, x -> x[0].add(x[1]), Double::sum);
        assertGradOk(x -> x[0].add(x[1]), a, b);
        assertGradOk(x -> x[1].add(x[0]), a, b);
    }

    @Test
    void subBroadcast() {
        Tensor a = randn(3, A), b = randn(4, B);
        checkBinaryForward(a, b, x -> x[0].sub(x[1]), (p, q) -> p - q);
        assertGradOk(x -> x[0].sub(x[1]), a, b);
        assertGradOk(x -> x[1].sub(x[0]), a, b);
    }

    @Test
    void mulBroadcast() {
        Tensor a = randn(5, A), b = randn(6, B);
        checkBinaryForward(a, b, x -> x[0].mul(x[1]), (p, q) -> p * q);
        assertGradOk(x -> x[0].mul(x[1]), a, b);
    }

    @Test
    void divBroadcast() {
        Tensor a = randn(7, A), b = awayFromZero(8, 0.5, B);
        checkBinaryForward(a, b, x -> x[0].div(x[1]), (p, q) -> p / q);
        assertGradOk(x -> x[0].div(x[1]), a, b);
        Tensor a2 = awayFromZero(9, 0.5, A), b2 = randn(10, B);
        assertGradOk(x -> x[1].div(x[0]), a2, b2);
    }

    @Test
    void powTensorExponentBroadcast() {
        Tensor a = uniform(11, 0.5, 2.0, A), b = uniform(12, -1.5, 2.5, B);
        checkBinaryForward(a, b, x -> x[0].pow(x[1]), Math::pow);
        assertGradOk(x -> x[0].pow(x[1]), a, b);
        // base broadcast instead of exponent
        Tensor base = uniform(13, 0.5, 2.0, B), e = uniform(14, -1, 2, A);
        assertGradOk(x -> x[0].pow(x[1]), base, e);
    }

    @Test
    void broadcastingBothWaysWithScalarTensor() {
        Tensor a = randn(15, 2, 3), s = randn(16);   // rank-0 tensor
        assertShape(a.mul(s), 2, 3);
        assertClose(broadcast(a.toDoubleArray(), a.shape(), s.toDoubleArray(), new int[0], new int[] {2, 3}, (p, q) -> p * q),
                a.mul(s), 1e-15);
        assertGradOk(x -> x[0].mul(x[1]).add(x[1]), a, s);
    }

    @Test
    void broadcastErrorNamesOpAndShapes() {
        Tensor a = randn(1, 3, 2), b = randn(2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("add"), e.getMessage());
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.mul(b));
        assertTrue(e.getMessage().contains("mul") && e.getMessage().contains("[3, 2]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Elementwise.maximum(a, b));
        assertTrue(e.getMessage().contains("maximum") && e.getMessage().contains("[3, 2]"), e.getMessage());
    }

    @Test
    void mixedDtypesAreRejected() {
        Tensor a = randn(1, 3), b = a.to(DType.F32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("dtype"), e.getMessage());
    }

    @Test
    void largeStridedOperandsMatchNaive() {
        // big enough that the strided iterator splits rows across threads; permuted and broadcast operands
        Tensor a = randn(80, 40, 30, 50), b = randn(81, 40, 1);
        Tensor ap = a.permute(2, 0, 1);                    // [50, 40, 30]
        Tensor y = ap.mul(b).add(ap);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray(), yv = y.toDoubleArray();
        assertShape(y, 50, 40, 30);
        for (int i = 0; i < 50; i++)
            for (int j = 0; j < 40; j++)
                for (int k = 0; k < 30; k++) {
                    double x = av[(j * 30 + k) * 50 + i];
                    double e = x * bv[j] + x;
                    if (e != yv[(i * 40 + j) * 30 + k]) fail("at " + i + "," + j + "," + k + ": " + e + " vs " + yv[(i * 40 + j) * 30 + k]);
                }
        // the same through float32 (no fast path applies to these layouts)
        double[] y32 = a.to(DType.F32).permute(2, 0, 1).mul(b.to(DType.F32)).toDoubleArray();
        for (int i = 0; i < 50; i++)
            for (int j = 0; j < 40; j++)
                for (int k = 0; k < 30; k++)
                    assertEquals((float) av[(j * 30 + k) * 50 + i] * (float) bv[j], (float) y32[(i * 40 + j) * 30 + k], 0f);
    }

    // ------------------------------------------------------------------ scalar exponent

    @ParameterizedTest
    @ValueSource(doubles = {2, 3, 0.5, -1.5, -1})
    void powScalarExponent(double p) {
        Tensor x = uniform(20, 0.3, 2.0, 3, 5);
        double[] xs = x.toDoubleArray(), expect = new double[xs.length];
        for (int i = 0; i < xs.length; i++) expect[i] = Math.pow(xs[i], p);
        assertClose(expect, x.pow(p), 1e-14);
        assertGradOk(t -> t[0].pow(p), x);
        assertSecondOk(t -> t[0].pow(p), x);
    }

    @Test
    void powScalarOneIsIdentity() {
        Tensor x = randn(21, 7);
        assertArrayEquals(x.toDoubleArray(), x.pow(1).toDoubleArray());
        assertGradOk(t -> t[0].pow(1).mul(t[0]), x);
    }

    // ------------------------------------------------------------------ unary

    private static void checkUnary(Tensor x, Function<Tensor, Tensor> op, DoubleUnaryOperator ref, double tol) {
        double[] xs = x.toDoubleArray(), expect = new double[xs.length];
        for (int i = 0; i < xs.length; i++) expect[i] = ref.applyAsDouble(xs[i]);
        assertClose(expect, op.apply(x), tol);
        assertGradOk(t -> op.apply(t[0]), x);
    }

    @Test
    void neg() {
        checkUnary(randn(30, 1), Tensor::neg, v -> -v, 0);
        checkUnary(randn(31, 3, 7), Tensor::neg, v -> -v, 0);
    }

    @Test
    void exp() {
        checkUnary(randn(32, 5, 3), Tensor::exp, Math::exp, 1e-15);
    }

    @Test
    void log() {
        checkUnary(uniform(33, 0.2, 3, 7), Tensor::log, Math::log, 1e-15);
    }

    @Test
    void sqrt() {
        checkUnary(uniform(34, 0.2, 3, 3, 5), Tensor::sqrt, Math::sqrt, 1e-15);
    }

    @Test
    void rsqrt() {
        checkUnary(uniform(35, 0.2, 3, 5, 3), Tensor::rsqrt, v -> 1 / Math.sqrt(v), 1e-15);
    }

    @Test
    void abs() {
        checkUnary(awayFromZero(36, 0.05, 3, 5), Tensor::abs, Math::abs, 0);
    }

    @Test
    void sigmoid() {
        checkUnary(randn(37, 7).mul(3), Elementwise::sigmoid, v -> 1 / (1 + Math.exp(-v)), 1e-15);
        // saturated values stay finite and exact
        double[] big = {-800, -40, 0, 40, 800};
        double[] got = Elementwise.sigmoid(of(big, 5)).toDoubleArray();
        assertArrayEquals(new double[] {0, Math.exp(-40) / (1 + Math.exp(-40)), 0.5, 1 / (1 + Math.exp(-40)), 1}, got, 1e-300);
    }

    @Test
    void softplus() {
        checkUnary(randn(38, 3, 5).mul(3), Elementwise::softplus, v -> Math.log(1 + Math.exp(v)), 1e-14);
        // large |x|: no overflow, softplus(x) ~ x for large x and ~ e^x for very negative x
        double[] got = Elementwise.softplus(of(new double[] {-800, -50, 50, 800}, 4)).toDoubleArray();
        assertEquals(0, got[0], 1e-300);
        assertEquals(Math.exp(-50), got[1], 1e-30);
        assertEquals(50, got[2], 1e-12);
        assertEquals(800, got[3], 1e-12);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.2, 0.0, 1.5})
    void leakyRelu(double slope) {
        checkUnary(awayFromZero(39, 0.05, 3, 7), t -> Elementwise.leakyRelu(t, slope), v -> v > 0 ? v : slope * v, 0);
    }

    @Test
    void scaleAndAddScalar() {
        checkUnary(randn(40, 5, 1), t -> t.mul(-2.5), v -> -2.5 * v, 1e-15);
        checkUnary(randn(41, 5, 1), t -> t.add(3.25), v -> v + 3.25, 1e-15);
        checkUnary(randn(42, 3), t -> t.div(4), v -> v / 4, 1e-15);
        checkUnary(randn(43, 3), t -> t.sub(1.5), v -> v - 1.5, 1e-15);
    }

    // ------------------------------------------------------------------ where / maximum

    @Test
    void whereBroadcast() {
        Tensor cond = of(new double[] {1, 0, 0, 1, 1}, 5);                 // broadcast along the last dim
        Tensor a = randn(50, 3, 1), b = randn(51, 3, 5);
        Tensor y = Elementwise.where(cond, a, b);
        assertShape(y, 3, 5);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray(), cv = cond.toDoubleArray(), expect = new double[15];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++) expect[i * 5 + j] = cv[j] != 0 ? av[i] : bv[i * 5 + j];
        assertClose(expect, y, 0);
        assertGradOk(x -> Elementwise.where(cond, x[0], x[1]), a, b);
        assertSecondOk(x -> Elementwise.where(cond, x[0].mul(x[0]), x[1].exp()), a, b);
    }

    @Test
    void maximum() {
        Tensor a = distinct(52, 3, 4, 5), b = distinct(53, 4, 1).add(0.05);   // a - b never within 0.05 of 0
        checkBinaryForward(a, b, x -> Elementwise.maximum(x[0], x[1]), Math::max);
        assertGradOk(x -> Elementwise.maximum(x[0], x[1]), a, b);
    }

    @Test
    void greaterIsAConstantMask() {
        Tensor a = of(new double[] {1, 2, 3}, 3).requiresGrad(true), b = of(new double[] {2, 2, 2}, 3);
        Tensor m = Elementwise.greater(a, b);
        assertArrayEquals(new double[] {0, 0, 1}, m.toDoubleArray());
        assertFalse(m.requiresGrad());
    }

    // ------------------------------------------------------------------ cast / copy

    @Test
    void castRoundTrip() {
        Tensor x = randn(60, 3, 7);
        Tensor f = x.to(DType.F32);
        assertEquals(DType.F32, f.dtype());
        Tensor back = f.to(DType.F64);
        assertEquals(DType.F64, back.dtype());
        double[] xv = x.toDoubleArray(), bv = back.toDoubleArray();
        for (int i = 0; i < xv.length; i++) assertEquals((double) (float) xv[i], bv[i], 0.0, "element " + i);
        // representable values survive exactly
        Tensor exact = of(new double[] {0.5, -2, 1024, 0.375}, 4);
        assertArrayEquals(exact.toDoubleArray(), exact.to(DType.F32).to(DType.F64).toDoubleArray());
        assertSame(x, x.to(DType.F64));
        // a strided view casts in logical order
        Tensor t = x.transpose(0, 1).to(DType.F32);
        assertClose(x.transpose(0, 1).contiguous().toDoubleArray(), t, 1e-7);
    }

    @Test
    void castGradientFlowsBack() {
        Tensor x = randn(61, 4).requiresGrad(true);
        Tensor y = x.to(DType.F32).mul(3).sum();
        org.stylemap.autograd.Autograd.backward(y);
        assertEquals(DType.F64, x.grad().dtype());
        assertArrayEquals(new double[] {3, 3, 3, 3}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void copyOfView() {
        Tensor x = randn(62, 3, 5);
        assertGradOk(t -> Elementwise.copy(t[0].transpose(0, 1)), x);
    }

    // ------------------------------------------------------------------ second order

    @Test
    void secondOrderBinary() {
        Tensor a = uniform(70, 0.5, 2, 3, 1, 5), b = uniform(71, 0.5, 2, 4, 1);
        assertSecondOk(x -> x[0].mul(x[1]), a, b);
        assertSecondOk(x -> x[0].add(x[1]).mul(x[0].add(x[1])), a, b);
        assertSecondOk(x -> x[0].pow(x[1]), a, b);
        assertSecondOk(x -> x[0].div(x[1]), a, b);
        assertSecondOk(x -> x[0].sub(x[1]).square(), a, b);
    }

    @Test
    void secondOrderUnary() {
        Tensor x = uniform(72, 0.3, 2, 3, 5);
        assertSecondOk(t -> t[0].sqrt(), x);
        assertSecondOk(t -> t[0].rsqrt(), x);
        assertSecondOk(t -> t[0].exp(), x);
        assertSecondOk(t -> t[0].log(), x);
        Tensor y = randn(73, 3, 5).mul(2);
        assertSecondOk(t -> Elementwise.softplus(t[0]), y);
        assertSecondOk(t -> Elementwise.sigmoid(t[0]), y);
        assertSecondOk(t -> t[0].mul(1.7).add(-0.3).neg().square(), y);
    }

    @Test
    void leakyReluSecondOrderIsMaskOnly() {
        Tensor x = awayFromZero(74, 0.05, 3, 5);
        assertSecondOk(t -> Elementwise.leakyRelu(t[0], 0.2).square(), x);
        assertSecondOk(t -> t[0].abs().mul(t[0].exp()), x);
    }
}

package org.stylemap.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.stylemap.autograd.GradCheck;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Shared helpers for the engine tests: seeded float64 inputs, gradient-check assertions, host comparisons. */
public final class Checks {
    public static final Device CPU = Device.CPU;
    public static final double FIRST_EPS = 1e-6, FIRST_TOL = 1e-6;
    public static final double SECOND_EPS = 1e-5, SECOND_TOL = 1e-5;

    private Checks() {}

    /** Standard normal float64 values from the engine's generator. */
    public static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), DType.F64, CPU, shape);
    }

    /** Uniform float64 values in [lo, hi), from java.util.Random (independent of the engine). */
    public static Tensor uniform(long seed, double lo, double hi, int... shape) {
        return of(uniformArray(seed, lo, hi, (int) numel(shape)), shape);
    }

    public static double[] uniformArray(long seed, double lo, double hi, int n) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    /** Values in +-[margin, margin + 2): random sign, magnitude kept away from zero (for kinks at 0). */
    public static Tensor awayFromZero(long seed, double margin, int... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (r.nextBoolean() ? 1 : -1) * (margin + 2 * r.nextDouble());
        return of(v, shape);
    }

    /** A random permutation of 0.1 * (1..n) minus an offset: all values distinct, at least 0.1 apart. */
    public static Tensor distinct(long seed, int... shape) {
        int n = (int) numel(shape);
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 0.1 * (i + 1) - 0.05 * n;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return of(v, shape);
    }

    public static Tensor of(double[] values, int... shape) {
        return Tensor.of(DType.F64, CPU, values, shape);
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** First-order float64 check of d(sum(f(x) * r))/dx against central differences. */
    public static void assertGradOk(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertGradOk(f, FIRST_TOL, inputs);
    }

    public static void assertGradOk(Function<Tensor[], Tensor> f, double tol, Tensor... inputs) {
        GradCheck.Result r = GradCheck.first(f, inputs, 17, FIRST_EPS);
        assertTrue(r.ok(tol), "first-order gradient check failed: max error " + r.maxError() + " at " + r.where());
    }

    /** Second-order (Hessian-vector product) float64 check. */
    public static void assertSecondOk(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertSecondOk(f, SECOND_TOL, inputs);
    }

    public static void assertSecondOk(Function<Tensor[], Tensor> f, double tol, Tensor... inputs) {
        GradCheck.Result r = GradCheck.second(f, inputs, 23, SECOND_EPS);
        assertTrue(r.ok(tol), "second-order gradient check failed: max error " + r.maxError() + " at " + r.where());
    }

    /** Both orders. */
    public static void assertBothOk(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertGradOk(f, inputs);
        assertSecondOk(f, inputs);
    }

    /** Elementwise |e - a| <= tol * max(1, |e|), with the first offending index in the message. */
    public static void assertClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "lengths differ");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) != Double.isNaN(a) || Math.abs(e - a) > tol * Math.max(1, Math.abs(e)))
                fail("element " + i + ": expected " + e + " but was " + a + " (tol " + tol + ")\nexpected "
                        + preview(expected) + "\nactual   " + preview(actual));
        }
    }

    public static void assertClose(double[] expected, Tensor actual, double tol) {
        assertClose(expected, actual.toDoubleArray(), tol);
    }

    public static void assertShape(Tensor t, int... shape) {
        assertTrue(Arrays.equals(shape, t.shape()), "expected shape " + Arrays.toString(shape) + " but was " + Arrays.toString(t.shape()));
    }

    private static String preview(double[] v) {
        return Arrays.toString(v.length > 24 ? Arrays.copyOf(v, 24) : v) + (v.length > 24 ? "..." : "");
    }

    /** Row-major index of a multi-index into a shape. */
    public static int idx(int[] shape, int... at) {
        int i = 0;
        for (int d = 0; d < shape.length; d++) i = i * shape[d] + at[d];
        return i;
    }
}

package org.stylemap.autograd;

import java.util.function.Function;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

/**
 * Float64 central-difference checks of first and second derivatives. The function's output is
 * projected on a fixed random tensor, so one scalar checks the whole Jacobian-vector product
 * rather than the gradient of a plain sum (which would miss transposed or permuted gradients).
 */
public final class GradCheck {
    /** Largest |analytic - numeric| / max(1, |numeric|) over all checked elements, and where. */
    public record Result(double maxError, String where) {
        public boolean ok(double tolerance) {
            return maxError <= tolerance;
        }
    }

    private GradCheck() {}

    /** Checks d(sum(f(x) * r))/dx for every input against central differences with step eps. */
    public static Result first(Function<Tensor[], Tensor> f, Tensor[] inputs, long seed, double eps) {
        Function<Tensor[], Tensor> scalar = projected(f, inputs, seed);
        return compare(scalar, inputs, eps);
    }

    /**
     * Checks second derivatives: h(x) = sum_i sum(grad_i(x) * v_i), where grad_i is the gradient of
     * sum(f(x) * r) with respect to input i computed with createGraph; then dh/dx (a
     * Hessian-vector product through the graph of the gradient) against central differences of h.
     */
    public static Result second(Function<Tensor[], Tensor> f, Tensor[] inputs, long seed, double eps) {
        Function<Tensor[], Tensor> scalar = projected(f, inputs, seed);
        Rng gen = new Rng(seed + 1);
        Tensor[] v = new Tensor[inputs.length];
        Scope.untracked(() -> {
            for (int i = 0; i < inputs.length; i++) v[i] = Tensor.randn(gen, DType.F64, inputs[i].device(), inputs[i].shape());
            return null;
        });
        Function<Tensor[], Tensor> h = xs -> {
            try (GradMode g = GradMode.on()) {
                Tensor y = scalar.apply(xs);
                Tensor[] grads = Autograd.grad(new Tensor[] {y}, xs, true);
                Tensor acc = null;
                for (int i = 0; i < xs.length; i++) {
                    Tensor term = Reductions.sum(Elementwise.mul(grads[i], v[i]), null, false);
                    acc = acc == null ? term : Elementwise.add(acc, term);
                }
                return acc;
            }
        };
        return compare(h, inputs, eps);
    }

    private static Function<Tensor[], Tensor> projected(Function<Tensor[], Tensor> f, Tensor[] inputs, long seed) {
        Tensor probe;
        try (GradMode g = GradMode.off()) {
            probe = f.apply(fresh(inputs, -1, 0));
        }
        int[] shape = probe.shape();
        Tensor r = Scope.untracked(() -> Tensor.randn(new Rng(seed), DType.F64, probe.device(), shape));
        return xs -> Reductions.sum(Elementwise.mul(f.apply(xs), r), null, false);
    }

    /** Copies of the inputs (as new leaves), with element k of input which moved by delta. */
    private static Tensor[] fresh(Tensor[] inputs, int which, int k, double delta) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            double[] vals = inputs[i].toDoubleArray();
            if (i == which) vals[k] += delta;
            xs[i] = Tensor.of(DType.F64, inputs[i].device(), vals, inputs[i].shape()).requiresGrad(true);
        }
        return xs;
    }

    private static Tensor[] fresh(Tensor[] inputs, int which, int k) {
        return fresh(inputs, which, k, 0);
    }

    private static Result compare(Function<Tensor[], Tensor> scalar, Tensor[] inputs, double eps) {
        for (Tensor t : inputs)
            if (t.dtype() != DType.F64) throw new IllegalArgumentException("gradient checks need float64 inputs, got " + t);
        double worst = 0;
        String where = "";
        try (Scope s = Scope.open()) {
            Tensor[] xs = fresh(inputs, -1, 0);
            Tensor[] analytic = Autograd.grad(new Tensor[] {scalar.apply(xs)}, xs, false);
            for (int i = 0; i < inputs.length; i++) {
                double[] a = analytic[i].toDoubleArray();
                for (int k = 0; k < a.length; k++) {
                    double numeric;
                    try (Scope inner = Scope.open(); GradMode g = GradMode.on()) {
                        double plus = scalar.apply(fresh(inputs, i, k, eps)).item();
                        double minus = scalar.apply(fresh(inputs, i, k, -eps)).item();
                        numeric = (plus - minus) / (2 * eps);
                    }
                    double err = Math.abs(a[k] - numeric) / Math.max(1.0, Math.abs(numeric));
                    if (err > worst || Double.isNaN(err)) {
                        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                        where = "input " + i + " element " + k + ": analytic " + a[k] + ", numeric " + numeric;
                    }
                }
            }
        }
        return new Result(worst, where);
    }
}

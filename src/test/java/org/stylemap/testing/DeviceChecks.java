package org.stylemap.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * Runs one function of tensors on the CPU (the reference) and on a device with the same inputs,
 * and compares what comes out: the output, the gradient of every input, and optionally second
 * derivatives. Gradients are those of sum(f(x) * r) for a fixed random r (so transposed or
 * permuted gradients show, which a plain sum would miss); second order is the gradient of
 * sum_i sum(grad_i * v_i) for fixed random v_i (a Hessian-vector product through the gradient's
 * own graph, as the R1 penalty uses it). Every input is differentiated (one the function does
 * not differentiate gets zeros on both sides) except those named by {@link #constant} (inputs an
 * op refuses to differentiate, e.g. upfirdn2d's filter).
 * <pre>
 * DeviceChecks.on(device).tolerance(1e-12).secondOrder()
 *         .check("softplus", x -&gt; Elementwise.softplus(x[0]), Checks.randn(1, 3, 17));
 * </pre>
 * Inputs are CPU tensors of any dtype; each side gets fresh leaves with their values. Differences
 * are measured as |cpu - device| / max(1, |cpu|) per element.
 */
public final class DeviceChecks {
    private final Device device;
    private double tolerance = 1e-12;
    private boolean gradients = true, secondOrder;
    private final java.util.Set<Integer> constants = new java.util.HashSet<>();

    private DeviceChecks(Device device) {
        this.device = device;
    }

    public static DeviceChecks on(Device device) {
        return new DeviceChecks(device);
    }

    /** Largest allowed |cpu - device| / max(1, |cpu|) (default 1e-12, for float64). */
    public DeviceChecks tolerance(double t) {
        tolerance = t;
        return this;
    }

    /** Also compares second derivatives (for ops on the R1 path). */
    public DeviceChecks secondOrder() {
        secondOrder = true;
        return this;
    }

    /** Inputs (by position) that are constants: not differentiated, no gradient compared. */
    public DeviceChecks constant(int... inputs) {
        for (int i : inputs) constants.add(i);
        return this;
    }

    /** Compares outputs only (for functions without gradients). */
    public DeviceChecks forwardOnly() {
        gradients = false;
        return this;
    }

    /** Runs f on both devices and fails with the first difference beyond the tolerance, named by what. */
    public void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        double[][] cpu = run(Device.CPU, f, inputs), dev = run(device, f, inputs);
        for (int i = 0; i < cpu.length; i++)
            if (cpu[i] != null) compare(what + ", " + part(i, inputs.length), cpu[i], dev[i]);
    }

    private static String part(int i, int inputs) {
        if (i == 0) return "output";
        if (i <= inputs) return "gradient of input " + (i - 1);
        return "second derivative of input " + (i - 1 - inputs);
    }

    /**
     * The output, then each input's gradient, then each input's second derivative, on the host
     * (null for constant inputs).
     */
    private double[][] run(Device on, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        int n = inputs.length;
        double[][] out = new double[1 + (gradients ? n : 0) + (secondOrder ? n : 0)][];
        try (Scope s = Scope.open(); GradMode g = GradMode.on()) {
            Tensor[] xs = new Tensor[n];
            java.util.List<Integer> varying = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                boolean differentiated = gradients && !constants.contains(i);
                xs[i] = Tensor.of(inputs[i].dtype(), on, inputs[i].toDoubleArray(), inputs[i].shape()).requiresGrad(differentiated);
                if (differentiated) varying.add(i);
            }
            Tensor y = f.apply(xs);
            out[0] = y.toDoubleArray();
            if (varying.isEmpty()) return out;
            Tensor[] vs = new Tensor[varying.size()];
            for (int j = 0; j < vs.length; j++) vs[j] = xs[varying.get(j)];
            Tensor projected = Reductions.sum(Elementwise.mul(y, fixed(y, on, 1)), null, false);
            Tensor[] grads = Autograd.grad(new Tensor[] {projected}, vs, secondOrder);
            for (int j = 0; j < vs.length; j++) out[1 + varying.get(j)] = grads[j].toDoubleArray();
            if (!secondOrder) return out;
            Tensor h = null;
            for (int j = 0; j < vs.length; j++) {
                Tensor term = Reductions.sum(Elementwise.mul(grads[j], fixed(vs[j], on, 2 + varying.get(j))), null, false);
                h = h == null ? term : Elementwise.add(h, term);
            }
            Tensor[] second = Autograd.grad(new Tensor[] {h}, vs, false);
            for (int j = 0; j < vs.length; j++) out[1 + n + varying.get(j)] = second[j].toDoubleArray();
        }
        return out;
    }

    /** Fixed values in [-1, 1) of like's shape, dtype and device, the same on every device. */
    private static Tensor fixed(Tensor like, Device on, long seed) {
        Random r = new Random(seed);
        double[] v = new double[(int) like.numel()];
        for (int i = 0; i < v.length; i++) v[i] = 2 * r.nextDouble() - 1;
        return Tensor.of(like.dtype(), on, v, like.shape());
    }

    private void compare(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + ": lengths differ");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            boolean same = Double.isNaN(e) ? Double.isNaN(a) : e == a || Math.abs(e - a) <= tolerance * Math.max(1, Math.abs(e));
            if (!same)
                fail(what + " on " + device + ", element " + i + ": cpu " + e + ", " + device + " " + a + " (tolerance "
                        + tolerance + ")\ncpu    " + preview(expected) + "\n" + device + " " + preview(actual));
        }
    }

    private static String preview(double[] v) {
        return Arrays.toString(v.length > 12 ? Arrays.copyOf(v, 12) : v) + (v.length > 12 ? "..." : "");
    }
}

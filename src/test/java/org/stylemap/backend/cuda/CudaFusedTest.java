package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.stylemap.testing.Checks.randn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.autograd.Autograd;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cuda.runtime.EmulatorRuntime;
import org.stylemap.memory.Scope;
import org.stylemap.nn.Adam;
import org.stylemap.nn.Ema;
import org.stylemap.nn.Module;
import org.stylemap.ops.BiasAct;
import org.stylemap.ops.Modulation;
import org.stylemap.ops.Modulation.Norm;
import org.stylemap.ops.Reference;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;
import org.stylemap.testing.DeviceChecks;
import org.stylemap.testing.Twins;

/**
 * The fused ops' kernels (kernels/bias_act.cu, modulation.cu, optimizers.cu) on the device against
 * their CPU twins, through the ops and optimizers that call them: float64 forward, gradients and
 * (bias_act, on the R1 path) second order; float32 with the bits the kernels promise (bias_act,
 * Adam and EMA identical to the CPU; modulation within float32 round-off, its double sums being
 * added in another order); the fused paths against their reference twins on the device.
 */
class CudaFusedTest {
    private static final String DEVICES = "org.stylemap.testing.CudaDevices#all";
    private static final double F64 = 1e-12, F32 = 1e-5, EPS = 1e-5;

    private static Tensor f32(Tensor t) {
        return t.to(DType.F32);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void biasActForwardGradientsAndSecondOrder(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64).secondOrder();
        // x * x - 1 before the op makes the second derivative non-zero (bias_act itself is piecewise linear)
        c.check("bias_act [3,17,5,3]", x -> BiasAct.fusedLeakyRelu(x[0].mul(x[0]).sub(1), x[1]), randn(1, 3, 17, 5, 3), randn(2, 17));
        c.check("bias_act after linear [33,65]", x -> BiasAct.fusedLeakyRelu(x[0].mul(x[0]).sub(1), x[1]), randn(3, 33, 65), randn(4, 65));
        c.check("bias_act of a transposed view", x -> BiasAct.fusedLeakyRelu(Views.transpose(x[0], 2, 3).mul(x[0]), x[1]),
                randn(5, 2, 3, 17, 17), randn(6, 3));
        c.check("bias_act [1,1,1,1]", x -> BiasAct.fusedLeakyRelu(x[0].mul(x[0]).sub(1), x[1]), randn(7, 1, 1, 1, 1), randn(8, 1));
        c.check("bias_act without bias", x -> BiasAct.apply(x[0].mul(x[0]).sub(1), null, 0.1, 2.0), randn(9, 2, 3, 33));
        try (Reference.Restore r = Reference.use(true)) {
            c.check("bias_act reference twin", x -> BiasAct.fusedLeakyRelu(x[0].mul(x[0]).sub(1), x[1]), randn(1, 3, 17, 5, 3),
                    randn(2, 17));
        }
    }

    /** float32: every step rounds as on the CPU, so the forward and the gradient op give the CPU's bits. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void biasActFloat32HasTheCpuBits(Device device) {
        DeviceChecks exact = DeviceChecks.on(CudaDevices.require(device)).tolerance(0).forwardOnly();
        Tensor x = f32(randn(10, 3, 17, 5, 3)), b = f32(randn(11, 17)), dy = f32(randn(12, 3, 17, 5, 3));
        exact.check("float32 bias_act", v -> BiasAct.fusedLeakyRelu(v[0], v[1]), x, b);
        exact.check("float32 bias_act without bias, slope 0.1, gain 2", v -> BiasAct.apply(v[0], null, 0.1, 2.0), x);
        exact.check("float32 bias_act backward", v -> BiasAct.backward(v[2], BiasAct.fusedLeakyRelu(v[0], v[1]), BiasAct.SLOPE,
                BiasAct.GAIN), x, b, dy);
        DeviceChecks.on(device).tolerance(F32).secondOrder().check("float32 bias_act gradients",
                v -> BiasAct.fusedLeakyRelu(v[0].mul(v[0]).sub(1), v[1]), x, b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void modulationForwardAndGradients(Device device) {
        DeviceChecks first = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64);
        // [2,3,33,65]: LayerNorm groups of 6435 elements and InstanceNorm groups of 2145 (the first
        // spans two of the reduction's chunks); [3,1,1,1]: one element per group (variance 0)
        int[][] shapes = {{2, 3, 17, 5}, {3, 1, 1, 1}, {2, 3, 33, 65}, {1, 65, 3, 1}};
        for (int i = 0; i < shapes.length; i++) {
            int[] s = shapes[i];
            Tensor x = randn(20 + i, s).mul(1.5).add(0.3), gb = randn(30 + i, s[0], 2 * s[1], s[2], s[3]);
            for (Norm norm : Norm.values()) {
                String what = "modulation " + norm + " " + java.util.Arrays.toString(s);
                first.check(what, v -> Modulation.apply(v[0], v[1], norm, EPS), x, gb);
                DeviceChecks.on(device).tolerance(F32).check("float32 " + what, v -> Modulation.apply(v[0], v[1], norm, EPS),
                        f32(x), f32(gb));
            }
        }
        // Second order differentiates the reference (the fused backward is first order); strided inputs.
        DeviceChecks.on(device).tolerance(F64).secondOrder().check("modulation second order, transposed inputs",
                v -> Modulation.apply(Views.transpose(v[0], 2, 3), Views.transpose(v[1], 2, 3), Norm.LAYER, EPS),
                randn(40, 2, 3, 5, 17), randn(41, 2, 6, 5, 17));
        try (Reference.Restore r = Reference.use(true)) {
            first.check("modulation reference twin", v -> Modulation.apply(v[0], v[1], Norm.INSTANCE, EPS), randn(42, 2, 3, 17, 5),
                    randn(43, 2, 6, 17, 5));
        }
    }

    /** The reductions' barriers pass strict mode on the emulator, and two runs give the same bits (no atomics). */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void modulationRepeatsBitForBit(Device device) {
        CudaDevices.require(device);
        EmulatorRuntime emulator = ((CudaBackend) Backends.get(device)).runtime() instanceof EmulatorRuntime e ? e : null;
        if (emulator != null) emulator.setStrict(true);
        try (Scope s = Scope.open()) {
            // LayerNorm groups of 6435 elements: two chunks each
            Tensor x = f32(randn(60, 2, 3, 33, 65)).to(device), gb = f32(randn(61, 2, 6, 33, 65)).to(device);
            Tensor r = f32(randn(62, 2, 3, 33, 65)).to(device);
            for (Norm norm : Norm.values()) {
                Supplier<double[][]> run = () -> {
                    Tensor xl = x.detach().requiresGrad(true), gl = gb.detach().requiresGrad(true);
                    Tensor y = Modulation.apply(xl, gl, norm, EPS);
                    Tensor[] g = Autograd.grad(new Tensor[] {y.mul(r).sum()}, new Tensor[] {xl, gl}, false);
                    return new double[][] {y.toDoubleArray(), g[0].toDoubleArray(), g[1].toDoubleArray()};
                };
                double[][] first = run.get(), second = run.get();
                for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], second[i], 0.0, norm + ": a second run differs");
            }
        } finally {
            if (emulator != null) emulator.setStrict(false);
        }
    }

    /** The fused paths against their composite twins, both on the device. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void fusedAgreesWithItsReferenceOnTheDevice(Device device) {
        CudaDevices.require(device);
        Tensor x = randn(50, 3, 17, 5, 3).to(device), b = randn(51, 17).to(device);
        Twins.assertIdentical(() -> new Tensor[] {BiasAct.fusedLeakyRelu(x, b), BiasAct.apply(x, null, 0.1, 2.0)});
        Tensor xf = x.to(DType.F32), bf = b.to(DType.F32);
        Twins.assertIdentical(() -> new Tensor[] {BiasAct.fusedLeakyRelu(xf, bf), BiasAct.apply(xf, null, 0.1, 2.0)});
        Tensor mx = randn(52, 2, 3, 17, 5).to(device), mgb = randn(53, 2, 6, 17, 5).to(device);
        for (Norm norm : Norm.values()) {
            Twins.assertAgree(1e-12, () -> new Tensor[] {Modulation.apply(mx, mgb, norm, EPS)});
            Twins.assertAgree(2e-5, () -> new Tensor[] {Modulation.apply(mx.to(DType.F32), mgb.to(DType.F32), norm, EPS)});
        }
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Twins.assertIdentical(() -> adamSteps(device, dtype));
            Twins.assertIdentical(() -> emaUpdates(device, dtype));
        }
    }

    /** Four Adam steps and three EMA updates give the CPU's bits, in float32 and float64. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void adamAndEmaHaveTheCpuBits(Device device) {
        CudaDevices.require(device);
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            assertIdentical("adam " + dtype, () -> adamSteps(Device.CPU, dtype), () -> adamSteps(device, dtype));
            assertIdentical("ema " + dtype, () -> emaUpdates(Device.CPU, dtype), () -> emaUpdates(device, dtype));
        }
    }

    private static void assertIdentical(String what, Supplier<Tensor[]> cpu, Supplier<Tensor[]> device) {
        try (Scope s = Scope.open()) {
            Tensor[] a = cpu.get(), b = device.get();
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                double[] e = a[i].toDoubleArray(), d = b[i].toDoubleArray();
                assertEquals(e.length, d.length, what + ", tensor " + i);
                for (int k = 0; k < e.length; k++)
                    if (Double.doubleToLongBits(e[k]) != Double.doubleToLongBits(d[k]))
                        throw new AssertionError(what + ", tensor " + i + " element " + k + ": cpu " + e[k] + ", device " + d[k]);
            }
        }
    }

    /** Parameter shapes: "bias" never gets a gradient (a zero gradient), "empty" has no elements, "big" spans three chunks. */
    private static final Map<String, int[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("w", new int[] {3, 17});
        SHAPES.put("bias", new int[] {65});
        SHAPES.put("empty", new int[] {0, 3});
        SHAPES.put("conv", new int[] {2, 3, 5, 5});
        SHAPES.put("big", new int[] {2 * 4096 + 33});
    }

    /**
     * Four steps of Adam (betas 0.9, 0.99: products that round) on device from a loaded state whose step counts differ per
     * parameter ("conv" has none), with fresh gradients each step except for "bias": every parameter
     * and moment after them.
     */
    private static Tensor[] adamSteps(Device device, DType dtype) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : SHAPES.entrySet())
            p.put(e.getKey(), Scope.untracked(() -> randn(e.getKey().hashCode(), e.getValue()).to(dtype).to(device)).requiresGrad(true));
        Adam adam = new Adam(p, 0.01, 0.9, 0.99, 1e-8);
        Map<String, Tensor> state = new LinkedHashMap<>();
        Map<String, Long> steps = new LinkedHashMap<>();
        long k = 0;
        for (Map.Entry<String, Tensor> e : p.entrySet()) {
            if (e.getKey().equals("conv")) continue;
            int[] s = e.getValue().shape();
            state.put("exp_avg/" + e.getKey(), randn(200 + k, s).mul(0.1).to(device));
            state.put("exp_avg_sq/" + e.getKey(), randn(300 + k, s).square().mul(0.01).to(device));
            steps.put(e.getKey(), 3 + 5 * k++);
        }
        adam.load(state, steps);
        for (int step = 0; step < 4; step++) {
            int seed = 400 + 10 * step;
            for (Map.Entry<String, Tensor> e : p.entrySet()) {
                Tensor t = e.getValue();
                t.zeroGrad();
                if (!e.getKey().equals("bias"))
                    t.setGrad(Scope.untracked(() -> randn(seed + e.getKey().length(), t.shape()).to(dtype).to(device)));
            }
            adam.step();
        }
        List<Tensor> out = new ArrayList<>(p.values());
        out.addAll(adam.state().values());
        return out.toArray(new Tensor[0]);
    }

    private static final class Net extends Module {
        final Tensor a, b, c;

        Net(long seed, DType dtype, Device device) {
            a = parameter("a", () -> randn(seed, 3, 5, 17).to(dtype).to(device));
            b = parameter("b", () -> randn(seed + 1, 1).to(dtype).to(device));
            c = parameter("c", () -> randn(seed + 2, 3 * 4096 + 65).to(dtype).to(device));
        }
    }

    /** Three EMA updates (decay 0.999, as the official runs) of a network towards another. */
    private static Tensor[] emaUpdates(Device device, DType dtype) {
        Net target = new Net(1, dtype, device), source = new Net(2, dtype, device);
        for (int i = 0; i < 3; i++) Ema.accumulate(target, source, 0.999);
        return new Tensor[] {target.a, target.b, target.c};
    }
}

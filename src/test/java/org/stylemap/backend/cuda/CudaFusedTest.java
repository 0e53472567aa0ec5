package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.stylemap.testing.Checks.randn;

import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.autograd.Autograd;
import org.stylemap.memory.Scope;
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
 * their CPU twins, through the ops that call them: float64 forward, gradients and (bias_act, on
 * the R1 path) second order; float32 with what the kernels promise (bias_act identical to the CPU;
 * modulation within float32 round-off, its double sums being added in another order); the fused
 * paths against their reference twins on the device. Adam and EMA (optimizers.cu) on the device:
 * AdamTest and EmaTest.
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
        try (CudaDevices.Strict strict = CudaDevices.strict(CudaDevices.require(device)); Scope s = Scope.open()) {
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
    }
}

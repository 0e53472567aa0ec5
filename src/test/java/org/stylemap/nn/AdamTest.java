package org.stylemap.nn;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;
import org.stylemap.testing.Twins;

class AdamTest {
    /** Shapes of the parameters; "bias" never gets a gradient; "big" spans several parallel chunks. */
    private static final Map<String, int[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("w", new int[] {3, 5});
        SHAPES.put("bias", new int[] {7});
        SHAPES.put("conv", new int[] {2, 3, 4, 5});
        SHAPES.put("empty", new int[] {0, 3});
        SHAPES.put("big", new int[] {70001});
    }

    private static Map<String, Tensor> params(Device device, DType dtype) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : SHAPES.entrySet())
            p.put(e.getKey(), Scope.untracked(() -> randn(e.getKey().hashCode(), e.getValue()).to(dtype).to(device)).requiresGrad(true));
        return p;
    }

    /**
     * Four Adam steps from a loaded state whose step counts differ per parameter (and are absent for
     * one), with fresh gradients each step except for "bias", on device. Returns every parameter and moment.
     */
    private static Tensor[] train(Device device, DType dtype, double beta1) {
        Map<String, Tensor> p = params(device, dtype);
        Adam adam = new Adam(p, 0.01, beta1, 0.99, 1e-8);
        Map<String, Tensor> state = new LinkedHashMap<>();
        Map<String, Long> steps = new LinkedHashMap<>();
        long k = 0;
        for (Map.Entry<String, Tensor> e : p.entrySet()) {
            if (e.getKey().equals("conv")) continue; // no saved state: starts from zero moments at step 1
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

    @Test
    void fusedStepHasTheBitsOfItsReference() {
        for (DType dtype : new DType[] {DType.F32, DType.F64})
            for (double beta1 : new double[] {0, 0.9}) Twins.assertIdentical(() -> train(Device.CPU, dtype, beta1));
    }

    /**
     * kernels/optimizers.cu (adam_*) rounds as the CPU twin does, so four steps on the device give
     * the CPU's bits, fused and reference; beta1 0.9 makes products that round (an FMA would show).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.stylemap.testing.CudaDevices#all")
    void fusedStepOnTheDeviceHasTheCpuBits(Device device) {
        CudaDevices.require(device);
        for (DType dtype : new DType[] {DType.F32, DType.F64})
            for (double beta1 : new double[] {0, 0.9}) {
                Tensor[] cpu = train(Device.CPU, dtype, beta1), dev = train(device, dtype, beta1);
                for (int i = 0; i < cpu.length; i++) assertClose(cpu[i].toDoubleArray(), dev[i], 0);
                Twins.assertIdentical(() -> train(device, dtype, beta1));
            }
    }

    @Test
    void matchesTorchAdamsFormulasWithAZeroGradientStep() {
        double lr = 0.002, b1 = 0.5, b2 = 0.99, eps = 1e-8;
        double[] p0 = {0.3, -1.2, 2.0}, g1 = {0.1, -0.4, 1e-6}, g3 = {-2.0, 0.25, 0.0};
        Tensor p = Scope.untracked(() -> of(p0.clone(), 3)).requiresGrad(true);
        Adam adam = new Adam(Map.of("p", p), lr, b1, b2, eps);
        double[] pe = p0.clone(), m = new double[3], v = new double[3];
        double[][] grads = {g1, null, g3}; // step 2 without a gradient: a zero gradient
        for (int t = 1; t <= 3; t++) {
            double[] g = grads[t - 1];
            p.zeroGrad();
            if (g != null) p.setGrad(Scope.untracked(() -> of(g.clone(), 3)));
            adam.step();
            for (int i = 0; i < 3; i++) {
                double gi = g == null ? 0 : g[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                pe[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps);
            }
            assertClose(pe, p, 1e-14);
        }
        assertEquals(3L, adam.steps().get("p"));
        assertClose(v, adam.state().get("exp_avg_sq/p"), 1e-14);
    }

    @Test
    void aMismatchedGradientIsRefusedBeforeAnyStateChanges() {
        Tensor p = Scope.untracked(() -> randn(1, 3)).requiresGrad(true);
        Adam adam = new Adam(Map.of("p", p), 0.1, 0, 0.99, 1e-8);
        p.setGrad(Scope.untracked(() -> randn(2, 3).to(DType.F32)));
        var e = assertThrows(IllegalArgumentException.class, adam::step);
        assertTrue(e.getMessage().contains("gradient of 'p'"), e.getMessage());
        assertTrue(adam.steps().isEmpty(), "the step count moved although the step was refused");
    }
}

package org.stylemap.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** The device comparison fails where a device's output, gradient or second derivative differs. */
class DeviceChecksTest {
    private static final Device DEVICE = Device.CUDA_EMU;

    /** cpu on the CPU, other on the device. */
    private static Function<Tensor[], Tensor> split(Function<Tensor, Tensor> cpu, Function<Tensor, Tensor> other) {
        return x -> x[0].device().equals(Device.CPU) ? cpu.apply(x[0]) : other.apply(x[0]);
    }

    private static void assertCaught(String part, DeviceChecks checks, Function<Tensor[], Tensor> f) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> checks.check("f", f, Checks.randn(1, 3, 5)));
        assertTrue(e.getMessage().startsWith("f, " + part + " on cuda-emu"), e.getMessage());
    }

    @Test
    void outputsGradientsAndSecondDerivativesAreEachCompared() {
        CudaDevices.require(DEVICE);
        DeviceChecks checks = DeviceChecks.on(DEVICE).tolerance(1e-12).secondOrder();
        checks.check("the same function", split(x -> x.mul(x), x -> x.mul(x)), Checks.randn(1, 3, 5));
        assertCaught("output", checks, split(x -> x.mul(2), x -> x.mul(2 + 1e-9)));
        // the same values, half the gradient: x * x with one factor detached
        assertCaught("gradient of input 0", checks, split(x -> x.mul(x), x -> x.mul(x.detach())));
        // the same values and gradient 2x, but without a second derivative: x0^2 + 2 x0 (x - x0)
        assertCaught("second derivative of input 0", checks, split(x -> x.mul(x),
                x -> x.detach().mul(x.detach()).add(x.sub(x.detach()).mul(x.detach().mul(2)))));
    }

    @Test
    void constantInputsAreNotDifferentiated() {
        CudaDevices.require(DEVICE);
        Function<Tensor[], Tensor> f = x -> {
            if (x[1].requiresGrad()) throw new IllegalArgumentException("the second input must stay a constant");
            return x[0].mul(x[1]);
        };
        DeviceChecks.on(DEVICE).secondOrder().constant(1).check("product with a constant", f, Checks.randn(2, 4), Checks.randn(3, 4));
    }
}

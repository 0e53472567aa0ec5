package org.stylemap.nn;

import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;
import org.stylemap.testing.Twins;

class EmaTest {
    /** Parameters of odd sizes, one large enough to be split over threads. */
    private static final class Net extends Module {
        final Tensor a, b, c;

        Net(long seed, DType dtype) {
            this(seed, dtype, Device.CPU);
        }

        Net(long seed, DType dtype, Device device) {
            a = parameter("a", () -> randn(seed, 3, 5, 7).to(dtype).to(device));
            b = parameter("b", () -> randn(seed + 1, 1).to(dtype).to(device));
            c = parameter("c", () -> randn(seed + 2, 90001).to(dtype).to(device));
        }
    }

    private static Tensor[] average(Device device, DType dtype, int updates) {
        Net target = new Net(1, dtype, device), source = new Net(2, dtype, device);
        for (int i = 0; i < updates; i++) Ema.accumulate(target, source, 0.999);
        return new Tensor[] {target.a, target.b, target.c};
    }

    @Test
    void fusedUpdateHasTheBitsOfItsReference() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) Twins.assertIdentical(() -> average(Device.CPU, dtype, 3));
    }

    /** kernels/optimizers.cu (ema_*) rounds as the CPU twin does: the CPU's bits on the device, fused and reference. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.stylemap.testing.CudaDevices#all")
    void fusedUpdateOnTheDeviceHasTheCpuBits(Device device) {
        CudaDevices.require(device);
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor[] cpu = average(Device.CPU, dtype, 3), dev = average(device, dtype, 3);
            for (int i = 0; i < cpu.length; i++) assertClose(cpu[i].toDoubleArray(), dev[i], 0);
            Twins.assertIdentical(() -> average(device, dtype, 3));
        }
    }

    @Test
    void matchesTheFormula() {
        Net target = new Net(1, DType.F64), source = new Net(2, DType.F64);
        double[] t = target.a.toDoubleArray(), s = source.a.toDoubleArray();
        Ema.accumulate(target, source, 0.9);
        for (int i = 0; i < t.length; i++) t[i] = 0.9 * t[i] + 0.1 * s[i];
        assertClose(t, target.a, 1e-15);
        Ema.accumulate(target, source, 0);   // decay 0 copies
        assertClose(source.c.toDoubleArray(), target.c, 0);
    }
}

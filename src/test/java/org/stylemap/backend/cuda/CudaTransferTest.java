package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.autograd.Autograd;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cuda.runtime.Availability;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;

/**
 * Host transfers and device moves: Java arrays (staged through the backend's native buffer, in
 * chunks past its size), CPU tensors (native memory, copied directly), Tensor.to between the CPU
 * and the device both ways with its gradient, strided device tensors read on the host; and the
 * registry's answer for every CUDA device, the same line `stylemap info` prints.
 */
class CudaTransferTest {
    private static final String DEVICES = "org.stylemap.testing.CudaDevices#all";

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void arraysAndCpuTensorsRoundTripExactly(Device device) {
        CudaDevices.require(device);
        Random r = new Random(1);
        try (Scope s = Scope.open()) {
            // past the staging buffer's size: several chunks
            int n = (int) (HostStaging.CHUNK / 4) * 2 + 17;
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = r.nextFloat() - 0.5f;
            Tensor t = Tensor.of(DType.F32, device, f, n);
            assertNull(t.storage().hostSegment(), "device storage is never host memory");
            assertArrayEquals(f, t.toFloatArray());
            double[] d = {Math.PI, -0.0, Double.MIN_VALUE, 1e300, Double.NaN};
            assertArrayEquals(d, Tensor.of(DType.F64, device, d, 5).toDoubleArray(), 0.0);
            for (DType dtype : DType.values()) {
                Tensor cpu = Tensor.of(dtype, Device.CPU, new double[] {1.5, -2, 3.25, 1e-7, 9, 10}, 2, 3);
                Tensor there = cpu.to(device);
                assertEquals(device, there.device());
                assertArrayEquals(cpu.toDoubleArray(), there.toDoubleArray(), 0.0);
                Tensor back = there.to(Device.CPU);
                assertEquals(Device.CPU, back.device());
                assertArrayEquals(cpu.toDoubleArray(), back.toDoubleArray(), 0.0);
                assertSame(there, there.to(device));
                // a strided device tensor is read in row-major order of its view
                Tensor t2 = Views.transpose(there, 0, 1);
                assertArrayEquals(Views.transpose(cpu, 0, 1).toDoubleArray(), t2.toDoubleArray(), 0.0);
                assertArrayEquals(Views.transpose(cpu, 0, 1).toDoubleArray(), t2.to(Device.CPU).toDoubleArray(), 0.0);
                // copyInto across devices, both ways, with a broadcast source
                Tensor dst = Tensor.zeros(dtype, device, 2, 3);
                org.stylemap.ops.Elementwise.copyInto(dst, cpu);
                assertArrayEquals(cpu.toDoubleArray(), dst.toDoubleArray(), 0.0);
                Tensor host = Tensor.zeros(dtype, Device.CPU, 2, 3);
                org.stylemap.ops.Elementwise.copyInto(host, Views.slice(there, 0, 1, 2));
                double[] row = Views.slice(cpu, 0, 1, 2).toDoubleArray();
                assertArrayEquals(new double[] {row[0], row[1], row[2], row[0], row[1], row[2]}, host.toDoubleArray(), 0.0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void gradientsFlowBackAcrossDevices(Device device) {
        CudaDevices.require(device);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(DType.F64, Device.CPU, new double[] {1, -2, 3}, 3).requiresGrad(true);
            Tensor y = x.to(device).mul(x.to(device)).sum();
            assertEquals(14.0, y.item(), 0.0);
            Tensor[] g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, false);
            assertEquals(Device.CPU, g[0].device());
            assertArrayEquals(new double[] {2, -4, 6}, g[0].toDoubleArray(), 0.0);
        }
    }

    @Test
    void everyCudaDeviceIsOpenedOrRefusedWithTheLineInfoPrints() {
        for (Device d : new Device[] {Device.CUDA_EMU, Device.cuda(0), Device.cuda(1)}) {
            Availability a = Backends.availability(d);
            if (d.index() == 0) assertEquals(a.line(), Backends.describeAll().get(d.kind().label), "info prints the line get() decides by");
            if (a.available()) {
                assertInstanceOf(CudaBackend.class, Backends.get(d));
                assertSame(Backends.get(d), Backends.get(d), "one backend per device");
                assertEquals(d, Backends.get(d).device());
            } else {
                var e = assertThrows(IllegalArgumentException.class, () -> Backends.get(d));
                assertEquals("device " + d + " is " + a.line(), e.getMessage());
                assertTrue(a.line().startsWith("unavailable: "), a.line());
                assertEquals(1, e.getMessage().lines().count());
            }
        }
        assertTrue(Backends.availability(Device.CUDA_EMU).available(), "the emulator is built by every build");
        assertTrue(Backends.availability(Device.cuda(1)).line().contains("only cuda:0"));
    }
}

package org.stylemap.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.ops.Reference;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.testing.CudaDevices;

/**
 * `verify-parity --device cuda-emu` (and cuda where a GPU is present): the official fixtures
 * (LayerNorm, and BatchNorm2d on the fused path) reproduced on the CUDA kernels, every output, loss, gradient (the second-order R1 gradient too)
 * and every parameter after two training iterations: on the fused path in float64 (1e-9) and
 * within the float32 tolerances, and on the reference twins in float32, the dtype the GPU trains
 * in. (The twins in float64 add nothing that CudaOpsTest does not check: they are made of the
 * elementwise and reduction ops it compares with the CPU to 1e-12; each parity run costs about
 * 15 s of CPU on the emulator, mostly in the convolutions.)
 */
class CudaParityTest {
    /** The fixture reproduced on device in each dtype, with the fused ops or (reference) their composite twins. */
    private static void check(Path fixture, Device device, boolean reference, DType... dtypes) {
        try (Reference.Restore r = Reference.use(reference)) {
            for (DType dtype : dtypes) {
                ParityReport report = ParityTest.run(fixture, dtype, device);
                assertTrue(report.rows().size() > 400, "too few tensors compared: " + report.rows().size());
                assertEquals(0, report.failures().size(), "tensors over tolerance on " + device + " in " + dtype + ": " + report.failures());
                if (dtype == DType.F64)
                    assertTrue(report.worst("grads/r1_reg/") > 0 && report.worst("grads/r1_reg/") < 1e-9,
                            "second-order R1 gradients not compared or off");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.stylemap.testing.CudaDevices#all")
    void fusedOpsMatchTheFixtureInBothDtypes(Device device) {
        check(ParityTest.FIXTURE, CudaDevices.require(device), false, DType.F32, DType.F64);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.stylemap.testing.CudaDevices#all")
    void referenceTwinsMatchTheFixtureInFloat32(Device device) {
        check(ParityTest.FIXTURE, CudaDevices.require(device), true, DType.F32);
    }

    /** The BatchNorm2d fixture (train-mode batch statistics, eval-mode editing outputs, running statistics after training). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.stylemap.testing.CudaDevices#all")
    void batchNormFixtureMatchesInBothDtypes(Device device) {
        check(BatchNormFixtureParityTest.FIXTURE, CudaDevices.require(device), false, DType.F32, DType.F64);
    }
}

package org.stylemap.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.stylemap.ops.Reference;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.DType;

/**
 * Reproduces the official implementation's fixture (computed by the official PyTorch code in
 * float64): every output, loss, gradient (including the second-order R1 gradient) and every
 * parameter after two training iterations; on the fused path and on the reference twins.
 */
class ParityTest {
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/parity_s32.h5");

    /** Runs a whole fixture and prints its failures and worst errors (the parity tests of every fixture and device use this). */
    static ParityReport run(Path fixture, DType dtype, Device device) {
        assertTrue(Files.isRegularFile(fixture), "fixture missing: " + fixture);
        ParityReport r = ParityCheck.run(fixture, dtype, device, stage -> {});
        r.print(System.out, false);
        System.out.printf("%s on %s, %s%s: %d tensors, worst outputs %.2e losses %.2e grads %.2e train %.2e%n", fixture.getFileName(), device,
                dtype, org.stylemap.ops.Reference.forced() ? " (reference twins)" : "", r.rows().size(), r.worst("outputs/"),
                r.worst("losses/"), r.worst("grads/"), r.worst("train/"));
        return r;
    }

    private static ParityReport check(DType dtype) {
        return run(FIXTURE, dtype, Device.CPU);
    }

    private static void assertFloat64Matches() {
        ParityReport r = check(DType.F64);
        // 15 outputs + 5 losses + every parameter gradient of 6 (loss, module) pairs + 8 training losses + 5 state dicts.
        assertTrue(r.rows().size() > 400, "too few tensors compared: " + r.rows().size());
        assertEquals(0, r.failures().size(), "tensors over tolerance: " + r.failures());
        assertTrue(r.worst("grads/r1_reg/") > 0 && r.worst("grads/r1_reg/") < 1e-9, "second-order R1 gradients not compared or off");
    }

    private static void assertFloat32Matches() {
        ParityReport r = check(DType.F32);
        assertEquals(0, r.failures().size(), "tensors over tolerance: " + r.failures());
    }

    @Test
    void float64MatchesEveryTensor() {
        try (Reference.Restore fused = Reference.use(false)) {
            assertFloat64Matches();
        }
    }

    @Test
    void float32MatchesWithinItsTolerances() {
        try (Reference.Restore fused = Reference.use(false)) {
            assertFloat32Matches();
        }
    }

    /** The same with every fused op replaced by its composite twin (-Dstylemap.reference=true). */
    @Test
    void referenceTwinsMatchInBothDtypes() {
        try (Reference.Restore reference = Reference.use(true)) {
            assertFloat64Matches();
            assertFloat32Matches();
        }
    }
}

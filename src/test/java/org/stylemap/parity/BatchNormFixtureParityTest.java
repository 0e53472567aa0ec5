package org.stylemap.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/**
 * Reproduces a BatchNorm2d fixture computed by the official PyTorch code in float64
 * (tools/peer/make_fixture.py, docs/PEER.md): parity_s32.h5's parameters and inputs with
 * normalize_mode BatchNorm2d and running statistics from five train-mode forwards. Outputs, losses,
 * gradients and training run in train mode; the editing outputs in eval mode from the stored
 * running statistics; every BatchNorm buffer after two iterations (four train-mode generator
 * passes per iteration) is compared too.
 */
class BatchNormFixtureParityTest {
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/parity_s32_bn.h5");

    private static ParityReport check(DType dtype) {
        return ParityTest.run(FIXTURE, dtype, Device.CPU);
    }

    @Test
    void float64MatchesEveryTensor() {
        ParityReport r = check(DType.F64);
        assertTrue(r.rows().size() > 400, "too few tensors compared: " + r.rows().size());
        long runningStats = r.rows().stream().filter(row -> row.name().startsWith("train/after2/generator/")
                && row.name().endsWith(".norm.running_var")).count();
        assertEquals(6, runningStats, "the generator's six BatchNorm running variances after training must be compared");
        assertEquals(0, r.failures().size(), "tensors over tolerance: " + r.failures());
        long edits = r.rows().stream().filter(row -> Set.of("outputs/edit_w", "outputs/edit_w_plus",
                "outputs/stylemix_coarse", "outputs/stylemix_fine").contains(row.name())).count();
        assertEquals(4, edits, "the four eval-mode editing outputs must be compared");
    }

    @Test
    void float32MatchesWithinItsTolerances() {
        ParityReport r = check(DType.F32);
        assertEquals(0, r.failures().size(), "tensors over tolerance: " + r.failures());
    }

    /** The composite twins (the switch that forces every reference) pass the BatchNorm fixture too. */
    @Test
    void referenceTwinsMatchInBothPrecisions() {
        try (org.stylemap.ops.Reference.Restore reference = org.stylemap.ops.Reference.use(true)) {
            for (DType dtype : DType.values()) assertEquals(0, check(dtype).failures().size(), "reference mode, " + dtype);
        }
    }
}

package org.stylemap.parity;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The fixture README's error: ||a - ref|| / max(||ref||, floor), floor = 1e-6 x the group's largest reference norm. */
class ParityReportTest {
    @Test
    void aMathematicallyZeroGradientIsJudgedAgainstItsGroup() {
        double[] roundOff = {1e-10, -2e-10}, ours = {0, 0};
        double roundOffNorm = Math.sqrt(5e-20), groupNorm = 1e3;
        assertEquals(1.0, ParityReport.relativeError(ours, roundOff, 0, "g"), 1e-12, "unfloored: round-off alone is a 100% error");
        assertEquals(roundOffNorm / (1e-6 * groupNorm), ParityReport.relativeError(ours, roundOff, 1e-6 * groupNorm, "g"), 1e-20);
        assertEquals(0.1, ParityReport.relativeError(new double[] {1.1}, new double[] {1.0}, 1e-6, "t"), 1e-12,
                "a floor below the tensor's own norm changes nothing");
    }

    @Test
    void theFloorIsPassedThroughForTensors() {
        ParityReport r = new ParityReport();
        double[] ref = {1e-10};
        var ours = org.stylemap.tensor.Tensor.of(org.stylemap.tensor.DType.F64, org.stylemap.tensor.Device.CPU, new double[] {0}, 1);
        r.relative("floored", ours, ref, 1e-3, 1e-6);
        r.relative("unfloored", ours, ref, 1e-3);
        assertEquals(1e-4, r.rows().get(0).error(), 1e-18);
        assertEquals(java.util.List.of("unfloored"), r.failures().stream().map(ParityReport.Row::name).toList());
    }
}

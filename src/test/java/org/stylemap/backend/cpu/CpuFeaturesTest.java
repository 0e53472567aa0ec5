package org.stylemap.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** What the backend detects about this machine agrees with what the JIT compiles to, and is reported. */
class CpuFeaturesTest {
    @Test
    void hostMatchesTheJitsVectorWidth() {
        CpuFeatures host = CpuFeatures.HOST;
        assertEquals(FloatVector.SPECIES_PREFERRED.vectorBitSize(), host.vectorBits());
        assertFalse(host.model().isBlank());
        String arch = System.getProperty("os.arch");
        if (arch.equals("amd64") || arch.equals("x86_64"))
            assertEquals(host.vectorBits() >= 512 ? 32 : 16, host.registers(), host.describe());
        // The GEMM runs the kernel chosen for these features (or the one a measurement asked for).
        assertEquals(MicroKernel.choose(host, System.getProperty(MicroKernel.OVERRIDE)), Gemm.kernel());
    }

    @Test
    void descriptionsNameWidthAndKernel() {
        String cpu = CpuFeatures.HOST.describe(), kernels = KernelChoice.describe();
        assertTrue(cpu.contains(CpuFeatures.HOST.model()) && cpu.contains(CpuFeatures.HOST.vectorBits() + "-bit"), cpu);
        assertTrue(kernels.contains(Gemm.kernel().label() + " micro-kernel"), kernels);
    }
}

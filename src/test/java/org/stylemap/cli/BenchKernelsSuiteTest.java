package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.stylemap.testing.Cli;

/** `stylemap bench --suite kernels --device cuda-emu`: the GPU bundle's kernel benchmark step, through the CLI. */
class BenchKernelsSuiteTest {
    @Test
    void kernelsSuiteRunsTheCudaKernelBenchOnTheDevice() {
        Cli.Result r = Cli.run("bench", "--suite", "kernels", "--device", "cuda-emu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("device: CUDA emulator on the host"), r.out());
        assertTrue(r.out().contains("say nothing about GPU speed") && r.out().contains("| GEMM | M=N=K=96 | gemm_f32_"), r.out());
    }

    @Test
    void unknownSuiteListsKernels() {
        Cli.Result r = Cli.run("bench", "--suite", "nope");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown suite 'nope' (available: engine, kernels, train, memory, fused, edit)"), r.err());
    }
}

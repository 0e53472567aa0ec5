package org.stylemap.backend.cpu;

/** The kernel shapes the CPU backend chose at start-up for this machine, for `stylemap info` and benchmark tables. */
public final class KernelChoice {
    private KernelChoice() {}

    /** One line, e.g. "GEMM 12x32 micro-kernel (MC=96 KC=256 NC=4096), elementwise 512-bit". */
    public static String describe() {
        return "GEMM " + Gemm.describe();
    }
}

package org.stylemap.backend.cpu;

import jdk.incubator.vector.FloatVector;

/** The kernel shapes the CPU backend chose at start-up for this machine, for `stylemap info` and benchmark tables. */
public final class KernelChoice {
    private KernelChoice() {}

    /**
     * One line, e.g. "GEMM 12x32 micro-kernel (MC=96 KC=256 NC=4096); elementwise, im2col
     * and depthwise on 512-bit vectors (depthwise: 4 rows x 16 floats)".
     */
    public static String describe() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return "GEMM " + Gemm.describe() + "; elementwise, im2col and depthwise on " + bits
                + "-bit vectors (depthwise: " + DepthwiseF32.ROWS + " rows x " + FloatVector.SPECIES_PREFERRED.length() + " floats)";
    }
}

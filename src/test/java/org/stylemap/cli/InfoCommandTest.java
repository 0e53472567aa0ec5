package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** `stylemap info` names the CPU model, the vector width the JIT uses and the GEMM kernel it chose. */
class InfoCommandTest {
    @Test
    void printsCpuVectorWidthAndKernel() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"info"}, new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true));
        String text = out.toString();
        assertEquals(0, code);
        assertTrue(text.contains("cpu model "), text);
        assertTrue(text.contains(FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors"), text);
        assertTrue(text.matches("(?s).*kernels +GEMM \\d+x\\d+ micro-kernel.*"), text);
    }
}

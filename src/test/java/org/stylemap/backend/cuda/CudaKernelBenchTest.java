package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.TestRuntimes;

/** The kernel benchmark runs end to end on the emulator (small shapes) and says its numbers mean nothing there. */
class CudaKernelBenchTest {
    @Test
    void runsOnTheEmulatorAndSaysWhatItsNumbersAreWorth() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CudaKernelBench.run(TestRuntimes.Kind.EMULATOR.open(KernelBundle.MAIN), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("say nothing about GPU speed"), out);
        // 2 GEMM sizes x 2 tiles, 6 passes of the 3x3 shapes, transposed, stride-2 and depthwise convolutions.
        long timed = out.lines().filter(l -> l.matches("\\| [^|]+ \\| [^|]+ \\| [^|]+ \\| [0-9.]+ \\| [0-9.]+ \\|")).count();
        assertEquals(4 + 6 + 3, timed, out);
    }
}

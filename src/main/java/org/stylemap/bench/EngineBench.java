package org.stylemap.bench;

import java.io.PrintStream;
import org.stylemap.tensor.Device;

/** The engine suite: kernel throughput and the memory of a long forward/backward loop. */
public final class EngineBench {
    private EngineBench() {}

    public static void run(PrintStream out, int steps, Device device) {
        out.println("# engine benchmark");
        KernelBench.run(out);
        MemoryLoopBench.run(out, steps, device);
    }
}

package org.stylemap.bench;

import java.io.PrintStream;

/** The engine suite: kernel throughput and the memory of a long forward/backward loop. */
public final class EngineBench {
    private EngineBench() {}

    public static void run(PrintStream out, int steps) {
        out.println("# engine benchmark");
        KernelBench.run(out);
        MemoryLoopBench.run(out, steps);
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.bench.EngineBench;

/** `stylemap bench`: throughput of the engine's kernels and memory behaviour of a training-like loop. */
final class BenchCommand extends Command {
    @Override String name() { return "bench"; }

    @Override String summary() { return "benchmark suites: engine (GEMM, conv, memory over 1000 steps)"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("suite").hasArg().argName("NAME")
                .desc("engine (default)").get());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N")
                .desc("steps of the memory loop (default 1000)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        String suite = cl.getOptionValue("suite", "engine");
        int steps = Args.intValue(cl, "steps", 1000);
        if (!suite.equals("engine")) throw new UsageException("unknown suite '" + suite + "' (available: engine)");
        EngineBench.run(out, steps);
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cpu.CpuFeatures;
import org.stylemap.backend.cpu.KernelChoice;

/** `stylemap info`: the runtime, the machine and which backends work. */
final class InfoCommand extends Command {
    @Override String name() { return "info"; }

    @Override String summary() { return "Java version, CPU cores, vector width and available backends"; }

    @Override Options options() { return new Options(); }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        out.println("java      " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        out.println("cores     " + Runtime.getRuntime().availableProcessors());
        out.println("heap max  " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        out.println("cpu model " + CpuFeatures.HOST.describe());
        out.println("kernels   " + KernelChoice.describe());
        for (Map.Entry<String, String> e : Backends.describeAll().entrySet())
            out.printf("%-9s %s%n", e.getKey(), e.getValue());
        return 0;
    }
}

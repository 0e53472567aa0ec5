package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.bench.EditBench;
import org.stylemap.bench.EngineBench;
import org.stylemap.bench.FusedBench;
import org.stylemap.bench.MemoryBench;
import org.stylemap.bench.TrainBench;
import org.stylemap.io.Range;
import org.stylemap.train.TrainConfig;

/** `stylemap bench`: kernel throughput, memory behaviour, and training-iteration time for any config. */
final class BenchCommand extends Command {
    @Override String name() { return "bench"; }

    @Override String summary() { return "benchmarks: engine (GEMM, conv, memory over 1000 steps), kernels, train (iteration time of a config), memory, fused, edit"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("suite").hasArg().argName("NAME").desc("engine (default), kernels (GEMM and convolution "
                + "throughput on --device, the CUDA kernels on cuda and cuda-emu), train (iteration time of a config), memory (peak tensor "
                + "memory per training phase), fused (each fused op against its reference twin) or edit (editing latency at the official size)").get());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N").desc("engine: steps of the memory loop (default 1000); edit: project/adapt steps timed (default 10)").get());
        o.addOption(Option.builder().longOpt("size").hasArg().argName("N").desc("edit: image size of the official configuration (default 256)").get());
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE").desc("train, memory, fused: configuration (default configs/tiny.properties)").get());
        o.addOption(Option.builder().longOpt("set").hasArgs().argName("KEY=VALUE").desc("train, memory, fused: override configuration keys").get());
        o.addOption(Args.deviceOption("cpu"));
        o.addOption(Option.builder().longOpt("iterations").hasArg().argName("N").desc("train: timed iterations (default 6)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        String suite = cl.getOptionValue("suite", "engine");
        switch (suite) {
            case "engine" -> EngineBench.run(out, Args.intValue(cl, "steps", 1000), Args.device(cl, "cpu"));
            case "kernels" -> EngineBench.kernels(out, Args.device(cl, "cpu"));
            case "train" -> {
                TrainBench.header(out);
                TrainBench.run(out, config(cl), Args.intValue(cl, "iterations", 6));
            }
            case "memory" -> MemoryBench.run(out, config(cl));
            case "fused" -> {
                FusedBench.header(out);
                FusedBench.run(out, config(cl));
            }
            case "edit" -> EditBench.run(out, Args.intValue(cl, "size", 256, Range.integers(16, 1024)),
                    Args.intValue(cl, "steps", 10, Range.atLeast(2)), Args.device(cl, "cpu"));
            default -> throw new UsageException("unknown suite '" + suite + "' (available: engine, kernels, train, memory, fused, edit)");
        }
        return 0;
    }

    /** --config (default: the tiny configuration) with the --set overrides. */
    private static TrainConfig config(CommandLine cl) {
        Path home = Path.of(System.getProperty("stylemap.home", "."));
        TrainConfig c = TrainConfig.load(Path.of(cl.getOptionValue("config", home.resolve(TrainCommand.DEFAULT_CONFIG).toString())));
        if (cl.getOptionValues("set") != null) c = c.with(List.of(cl.getOptionValues("set")));
        return cl.hasOption("device") ? c.with("device", Args.device(cl, "cpu").toString(), "--device") : c;
    }
}

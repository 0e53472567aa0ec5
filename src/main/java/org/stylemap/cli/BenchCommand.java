package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.bench.EditBench;
import org.stylemap.bench.EngineBench;
import org.stylemap.bench.TrainBench;
import org.stylemap.train.TrainConfig;

/** `stylemap bench`: kernel throughput, memory behaviour, and training-iteration time for any config. */
final class BenchCommand extends Command {
    @Override String name() { return "bench"; }

    @Override String summary() { return "benchmarks: engine (GEMM, conv, memory over 1000 steps), train (iteration time of a config) or edit (editing latency)"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("suite").hasArg().argName("NAME").desc("engine (default), train or edit").get());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N").desc("engine: steps of the memory loop (default 1000); edit: project/adapt steps timed (default 10)").get());
        o.addOption(Option.builder().longOpt("size").hasArg().argName("N").desc("edit: image size of the official configuration (default 256)").get());
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE").desc("train: configuration (default configs/tiny.properties)").get());
        o.addOption(Option.builder().longOpt("set").hasArgs().argName("KEY=VALUE").desc("train: override configuration keys").get());
        o.addOption(Option.builder().longOpt("iterations").hasArg().argName("N").desc("train: timed iterations (default 6)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        String suite = cl.getOptionValue("suite", "engine");
        switch (suite) {
            case "engine" -> EngineBench.run(out, Args.intValue(cl, "steps", 1000));
            case "train" -> {
                Path home = Path.of(System.getProperty("stylemap.home", "."));
                TrainConfig c = TrainConfig.load(Path.of(cl.getOptionValue("config", home.resolve(TrainCommand.DEFAULT_CONFIG).toString())));
                if (cl.getOptionValues("set") != null) c = c.with(List.of(cl.getOptionValues("set")));
                TrainBench.header(out);
                TrainBench.run(out, c, Args.intValue(cl, "iterations", 6));
            }
            case "edit" -> EditBench.run(out, Args.intValue(cl, "size", 256), EditArgs.atLeast(cl, "steps", 10, 2), EditArgs.device(cl));
            default -> throw new UsageException("unknown suite '" + suite + "' (available: engine, train, edit)");
        }
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.backend.Backends;
import org.stylemap.train.Checkpoint;
import org.stylemap.io.InputFile;
import org.stylemap.io.Range;
import org.stylemap.train.Resume;
import org.stylemap.train.RunFolder;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.Trainer;
import org.stylemap.train.TrainingState;

/** `stylemap train`: without arguments, the tiny built-in run on the CPU. */
final class TrainCommand extends Command {
    static final String DEFAULT_CONFIG = "configs/tiny.properties";
    /** The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it). */
    static final int INTERRUPTED = 130;

    @Override String name() { return "train"; }

    @Override String summary() { return "train StyleMapGAN (no arguments: the tiny built-in CPU run)"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE").desc("configuration (default " + DEFAULT_CONFIG + ")").get());
        o.addOption(Option.builder().longOpt("iterations").hasArg().argName("N").desc("train until N iterations (overrides iter)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                .desc("run folder (default checkpoints/<config name>; when resuming, the checkpoint's folder)").get());
        o.addOption(Option.builder().longOpt("resume").hasArg().argName("CKPT")
                .desc("continue a run exactly from its checkpoint (--config/--set may change intervals, iterations, lr, loss weights)").get());
        o.addOption(Args.deviceOption("the config's device key, cpu"));
        o.addOption(Option.builder().longOpt("set").hasArgs().argName("KEY=VALUE").desc("override configuration keys").get());
        o.addOption(Option.builder().longOpt("overwrite").desc("replace the run already in the run folder (its metrics, samples and checkpoints)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        Path home = Path.of(System.getProperty("stylemap.home", "."));
        Path configFile = Path.of(cl.getOptionValue("config", home.resolve(DEFAULT_CONFIG).toString()));
        String[] sets = cl.getOptionValues("set");
        // --device is the config key device given on the command line (a resumed run may change it).
        List<String> assignments = new ArrayList<>(sets == null ? List.of() : List.of(sets));
        if (cl.hasOption("device")) assignments.add("device=" + Args.device(cl, "cpu"));
        // --iterations is the key iter, so the run's checkpoints keep its target and a resume finishes the same run.
        if (cl.hasOption("iterations")) assignments.add("iter=" + Args.intValue(cl, "iterations", 0, Range.atLeast(1)));
        TrainingState state;
        Path dir;
        // What a resume changes is said once the run is known to go ahead.
        List<String> changed = new ArrayList<>();
        if (cl.hasOption("resume")) {
            Path ckpt = Path.of(cl.getOptionValue("resume"));
            TrainConfig requested = cl.hasOption("config") ? load(configFile) : TrainConfig.defaults();
            TrainConfig changes = requested.with(assignments);
            Backends.get(changes.device());
            state = Checkpoint.load(ckpt, stored -> Resume.apply(ckpt, stored, changes, changed::add));
            // A resumed run continues in its own folder unless told otherwise.
            Path parent = ckpt.toAbsolutePath().getParent();
            dir = cl.hasOption("out") ? Path.of(cl.getOptionValue("out")) : parent;
        } else {
            TrainConfig requested = load(configFile).with(assignments);
            Backends.get(requested.device());
            state = TrainingState.fresh(requested);
            String runName = configFile.getFileName().toString().replaceFirst("\\.properties$", "");
            dir = Path.of(cl.getOptionValue("out", home.resolve("checkpoints").resolve(runName).toString()));
        }
        long iterations = state.config.getInt("iter");
        if (iterations <= state.iteration)
            throw new UsageException((cl.hasOption("iterations") ? "--iterations " : "iter=") + iterations
                    + " is not above the checkpoint's iteration " + state.iteration + ": nothing to train (give a larger --iterations)");
        RunFolder.prepare(dir, state, cl.hasOption("overwrite"));
        changed.forEach(err::println);
        Trainer trainer = new Trainer(state, dir, iterations, err);
        // Ctrl-C asks the loop to finish its iteration and save, instead of killing the JVM.
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> trainer.interrupt());
        trainer.run();
        out.println("run folder: " + dir + " (metrics.csv, losses.png, sample-*.png, ckpt-*.h5)");
        return trainer.wasInterrupted() ? INTERRUPTED : 0;
    }

    private static TrainConfig load(Path configFile) {
        try {
            InputFile.require(configFile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config " + e.getMessage());
        }
        return TrainConfig.load(configFile);
    }
}

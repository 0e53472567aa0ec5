package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.backend.Backends;
import org.stylemap.io.Checkpoint;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.Trainer;
import org.stylemap.train.TrainingState;

/** `stylemap train`: without arguments, the tiny built-in run on the CPU. */
final class TrainCommand extends Command {
    static final String DEFAULT_CONFIG = "configs/tiny.properties";

    @Override String name() { return "train"; }

    @Override String summary() { return "train StyleMapGAN (no arguments: the tiny built-in CPU run)"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE").desc("configuration (default " + DEFAULT_CONFIG + ")").get());
        o.addOption(Option.builder().longOpt("iterations").hasArg().argName("N").desc("train until N iterations (overrides iter)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("run folder (default checkpoints/<config name>)").get());
        o.addOption(Option.builder().longOpt("resume").hasArg().argName("CKPT").desc("continue a run exactly from its checkpoint").get());
        o.addOption(Args.deviceOption("the config's device key, cpu"));
        o.addOption(Option.builder().longOpt("set").hasArgs().argName("KEY=VALUE").desc("override configuration keys").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        Path home = Path.of(System.getProperty("stylemap.home", "."));
        Path configFile = Path.of(cl.getOptionValue("config", home.resolve(DEFAULT_CONFIG).toString()));
        if (!Files.isRegularFile(configFile)) throw new IllegalArgumentException("config " + configFile + ": no such file");
        TrainConfig requested = TrainConfig.load(configFile);
        String[] sets = cl.getOptionValues("set");
        if (sets != null) requested = requested.with(List.of(sets));
        if (cl.hasOption("device")) requested = requested.with("device", Args.device(cl, "cpu").toString(), "--device");
        TrainingState state;
        if (cl.hasOption("resume")) {
            Path ckpt = Path.of(cl.getOptionValue("resume"));
            state = Checkpoint.load(ckpt, requested.device());
            if (cl.hasOption("config") || sets != null) requireSameArchitecture(ckpt, state.config, requested);
        } else {
            Backends.get(requested.device());
            state = TrainingState.fresh(requested);
        }
        long iterations = cl.hasOption("iterations") ? Args.intValue(cl, "iterations", 0) : state.config.getInt("iter");
        String runName = configFile.getFileName().toString().replaceFirst("\\.properties$", "");
        Path dir = Path.of(cl.getOptionValue("out", home.resolve("checkpoints").resolve(runName).toString()));
        Trainer trainer = new Trainer(state, dir, iterations, err);
        // Ctrl-C asks the loop to finish its iteration and save, instead of killing the JVM.
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> trainer.interrupt());
        trainer.run();
        out.println("run folder: " + dir + " (metrics.csv, losses.png, sample-*.png, ckpt-*.h5)");
        return 0;
    }

    /** A run cannot continue with another architecture or training recipe. */
    private static void requireSameArchitecture(Path ckpt, TrainConfig stored, TrainConfig requested) {
        for (String k : List.of("size", "latent_spatial_size", "latent_channel_size", "mapping_layer_num", "channel_multiplier",
                "channel_max", "normalize_mode", "small_generator", "lr_mul", "dtype", "batch", "lr", "d_reg_every"))
            if (!stored.get(k).equals(requested.get(k)))
                throw new IllegalArgumentException("checkpoint " + ckpt + " was trained with " + k + "=" + stored.get(k)
                        + " but the configuration asks for " + k + "=" + requested.get(k));
    }
}

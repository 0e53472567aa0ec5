package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.autograd.GradMode;
import org.stylemap.io.Checkpoint;
import org.stylemap.io.OutputFile;
import org.stylemap.io.Range;
import org.stylemap.memory.Scope;
import org.stylemap.random.Rng;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.Samples;

/** `stylemap generate`: random images from a checkpoint's EMA generator, with optional truncation. */
final class GenerateCommand extends Command {
    @Override String name() { return "generate"; }

    @Override String summary() { return "random samples from a checkpoint (grid PNG), with truncation"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("ckpt").hasArg().argName("FILE").desc("checkpoint (or an exported official one)").required().get());
        o.addOption(Option.builder().longOpt("n").hasArg().argName("N").desc("images (default 16)").get());
        o.addOption(Option.builder().longOpt("truncation").hasArg().argName("PSI").desc("truncation towards the mean stylemap (default 1 = none; official demo 0.7)").get());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S").desc("noise seed (default 0)").get());
        o.addOption(Args.deviceOption("cpu"));
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("output grid (default samples.png)").get());
        o.addOption(overwriteOption());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        int n = Args.intValue(cl, "n", 16, Range.atLeast(1));
        double psi = Args.doubleValue(cl, "truncation", 1, Range.finite());
        Rng rng = new Rng(Args.intValue(cl, "seed", 0));
        Path ckpt = Path.of(cl.getOptionValue("ckpt"));
        Path png = OutputFile.check(Path.of(cl.getOptionValue("out", "samples.png")), OutputFile.Kind.PNG, cl.hasOption("overwrite"), List.of(ckpt));
        Device device = Args.device(cl, "cpu");
        Checkpoint.Inference m = Checkpoint.loadInference(ckpt, device);
        var dtype = m.dtype();
        int sd = m.config().model().latentChannelSize();
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            // The mean stylemap over 5000 draws, as the official generate.py computes it for truncation.
            Tensor mean = psi == 1 ? null : m.g().meanStylemap(Tensor.randn(new Rng(1_000_003), dtype, device, 5000, sd));
            Samples.write(Samples.randomGrid(m.g(), rng, n, mean, psi, dtype, device, Samples.GENERATE_BATCH), png);
        }
        out.println("wrote " + png + " (" + n + " images)");
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.ImageGrid;
import org.stylemap.io.Checkpoint;
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
        o.addOption(Option.builder().longOpt("ckpt").hasArg().argName("FILE").desc("checkpoint (or an exported official one)").get());
        o.addOption(Option.builder().longOpt("n").hasArg().argName("N").desc("images (default 16)").get());
        o.addOption(Option.builder().longOpt("truncation").hasArg().argName("PSI").desc("truncation towards the mean stylemap (default 1 = none; official demo 0.7)").get());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S").desc("noise seed (default 0)").get());
        o.addOption(Args.deviceOption("cpu"));
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("output grid (default samples.png)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        if (!cl.hasOption("ckpt")) throw new UsageException("--ckpt is required");
        Device device = Args.device(cl, "cpu");
        Checkpoint.Inference m = Checkpoint.loadInference(Path.of(cl.getOptionValue("ckpt")), device);
        int n = Args.intValue(cl, "n", 16);
        double psi = Args.doubleValue(cl, "truncation", 1);
        if (n < 1) throw new UsageException("--n must be at least 1");
        Path png = Path.of(cl.getOptionValue("out", "samples.png"));
        var dtype = m.dtype();
        int sd = m.config().model().latentChannelSize();
        Rng rng = new Rng(Args.intValue(cl, "seed", 0));
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            // The mean stylemap over 5000 draws, as the official generate.py computes it for truncation.
            Tensor mean = psi == 1 ? null : m.g().meanStylemap(Tensor.randn(new Rng(1_000_003), dtype, device, 5000, sd));
            Tensor img = m.g().synthesize(m.g().stylemap(Tensor.randn(rng, dtype, device, n, sd), mean, psi));
            Samples.write(ImageGrid.of(Samples.images(img), (int) Math.ceil(Math.sqrt(n))), png);
        }
        out.println("wrote " + png + " (" + n + " images)");
        return 0;
    }
}

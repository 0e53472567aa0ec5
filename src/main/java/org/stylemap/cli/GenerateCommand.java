package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.RgbImage;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Sampling;
import org.stylemap.edit.Sheets;
import org.stylemap.memory.Scope;

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
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG|DIR").desc("output grid (default samples.png); a name without .png is a folder: "
                + "DIR/grid.png and each image as DIR/NNN.png").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        if (!cl.hasOption("ckpt")) throw new UsageException("--ckpt is required");
        int n = Args.intValue(cl, "n", 16);
        double psi = Args.doubleValue(cl, "truncation", 1);
        if (n < 1) throw new UsageException("--n must be at least 1");
        String target = cl.getOptionValue("out", "samples.png");
        Path dir = target.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? null : Path.of(target);
        Path png = dir == null ? Path.of(target) : dir.resolve("grid.png");
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) throw new UsageException("--out " + dir + " exists and is not a folder");
        EditModel m = EditArgs.model(cl);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            List<RgbImage> images = Photos.images(Sampling.generate(m.g(), n, psi, Args.intValue(cl, "seed", 0), m.dtype(), m.device()));
            Sheets.write(Sheets.grid(images, (int) Math.ceil(Math.sqrt(n))), png);
            if (dir != null) Sheets.writeFrames(images, dir);
        }
        out.println("wrote " + png + " (" + n + " images)" + (dir != null ? " and " + n + " single images in " + dir : ""));
        return 0;
    }
}

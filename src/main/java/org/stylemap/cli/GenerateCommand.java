package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.data.ImageGrid;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Sampling;
import org.stylemap.edit.Sheets;
import org.stylemap.io.OutputFile;
import org.stylemap.io.Range;

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
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG|DIR").desc("output grid (default samples.png); a folder (existing, or a name without an extension) gets "
                + "DIR/grid.png and each image as DIR/NNN.png").get());
        o.addOption(overwriteOption());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        int n = Args.intValue(cl, "n", 16, Range.atLeast(1));
        double psi = Args.doubleValue(cl, "truncation", 1, Range.finite());
        int seed = Args.intValue(cl, "seed", 0);
        Path target = Path.of(cl.getOptionValue("out", "samples.png"));
        List<Path> inputs = List.of(Path.of(cl.getOptionValue("ckpt")));
        // A folder (existing, or a name without an extension) gets the grid and every image; anything else is the grid's file.
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        Path dir = Files.isDirectory(target) || !name.contains(".") ? OutputFile.checkFolder(target, inputs) : null;
        Path png = OutputFile.check(dir == null ? target : dir.resolve("grid.png"), OutputFile.Kind.PNG, cl.hasOption("overwrite"), inputs);
        EditModel m = EditArgs.model(cl, err);
        int size = m.size();
        ImageGrid.Sheet sheet = new ImageGrid.Sheet(n, (int) Math.ceil(Math.sqrt(n)), size, size);
        Sampling.generate(m.g(), n, psi, seed, m.dtype(), m.device(), Sampling.BATCH, (i, img) -> {
            sheet.put(i, img);
            if (dir != null) Sheets.write(img, Sheets.frameFile(dir, i));
        });
        Sheets.write(sheet.image(), png);
        out.println("wrote " + png + " (" + n + " images)" + (dir != null ? " and " + n + " single images in " + dir : ""));
        return 0;
    }
}

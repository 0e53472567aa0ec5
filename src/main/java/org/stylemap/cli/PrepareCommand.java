package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.ImageGrid;
import org.stylemap.data.Preparer;
import org.stylemap.data.RgbImage;
import org.stylemap.data.Split;

/** `stylemap prepare`: a folder of photos to a training-ready HDF5 dataset. */
final class PrepareCommand extends Command {
    /** Images in the --preview sheet. */
    private static final int PREVIEW_IMAGES = 64;

    @Override String name() { return "prepare"; }

    @Override String summary() { return "turn a folder of PNG/JPEG photos into a square uint8 HDF5 dataset with train/val splits"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("images").hasArg().argName("DIR")
                .desc("folder of .png/.jpg/.jpeg files, searched recursively").get());
        o.addOption(Option.builder().longOpt("size").hasArg().argName("N")
                .desc("output side length in pixels (e.g. 256)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE.h5")
                .desc("the dataset file to write").get());
        o.addOption(Option.builder().longOpt("val-fraction").hasArg().argName("F")
                .desc("share held out for validation, in [0, 1) (default 0.05; at least one image when there are two or more)").get());
        o.addOption(Option.builder().longOpt("crop").hasArg().argName("MODE")
                .desc("center: largest centred square, then resize (default); none: resize the whole photo, distorting it").get());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S")
                .desc("chooses the validation images (default 0)").get());
        o.addOption(Option.builder().longOpt("preview").hasArg().argName("FILE.png")
                .desc("also write a sheet of the first " + PREVIEW_IMAGES + " training images, read back from the file").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        required(cl, "size");
        Preparer.Options opts;
        try {
            opts = new Preparer.Options(Path.of(required(cl, "images")), Args.intValue(cl, "size", 0), Path.of(required(cl, "out")),
                    doubleValue(cl, "val-fraction", 0.05), Preparer.Crop.parse(cl.getOptionValue("crop", "center")),
                    longValue(cl, "seed", 0), Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Preparer.Summary s = Preparer.run(opts, err);
        if (s.warning() != null) err.println(s.warning());
        out.printf(Locale.ROOT, "wrote %s: %d train + %d val images, %dx%d, %.1f MB in %.1f s (%.0f images/s)%n", s.out(), s.train(), s.val(),
                s.size(), s.size(), s.bytes() / 1e6, s.seconds(), (s.train() + s.val()) / Math.max(s.seconds(), 1e-9));
        if (cl.hasOption("preview")) {
            Path png = Path.of(cl.getOptionValue("preview"));
            try (ImageDataset d = ImageDataset.open(s.out(), s.size())) {
                List<RgbImage> tiles = new ArrayList<>();
                for (int i = 0; i < Math.min(PREVIEW_IMAGES, d.count(Split.TRAIN)); i++) tiles.add(d.image(Split.TRAIN, i));
                ImageFiles.writePng(ImageGrid.of(tiles, 8), png);
            }
            out.println("preview: " + png);
        }
        return 0;
    }

    /** Checked here rather than by the parser, which would also reject a lone --help. */
    private static String required(CommandLine cl, String opt) {
        String v = cl.getOptionValue(opt);
        if (v == null) throw new UsageException("--" + opt + " is required");
        return v;
    }

    private static double doubleValue(CommandLine cl, String opt, double fallback) {
        String v = cl.getOptionValue(opt);
        try {
            return v == null ? fallback : Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " needs a number, got '" + v + "'");
        }
    }

    private static long longValue(CommandLine cl, String opt, long fallback) {
        String v = cl.getOptionValue(opt);
        try {
            return v == null ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " needs an integer, got '" + v + "'");
        }
    }
}

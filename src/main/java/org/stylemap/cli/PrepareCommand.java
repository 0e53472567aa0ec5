package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.data.DatasetWriter;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.ImageGrid;
import org.stylemap.data.Preparer;
import org.stylemap.data.RgbImage;
import org.stylemap.data.Split;
import org.stylemap.io.OutputFile;
import org.stylemap.io.Range;

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
                .desc("folder of .png/.jpg/.jpeg files, searched recursively").required().get());
        o.addOption(Option.builder().longOpt("size").hasArg().argName("N")
                .desc("output side length in pixels (e.g. 256)").required().get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE.h5")
                .desc("the dataset file to write").required().get());
        o.addOption(Option.builder().longOpt("val-fraction").hasArg().argName("F")
                .desc("share held out for validation, in [0, 1) (default 0.05; at least one image when there are two or more)").get());
        o.addOption(Option.builder().longOpt("crop").hasArg().argName("MODE")
                .desc("center: largest centred square, then resize (default); none: resize the whole photo, distorting it").get());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S")
                .desc("chooses the validation images (default 0)").get());
        o.addOption(Option.builder().longOpt("preview").hasArg().argName("FILE.png")
                .desc("also write a sheet of the first " + PREVIEW_IMAGES + " training images, read back from the file").get());
        o.addOption(overwriteOption());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Preparer.Options opts;
        try {
            opts = new Preparer.Options(Path.of(cl.getOptionValue("images")), Args.intValue(cl, "size", 0, Range.atLeast(1)),
                    Path.of(cl.getOptionValue("out")), Args.doubleValue(cl, "val-fraction", 0.05, Range.closedOpen(0, 1)),
                    Preparer.Crop.parse(cl.getOptionValue("crop", "center")),
                    Args.longValue(cl, "seed", 0, Range.finite()), Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        // Before hours of decoding: neither output may replace a photo, or a file that is not of its kind.
        List<Path> photos = Preparer.imageFiles(opts.images());
        boolean overwrite = cl.hasOption("overwrite");
        OutputFile.check(opts.out(), DatasetWriter.KIND, overwrite, photos);
        Path preview = cl.hasOption("preview") ? Path.of(cl.getOptionValue("preview")) : null;
        if (preview != null) {
            List<Path> inputs = new ArrayList<>(photos);
            inputs.add(opts.out());
            OutputFile.check(preview, OutputFile.Kind.PNG, overwrite, inputs);
        }
        Preparer.Summary s = Preparer.run(opts, err);
        if (s.warning() != null) err.println(s.warning());
        if (s.upscaledWarning() != null) err.println(s.upscaledWarning());
        out.printf(Locale.ROOT, "wrote %s: %d train + %d val images, %dx%d, %.1f MB in %.1f s (%.0f images/s)%n", s.out(), s.train(), s.val(),
                s.size(), s.size(), s.bytes() / 1e6, s.seconds(), (s.train() + s.val()) / Math.max(s.seconds(), 1e-9));
        if (preview != null) {
            try (ImageDataset d = ImageDataset.open(s.out(), s.size())) {
                List<RgbImage> tiles = new ArrayList<>();
                for (int i = 0; i < Math.min(PREVIEW_IMAGES, d.count(Split.TRAIN)); i++) tiles.add(d.image(Split.TRAIN, i));
                ImageFiles.writePng(ImageGrid.of(tiles, 8), preview);
            }
            out.println("preview: " + preview);
        }
        return 0;
    }
}

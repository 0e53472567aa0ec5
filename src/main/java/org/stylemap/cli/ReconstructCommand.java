package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.Range;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.Split;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.PhotoSet;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Reconstruction;
import org.stylemap.edit.Sheets;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;
import org.stylemap.model.PerceptualLoss;

/** `stylemap reconstruct`: the official "reconstruction" mode over a folder or a prepared dataset, with the errors. */
final class ReconstructCommand extends Command {
    @Override String name() { return "reconstruct"; }

    @Override String summary() { return "reconstructions of a folder or dataset with MSE/LPIPS per image and the mean"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        addPhotoSet(o);
        o.addOption(Option.builder().longOpt("limit").hasArg().argName("N").desc("at most N images (default all)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("writes DIR/I_real.png and DIR/I_recon.png (official names)").get());
        EditArgs.addLpips(o);
        return o;
    }

    static void addPhotoSet(Options o) {
        o.addOption(Option.builder().longOpt("images").hasArg().argName("DIR").desc("a folder of photos (walked, sorted)").get());
        o.addOption(Option.builder().longOpt("dataset").hasArg().argName("FILE").desc("or a prepared dataset (stylemap prepare)").get());
        o.addOption(Option.builder().longOpt("split").hasArg().argName("train|val").desc("the dataset's split (default val)").get());
    }

    /** --images DIR or --dataset FILE [--split]. */
    static PhotoSet photoSet(CommandLine cl, EditModel m) {
        if (cl.hasOption("images") == cl.hasOption("dataset")) throw new UsageException("give one of --images DIR or --dataset FILE");
        if (cl.hasOption("images")) return PhotoSet.folder(Path.of(cl.getOptionValue("images")));
        String split = cl.getOptionValue("split", "val");
        Split sp = switch (split) {
            case "train" -> Split.TRAIN;
            case "val" -> Split.VAL;
            default -> throw new UsageException("--split must be train or val, got '" + split + "'");
        };
        return PhotoSet.dataset(Path.of(cl.getOptionValue("dataset")), sp, m.size());
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "out");
        Path dir = EditArgs.folder(cl);
        int limit = Args.intValue(cl, "limit", Integer.MAX_VALUE, Range.atLeast(1));

        EditModel m = EditArgs.model(cl, err);
        PerceptualLoss lpips = EditArgs.lpips(cl, m);
        double mse = 0, lp = 0;
        int n;
        try (PhotoSet photos = photoSet(cl, m)) {
            n = Math.min(limit, photos.count());
            if (n == 0) throw new IllegalArgumentException("no images to reconstruct");
            for (int i = 0; i < n; i++) {
                try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
                    Tensor photo = m.photo(photos.image(i), photos.name(i));
                    Reconstruction r = Reconstruction.of(m, photo, lpips);
                    Sheets.write(Photos.image(photo), dir.resolve(i + "_real.png"));
                    Sheets.write(Photos.image(r.image()), dir.resolve(i + "_recon.png"));
                    mse += r.mse();
                    lp += r.lpips();
                    out.printf("%d %s: MSE %.5f%s%n", i, photos.name(i), r.mse(), lpips == null ? "" : String.format("  LPIPS %.4f", r.lpips()));
                }
            }
        }
        out.printf("mean over %d images: MSE %.5f%s%n", n, mse / n, lpips == null ? "" : String.format("  LPIPS %.4f", lp / n));
        out.println("wrote the photos and reconstructions to " + dir);
        return 0;
    }
}

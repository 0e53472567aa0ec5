package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.OutputFile;
import org.stylemap.io.Range;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.RgbImage;
import org.stylemap.edit.Direction;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Input;
import org.stylemap.edit.Labels;
import org.stylemap.edit.PhotoSet;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Sheets;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;

/** `stylemap direction`: an attribute's direction in stylemap space from labelled photos (official semantic_manipulation.py). */
final class DirectionCommand extends Command {
    @Override String name() { return "direction"; }

    @Override String summary() { return "fit a semantic direction on labelled photos and apply it"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        ReconstructCommand.addPhotoSet(o);
        o.addOption(Option.builder().longOpt("labels").hasArg().argName("CSV").desc("header file,ATTR,...; one row per photo, values 1/0 or 1/-1").get());
        o.addOption(Option.builder().longOpt("attribute").hasArg().argName("NAME").desc("the CSV column (needed when it has several)").get());
        o.addOption(Option.builder().longOpt("classifier").hasArg().argName("svm|logistic").desc("linear SVM (default, as the official code) or logistic regression").get());
        o.addOption(Option.builder().longOpt("val-fraction").hasArg().argName("F").desc("held out per class to report accuracy (default 0.1)").get());
        o.addOption(Option.builder().longOpt("limit").hasArg().argName("N").desc("use at most N labelled photos").get());
        o.addOption(Option.builder().longOpt("save").hasArg().argName("FILE").desc("write the direction (HDF5) for `edit --direction`").get());
        o.addOption(Option.builder().longOpt("apply").hasArg().argName("IMG").desc("photo to move along the direction (repeatable)").get());
        o.addOption(Option.builder().longOpt("alphas").hasArg().argName("A,B,..").desc("distances to show (default -6,-3,0,3,6)").get());
        EditArgs.addMasks(o, "with --apply, a second row edited only under this region (one)");
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("with --apply: rows of photo, reconstruction and each alpha (default direction.png)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "labels");
        Path csv = Path.of(cl.getOptionValue("labels"));
        String classifier = cl.getOptionValue("classifier", "svm");
        if (!classifier.equals("svm") && !classifier.equals("logistic")) throw new UsageException("--classifier must be svm or logistic, got '" + classifier + "'");
        double valFraction = Args.doubleValue(cl, "val-fraction", 0.1, Range.closedOpen(0, 1));
        if (!(valFraction >= 0 && valFraction < 1)) throw new UsageException("--val-fraction must be in [0, 1), got " + valFraction);
        int limit = Args.intValue(cl, "limit", Integer.MAX_VALUE, Range.atLeast(2));
        Path save = cl.hasOption("save") ? EditArgs.file(cl, Path.of(cl.getOptionValue("save")), OutputFile.Kind.hdf5("direction file", Direction.FORMAT)) : null;
        List<String> apply = EditArgs.all(cl, "apply");
        double[] alphas = EditArgs.numbers(cl, "alphas", "-6,-3,0,3,6");
        Path png = EditArgs.png(cl, "direction.png");
        if (save == null && apply.isEmpty()) throw new UsageException("give --save FILE, --apply IMG or both: otherwise the fit is lost");
        Labels labels = Labels.read(csv, cl.getOptionValue("attribute"));

        EditModel m = EditArgs.model(cl, err);
        List<Tensor> masks = EditArgs.masks(cl, m);
        if (masks.size() > 1) throw new UsageException("give at most one --mask or --box");
        Direction.Fit fit;
        try (PhotoSet photos = ReconstructCommand.photoSet(cl, m)) {
            fit = Direction.fit(m, photos, labels, classifier, valFraction, limit);
        }
        Direction d = fit.direction();
        if (fit.unlabelled() > 0) err.println("[direction] note: " + fit.unlabelled() + " photos have no row in " + csv + " and were left out");
        out.printf("%s: %d photos with it, %d without; %s accuracy %.3f on the training photos, %s held out%n", d.attribute(), d.positives(),
                d.negatives(), classifier, d.trainAccuracy(), Double.isNaN(d.valAccuracy()) ? "none" : String.format("%.3f", d.valAccuracy()));
        if (save != null) {
            d.save(save, m.config());
            out.println("wrote " + save);
        }
        if (!apply.isEmpty()) {
            try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
                List<RgbImage> tiles = new ArrayList<>();
                for (String img : apply) {
                    Input in = Input.load(m, img);
                    tiles.add(in.tile(m));
                    tiles.add(Photos.image(m.decode(in.latent())));
                    for (double a : alphas) tiles.add(Photos.image(d.apply(m.g(), in.latent(), a, null)));
                    if (!masks.isEmpty()) {
                        tiles.add(in.tile(m));
                        tiles.add(Photos.image(m.decode(in.latent())));
                        for (double a : alphas) tiles.add(Photos.image(d.apply(m.g(), in.latent(), a, masks.getFirst())));
                    }
                }
                Sheets.write(Sheets.grid(tiles, alphas.length + 2), png);
            }
            out.println("wrote " + png + " (per photo: photo, reconstruction, then alpha " + java.util.Arrays.toString(alphas)
                    + (masks.isEmpty() ? ")" : "; a second row only under the mask)"));
        }
        return 0;
    }
}

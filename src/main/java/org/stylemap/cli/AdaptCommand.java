package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.Range;
import org.stylemap.autograd.GradMode;
import org.stylemap.edit.Adaptation;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Input;
import org.stylemap.edit.LocalEdit;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Sheets;
import org.stylemap.edit.Space;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;

/** `stylemap adapt`: a local edit made with a generator fine-tuned to the photo (Bau et al. 2019). */
final class AdaptCommand extends Command {
    @Override String name() { return "adapt"; }

    @Override String summary() { return "local edit with the generator's last layers adapted to the photo"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("original").hasArg().argName("IMG").desc("photo to edit").get());
        o.addOption(Option.builder().longOpt("reference").hasArg().argName("IMG").desc("photo to take the region from").get());
        EditArgs.addMasks(o, "region (one)");
        o.addOption(Option.builder().longOpt("space").hasArg().argName("w|w_plus").desc("mixing space (default w_plus)").get());
        o.addOption(Option.builder().longOpt("layers").hasArg().argName("K").desc("tune the last K synthesis blocks (1 = to_rgb; default 2)").get());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N").desc("Adam steps (default 100)").get());
        o.addOption(Option.builder().longOpt("lr").hasArg().argName("LR").desc("learning rate (default 0.001)").get());
        EditArgs.addLpips(o);
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("output: original, reference, reconstruction, adapted reconstruction, "
                + "edit, adapted edit (default adapt.png)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "original", "reference");
        Space space = EditArgs.space(cl);
        int layers = Args.intValue(cl, "layers", 2, Range.atLeast(1)), steps = Args.intValue(cl, "steps", 100, Range.atLeast(1));
        double lr = Args.doubleValue(cl, "lr", 1e-3, Range.positive());
        Path png = EditArgs.png(cl, "adapt.png");

        EditModel m = EditArgs.model(cl, err);
        List<Tensor> masks = EditArgs.masks(cl, m);
        if (masks.size() != 1) throw new UsageException("give exactly one --mask or --box, got " + masks.size());
        try (Scope s = Scope.open()) {
            Input a, b;
            try (GradMode off = GradMode.off()) {
                a = Input.load(m, cl.getOptionValue("original"));
                b = Input.load(m, cl.getOptionValue("reference"));
            }
            if (a.photo() == null) throw new UsageException("--original must be a photo: adaptation fits the generator to it");
            int every = Math.max(1, steps / 10);
            Adaptation.Comparison c = Adaptation.compare(m, a.photo(), a.latent(), new LocalEdit.Pair(b.latent(), masks.getFirst()), space,
                    new Adaptation.Options(layers, steps, lr, EditArgs.lpips(cl, m)), k -> {
                        if (k % every == 0 || k == steps) err.printf("[adapt] step %d/%d%n", k, steps);
                    });
            try (GradMode off = GradMode.off()) {
                Sheets.write(Sheets.row(java.util.List.of(a.tile(m), b.tile(m), Photos.image(c.reconstruction()), Photos.image(c.adaptedReconstruction()),
                        Photos.image(c.edit()), Photos.image(c.adaptedEdit()))), png);
            }
            Adaptation.Result r = c.adaptation();
            out.printf("reconstruction MSE %.5f -> %.5f after adapting %d block(s) for %d steps (%.1f s)%n", r.mseBefore(), r.mseAfter(), layers, steps,
                    r.seconds());
            out.printf("MSE outside the edited region: %.5f without adaptation, %.5f with%n", c.mseOutside(), c.adaptedMseOutside());
        }
        out.println("wrote " + png);
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.OutputFile;
import org.stylemap.io.Range;
import org.stylemap.autograd.GradMode;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.LatentFile;
import org.stylemap.edit.Names;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Projection;
import org.stylemap.edit.Sheets;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;

/** `stylemap project`: optimization refinement of a photo's stylemap, starting from the encoder's. */
final class ProjectCommand extends Command {
    @Override String name() { return "project"; }

    @Override String summary() { return "refine a photo's projection by optimization (Adam on the stylemap)"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("image").hasArg().argName("IMG").desc("the photo").get());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("N").desc("Adam steps (default 200)").get());
        o.addOption(Option.builder().longOpt("lr").hasArg().argName("LR").desc("learning rate (default 0.01, as Image2StyleGAN)").get());
        o.addOption(Option.builder().longOpt("space").hasArg().argName("w|w_plus").desc("optimize the stylemap (w, default) or one map per resizer layer (w_plus)").get());
        o.addOption(Option.builder().longOpt("domain-weight").hasArg().argName("L").desc("weight of the in-domain regularizer mse(s, E(G(s))) (default 0.1; 0 = off)").get());
        EditArgs.addLpips(o);
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("writes DIR/NAME.h5 (the latent) and DIR/NAME_project.png (photo, encoder, refined)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "image", "out");
        String image = cl.getOptionValue("image");
        String name = Names.unique(List.of(image)).getFirst();
        Path dir = EditArgs.folder(cl);
        Path h5 = EditArgs.file(cl, dir.resolve(name + ".h5"), OutputFile.Kind.hdf5("latent file", LatentFile.FORMAT)),
                png = EditArgs.file(cl, dir.resolve(name + "_project.png"), OutputFile.Kind.PNG);
        int steps = Args.intValue(cl, "steps", 200, Range.atLeast(1));
        double lr = Args.doubleValue(cl, "lr", 0.01, Range.positive());
        double domain = Args.doubleValue(cl, "domain-weight", 0.1, Range.nonNegative());
        if (!(domain >= 0)) throw new UsageException("--domain-weight must be at least 0, got " + domain);
        org.stylemap.edit.Space space = EditArgs.space(cl, "w");

        EditModel m = EditArgs.model(cl, err);
        Projection.Options o = new Projection.Options(space, steps, lr, EditArgs.lpips(cl, m), domain);
        Tensor photo = m.photo(Path.of(image));
        int every = Math.max(1, steps / 10);
        Projection.Result r = Projection.refine(m, photo, o, k -> {
            if (k % every == 0 || k == steps) err.printf("[project] step %d/%d%n", k, steps);
        });
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Sheets.write(Sheets.row(photo, m.decode(m.encode(photo)), m.decode(r.latent())), png);
        }
        LatentFile.write(h5, m.config(), List.of(new LatentFile.Entry(name, r.latent(), image)));
        out.printf("%s: MSE %.5f (encoder) -> %.5f (%d steps, %s), %.1f s (%.3f s/step)%n", image, r.mseBefore(), r.mseAfter(), steps,
                space.label, r.seconds(), r.seconds() / steps);
        out.println("wrote " + h5 + " and " + png);
        return 0;
    }
}

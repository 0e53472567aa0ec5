package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.OutputFile;
import org.stylemap.autograd.GradMode;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.LatentFile;
import org.stylemap.edit.Names;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Reconstruction;
import org.stylemap.edit.Sheets;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;
import org.stylemap.model.PerceptualLoss;

/** `stylemap encode`: each photo's stylemap (one encoder pass) into an HDF5 file, with its reconstruction and error. */
final class EncodeCommand extends Command {
    @Override String name() { return "encode"; }

    @Override String summary() { return "project photos into stylemaps (HDF5) with their reconstructions and MSE/LPIPS"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("images").hasArgs().argName("IMG").desc("photos (any size; center-cropped and resized)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("writes DIR/latents.h5 and DIR/NAME_recon.png").get());
        EditArgs.addLpips(o);
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "images", "out");
        List<String> images = EditArgs.all(cl, "images");
        List<String> names = Names.unique(images);
        Path dir = EditArgs.folder(cl);
        Path h5 = EditArgs.file(cl, dir.resolve("latents.h5"), OutputFile.Kind.hdf5("latent file", LatentFile.FORMAT));

        EditModel m = EditArgs.model(cl, err);
        PerceptualLoss lpips = EditArgs.lpips(cl, m);
        List<LatentFile.Entry> entries = new ArrayList<>();
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            for (int i = 0; i < images.size(); i++) {
                Tensor photo = m.photo(Path.of(images.get(i)));
                Reconstruction r = Reconstruction.of(m, photo, lpips);
                Sheets.write(Photos.image(r.image()), dir.resolve(names.get(i) + "_recon.png"));
                entries.add(new LatentFile.Entry(names.get(i), r.latent(), images.get(i)));
                out.printf("%s: MSE %.5f%s%n", images.get(i), r.mse(), lpips == null ? "" : String.format("  LPIPS %.4f", r.lpips()));
            }
            LatentFile.write(h5, m.config(), entries);
        }
        out.println("wrote " + h5 + " (" + entries.size() + " stylemaps) and the reconstructions to " + dir);
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.autograd.GradMode;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Input;
import org.stylemap.edit.Mixing;
import org.stylemap.edit.Sheets;
import org.stylemap.memory.Scope;

/** `stylemap mix`: the official style mixing, the coarse (stylemap-resolution) styles of one photo with the rest of another. */
final class MixCommand extends Command {
    @Override String name() { return "mix"; }

    @Override String summary() { return "style mixing: layout from one photo, fine styles from another"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("coarse").hasArg().argName("IMG").desc("photo giving the coarse styles (or a latent FILE.h5[:NAME])").get());
        o.addOption(Option.builder().longOpt("fine").hasArg().argName("IMG").desc("photo giving every finer style (or a latent FILE.h5[:NAME])").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("output: both photos, their reconstructions, the mix (default mix.png)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "coarse", "fine");
        Path png = EditArgs.png(cl, "mix.png");

        EditModel m = EditArgs.model(cl, err);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Input a = Input.load(m, cl.getOptionValue("coarse")), b = Input.load(m, cl.getOptionValue("fine"));
            Sheets.write(Sheets.mix(m, a, b, Mixing.styleMix(m.g(), a.latent(), b.latent())), png);
        }
        out.println("wrote " + png + " (coarse photo, fine photo, their reconstructions, the mix)");
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.Range;
import org.stylemap.autograd.GradMode;
import org.stylemap.tensor.Tensor;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Input;
import org.stylemap.edit.Mixing;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Sheets;
import org.stylemap.memory.Scope;

/** `stylemap interpolate A B`: the official w_interpolation, images along the line between two stylemaps. */
final class InterpolateCommand extends Command {
    @Override String name() { return "interpolate"; }

    @Override String summary() { return "frames between two photos' stylemaps (A B --steps K)"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("K").desc("frames, both ends included (default 8)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("the strip (default interpolate.png); frames go to OUT-frames/NNN.png").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        List<String> ends = cl.getArgList();
        if (ends.size() != 2) throw new UsageException("needs exactly two photos (or latents), A and B, got " + ends.size());
        EditArgs.require(cl, "ckpt");
        int steps = Args.intValue(cl, "steps", 8, Range.atLeast(2));
        Path png = EditArgs.png(cl, "interpolate.png");
        Path framesDir = EditArgs.framesDir(png);

        EditModel m = EditArgs.model(cl, err);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Input a = Input.load(m, ends.get(0)), b = Input.load(m, ends.get(1));
            List<Tensor> frames = Mixing.interpolate(m.g(), a.latent(), b.latent(), steps);
            Sheets.writeFrames(frames.stream().map(Photos::image).toList(), framesDir);
            Sheets.write(Sheets.strip(m, a, frames, b), png);
        }
        out.println("wrote " + png + " (A, " + steps + " frames, B) and the frames to " + framesDir);
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.Range;
import org.stylemap.autograd.GradMode;
import org.stylemap.edit.Direction;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Input;
import org.stylemap.edit.LocalEdit;
import org.stylemap.edit.Sheets;
import org.stylemap.edit.Space;
import org.stylemap.io.OutputFile;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;

/**
 * `stylemap edit`: local editing of a real photo. Both photos are projected by the EMA encoder;
 * where a mask is white the result takes that reference's stylemap (official convention). Or,
 * with --direction, the photo moves along a semantic direction (everywhere, or under the mask).
 */
final class EditCommand extends Command {
    @Override String name() { return "edit"; }

    @Override String summary() { return "transplant the masked region of a reference photo into an original photo"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("original").hasArg().argName("IMG").desc("photo to edit (or a latent FILE.h5[:NAME] from encode/project)").get());
        o.addOption(Option.builder().longOpt("reference").hasArg().argName("IMG").desc("photo to take a region from (repeatable: one per mask or box, in order)").get());
        EditArgs.addMasks(o, "region");
        o.addOption(Option.builder().longOpt("space").hasArg().argName("w|w_plus").desc("mix once in the stylemap (w) or at every resizer layer (w_plus, default)").get());
        o.addOption(Option.builder().longOpt("frames").hasArg().argName("K").desc("also K frames from the reconstruction to the edit: OUT-frames/NNN.png and OUT-frames/strip.png").get());
        o.addOption(Option.builder().longOpt("direction").hasArg().argName("FILE").desc("move along a saved direction (from `direction --save`) instead of a reference").get());
        o.addOption(Option.builder().longOpt("alpha").hasArg().argName("A").desc("with --direction: how far (default 3; negative removes the attribute)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("output: original, references, reconstructions, edit (default edit.png)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "original");
        boolean byDirection = cl.hasOption("direction");
        if (!byDirection) EditArgs.require(cl, "reference");
        Space space = EditArgs.space(cl);
        int frames = cl.hasOption("frames") ? Args.intValue(cl, "frames", 0, Range.atLeast(2)) : 0;
        List<String> references = EditArgs.all(cl, "reference");
        List<Path> inputs = new ArrayList<>();
        for (String opt : List.of("ckpt", "original", "reference", "mask", "direction"))
            for (String v : EditArgs.all(cl, opt)) inputs.add(Path.of(v.replaceFirst("(\\.h5):[^/]*$", "$1")));
        Path png = OutputFile.check(Path.of(cl.getOptionValue("out", "edit.png")), OutputFile.Kind.PNG, cl.hasOption("overwrite"), inputs);
        Path framesDir = frames > 0 ? EditArgs.framesDir(png) : null;

        EditModel m = EditArgs.model(cl, err);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Input original = Input.load(m, cl.getOptionValue("original"));
            List<Tensor> masks = EditArgs.masks(cl, m);
            List<Tensor> frameImages;
            if (byDirection) {
                if (masks.size() > 1) throw new UsageException("--direction takes at most one --mask or --box");
                if (!references.isEmpty()) throw new UsageException("--direction and --reference cannot be combined");
                Direction d = Direction.load(Path.of(cl.getOptionValue("direction")), m);
                double alpha = Args.doubleValue(cl, "alpha", 3, org.stylemap.io.Range.finite());
                Tensor mask = masks.isEmpty() ? null : masks.getFirst();
                Sheets.write(Sheets.single(m, original, d.apply(m.g(), original.latent(), alpha, mask)), png);
                frameImages = frames > 0 ? d.frames(m.g(), original.latent(), alpha, mask, frames) : List.of();
            } else {
                if (masks.size() != references.size())
                    throw new UsageException(references.size() + " --reference but " + masks.size() + " --mask/--box: give one mask or box per reference");
                List<Input> refs = new ArrayList<>();
                List<LocalEdit.Pair> pairs = new ArrayList<>();
                for (int i = 0; i < references.size(); i++) {
                    refs.add(Input.load(m, references.get(i)));
                    pairs.add(new LocalEdit.Pair(refs.get(i).latent(), masks.get(i)));
                }
                Sheets.write(Sheets.localEdit(m, original, refs, LocalEdit.apply(m.g(), original.latent(), pairs, space, 1)), png);
                frameImages = frames > 0 ? LocalEdit.frames(m.g(), original.latent(), pairs, space, frames) : List.of();
            }
            if (frames > 0) Sheets.writeFramesAndStrip(frameImages, framesDir);
        }
        out.println("wrote " + png + (byDirection ? " (original, reconstruction, edit)" : " (original, references, their reconstructions, the edit)"));
        if (frames > 0) out.println("wrote " + frames + " frames and strip.png to " + framesDir);
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.ImageGrid;
import org.stylemap.edit.Photos;
import org.stylemap.io.Checkpoint;
import org.stylemap.io.OutputFile;
import org.stylemap.memory.Scope;
import org.stylemap.model.Generator;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.Samples;

/**
 * `stylemap edit`: local editing of a real photo. Both photos are projected by the EMA encoder;
 * where the mask is white the result takes the reference's stylemap (official convention).
 */
final class EditCommand extends Command {
    @Override String name() { return "edit"; }

    @Override String summary() { return "transplant the masked region of a reference photo into an original photo"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("ckpt").hasArg().argName("FILE").desc("checkpoint").required().get());
        o.addOption(Option.builder().longOpt("original").hasArg().argName("IMG").desc("photo to edit").required().get());
        o.addOption(Option.builder().longOpt("reference").hasArg().argName("IMG").desc("photo to take the region from").required().get());
        o.addOption(Option.builder().longOpt("mask").hasArg().argName("IMG").desc("white = take from the reference").required().get());
        o.addOption(Option.builder().longOpt("space").hasArg().argName("w|w_plus").desc("mix once in the stylemap (w) or at every resizer layer (w_plus, default)").get());
        o.addOption(Args.deviceOption("cpu"));
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("output: original, reference, reconstructions, edit (default edit.png)").get());
        o.addOption(overwriteOption());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        String space = cl.getOptionValue("space", "w_plus");
        if (!space.equals("w") && !space.equals("w_plus")) throw new UsageException("--space must be w or w_plus");
        List<Path> inputs = Stream.of("ckpt", "original", "reference", "mask").map(k -> Path.of(cl.getOptionValue(k))).toList();
        Path png = OutputFile.check(Path.of(cl.getOptionValue("out", "edit.png")), OutputFile.Kind.PNG, cl.hasOption("overwrite"), inputs);
        Device device = Args.device(cl, "cpu");
        Checkpoint.Inference m = Checkpoint.loadInference(Path.of(cl.getOptionValue("ckpt")), device);
        Generator g = m.g();
        int size = m.config().model().size();
        DType dtype = m.dtype();
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor a = Photos.load(Path.of(cl.getOptionValue("original")), size, dtype, device, err::println);
            Tensor b = Photos.load(Path.of(cl.getOptionValue("reference")), size, dtype, device, err::println);
            Tensor mask = Photos.mask(Path.of(cl.getOptionValue("mask")), size, dtype, device, err::println);
            Tensor sa = m.e().forward(a), sb = m.e().forward(b);
            Tensor edited = space.equals("w") ? g.editW(sa, sb, mask) : g.editWPlus(sa, sb, mask);
            var tiles = new java.util.ArrayList<>(Samples.images(a));
            tiles.addAll(Samples.images(b));
            tiles.addAll(Samples.images(g.synthesize(sa)));
            tiles.addAll(Samples.images(g.synthesize(sb)));
            tiles.addAll(Samples.images(edited));
            Samples.write(ImageGrid.of(tiles, tiles.size()), png);
        }
        out.println("wrote " + png + " (original, reference, their reconstructions, the edit)");
        return 0;
    }
}

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.autograd.GradMode;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Input;
import org.stylemap.edit.Sheets;
import org.stylemap.edit.Transplant;
import org.stylemap.memory.Scope;

/** `stylemap transplant`: the official transplantation, boxes of the reference's stylemap moved into the original's. */
final class TransplantCommand extends Command {
    @Override String name() { return "transplant"; }

    @Override String summary() { return "copy boxes of a reference's stylemap to other positions of the original's"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("original").hasArg().argName("IMG").desc("photo to edit (or a latent FILE.h5[:NAME])").get());
        o.addOption(Option.builder().longOpt("reference").hasArg().argName("IMG").desc("photo the boxes come from (or a latent FILE.h5[:NAME])").get());
        o.addOption(Option.builder().longOpt("from").hasArg().argName("y,x").desc("top-left stylemap cell of a box in the reference (repeatable)").get());
        o.addOption(Option.builder().longOpt("to").hasArg().argName("y,x").desc("where that box goes in the original (one per --from)").get());
        o.addOption(Option.builder().longOpt("size").hasArg().argName("h,w").desc("the box's size in stylemap cells (one per --from)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("PNG").desc("output: both photos with the boxes drawn, their reconstructions, the result (default transplant.png)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt", "original", "reference", "from", "to", "size");
        List<String> from = EditArgs.all(cl, "from"), to = EditArgs.all(cl, "to"), size = EditArgs.all(cl, "size");
        if (from.size() != to.size() || from.size() != size.size())
            throw new UsageException("give --from, --to and --size once per box (got " + from.size() + ", " + to.size() + ", " + size.size() + ")");
        List<Transplant.Move> moves = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) moves.add(parse(from.get(i), to.get(i), size.get(i)));
        Path png = EditArgs.png(cl, "transplant.png");

        EditModel m = EditArgs.model(cl, err);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Input a = Input.load(m, cl.getOptionValue("original")), b = Input.load(m, cl.getOptionValue("reference"));
            Sheets.write(Sheets.transplant(m, a, b, moves, m.g().synthesize(Transplant.apply(a.latent().stylemap(), b.latent().stylemap(), moves))), png);
        }
        out.println("wrote " + png + " (original and reference with the boxes, their reconstructions, the result)");
        return 0;
    }

    private static Transplant.Move parse(String from, String to, String size) {
        try {
            return Transplant.Move.parse(from, to, size);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

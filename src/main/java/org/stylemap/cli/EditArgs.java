package org.stylemap.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.edit.EditModel;
import org.stylemap.io.OutputFile;
import org.stylemap.edit.Masks;
import org.stylemap.model.Lpips;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.model.PerceptualLoss;

/** What the editing commands share: the model, the device, masks and boxes, LPIPS weights. */
final class EditArgs {
    private EditArgs() {}

    /** --ckpt, --device and --overwrite. */
    static void addModel(Options o) {
        o.addOption(Option.builder().longOpt("ckpt").hasArg().argName("FILE").desc("checkpoint (its EMA generator and encoder; an exported official one works)").get());
        o.addOption(Args.deviceOption("cpu"));
        o.addOption(Command.overwriteOption());
    }

    /** Options that name files an editing command reads. */
    private static final List<String> INPUTS = List.of("ckpt", "original", "reference", "mask", "image", "images", "coarse", "fine",
            "direction", "labels", "dataset", "lpips", "apply", "gallery");

    /** Every file the command reads (latent specs FILE.h5:NAME as FILE.h5), so that no output replaces one of them. */
    static List<Path> inputs(CommandLine cl) {
        List<String> specs = new ArrayList<>(cl.getArgList());
        for (String opt : INPUTS) specs.addAll(all(cl, opt));
        return specs.stream().map(v -> Path.of(v.replaceFirst("(\\.h5):[^/]*$", "$1"))).toList();
    }

    /** The PNG named by --out (or fallback), checked before the work (see OutputFile). */
    static Path png(CommandLine cl, String fallback) {
        return OutputFile.check(Path.of(cl.getOptionValue("out", fallback)), OutputFile.Kind.PNG, cl.hasOption("overwrite"), inputs(cl));
    }

    /** The folder named by --out, checked before the work: not an input, not a file, able to take new files. */
    static Path folder(CommandLine cl) {
        return OutputFile.checkFolder(Path.of(cl.getOptionValue("out")), inputs(cl));
    }

    /** A file the command will write into its output folder, checked like any output. */
    static Path file(CommandLine cl, Path out, OutputFile.Kind kind) {
        return OutputFile.check(out, kind, cl.hasOption("overwrite"), inputs(cl));
    }

    static void addLpips(Options o) {
        o.addOption(Option.builder().longOpt("lpips").hasArg().argName("FILE").desc("LPIPS weights (docs/LPIPS.md): also report/use LPIPS").get());
    }

    /** --mask and --box, repeatable; pairs are matched in the order given. */
    static void addMasks(Options o, String what) {
        o.addOption(Option.builder().longOpt("mask").hasArg().argName("PNG").desc(what + ": mask image, white = take the reference (repeatable)").get());
        o.addOption(Option.builder().longOpt("box").hasArg().argName("y0,x0,y1,x1").desc(what + ": rectangle in pixels of the image at the model's size (repeatable)").get());
    }

    static void require(CommandLine cl, String... options) {
        for (String req : options) if (!cl.hasOption(req)) throw new UsageException("--" + req + " is required");
    }

    /** --space w|w_plus (default w_plus, the official choice for CelebA-HQ). */
    static org.stylemap.edit.Space space(CommandLine cl) {
        return space(cl, "w_plus");
    }

    static org.stylemap.edit.Space space(CommandLine cl, String fallback) {
        try {
            return org.stylemap.edit.Space.parse(cl.getOptionValue("space", fallback));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--space must be w or w_plus, got '" + cl.getOptionValue("space") + "'");
        }
    }

    /** The checkpoint's editing networks on --device; warnings about inputs go to err. */
    static EditModel model(CommandLine cl, java.io.PrintStream err) {
        require(cl, "ckpt");
        return EditModel.load(Path.of(cl.getOptionValue("ckpt")), Args.device(cl, "cpu"), err::println);
    }

    /** LPIPS from --lpips, or null. */
    static PerceptualLoss lpips(CommandLine cl, EditModel m) {
        return cl.hasOption("lpips") ? Lpips.load(Path.of(cl.getOptionValue("lpips")), m.dtype(), m.device()) : null;
    }

    /** The masks of --mask and --box in the order they appear on the command line. */
    static List<Tensor> masks(CommandLine cl, EditModel m) {
        List<Tensor> out = new ArrayList<>();
        for (Option o : cl.getOptions()) {
            if ("mask".equals(o.getLongOpt())) out.add(Masks.load(Path.of(o.getValue()), m.size(), m.dtype(), m.device()));
            else if ("box".equals(o.getLongOpt())) out.add(Masks.box(Masks.Box.parse(o.getValue()), m.size(), m.dtype(), m.device()));
        }
        return out;
    }

    /** Values of a repeatable option (empty when absent). */
    static List<String> all(CommandLine cl, String option) {
        String[] v = cl.getOptionValues(option);
        return v == null ? List.of() : List.of(v);
    }

    /** A comma-separated list of numbers. */
    static double[] numbers(CommandLine cl, String option, String fallback) {
        String[] parts = cl.getOptionValue(option, fallback).split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--" + option + " needs comma-separated numbers, got '" + cl.getOptionValue(option) + "'");
            }
        }
        return v;
    }

    /** "edit.png" -> "edit-frames" beside it: where the frames of an output go. */
    static Path framesDir(Path png) {
        String name = png.getFileName().toString();
        return png.resolveSibling(org.stylemap.edit.Input.stem(name) + "-frames");
    }
}

package org.stylemap.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Masks;
import org.stylemap.model.Lpips;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.PerceptualLoss;

/** What the editing commands share: the model, the device, masks and boxes, LPIPS weights. */
final class EditArgs {
    private EditArgs() {}

    /**
     * The device every editing command runs on. The one place to change when `--device` is wired
     * into all commands: until then the CPU.
     */
    static Device device(CommandLine cl) {
        return Device.CPU;
    }

    static void addModel(Options o) {
        o.addOption(Option.builder().longOpt("ckpt").hasArg().argName("FILE").desc("checkpoint (its EMA generator and encoder; an exported official one works)").get());
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

    static EditModel model(CommandLine cl) {
        require(cl, "ckpt");
        return EditModel.load(Path.of(cl.getOptionValue("ckpt")), device(cl));
    }

    /** LPIPS from --lpips, or null. */
    static PerceptualLoss lpips(CommandLine cl, EditModel m) {
        return cl.hasOption("lpips") ? Lpips.load(Path.of(cl.getOptionValue("lpips")), m.dtype()) : null;
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

    /** An integer option that must be at least min, with a one-line error naming the key and the range. */
    static int atLeast(CommandLine cl, String option, int fallback, int min) {
        int v = Args.intValue(cl, option, fallback);
        if (v < min) throw new UsageException("--" + option + " must be at least " + min + ", got " + v);
        return v;
    }

    /** A positive number option. */
    static double positive(CommandLine cl, String option, double fallback) {
        double v = Args.doubleValue(cl, option, fallback);
        if (!(v > 0) || Double.isInfinite(v)) throw new UsageException("--" + option + " must be a positive number, got " + v);
        return v;
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

package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.data.ImageDataset;
import org.stylemap.train.Checkpoint;
import org.stylemap.metrics.Evaluation;
import org.stylemap.metrics.FidInception;
import org.stylemap.metrics.Results;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/** `stylemap eval`: the paper's metrics for a checkpoint on a prepared dataset (library: {@link Evaluation}). */
final class EvalCommand extends Command {
    private static final String ALL = "fid,fid_recon,fid_lerp,recon,local_edit,runtime";

    @Override String name() { return "eval"; }

    @Override String summary() { return "FID, reconstruction MSE/LPIPS, local-editing MSE_src/MSE_ref and runtime of a checkpoint"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("ckpt").hasArg().argName("FILE").desc("checkpoint (results are written beside it)").get());
        o.addOption(Args.deviceOption("cpu"));
        o.addOption(Option.builder().longOpt("dataset").hasArg().argName("FILE.h5").desc("prepared dataset (stylemap prepare)").get());
        o.addOption(Option.builder().longOpt("metrics").hasArg().argName("LIST").desc("comma-separated, of " + ALL + " (default all)").get());
        o.addOption(Option.builder().longOpt("n").hasArg().argName("N").desc("images for FID (generated and training images), "
                + "reconstructions and edit pairs, each capped by the dataset (default 50000)").get());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("images per forward pass (default 16)").get());
        o.addOption(Option.builder().longOpt("inception-weights").hasArg().argName("FILE").desc("FID Inception weights (default "
                + "weights/pt_inception-2015-12-05.h5; docs/FID.md)").get());
        o.addOption(Option.builder().longOpt("lpips-weights").hasArg().argName("FILE").desc("LPIPS weights (default: the "
                + "checkpoint's lpips_weights; without them recon reports MSE only)").get());
        o.addOption(Option.builder().longOpt("fid-stats").hasArg().argName("FILE").desc("dataset statistics file to use or "
                + "create (default: a cache beside the dataset)").get());
        o.addOption(Option.builder().longOpt("fid-preprocess").hasArg().argName("MODE").desc("pytorch_fid (default) or "
                + "stylemapgan (the official metrics/fid.py input scaling)").get());
        o.addOption(Option.builder().longOpt("local-edit").hasArg().argName("DIR").desc("pairs in the official layout "
                + "(docs/METRICS.md); default: half-image masks on validation images").get());
        o.addOption(Option.builder().longOpt("space").hasArg().argName("w|w_plus").desc("edit mixing space (default w_plus)").get());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S").desc("noise seed of the generated images (default 0)").get());
        o.addOption(Option.builder().longOpt("dtype").hasArg().argName("f32|f64").desc("Inception dtype (default f32)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        for (String req : List.of("ckpt", "dataset"))
            if (!cl.hasOption(req)) throw new UsageException("--" + req + " is required");
        String space = cl.getOptionValue("space", "w_plus");
        if (!space.equals("w") && !space.equals("w_plus")) throw new UsageException("--space must be w or w_plus");
        int n = Args.intValue(cl, "n", 50000), batch = Args.intValue(cl, "batch", 16);
        if (batch < 1) throw new UsageException("--batch must be at least 1");
        Path ckpt = Path.of(cl.getOptionValue("ckpt"));
        Device device = Args.device(cl, "cpu");
        Checkpoint.Inference m = Checkpoint.loadInference(ckpt, device);
        Path lpips = lpipsWeights(cl, m, out);
        Evaluation.Options o;
        try {
            o = new Evaluation.Options(Evaluation.Metric.parseList(cl.getOptionValue("metrics", ALL)), n, batch, device,
                    DType.parse(cl.getOptionValue("dtype", "f32")),
                    cl.hasOption("inception-weights") ? Path.of(cl.getOptionValue("inception-weights")) : Evaluation.defaultInceptionWeights(),
                    lpips, cl.hasOption("fid-stats") ? Path.of(cl.getOptionValue("fid-stats")) : null,
                    FidInception.Preprocess.parse(cl.getOptionValue("fid-preprocess", "pytorch_fid")),
                    cl.hasOption("local-edit") ? Path.of(cl.getOptionValue("local-edit")) : null, space.equals("w_plus"),
                    Args.intValue(cl, "seed", 0), 10);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Evaluation.checkInputs(o);
        Results r;
        try (ImageDataset data = ImageDataset.open(Path.of(cl.getOptionValue("dataset")), m.config().model().size())) {
            r = Evaluation.run(ckpt, m, data, o, out);
        }
        out.print(r.table());
        List<Path> files = r.writeBeside(ckpt);
        out.println("wrote " + files.get(0) + " and " + files.get(1) + (files.get(0).getFileName().toString().contains(".eval-")
                ? " (earlier results beside the checkpoint are kept)" : ""));
        return 0;
    }

    /**
     * --lpips-weights (which must exist), else the checkpoint's lpips_weights when that file is found
     * (as given, or under the project folder like training resolves it), else none.
     */
    private static Path lpipsWeights(CommandLine cl, Checkpoint.Inference m, PrintStream out) {
        if (cl.hasOption("lpips-weights")) return Path.of(cl.getOptionValue("lpips-weights"));
        String configured = m.config().get("lpips_weights");
        if (configured.isEmpty()) return null;
        Path p = Path.of(configured), home = Path.of(System.getProperty("stylemap.home", ".")).resolve(configured);
        if (Files.isRegularFile(p)) return p;
        if (!p.isAbsolute() && Files.isRegularFile(home)) return home;
        out.println("[eval] note: the checkpoint's lpips_weights " + configured + " is not here; pass --lpips-weights FILE for LPIPS");
        return null;
    }
}

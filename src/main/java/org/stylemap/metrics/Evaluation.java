package org.stylemap.metrics;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.Split;
import org.stylemap.train.Checkpoint;
import org.stylemap.model.Lpips;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/**
 * `stylemap eval` as a library call: the paper's metrics for a checkpoint's EMA networks on a
 * prepared dataset. Everything a metric needs (weight files, images) is checked before any
 * work starts, so a missing file costs one line, not an hour of Inception passes.
 */
public final class Evaluation {
    /** The metrics `eval` knows, by their command-line names. */
    public enum Metric {
        /** FID of generated images against the training split. */
        FID("fid"),
        /** FID of reconstructed validation images against the training split. */
        FID_RECON("fid_recon"),
        /** FID of images interpolated between projected validation images (the paper's FID_lerp). */
        FID_LERP("fid_lerp"),
        /** MSE and LPIPS of reconstructed validation images. */
        RECON("recon"),
        /** MSE_src and MSE_ref of local edits. */
        LOCAL_EDIT("local_edit"),
        /** Milliseconds per image for projection and for a local edit. */
        RUNTIME("runtime");

        public final String label;

        Metric(String label) {
            this.label = label;
        }

        /** Parses "fid,recon,local_edit" (any order, no repeats needed). */
        public static EnumSet<Metric> parseList(String list) {
            EnumSet<Metric> out = EnumSet.noneOf(Metric.class);
            for (String s : list.split(",")) {
                String name = s.trim();
                Metric m = null;
                for (Metric c : values()) if (c.label.equals(name)) m = c;
                if (m == null) throw new IllegalArgumentException("unknown metric '" + name + "' (known: " + known() + ")");
                out.add(m);
            }
            return out;
        }

        public static String known() {
            return String.join(", ", java.util.Arrays.stream(values()).map(m -> m.label).toList());
        }
    }

    /**
     * @param n              images for FID (generated, and the training images of the reference
     *                       statistics), reconstructions, and local-editing pairs (each capped by
     *                       what the dataset holds)
     * @param batch          images per forward pass
     * @param device         where the Inception network and the images live
     * @param inceptionDtype the Inception network's dtype (f32; f64 for exact checks)
     * @param lpipsWeights   LPIPS file, or null (recon then reports MSE only, and says so)
     * @param fidStats       the dataset statistics file the user named, or null for the default cache beside the dataset
     * @param localEditDir   folder of pairs (official layout), or null for half-image masks on the validation split
     * @param wPlus          local edits mix at every resizer layer (official CelebA-HQ) rather than once (AFHQ)
     * @param seed           seed of the generated images' noise
     */
    public record Options(EnumSet<Metric> metrics, int n, int batch, Device device, DType inceptionDtype,
                          Path inceptionWeights, Path lpipsWeights, Path fidStats, FidInception.Preprocess preprocess,
                          Path localEditDir, boolean wPlus, long seed, int runtimeRepeats) {}

    private Evaluation() {}

    /** Refuses, with one line each, what the requested metrics would miss. */
    public static void checkInputs(Options o) {
        boolean fid = usesInception(o.metrics());
        if (fid && !Files.isRegularFile(o.inceptionWeights()))
            throw new IllegalArgumentException("fid needs the FID Inception weights, and " + o.inceptionWeights()
                    + " does not exist: export pytorch-fid's pt_inception-2015-12-05 weights with the h5py recipe in docs/FID.md"
                    + " (or name the file with --inception-weights)");
        if (o.metrics().contains(Metric.RECON) && o.lpipsWeights() != null && !Files.isRegularFile(o.lpipsWeights()))
            throw new IllegalArgumentException("recon's LPIPS needs " + o.lpipsWeights()
                    + ", which does not exist: export the VGG16 + LPIPS weights with the recipe in docs/LPIPS.md");
        if (o.localEditDir() != null && o.metrics().contains(Metric.LOCAL_EDIT) && !Files.isDirectory(o.localEditDir()))
            throw new IllegalArgumentException(o.localEditDir() + ": no such folder of local-editing pairs");
        if (o.n() < 2) throw new IllegalArgumentException("--n must be at least 2 (a covariance needs two images), got " + o.n());
    }

    public static Results run(Path checkpoint, Checkpoint.Inference m, ImageDataset data, Options o, PrintStream log) {
        checkInputs(o);
        Results r = new Results();
        r.describe("checkpoint", checkpoint.toString());
        r.describe("dataset", data.file().toString());
        r.describe("device", o.device().toString());
        r.describe("metrics", String.join(",", o.metrics().stream().map(x -> x.label).toList()));
        r.describe("n", String.valueOf(o.n()));
        r.describe("date", java.time.OffsetDateTime.now().withNano(0).toString());
        DType dtype = m.dtype();
        int nVal = Math.min(o.n(), data.count(Split.VAL));

        if (usesInception(o.metrics())) {
            FidInception net = FidInception.load(o.inceptionWeights(), o.inceptionDtype(), o.device());
            Fid fid = new Fid(net, o.preprocess(), o.batch(), o.device(), log);
            r.describe("inception_weights_sha256", net.weightsHash());
            r.describe("fid_preprocess", o.preprocess().label());
            int nTrain = Math.min(o.n(), data.count(Split.TRAIN));
            Path cache = o.fidStats() != null ? o.fidStats() : fid.defaultCache(data, Split.TRAIN, nTrain);
            FeatureStats real = fid.datasetStats(data, Split.TRAIN, nTrain, cache, o.fidStats() == null);
            if (o.metrics().contains(Metric.FID)) {
                double v = fid.distance("fid: generated images", o.n(), Fid.generated(m.g(), o.seed(), dtype, o.device()), real);
                r.add("fid", v, o.n(), "vs " + nTrain + " train images");
            }
            if (o.metrics().contains(Metric.FID_RECON)) {
                if (nVal < 2) throw new IllegalArgumentException(data.file() + ": fid_recon needs at least 2 validation images");
                double v = fid.distance("fid_recon: reconstructions", nVal,
                        Fid.reconstructed(m.g(), m.e(), data, Split.VAL, dtype, o.device()), real);
                r.add("fid_recon", v, nVal, "val reconstructions vs " + nTrain + " train images");
            }
            if (o.metrics().contains(Metric.FID_LERP)) {
                if (nVal < 2) throw new IllegalArgumentException(data.file() + ": fid_lerp needs at least 2 validation images");
                int[] shape = new int[4];
                double[] w = Fid.project(m.e(), data, Split.VAL, nVal, o.batch(), dtype, o.device(), shape);
                double v = fid.distance("fid_lerp: interpolations", o.n(), Fid.interpolated(m.g(), w, shape, o.seed(), dtype, o.device()), real);
                r.add("fid_lerp", v, o.n(), "between " + nVal + " projected val images vs " + nTrain + " train images");
            }
        }
        if (o.metrics().contains(Metric.RECON)) {
            Lpips lpips = o.lpipsWeights() == null ? null : Lpips.load(o.lpipsWeights(), dtype, o.device());
            if (lpips == null)
                log.println("[eval] note: no LPIPS weights, so recon reports MSE only (export them with docs/LPIPS.md, "
                        + "then pass --lpips-weights FILE)");
            Reconstruction.Result rec = Reconstruction.measure(m.g(), m.e(), lpips, Fid.dataset(data, Split.VAL, dtype, o.device()),
                    nVal, o.batch(), log);
            r.add("mse", rec.mse(), rec.count(), "val images, [-1, 1]");
            if (lpips != null) r.add("lpips", rec.lpips(), rec.count(), "val images");
        }
        if (o.metrics().contains(Metric.LOCAL_EDIT)) {
            List<LocalEditing.Part> parts = o.localEditDir() != null
                    ? LocalEditing.fromFolder(o.localEditDir(), m.config().model().size(), dtype, o.device(), log::println)
                    : List.of(LocalEditing.fromDataset(data, o.n(), dtype, o.device()));
            LocalEditing.Result le = LocalEditing.measure(m.g(), m.e(), parts, o.wPlus(), o.batch(), log);
            String how = (o.wPlus() ? "w_plus" : "w") + (le.skipped() > 0 ? ", " + le.skipped() + " empty masks skipped" : "");
            r.add("mse_src", le.mseSrc(), le.pairs(), "pairs, " + how);
            r.add("mse_ref", le.mseRef(), le.pairs(), "pairs, " + how);
            if (parts.size() > 1)
                for (Map.Entry<String, double[]> e : le.perPart().entrySet()) {
                    r.add("mse_src:" + e.getKey(), e.getValue()[0], (long) e.getValue()[2], "pairs");
                    r.add("mse_ref:" + e.getKey(), e.getValue()[1], (long) e.getValue()[2], "pairs");
                }
        }
        if (o.metrics().contains(Metric.RUNTIME)) {
            LocalEditing.Part p = LocalEditing.fromDataset(data, 1, dtype, o.device());
            LocalEditing.PairBatch pair = p.get(0, 1);
            EditTiming.Result t = EditTiming.measure(m.g(), m.e(), pair.source(), pair.reference(), pair.mask(), o.wPlus(),
                    o.runtimeRepeats());
            String where = String.format(Locale.ROOT, "ms/image, batch 1, median of %d, %s", t.repeats(), o.device());
            r.add("projection_ms", t.projectionMs(), t.repeats(), where);
            r.add("edit_ms", t.editMs(), t.repeats(), where);
        }
        return r;
    }

    private static boolean usesInception(EnumSet<Metric> metrics) {
        return metrics.contains(Metric.FID) || metrics.contains(Metric.FID_RECON) || metrics.contains(Metric.FID_LERP);
    }

    /** The default place of the Inception weights: weights/pt_inception-2015-12-05.h5 under the project folder. */
    public static Path defaultInceptionWeights() {
        return Path.of(System.getProperty("stylemap.home", ".")).resolve("weights").resolve("pt_inception-2015-12-05.h5");
    }
}

package org.stylemap.metrics;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.Split;
import org.stylemap.model.Generator;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * FID during training (the fid_interval key): the training split's statistics are computed (or
 * read from their cache) once at the start; each measurement generates the same images' noise
 * (a fixed seed) with the EMA generator, so the curve compares networks, not noise draws.
 */
public final class TrainingFid {
    private static final long SEED = 20_210_601L;

    private final Fid fid;
    private final FeatureStats real;
    private final int images;

    private TrainingFid(Fid fid, FeatureStats real, int images) {
        this.fid = fid;
        this.real = real;
        this.images = images;
    }

    /**
     * Loads the Inception weights and the dataset statistics.
     *
     * @throws IllegalArgumentException one line naming the missing weights file and how to make it
     */
    public static TrainingFid start(Path inceptionWeights, int images, int batch, ImageDataset data, Device device, PrintStream log) {
        if (!Files.isRegularFile(inceptionWeights))
            throw new IllegalArgumentException("fid_interval needs the FID Inception weights, and " + inceptionWeights
                    + " does not exist: export them with the h5py recipe in docs/FID.md (key inception_weights names the file)");
        if (images < 2) throw new IllegalArgumentException("key 'fid_images' must be at least 2, got " + images);
        Fid fid = new Fid(FidInception.load(inceptionWeights, DType.F32, device), FidInception.Preprocess.PYTORCH_FID, batch,
                device, log);
        int n = Math.min(images, data.count(Split.TRAIN));
        FeatureStats real = fid.datasetStats(data, Split.TRAIN, n, fid.defaultCache(data, Split.TRAIN, n), true);
        return new TrainingFid(fid, real, images);
    }

    /** FID of the configured number of images of g against the training split. */
    public double measure(Generator g) {
        Tensor p = g.parameters().values().iterator().next();
        return fid.distance("fid", images, Fid.generated(g, SEED, p.dtype(), p.device()), real);
    }
}

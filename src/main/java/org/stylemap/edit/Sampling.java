package org.stylemap.edit;

import java.util.List;
import java.util.function.BiConsumer;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.RgbImage;
import org.stylemap.memory.Scope;
import org.stylemap.model.Generator;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Random images from the generator, with the official truncation towards the mean stylemap. */
public final class Sampling {
    /** Draws for the mean stylemap, as the official generate.py (truncation_sample = 5000). */
    public static final int MEAN_DRAWS = 5000;
    /** The mean's own noise stream, fixed so that a truncated sample depends only on its seed. */
    private static final long MEAN_SEED = 1_000_003;

    private Sampling() {}

    /** The mean flat mapping output [1, sd * lss^2] over {@link #MEAN_DRAWS} draws of z. */
    public static Tensor meanStylemap(Generator g, DType dtype, Device device) {
        return g.meanStylemap(Tensor.randn(new Rng(MEAN_SEED), dtype, device, MEAN_DRAWS, g.config().latentChannelSize()));
    }

    /** Images per forward pass of {@link #generate}: tensor memory stays the same whatever the number of images. */
    public static final int BATCH = 16;

    /**
     * n images for the noise of seed, batch images per forward pass, each handed to sink with its
     * index as soon as its batch is done (so memory does not grow with n); psi < 1 pulls each stylemap
     * towards the mean (psi = 1: none, the mean is not computed). The draws are those of one pass.
     */
    public static void generate(Generator g, int n, double psi, long seed, DType dtype, Device device, int batch,
                                BiConsumer<Integer, RgbImage> sink) {
        try (Scope outer = Scope.open(); GradMode off = GradMode.off()) {
            Tensor mean = psi == 1 ? null : meanStylemap(g, dtype, device);
            Rng rng = new Rng(seed);
            for (int from = 0; from < n; from += batch) {
                int k = Math.min(batch, n - from);
                try (Scope s = Scope.open()) {
                    Tensor z = Tensor.randn(rng, dtype, device, k, g.config().latentChannelSize());
                    List<RgbImage> images = Photos.images(g.synthesize(g.stylemap(z, mean, psi)));
                    for (int i = 0; i < k; i++) sink.accept(from + i, images.get(i));
                }
            }
        }
    }
}

package org.stylemap.edit;

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

    /**
     * n images [n, 3, size, size] for the noise of seed; psi < 1 pulls each stylemap towards the mean
     * (psi = 1: none, the mean is not computed).
     */
    public static Tensor generate(Generator g, int n, double psi, long seed, DType dtype, Device device) {
        Tensor mean = psi == 1 ? null : meanStylemap(g, dtype, device);
        Tensor z = Tensor.randn(new Rng(seed), dtype, device, n, g.config().latentChannelSize());
        return g.synthesize(g.stylemap(z, mean, psi));
    }
}

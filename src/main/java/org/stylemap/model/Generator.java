package org.stylemap.model;

import java.util.ArrayList;
import java.util.List;
import org.stylemap.nn.Module;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Pooling;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * The StyleMapGAN generator: mapping network z -> stylemap, and the decoder stylemap -> image,
 * with the official editing paths. Mixing convention (official): where the mask is > -1 the
 * result takes the reference stylemap; elsewhere the original's.
 */
public final class Generator extends Module {
    private final ModelConfig config;
    private final MappingNetwork mapping;
    private final Decoder decoder;

    public Generator(Init init, ModelConfig c) {
        this.config = c;
        mapping = module("mapping_z", new MappingNetwork(init, c));
        decoder = module("decoder", new Decoder(init, c));
    }

    public ModelConfig config() { return config; }
    public Decoder decoder() { return decoder; }

    /** Flat mapping output [N, sd * lss^2] for z [N, sd]. */
    public Tensor mapFlat(Tensor z) {
        return mapping.forward(z);
    }

    /** The stylemap [N, sd, lss, lss] for z; truncated towards mean (flat [1, sd*lss^2]) when psi < 1. */
    public Tensor stylemap(Tensor z, Tensor mean, double psi) {
        Tensor flat = mapFlat(z);
        if (mean != null && psi != 1) flat = Elementwise.add(mean, Elementwise.scale(Elementwise.sub(flat, mean), psi));
        int lss = config.latentSpatialSize();
        return Views.reshape(flat, flat.shape(0), config.latentChannelSize(), lss, lss);
    }

    public Tensor stylemap(Tensor z) {
        return stylemap(z, null, 1);
    }

    /** The image for a stylemap. */
    public Tensor synthesize(Tensor stylemap) {
        return decoder.synthesize(decoder.resize(stylemap));
    }

    /** The mean flat mapping output over z [M, sd] -> [1, sd * lss^2] (for truncation). */
    public Tensor meanStylemap(Tensor z) {
        return Reductions.mean(mapFlat(z), new int[] {0}, true);
    }

    /**
     * Local editing in the stylemap space ("w"): the mask [1 or N, size, size] (values -1 / 1) is
     * max-pooled to the stylemap's size; cells where it is > -1 take the reference stylemap.
     */
    public Tensor editW(Tensor original, Tensor reference, Tensor mask) {
        Tensor m = poolMask(mask, config.latentSpatialSize());
        return synthesize(Elementwise.where(m, reference, original));
    }

    /** Local editing at every resizer layer ("w_plus"): both resizer chains run unmixed, each layer mixes. */
    public Tensor editWPlus(Tensor original, Tensor reference, Tensor mask) {
        List<Tensor> a = decoder.resize(original), b = decoder.resize(reference), mixed = new ArrayList<>();
        for (int t = 0; t < a.size(); t++)
            mixed.add(Elementwise.where(poolMask(mask, a.get(t).shape(2)), b.get(t), a.get(t)));
        return decoder.synthesize(mixed);
    }

    /** Style mixing: coarse takes the two lss-resolution maps from a and the rest from b; fine the reverse. */
    public Tensor styleMix(Tensor a, Tensor b, boolean coarse) {
        List<Tensor> ca = decoder.resize(a), cb = decoder.resize(b), mixed = new ArrayList<>();
        for (int t = 0; t < ca.size(); t++) mixed.add((t < 2) == coarse ? ca.get(t) : cb.get(t));
        return decoder.synthesize(mixed);
    }

    /** 1 where any mask pixel of a cell is > -1, as [N or 1, 1, side, side]. */
    private Tensor poolMask(Tensor mask, int side) {
        int size = config.size();
        if (mask.rank() != 3 || mask.shape(1) != size || mask.shape(2) != size)
            throw new IllegalArgumentException("mask must be [1, " + size + ", " + size + "], got "
                    + org.stylemap.tensor.Shape.str(mask.shape()));
        int ratio = size / side;
        Tensor pooled = Pooling.maxPool2d(Views.unsqueeze(mask.detach(), 1), ratio, ratio, 0);
        return Elementwise.greater(pooled, Tensor.full(pooled.dtype(), pooled.device(), -1));
    }
}

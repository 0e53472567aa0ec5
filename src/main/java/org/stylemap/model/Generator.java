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
        return synthesize(mix(original, reference, mask, 1));
    }

    /** Local editing at every resizer layer ("w_plus"): both resizer chains run unmixed, each layer mixes. */
    public Tensor editWPlus(Tensor original, Tensor reference, Tensor mask) {
        return decoder.synthesize(mixLayers(decoder.resize(original), decoder.resize(reference), mask, 1));
    }

    /**
     * One map of a local edit: the cells of x where the mask, max-pooled to x's side, is > -1 move
     * towards ref by weight (1: replaced by ref, the official edit; 0: x unchanged). Any map of the
     * stylemap or of a resizer layer, as long as its side divides the image size.
     */
    public Tensor mix(Tensor x, Tensor ref, Tensor mask, double weight) {
        Tensor target = weight == 1 ? ref : Elementwise.add(x, Elementwise.scale(Elementwise.sub(ref, x), weight));
        return Elementwise.where(poolMask(mask, x.shape(2)), target, x);
    }

    /** {@link #mix} at every resizer layer, each layer with the mask pooled to its own side ("w_plus"). */
    public List<Tensor> mixLayers(List<Tensor> original, List<Tensor> reference, Tensor mask, double weight) {
        List<Tensor> mixed = new ArrayList<>(original.size());
        for (int t = 0; t < original.size(); t++) mixed.add(mix(original.get(t), reference.get(t), mask, weight));
        return mixed;
    }

    /** Style mixing: coarse takes the two lss-resolution maps from a and the rest from b; fine the reverse. */
    public Tensor styleMix(Tensor a, Tensor b, boolean coarse) {
        return decoder.synthesize(styleMixLayers(decoder.resize(a), decoder.resize(b), coarse));
    }

    /** {@link #styleMix} on resizer maps: the two at the stylemap's resolution are the "coarse" ones. */
    public List<Tensor> styleMixLayers(List<Tensor> a, List<Tensor> b, boolean coarse) {
        List<Tensor> mixed = new ArrayList<>(a.size());
        for (int t = 0; t < a.size(); t++) mixed.add((t < 2) == coarse ? a.get(t) : b.get(t));
        return mixed;
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

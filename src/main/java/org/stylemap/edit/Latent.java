package org.stylemap.edit;

import java.util.List;
import org.stylemap.model.Generator;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * A photo's code in the generator: its stylemap [1, sd, lss, lss] ("w"), or, after a w_plus
 * projection, one map per resizer layer ("w_plus", no single stylemap). A latent may carry the
 * resizer's maps of its stylemap, so that repeated w_plus edits (the web editor) skip the resizer.
 */
public final class Latent {
    private final Tensor stylemap;
    private final List<Tensor> layers;

    private Latent(Tensor stylemap, List<Tensor> layers) {
        this.stylemap = stylemap;
        this.layers = layers;
    }

    public static Latent of(Tensor stylemap) {
        Shape.check(stylemap.rank() == 4 && stylemap.shape(0) == 1, "a latent's stylemap must be [1, sd, lss, lss], got "
                + Shape.str(stylemap.shape()));
        return new Latent(stylemap, null);
    }

    /** A w_plus latent: one map per resizer layer, as {@code Decoder.resize} returns them. */
    public static Latent ofLayers(List<Tensor> layers) {
        return new Latent(null, List.copyOf(layers));
    }

    /** The same latent carrying its resizer maps (computed now, in the caller's scope). */
    public Latent withLayers(Generator g) {
        return layers != null ? this : new Latent(stylemap, g.decoder().resize(stylemap));
    }

    public boolean isWPlus() {
        return stylemap == null;
    }

    /** The stylemap; a w_plus latent has none and is refused with a line saying so. */
    public Tensor stylemap() {
        if (stylemap == null)
            throw new IllegalArgumentException("this latent is a w_plus projection (one map per layer): it has no single stylemap, "
                    + "so it can be used for w_plus edits and reconstructions only");
        return stylemap;
    }

    /** The resizer's maps: the carried ones, or computed from the stylemap. */
    public List<Tensor> layers(Generator g) {
        return layers != null ? layers : g.decoder().resize(stylemap);
    }

    /** The maps a w_plus latent consists of. */
    public List<Tensor> wPlusLayers() {
        if (stylemap != null) throw new IllegalStateException("a w latent: its maps come from the resizer, see layers(g)");
        return layers;
    }

    /** The generator's image for this latent, [1, 3, size, size]. */
    public Tensor decode(Generator g) {
        return layers != null ? g.decoder().synthesize(layers) : g.synthesize(stylemap);
    }

    /** Every tensor this latent holds (for the caller that manages their lifetime). */
    public List<Tensor> tensors() {
        java.util.ArrayList<Tensor> out = new java.util.ArrayList<>();
        if (stylemap != null) out.add(stylemap);
        if (layers != null) out.addAll(layers);
        return out;
    }
}

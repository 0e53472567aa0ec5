package org.stylemap.edit;

import java.util.ArrayList;
import java.util.List;
import org.stylemap.model.Generator;
import org.stylemap.tensor.Tensor;

/**
 * Local editing of a real photo (the paper's headline): regions of reference photos move into an
 * original under masks. Several (reference, mask) pairs apply in order, a later one winning where
 * masks overlap, as the official demo does. A weight below 1 moves the masked cells only part of
 * the way to the reference, which gives the demo's frames from the reconstruction to the edit.
 */
public final class LocalEdit {
    private LocalEdit() {}

    /** A reference latent and its mask [1, size, size] (> -1: take the reference). */
    public record Pair(Latent reference, Tensor mask) {}

    /** The edited image [1, 3, size, size]; weight 1 is the official edit, 0 the original's reconstruction. */
    public static Tensor apply(Generator g, Latent original, List<Pair> pairs, Space space, double weight) {
        if (pairs.isEmpty()) throw new IllegalArgumentException("a local edit needs at least one reference and mask");
        if (space == Space.W) {
            Tensor s = original.stylemap();
            for (Pair p : pairs) s = g.mix(s, p.reference().stylemap(), p.mask(), weight);
            return g.synthesize(s);
        }
        List<Tensor> x = original.layers(g);
        for (Pair p : pairs) x = g.mixLayers(x, p.reference().layers(g), p.mask(), weight);
        return g.decoder().synthesize(x);
    }

    /** k images from the original's reconstruction (weight 0) to the full edit (weight 1), evenly spaced. */
    public static List<Tensor> frames(Generator g, Latent original, List<Pair> pairs, Space space, int k) {
        if (k < 2) throw new IllegalArgumentException("frames must be at least 2 (the reconstruction and the edit), got " + k);
        Latent o = space == Space.W_PLUS ? original.withLayers(g) : original;
        List<Pair> refs = new ArrayList<>();
        for (Pair p : pairs) refs.add(space == Space.W_PLUS ? new Pair(p.reference().withLayers(g), p.mask()) : p);
        List<Tensor> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) out.add(apply(g, o, refs, space, (double) i / (k - 1)));
        return out;
    }
}

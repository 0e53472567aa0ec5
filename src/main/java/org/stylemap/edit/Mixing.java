package org.stylemap.edit;

import java.util.ArrayList;
import java.util.List;
import org.stylemap.model.Generator;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.Tensor;

/** Whole-image mixing of two latents: the official "stylemixing" and "w_interpolation". */
public final class Mixing {
    private Mixing() {}

    /** The two stylemap-resolution maps of the resizer from coarse, every finer one from fine. */
    public static Tensor styleMix(Generator g, Latent coarse, Latent fine) {
        return g.decoder().synthesize(g.styleMixLayers(coarse.layers(g), fine.layers(g), true));
    }

    /** The stylemap (1 - t) a + t b. */
    public static Tensor lerp(Tensor a, Tensor b, double t) {
        return Elementwise.add(Elementwise.scale(a, 1 - t), Elementwise.scale(b, t));
    }

    /** The image at t on the straight line from a's stylemap (t = 0) to b's (t = 1). */
    public static Tensor interpolate(Generator g, Latent a, Latent b, double t) {
        return g.synthesize(lerp(a.stylemap(), b.stylemap(), t));
    }

    /** steps images along that line, t = 0, 1/(steps-1), ..., 1. */
    public static List<Tensor> interpolate(Generator g, Latent a, Latent b, int steps) {
        if (steps < 2) throw new IllegalArgumentException("steps must be at least 2, got " + steps);
        List<Tensor> out = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) out.add(interpolate(g, a, b, (double) i / (steps - 1)));
        return out;
    }
}

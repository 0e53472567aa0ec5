package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.nn.ModuleList;
import org.stylemap.ops.Elementwise;
import org.stylemap.random.Rng;
import org.stylemap.tensor.Tensor;

/**
 * LPIPS's NetLinLayer: Sequential(Dropout(0.5), 1x1 conv C -> 1 without bias). The dropout is child
 * "model.0" and the conv "model.1", so the weight is named "model.1.weight" as in vgg.pth.
 */
final class LpipsLin extends Module {
    private final Dropout dropout;
    private final LpipsConv2d conv;

    LpipsLin(Init init, int channels) {
        ModuleList model = module("model", new ModuleList());
        dropout = model.add(new Dropout());
        conv = model.add(LpipsConv2d.lin(init, channels));
    }

    /** Training-mode dropout drawing its masks from gen; null turns it off (evaluation mode). */
    void setDropout(Rng gen) {
        dropout.gen = gen;
    }

    Tensor forward(Tensor x) {
        return conv.forward(dropout.forward(x));
    }

    /** nn.Dropout(0.5): with a generator, keeps x / (1 - p) where a uniform draw is >= p and zeroes the rest. */
    private static final class Dropout extends Module {
        private static final double P = 0.5;
        private Rng gen;

        Tensor forward(Tensor x) {
            if (gen == null) return x;
            Tensor u = Tensor.rand(gen, x.dtype(), x.device(), x.shape());
            Tensor dropped = Elementwise.greater(Tensor.scalar(x.dtype(), x.device(), P), u);
            return Elementwise.where(dropped, Tensor.zeros(x.dtype(), x.device()), Elementwise.scale(x, 1 / (1 - P)));
        }
    }
}

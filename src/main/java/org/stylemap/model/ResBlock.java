package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.Tensor;

/** Downsampling residual block of the encoder and discriminator: (conv2(conv1(x)) + skip(x)) / sqrt(2). */
public final class ResBlock extends Module {
    private final ConvLayer conv1, conv2, skip;

    public ResBlock(Init init, int in, int out) {
        conv1 = module("conv1", new ConvLayer(init, in, in, 3, ConvLayer.Resample.NONE, true, true));
        conv2 = module("conv2", new ConvLayer(init, in, out, 3, ConvLayer.Resample.DOWN, true, true));
        skip = module("skip", new ConvLayer(init, in, out, 1, ConvLayer.Resample.DOWN, false, false));
    }

    public Tensor forward(Tensor x) {
        return layer(() -> Elementwise.scale(Elementwise.add(conv2.forward(conv1.forward(x)), skip.forward(x)), 1 / Math.sqrt(2)));
    }
}

package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.tensor.Tensor;

/** A modulated convolution followed by the fused bias + leaky ReLU (children "conv", "activate"). */
public final class StyledConv extends Module {
    private final ModulatedConv2d conv;
    private final FusedLeakyRelu activate;

    public StyledConv(Init init, int in, int out, int k, int styleDim, NormalizeMode mode, boolean upsample) {
        conv = module("conv", new ModulatedConv2d(init, in, out, k, styleDim, mode, upsample));
        activate = module("activate", new FusedLeakyRelu(init, out));
    }

    public Tensor forward(Tensor x, Tensor style) {
        return layer(() -> activate.forward(conv.forward(x, style)));
    }
}

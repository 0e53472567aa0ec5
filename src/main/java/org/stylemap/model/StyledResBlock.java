package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.Tensor;

/**
 * The generator's upsampling residual block: conv1 (upsampling, styled by a map at the input
 * resolution), conv2 (styled by a map at the output resolution), and a 1x1 upsampling skip;
 * the sum is divided by sqrt(2).
 */
public final class StyledResBlock extends Module {
    private final StyledConv conv1, conv2;
    private final ConvLayer skip;

    public StyledResBlock(Init init, int in, int out, int styleDim1, int styleDim2, NormalizeMode mode) {
        conv1 = module("conv1", new StyledConv(init, in, out, 3, styleDim1, mode, true));
        conv2 = module("conv2", new StyledConv(init, out, out, 3, styleDim2, mode, false));
        skip = module("skip", new ConvLayer(init, in, out, 1, ConvLayer.Resample.UP, false, false));
    }

    public Tensor forward(Tensor x, Tensor style1, Tensor style2) {
        return layer(() -> {
            Tensor y = conv2.forward(conv1.forward(x, style1), style2);
            return Elementwise.scale(Elementwise.add(y, skip.forward(x)), 1 / Math.sqrt(2));
        });
    }
}

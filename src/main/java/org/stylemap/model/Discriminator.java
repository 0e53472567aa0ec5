package org.stylemap.model;

import java.util.ArrayList;
import java.util.List;
import org.stylemap.nn.Module;
import org.stylemap.nn.ModuleList;
import org.stylemap.ops.MinibatchStd;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * StyleGAN2's residual discriminator: 1x1 from-RGB and ResBlocks down to 4x4 (children of "convs"),
 * minibatch standard deviation (group 4, one feature), a 3x3 conv and two linear layers -> [N, 1].
 */
public final class Discriminator extends Module {
    private final ConvLayer fromRgb, finalConv;
    private final List<ResBlock> blocks = new ArrayList<>();
    private final EqualLinear linear0, linear1;

    public Discriminator(Init init, ModelConfig c) {
        int L = ModelConfig.log2(c.size());
        ModuleList convs = module("convs", new ModuleList());
        fromRgb = convs.add(new ConvLayer(init, 3, c.channels(c.size()), 1, ConvLayer.Resample.NONE, true, true));
        for (int i = L; i > 2; i--) blocks.add(convs.add(new ResBlock(init, c.channels(1 << i), c.channels(1 << (i - 1)))));
        int c4 = c.channels(4);
        finalConv = module("final_conv", new ConvLayer(init, c4 + 1, c4, 3, ConvLayer.Resample.NONE, true, true));
        ModuleList lin = module("final_linear", new ModuleList());
        linear0 = lin.add(new EqualLinear(init, c4 * 16, c4, 0, 1, true));
        linear1 = lin.add(new EqualLinear(init, c4, 1, 0, 1, false));
    }

    public Tensor forward(Tensor image) {
        Tensor x = fromRgb.forward(image);
        for (ResBlock b : blocks) x = next(x, b.forward(x));
        x = finalConv.forward(MinibatchStd.apply(x, 4, 1));
        return linear1.forward(linear0.forward(Views.reshape(x, x.shape(0), -1)));
    }
}

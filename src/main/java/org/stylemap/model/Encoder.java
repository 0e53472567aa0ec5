package org.stylemap.model;

import java.util.ArrayList;
import java.util.List;
import org.stylemap.nn.Module;
import org.stylemap.nn.ModuleList;
import org.stylemap.tensor.Tensor;

/** Image [N,3,size,size] -> stylemap [N, sd, lss, lss]: 1x1 from-RGB, downsampling ResBlocks, a 3x3 conv. */
public final class Encoder extends Module {
    private final ConvLayer fromRgb, finalConv;
    private final List<ResBlock> blocks = new ArrayList<>();

    public Encoder(Init init, ModelConfig c) {
        int L = ModelConfig.log2(c.size()), l = ModelConfig.log2(c.latentSpatialSize());
        fromRgb = module("from_rgb", new ConvLayer(init, 3, c.channels(c.size()), 1, ConvLayer.Resample.NONE, true, true));
        ModuleList convs = module("convs", new ModuleList());
        for (int i = L; i > l; i--) blocks.add(convs.add(new ResBlock(init, c.channels(1 << i), c.channels(1 << (i - 1)))));
        finalConv = module("final_conv", new ConvLayer(init, c.channels(c.latentSpatialSize()), c.latentChannelSize(), 3,
                ConvLayer.Resample.NONE, true, true));
    }

    public Tensor forward(Tensor image) {
        Tensor x = fromRgb.forward(image);
        for (ResBlock b : blocks) x = next(x, b.forward(x));
        return finalConv.forward(x);
    }
}

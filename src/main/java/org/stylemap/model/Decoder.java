package org.stylemap.model;

import java.util.ArrayList;
import java.util.List;
import org.stylemap.nn.Module;
import org.stylemap.nn.ModuleList;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * The synthesis network. The stylemap [N, sd, lss, lss] first goes through the stylemap resizer
 * (convs_latent: two convs at lss, then an upsampling conv and a conv per doubling), giving one
 * map per styled layer at exactly that layer's input resolution and channel count:
 * s0 -> conv1, s(2j+1) -> convs[j].conv1, s(2j+2) -> convs[j].conv2, s(last) -> to_rgb.
 */
public final class Decoder extends Module {
    private final Tensor input; // [1, ch(lss), lss, lss], the learned constant
    private final StyledConv conv1, toRgb;
    private final List<StyledResBlock> convs = new ArrayList<>();
    private final List<ConvLayer> resizer = new ArrayList<>();

    public Decoder(Init init, ModelConfig c) {
        int lss = c.latentSpatialSize(), sd = c.latentChannelSize();
        int L = ModelConfig.log2(c.size()), l = ModelConfig.log2(lss);
        boolean small = c.smallGenerator();
        int scd = small ? sd : c.channels(lss);
        NormalizeMode mode = c.normalizeMode();
        // Registration order matters for the state_dict: input, conv1, convs, convs_latent, to_rgb.
        ConstantInput ci = module("input", new ConstantInput(init, c.channels(lss), lss));
        input = ci.value;
        conv1 = module("conv1", new StyledConv(init, c.channels(lss), c.channels(lss), 3, scd, mode, false));
        ModuleList convList = module("convs", new ModuleList());
        ModuleList lat = module("convs_latent", new ModuleList());
        for (int i = l + 1; i <= L; i++) {
            int cin = c.channels(1 << (i - 1)), cout = c.channels(1 << i);
            convs.add(convList.add(new StyledResBlock(init, cin, cout, small ? sd : cin, small ? sd : cout, mode)));
        }
        resizer.add(lat.add(new ConvLayer(init, sd, scd, 3, ConvLayer.Resample.NONE, true, true)));
        resizer.add(lat.add(new ConvLayer(init, scd, scd, 3, ConvLayer.Resample.NONE, true, true)));
        for (int i = l + 1; i <= L; i++) {
            int a = small ? sd : c.channels(1 << (i - 1)), b = small ? sd : c.channels(1 << i);
            resizer.add(lat.add(new ConvLayer(init, a, b, 3, ConvLayer.Resample.UP, true, true)));
            resizer.add(lat.add(new ConvLayer(init, b, b, 3, ConvLayer.Resample.NONE, true, true)));
        }
        toRgb = module("to_rgb", new StyledConv(init, c.channels(c.size()), 3, 1, small ? sd : c.channels(c.size()), mode, false));
    }

    private static final class ConstantInput extends Module {
        final Tensor value;

        ConstantInput(Init init, int channels, int side) {
            value = parameter("input", () -> init.randn(1, channels, side, side));
        }
    }

    /** Number of styled res blocks (decoder.convs), one per doubling of resolution after conv1. */
    public int blockCount() {
        return convs.size();
    }

    /** The resizer's outputs for one stylemap, in layer order. */
    public List<Tensor> resize(Tensor stylemap) {
        List<Tensor> out = new ArrayList<>(resizer.size());
        Tensor s = stylemap;
        for (ConvLayer layer : resizer) {
            s = layer.forward(s);
            out.add(s);
        }
        return out;
    }

    /** The image for one map per styled layer (as {@link #resize} returns them). */
    public Tensor synthesize(List<Tensor> styles) {
        int n = styles.get(0).shape(0);
        Tensor x = Views.expand(input, n, input.shape(1), input.shape(2), input.shape(3));
        x = conv1.forward(x, styles.get(0));
        for (int j = 0; j < convs.size(); j++) x = next(x, convs.get(j).forward(x, styles.get(2 * j + 1), styles.get(2 * j + 2)));
        return next(x, toRgb.forward(x, styles.get(styles.size() - 1)));
    }
}

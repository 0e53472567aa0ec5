package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.tensor.Tensor;

/**
 * z [N, sd] -> flat stylecode [N, sd * lss^2]: PixelNorm, then mapping_layer_num equalized linear
 * layers with fused leaky ReLU (the last one too), all with the mapping lr_mul. Children are named
 * "1".."n" because index 0 of the official Sequential is the parameterless PixelNorm.
 */
public final class MappingNetwork extends Module {
    private final EqualLinear[] layers;

    public MappingNetwork(Init init, ModelConfig c) {
        int sd = c.latentChannelSize(), n = c.mappingLayerNum(), lss = c.latentSpatialSize();
        layers = new EqualLinear[n];
        for (int i = 0; i < n; i++) {
            int out = i == n - 1 ? sd * lss * lss : sd;
            layers[i] = module(String.valueOf(i + 1), new EqualLinear(init, sd, out, 0, c.lrMul(), true));
        }
    }

    public Tensor forward(Tensor z) {
        Tensor norm = Elementwise.rsqrt(Elementwise.addScalar(Reductions.mean(Elementwise.mul(z, z), new int[] {1}, true), 1e-8));
        Tensor x = Elementwise.mul(z, norm);
        for (EqualLinear l : layers) x = next(x, l.forward(x));
        return x;
    }
}

package org.stylemap.model;

import java.util.function.Supplier;
import org.stylemap.nn.Module;
import org.stylemap.ops.Conv;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * PyTorch's plain nn.Conv2d (stride 1, no run-time weight scaling, unlike EqualConv2d) in the two
 * forms LPIPS uses. Fresh weights are He-normal (std sqrt(2/fan_in)), so random test networks keep
 * activations of order one through VGG's 13 layers; real weights are loaded over them.
 */
final class LpipsConv2d extends Module {
    private final Tensor weight;
    private final Tensor bias; // null without bias
    private final int padding;

    private LpipsConv2d(Supplier<Tensor> weightInit, Supplier<Tensor> biasInit, int padding) {
        this.weight = parameter("weight", weightInit);
        this.bias = biasInit == null ? null : parameter("bias", biasInit);
        this.padding = padding;
    }

    /** A VGG convolution: 3x3, padding 1, with bias. */
    static LpipsConv2d vgg(Init init, int in, int out) {
        return new LpipsConv2d(() -> heNormal(init, out, in, 3), () -> init.full(0, out), 1);
    }

    /**
     * An LPIPS "lin" layer: 1x1, channels -> 1, no bias. Fresh weights are non-negative like trained
     * ones (LPIPS clamps them at zero), so a random LPIPS is still a non-negative distance.
     */
    static LpipsConv2d lin(Init init, int channels) {
        return new LpipsConv2d(() -> Elementwise.abs(heNormal(init, 1, channels, 1)), null, 0);
    }

    private static Tensor heNormal(Init init, int out, int in, int k) {
        return Elementwise.scale(init.randn(out, in, k, k), Math.sqrt(2.0 / (in * k * k)));
    }

    Tensor forward(Tensor x) {
        Tensor y = Conv.conv2d(x, weight, 1, padding, 1);
        return bias == null ? y : Elementwise.add(y, Views.reshape(bias, 1, -1, 1, 1));
    }
}

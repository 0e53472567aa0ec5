package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.Conv;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * Convolution with equalized learning rate (weight [out, in, k, k] scaled by 1/sqrt(in k k) at
 * run time). The transposed variant is the official upsampling convolution: stride 2, with the
 * stored weight read as [in, out] (transposed, not flipped).
 */
public final class EqualConv2d extends Module {
    private final Tensor weight;
    private final Tensor bias; // null without bias
    private final double scale;
    private final int stride, padding;
    private final boolean transposed;

    public EqualConv2d(Init init, int in, int out, int k, int stride, int padding, boolean bias, double biasInit,
                       boolean transposed) {
        this.weight = parameter("weight", () -> init.randn(out, in, k, k));
        this.bias = bias ? parameter("bias", () -> init.full(biasInit, out)) : null;
        this.scale = 1 / Math.sqrt((double) in * k * k);
        this.stride = stride;
        this.padding = padding;
        this.transposed = transposed;
    }

    /** The stored (unscaled) weight [out, in, k, k], for layers that merge several convolutions into one. */
    Tensor weight() { return weight; }

    /** The factor the weight is multiplied by at run time. */
    double scale() { return scale; }

    /** The bias [out], or null. */
    Tensor bias() { return bias; }

    public Tensor forward(Tensor x) {
        Tensor w = Elementwise.scale(weight, scale);
        Tensor y = transposed ? Conv.convTranspose2d(x, Views.transpose(w, 0, 1), 2, padding)
                : Conv.conv2d(x, w, stride, padding, 1);
        return bias == null ? y : Elementwise.add(y, Views.reshape(bias, 1, -1, 1, 1));
    }
}

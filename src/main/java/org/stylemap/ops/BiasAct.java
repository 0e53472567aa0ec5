package org.stylemap.ops;

import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * StyleGAN's fused bias + leaky ReLU: leaky_relu(x + b, slope) * gain with b broadcast along
 * dimension 1. FusedLeakyReLU uses slope 0.2 and gain sqrt(2).
 */
public final class BiasAct {
    public static final double SLOPE = 0.2;
    public static final double GAIN = Math.sqrt(2.0);

    private BiasAct() {}

    public static Tensor apply(Tensor x, Tensor bias, double slope, double gain) {
        Tensor y = x;
        if (bias != null) {
            Shape.check(bias.rank() == 1 && x.rank() >= 2 && bias.shape(0) == x.shape(1), "bias_act: bias "
                    + Shape.str(bias.shape()) + " does not match channels of " + Shape.str(x.shape()));
            int[] bs = new int[x.rank()];
            java.util.Arrays.fill(bs, 1);
            bs[1] = bias.shape(0);
            y = Elementwise.add(x, Views.reshape(bias, bs));
        }
        return Elementwise.scale(Elementwise.leakyRelu(y, slope), gain);
    }

    public static Tensor fusedLeakyRelu(Tensor x, Tensor bias) {
        return apply(x, bias, SLOPE, GAIN);
    }
}

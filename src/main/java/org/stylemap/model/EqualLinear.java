package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.BiasAct;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Linalg;
import org.stylemap.tensor.Tensor;

/**
 * Linear layer with equalized learning rate: the stored weight is N(0, 1/lrMul^2) and scaled by
 * lrMul/sqrt(in) at run time, the bias by lrMul. With activation, the bias goes into the fused
 * bias + leaky ReLU instead of the product.
 */
public final class EqualLinear extends Module {
    private final Tensor weight; // [out, in]
    private final Tensor bias;   // [out]
    private final double scale, lrMul;
    private final boolean activation;

    public EqualLinear(Init init, int in, int out, double biasInit, double lrMul, boolean activation) {
        this.weight = parameter("weight", () -> Elementwise.scale(init.randn(out, in), 1 / lrMul));
        this.bias = parameter("bias", () -> init.full(biasInit, out));
        this.scale = 1 / Math.sqrt(in) * lrMul;
        this.lrMul = lrMul;
        this.activation = activation;
    }

    public Tensor forward(Tensor x) {
        Tensor w = Elementwise.scale(weight, scale), b = Elementwise.scale(bias, lrMul);
        return activation ? BiasAct.fusedLeakyRelu(Linalg.linear(x, w, null), b) : Linalg.linear(x, w, b);
    }
}

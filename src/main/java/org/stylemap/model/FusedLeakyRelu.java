package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.BiasAct;
import org.stylemap.tensor.Tensor;

/** A channel bias (starting at zero) followed by leaky ReLU(0.2) times sqrt(2). */
public final class FusedLeakyRelu extends Module {
    private final Tensor bias;

    public FusedLeakyRelu(Init init, int channels) {
        this.bias = parameter("bias", () -> init.full(0, channels));
    }

    public Tensor forward(Tensor x) {
        return BiasAct.fusedLeakyRelu(x, bias);
    }
}

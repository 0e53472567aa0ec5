package org.stylemap.nn;

import java.util.Map;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.Tensor;

/** Exponential moving average of parameters (buffers are not averaged, as in the official accumulate()). */
public final class Ema {
    private Ema() {}

    /** target = decay * target + (1 - decay) * source, for every parameter. */
    public static void accumulate(Module target, Module source, double decay) {
        Map<String, Tensor> src = source.parameters();
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            for (Map.Entry<String, Tensor> e : target.parameters().entrySet()) {
                Tensor t = e.getValue(), x = src.get(e.getKey());
                Elementwise.copyInto(t, Elementwise.add(Elementwise.scale(t.detach(), decay), Elementwise.scale(x.detach(), 1 - decay)));
            }
        }
    }

    /**
     * Copies every non-parameter entry of the state (BatchNorm running statistics) from source to
     * target: the official copy_norm_params, run before each validation and checkpoint.
     */
    public static void copyBuffers(Module target, Module source) {
        Map<String, Tensor> src = source.stateDict(), params = target.parameters();
        try (GradMode g = GradMode.off()) {
            for (Map.Entry<String, Tensor> e : target.stateDict().entrySet())
                if (!params.containsKey(e.getKey())) Elementwise.copyInto(e.getValue(), src.get(e.getKey()));
        }
    }
}

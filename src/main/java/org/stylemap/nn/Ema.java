package org.stylemap.nn;

import java.util.Map;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reference;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * Exponential moving average of parameters (buffers are not averaged, as in the official accumulate()).
 * One multi-tensor primitive per update (Backend.ema, kernels/optimizers.cu, EmaTest); the composite twin,
 * one parameter at a time, is taken when {@link Reference#forced()}.
 */
public final class Ema {
    private Ema() {}

    /** target = decay * target + (1 - decay) * source, for every parameter (PyTorch's mul_(decay).add_(source, 1 - decay)). */
    public static void accumulate(Module target, Module source, double decay) {
        Map<String, Tensor> src = source.parameters(), dst = target.parameters();
        Tensor[] t = new Tensor[dst.size()], s = new Tensor[dst.size()];
        int i = 0;
        for (Map.Entry<String, Tensor> e : dst.entrySet()) {
            Tensor x = src.get(e.getKey()), p = e.getValue();
            if (x == null || !x.sameShape(p) || x.dtype() != p.dtype() || !p.isContiguous())
                throw new IllegalArgumentException("ema: parameter '" + e.getKey() + "' is missing from the source, differs"
                        + " from it in shape or dtype, or is not contiguous");
            t[i] = p;
            s[i++] = x.detach();
        }
        if (t.length == 0) return;
        try (GradMode g = GradMode.off()) {
            if (Reference.forced()) {
                for (int j = 0; j < t.length; j++)
                    try (Scope scope = Scope.open()) {
                        Elementwise.copyInto(t[j], Elementwise.add(Elementwise.scale(t[j].detach(), decay), Elementwise.scale(s[j], 1 - decay)));
                    }
                return;
            }
            try (Scope scope = Scope.open()) {
                for (int j = 0; j < s.length; j++) s[j] = Views.contiguous(s[j]);
                t[0].backend().ema(t, s, decay);
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

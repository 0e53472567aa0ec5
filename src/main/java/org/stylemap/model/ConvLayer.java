package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.BiasAct;
import org.stylemap.tensor.Tensor;

/**
 * The official ConvLayer, a sequence whose child indices are its state_dict names:
 * plain: 0 conv (stride 1, "same" padding), 1 activation;
 * downsample: 0 blur, 1 conv (stride 2, no padding), 2 activation;
 * upsample: 0 transposed conv (stride 2), 1 blur (kernel x4), 2 activation.
 * The conv has its own bias only without activation; with activation the bias belongs to the
 * fused leaky ReLU.
 */
public final class ConvLayer extends Module {
    public enum Resample { NONE, UP, DOWN }

    private final Blur blurBefore, blurAfter;
    private final EqualConv2d conv;
    private final FusedLeakyRelu act;
    private final boolean scaledAct;

    public ConvLayer(Init init, int in, int out, int k, Resample resample, boolean bias, boolean activate) {
        boolean convBias = bias && !activate;
        int next = 0;
        switch (resample) {
            case DOWN -> {
                int p = (4 - 2) + (k - 1);
                blurBefore = module(String.valueOf(next++), new Blur(init, (p + 1) / 2, p / 2, 1));
                conv = module(String.valueOf(next++), new EqualConv2d(init, in, out, k, 2, 0, convBias, 0, false));
                blurAfter = null;
            }
            case UP -> {
                int p = (4 - 2) - (k - 1);
                conv = module(String.valueOf(next++), new EqualConv2d(init, in, out, k, 2, 0, convBias, 0, true));
                blurAfter = module(String.valueOf(next++), new Blur(init, Math.floorDiv(p + 1, 2) + 1, Math.floorDiv(p, 2) + 1, 2));
                blurBefore = null;
            }
            default -> {
                conv = module(String.valueOf(next++), new EqualConv2d(init, in, out, k, 1, k / 2, convBias, 0, false));
                blurBefore = blurAfter = null;
            }
        }
        act = activate && bias ? module(String.valueOf(next), new FusedLeakyRelu(init, out)) : null;
        scaledAct = activate && !bias;
    }

    public Tensor forward(Tensor x) {
        return layer(() -> {
            Tensor h = blurBefore != null ? blurBefore.forward(x) : x;
            h = conv.forward(h);
            if (blurAfter != null) h = blurAfter.forward(h);
            if (act != null) return act.forward(h);
            return scaledAct ? BiasAct.fusedLeakyRelu(h, null) : h;
        });
    }
}

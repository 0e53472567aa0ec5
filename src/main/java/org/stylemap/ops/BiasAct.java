package org.stylemap.ops;

import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * StyleGAN's fused bias + leaky ReLU: leaky_relu(x + b, slope) * gain with b broadcast along
 * dimension 1. FusedLeakyReLU uses slope 0.2 and gain sqrt(2).
 * <p>
 * One name across kernels/bias_act.cu, Backend.biasAct / biasActBackward and BiasActTest, and
 * two paths: the fused one (one primitive forward, one for the gradient) and the composite
 * {@link #reference}, taken when {@link Reference#forced()}. The fused path saves its output y
 * for the backward: with gain > 0 and slope >= 0, y > 0 exactly where x + b > 0, so y fixes the
 * mask. The gradient op {@link #backward} is linear in dy with that fixed mask, so its own
 * gradient is itself, and zero for y and b (the second derivative of a piecewise linear
 * function is zero): that is the R1 penalty's double backward through the discriminator.
 */
public final class BiasAct {
    public static final double SLOPE = 0.2;
    public static final double GAIN = Math.sqrt(2.0);

    private BiasAct() {}

    /** x [N, C, ...], bias [C] or null; gain > 0 and slope >= 0 (checked). */
    public static Tensor apply(Tensor x, Tensor bias, double slope, double gain) {
        check(x, bias, slope, gain);
        if (Reference.forced()) return reference(x, bias, slope, gain);
        Tensor xc = Views.contiguous(x), b = bias == null ? null : Views.contiguous(bias);
        Tensor y = Tensor.empty(x.dtype(), x.device(), x.shape());
        if (y.numel() > 0) y.backend().biasAct(xc, b, y, slope, gain);
        int[] allButChannels = new int[x.rank() - 1];
        for (int d = 0, j = 0; d < x.rank(); d++) if (d != 1) allButChannels[j++] = d;
        return Autograd.record(y, "bias_act", (gy, n) -> {
            Tensor dx = backward(gy, y, slope, gain);
            return new Tensor[] {dx, n[1] ? Reductions.sum(dx, allButChannels, false) : null};
        }, xc, b);
    }

    public static Tensor fusedLeakyRelu(Tensor x, Tensor bias) {
        return apply(x, bias, SLOPE, GAIN);
    }

    /**
     * The gradient of {@link #apply} with respect to x, from the gradient dy of its output y:
     * dy * gain where y > 0, dy * gain * slope elsewhere. Differentiable in dy (by itself); y is
     * a constant of it.
     */
    public static Tensor backward(Tensor dy, Tensor y, double slope, double gain) {
        Shape.check(dy.sameShape(y) && dy.dtype() == y.dtype() && dy.device().equals(y.device()), "bias_act_backward: gradient "
                + dy + " does not match output " + y);
        Tensor dyc = Views.contiguous(dy), yc = Views.contiguous(y.detach());
        Tensor dx = Tensor.empty(dy.dtype(), dy.device(), dy.shape());
        if (dx.numel() > 0) dx.backend().biasActBackward(dyc, yc, dx, slope, gain);
        return Autograd.record(dx, "bias_act_backward", (g, n) -> new Tensor[] {backward(g, yc, slope, gain)}, dyc);
    }

    /** The composite twin: add, leaky ReLU, scale (each with its own backward). */
    public static Tensor reference(Tensor x, Tensor bias, double slope, double gain) {
        check(x, bias, slope, gain);
        Tensor y = x;
        if (bias != null) {
            int[] bs = new int[x.rank()];
            java.util.Arrays.fill(bs, 1);
            bs[1] = bias.shape(0);
            y = Elementwise.add(x, Views.reshape(bias, bs));
        }
        return Elementwise.scale(Elementwise.leakyRelu(y, slope), gain);
    }

    private static void check(Tensor x, Tensor bias, double slope, double gain) {
        Shape.check(x.rank() >= 2, "bias_act: needs [N, C, ...], got " + Shape.str(x.shape()));
        Shape.check(gain > 0 && slope >= 0, "bias_act: needs gain > 0 and slope >= 0 (the gradient's mask is y > 0), got gain "
                + gain + ", slope " + slope);
        if (bias == null) return;
        Shape.check(bias.rank() == 1 && bias.shape(0) == x.shape(1), "bias_act: bias "
                + Shape.str(bias.shape()) + " does not match channels of " + Shape.str(x.shape()));
        Shape.check(bias.dtype() == x.dtype() && bias.device().equals(x.device()), "bias_act: bias " + bias
                + " does not match input " + x);
    }
}

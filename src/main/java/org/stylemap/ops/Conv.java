package org.stylemap.ops;

import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * 2-D convolution and its two adjoints, each a differentiable op: the gradient of conv2d is
 * made of conv2dBackwardData and conv2dBackwardWeight, whose gradients are again these three,
 * so gradients of any order stay convolutions.
 */
public final class Conv {
    private Conv() {}

    /** PyTorch's conv2d without bias: x [N,C,H,W], w [O,C/groups,KH,KW]. */
    public static Tensor conv2d(Tensor x, Tensor w, int stride, int padding, int groups) {
        Shape.check(x.rank() == 4 && w.rank() == 4, "conv2d: needs input [N,C,H,W] and weight [O,C/g,KH,KW], got "
                + Shape.str(x.shape()) + " and " + Shape.str(w.shape()));
        Shape.check(x.shape(1) == w.shape(1) * groups && w.shape(0) % groups == 0, "conv2d: input " + Shape.str(x.shape())
                + " does not match weight " + Shape.str(w.shape()) + " with groups=" + groups);
        Shape.check(x.dtype() == w.dtype(), "conv2d: dtypes differ (" + x.dtype() + " and " + w.dtype() + ")");
        int oh = (x.shape(2) + 2 * padding - w.shape(2)) / stride + 1, ow = (x.shape(3) + 2 * padding - w.shape(3)) / stride + 1;
        Shape.check(oh > 0 && ow > 0, "conv2d: kernel " + Shape.str(w.shape()) + " larger than padded input " + Shape.str(x.shape()));
        Tensor y = Tensor.empty(x.dtype(), x.device(), x.shape(0), w.shape(0), oh, ow);
        y.backend().conv2d(x, w, y, stride, stride, padding, padding, groups);
        int[] xs = x.shape(), ws = w.shape();
        return Autograd.record(y, "conv2d", (gy, n) -> new Tensor[] {
                n[0] ? conv2dBackwardData(gy, w, xs, stride, padding, groups) : null,
                n[1] ? conv2dBackwardWeight(x, gy, ws, stride, padding, groups) : null}, x, w);
    }

    /** The adjoint of conv2d in x: dx of shape xShape from dy. */
    public static Tensor conv2dBackwardData(Tensor dy, Tensor w, int[] xShape, int stride, int padding, int groups) {
        checkAdjoint("conv2d_backward_data", dy, w, xShape, w.shape(), stride, padding, groups);
        Tensor dx = Tensor.empty(dy.dtype(), dy.device(), xShape);
        dx.backend().conv2dBackwardData(dy, w, dx, stride, stride, padding, padding, groups);
        return Autograd.record(dx, "conv2d_backward_data", (g, n) -> new Tensor[] {
                n[0] ? conv2d(g, w, stride, padding, groups) : null,
                n[1] ? conv2dBackwardWeight(g, dy, w.shape(), stride, padding, groups) : null}, dy, w);
    }

    /** The adjoint of conv2d in w: dw of shape wShape from x and dy. */
    public static Tensor conv2dBackwardWeight(Tensor x, Tensor dy, int[] wShape, int stride, int padding, int groups) {
        checkAdjoint("conv2d_backward_weight", dy, x, x.shape(), wShape, stride, padding, groups);
        Tensor dw = Tensor.empty(dy.dtype(), dy.device(), wShape);
        dw.backend().conv2dBackwardWeight(x, dy, dw, stride, stride, padding, padding, groups);
        return Autograd.record(dw, "conv2d_backward_weight", (g, n) -> new Tensor[] {
                n[0] ? conv2dBackwardData(dy, g, x.shape(), stride, padding, groups) : null,
                n[1] ? conv2d(x, g, stride, padding, groups) : null}, x, dy);
    }

    /**
     * The backends read dy as conv2d's output for these shapes, so it must have exactly that shape
     * (a larger dy would otherwise be read silently as a wrong one).
     */
    private static void checkAdjoint(String op, Tensor dy, Tensor other, int[] xShape, int[] wShape, int stride, int padding, int groups) {
        Shape.check(dy.dtype() == other.dtype(), op + ": dtypes differ (" + dy.dtype() + " and " + other.dtype() + ")");
        Shape.check(dy.rank() == 4 && xShape.length == 4 && wShape.length == 4 && xShape[1] == wShape[1] * groups
                && wShape[0] % groups == 0, op + ": input " + Shape.str(xShape) + " does not match weight "
                + Shape.str(wShape) + " with groups=" + groups + " (gradient " + Shape.str(dy.shape()) + ")");
        int[] expect = {xShape[0], wShape[0], (xShape[2] + 2 * padding - wShape[2]) / stride + 1,
                (xShape[3] + 2 * padding - wShape[3]) / stride + 1};
        Shape.check(java.util.Arrays.equals(dy.shape(), expect), op + ": gradient " + Shape.str(dy.shape())
                + " is not the conv2d output shape " + Shape.str(expect) + " of input " + Shape.str(xShape) + " and weight "
                + Shape.str(wShape) + " (stride " + stride + ", padding " + padding + ")");
    }

    /**
     * PyTorch's conv_transpose2d without bias or output padding: x [N,Cin,H,W], w [Cin,Cout,KH,KW],
     * output [N,Cout,(H-1)*stride-2*padding+KH, ...]. It is conv2d's adjoint with w read as a
     * [O=Cin, C=Cout] convolution weight.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, int stride, int padding) {
        Shape.check(x.rank() == 4 && w.rank() == 4 && x.shape(1) == w.shape(0), "conv_transpose2d: input "
                + Shape.str(x.shape()) + " does not match weight " + Shape.str(w.shape()));
        int h = (x.shape(2) - 1) * stride - 2 * padding + w.shape(2), wd = (x.shape(3) - 1) * stride - 2 * padding + w.shape(3);
        return conv2dBackwardData(x, w, new int[] {x.shape(0), w.shape(1), h, wd}, stride, padding, 1);
    }
}

package org.stylemap.ops;

import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/** Max and average pooling over square windows. */
public final class Pooling {
    private Pooling() {}

    public static Tensor maxPool2d(Tensor x, int k, int stride, int pad) {
        Shape.check(x.rank() == 4, "max_pool2d: needs [N,C,H,W], got " + Shape.str(x.shape()));
        int oh = (x.shape(2) + 2 * pad - k) / stride + 1, ow = (x.shape(3) + 2 * pad - k) / stride + 1;
        Shape.check(oh > 0 && ow > 0 && pad <= k / 2, "max_pool2d: window " + k + " (pad " + pad + ") does not fit " + Shape.str(x.shape()));
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape(0), x.shape(1), oh, ow);
        out.backend().maxPool2d(x, out, k, stride, pad);
        return Autograd.record(out, "max_pool2d", (gy, n) -> {
            // The routing is first-order only: nothing on the R1 path pools, so no graph is built here.
            if (GradMode.enabled() && gy.requiresGrad())
                throw new UnsupportedOperationException("max_pool2d has no second derivative");
            Tensor dx = Tensor.empty(x.dtype(), x.device(), x.shape());
            dx.backend().maxPool2dBackward(x, gy, dx, k, stride, pad);
            return new Tensor[] {dx};
        }, x);
    }

    /** Average over k x k windows (zero padding counted, like PyTorch's default), as a depthwise conv. */
    public static Tensor avgPool2d(Tensor x, int k, int stride, int pad) {
        Shape.check(x.rank() == 4, "avg_pool2d: needs [N,C,H,W], got " + Shape.str(x.shape()));
        int c = x.shape(1);
        Tensor w = Tensor.full(x.dtype(), x.device(), 1.0 / (k * k), c, 1, k, k);
        return Conv.conv2d(x, w, stride, pad, c);
    }

    /**
     * Average over k x k windows counting only the input pixels each window covers (PyTorch's
     * count_include_pad=False, TensorFlow's padded average pool, which the FID Inception uses):
     * the zero-padded average rescaled by k*k / (pixels covered), a constant map per shape.
     */
    public static Tensor avgPool2dExcludePad(Tensor x, int k, int stride, int pad) {
        Tensor padded = avgPool2d(x, k, stride, pad);
        int h = x.shape(2), w = x.shape(3), oh = padded.shape(2), ow = padded.shape(3);
        double[] factor = new double[oh * ow];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
                factor[i * ow + j] = (double) (k * k) / (covered(i * stride - pad, k, h) * covered(j * stride - pad, k, w));
        return Elementwise.mul(padded, Tensor.of(x.dtype(), x.device(), factor, 1, 1, oh, ow));
    }

    /** How many of the k positions from start on lie inside [0, size). */
    private static int covered(int start, int k, int size) {
        return Math.min(start + k, size) - Math.max(start, 0);
    }
}

package org.stylemap.ops;

import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * Bilinear image resizing (FID's 299x299 input) as two small matrix products, out = Rh @ x @ Rw^T,
 * with interpolation matrices built on the host. Differentiable for free.
 */
public final class Resize {
    private Resize() {}

    public static Tensor bilinear(Tensor x, int outH, int outW) {
        Shape.check(x.rank() == 4, "resize: needs [N,C,H,W], got " + Shape.str(x.shape()));
        Tensor rh = matrix(x, x.shape(2), outH), rw = matrix(x, x.shape(3), outW);
        return Linalg.matmul(rh, Linalg.matmul(x, Views.transpose(rw, 0, 1)));
    }

    /** [out, in] interpolation weights with PyTorch's convention (align_corners=False): samples at (dst + 0.5) * in / out - 0.5. */
    static Tensor matrix(Tensor like, int in, int out) {
        double[] m = new double[out * in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = Math.max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.min((int) Math.floor(src), in - 1), i1 = Math.min(i0 + 1, in - 1);
            double t = src - i0;
            m[o * in + i0] += 1 - t;
            m[o * in + i1] += t;
        }
        return Tensor.of(like.dtype(), like.device(), m, out, in);
    }
}

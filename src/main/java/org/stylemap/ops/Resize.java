package org.stylemap.ops;

import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * Image resizing as two small matrix products, out = Rh @ x @ Rw^T, with interpolation
 * matrices built on the host. Differentiable for free, and the same code serves every mode.
 */
public final class Resize {
    public enum Mode { NEAREST, BILINEAR }

    private Resize() {}

    public static Tensor resize(Tensor x, int outH, int outW, Mode mode) {
        Shape.check(x.rank() == 4, "resize: needs [N,C,H,W], got " + Shape.str(x.shape()));
        Tensor rh = matrix(x, x.shape(2), outH, mode), rw = matrix(x, x.shape(3), outW, mode);
        return Linalg.matmul(rh, Linalg.matmul(x, Views.transpose(rw, 0, 1)));
    }

    /**
     * [out, in] interpolation weights with PyTorch's conventions (align_corners=False):
     * nearest takes src = floor(dst * in / out); bilinear samples at (dst + 0.5) * in / out - 0.5.
     */
    static Tensor matrix(Tensor like, int in, int out, Mode mode) {
        double[] m = new double[out * in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            if (mode == Mode.NEAREST) {
                m[o * in + Math.min((int) Math.floor(o * scale), in - 1)] = 1;
                continue;
            }
            double src = Math.max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.min((int) Math.floor(src), in - 1), i1 = Math.min(i0 + 1, in - 1);
            double t = src - i0;
            m[o * in + i0] += 1 - t;
            m[o * in + i1] += t;
        }
        return Tensor.of(like.dtype(), like.device(), m, out, in);
    }
}

package org.stylemap.ops;

import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/** Loss functions. */
public final class Losses {
    private Losses() {}

    /** Mean squared error over all elements (PyTorch's F.mse_loss). */
    public static Tensor mse(Tensor a, Tensor b) {
        Shape.check(a.sameShape(b), "mse: shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()) + " differ");
        Tensor d = Elementwise.sub(a, b);
        return Reductions.mean(Elementwise.mul(d, d), null, false);
    }

    /** mean(softplus(sign * logits)): the non-saturating GAN loss (sign -1: "real", sign +1: "fake"). */
    public static Tensor meanSoftplus(Tensor logits, double sign) {
        return Reductions.mean(Elementwise.softplus(Elementwise.scale(logits, sign)), null, false);
    }
}

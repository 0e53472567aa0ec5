package org.stylemap.ops;

import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * StyleGAN's upsample-FIR-downsample (see {@link org.stylemap.backend.Backend#upfirdn2d}). The
 * FIR kernel is a constant buffer. The gradient is again an upfirdn2d, with up and down swapped,
 * the kernel flipped (a flag to the primitive: no host round trip) and the padding chosen so the
 * result has the input's size; so every order of derivative is this one op.
 */
public final class Upfirdn2d {
    private Upfirdn2d() {}

    public static Tensor apply(Tensor x, Tensor k, int up, int down, int pad0, int pad1) {
        return apply(x, k, up, up, down, down, pad0, pad1, pad0, pad1);
    }

    public static Tensor apply(Tensor x, Tensor k, int upX, int upY, int downX, int downY,
                               int padX0, int padX1, int padY0, int padY1) {
        return apply(x, k, false, upX, upY, downX, downY, padX0, padX1, padY0, padY1);
    }

    /** With flipKernel the kernel is read rotated by 180 degrees (the backward's form; no copy of it is made). */
    private static Tensor apply(Tensor x, Tensor k, boolean flipKernel, int upX, int upY, int downX, int downY,
                                int padX0, int padX1, int padY0, int padY1) {
        Shape.check(x.rank() == 4 && k.rank() == 2, "upfirdn2d: needs x [N,C,H,W] and kernel [KH,KW], got "
                + Shape.str(x.shape()) + " and " + Shape.str(k.shape()));
        Shape.check(!k.requiresGrad(), "upfirdn2d: the FIR kernel is a constant and cannot require grad");
        Shape.check(x.dtype() == k.dtype(), "upfirdn2d: dtypes differ (input " + x.dtype() + ", kernel " + k.dtype() + ")");
        Shape.check(x.device().equals(k.device()), "upfirdn2d: devices differ (input " + x.device() + ", kernel " + k.device() + ")");
        Shape.check(upX >= 1 && upY >= 1 && downX >= 1 && downY >= 1, "upfirdn2d: up and down factors must be >= 1");
        int h = x.shape(2), w = x.shape(3), kh = k.shape(0), kw = k.shape(1);
        int outH = Math.floorDiv(h * upY + padY0 + padY1 - kh, downY) + 1;
        int outW = Math.floorDiv(w * upX + padX0 + padX1 - kw, downX) + 1;
        Shape.check(outH > 0 && outW > 0, "upfirdn2d: output would be empty for input " + Shape.str(x.shape()));
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape(0), x.shape(1), outH, outW);
        out.backend().upfirdn2d(x, k, flipKernel, upX, upY, downX, downY, padX0, padX1, padY0, padY1, out);
        return Autograd.record(out, "upfirdn2d", (gy, n) -> {
            int gpx0 = kw - padX0 - 1, gpy0 = kh - padY0 - 1;
            int gpx1 = w * upX - outW * downX + padX0 - upX + 1;
            int gpy1 = h * upY - outH * downY + padY0 - upY + 1;
            return new Tensor[] {apply(gy, k, !flipKernel, downX, downY, upX, upY, gpx0, gpx1, gpy0, gpy1)};
        }, x);
    }
}

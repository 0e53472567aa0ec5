package org.stylemap.edit;

import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * The local-editing errors of the StyleMapGAN paper (official metrics/local_editing.py): for an
 * edit that takes the masked region from a reference photo and keeps the rest of the source
 * photo, MSE_ref is the mean squared error between the edit and the reference inside the mask,
 * MSE_src the one between the edit and the source outside it, each averaged over the pixels and
 * the three channels of its region. Images are in [-1, 1]; the mask follows the editing
 * convention (official): values > -1 mark the region taken from the reference. `eval`'s
 * local-editing metric and the adapt report (MSE outside the edit, {@link Adaptation}) use it.
 */
public final class LocalEditError {
    /** Per-pair errors; NaN where the region is empty (no masked pixel for mseRef, none unmasked for mseSrc). */
    public record PerPair(double[] mseSrc, double[] mseRef) {}

    private LocalEditError() {}

    /**
     * @param edit      [N, 3, H, W]
     * @param source    [N, 3, H, W], the photo the edit keeps outside the mask
     * @param reference [N, 3, H, W], the photo the edit takes inside the mask
     * @param mask      [N, H, W] or [1, H, W]
     */
    public static PerPair measure(Tensor edit, Tensor source, Tensor reference, Tensor mask) {
        int n = edit.shape(0), h = edit.shape(2), w = edit.shape(3);
        Shape.check(edit.rank() == 4 && edit.shape(1) == 3 && edit.sameShape(source) && edit.sameShape(reference),
                "local editing error: edit, source and reference must be [N,3,H,W] of one shape, got " + Shape.str(edit.shape())
                        + ", " + Shape.str(source.shape()) + ", " + Shape.str(reference.shape()));
        Shape.check(mask.rank() == 3 && (mask.shape(0) == n || mask.shape(0) == 1) && mask.shape(1) == h && mask.shape(2) == w,
                "local editing error: mask must be [N or 1, " + h + ", " + w + "], got " + Shape.str(mask.shape()));
        Tensor inside = Views.expand(Views.unsqueeze(
                Elementwise.greater(mask, Tensor.full(mask.dtype(), mask.device(), -1)), 1), n, 1, h, w);
        Tensor outside = Elementwise.addScalar(Elementwise.neg(inside), 1);
        double[] inCount = perImage(inside), outCount = perImage(outside);
        double[] refErr = perImage(Elementwise.mul(squared(edit, reference), inside));
        double[] srcErr = perImage(Elementwise.mul(squared(edit, source), outside));
        double[] mseSrc = new double[n], mseRef = new double[n];
        for (int i = 0; i < n; i++) {
            mseRef[i] = inCount[i] == 0 ? Double.NaN : refErr[i] / (3 * inCount[i]);
            mseSrc[i] = outCount[i] == 0 ? Double.NaN : srcErr[i] / (3 * outCount[i]);
        }
        return new PerPair(mseSrc, mseRef);
    }

    private static Tensor squared(Tensor a, Tensor b) {
        Tensor d = Elementwise.sub(a, b);
        return Elementwise.mul(d, d);
    }

    /** Sum over everything but the batch dimension, on the host. */
    private static double[] perImage(Tensor x) {
        return Reductions.sum(x, new int[] {1, 2, 3}, false).toDoubleArray();
    }
}

package org.stylemap.ops;

import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * StyleMapGAN's spatially variant modulation: {@code y = normalize(x) * gamma + beta}, with
 * normalize a LayerNorm (each sample over C,H,W) or an InstanceNorm (each sample and channel over
 * H,W), biased variance, no affine parameters; gamma and beta are per-pixel maps of x's shape.
 * They come as one tensor gammaBeta [N, 2C, H, W] (gamma in channels [0, C), beta in [C, 2C))
 * because the model computes both with one convolution; the fused backward then writes both
 * gradients into one tensor too, so nothing is sliced, concatenated or summed in between.
 * <p>
 * One name across kernels/modulation.cu, Backend.modulation / modulationBackward and
 * ModulationTest; {@link #reference} is the composite twin, taken when {@link Reference#forced()}.
 * The fused backward is first order (the generator, the only user, needs no more); a second-order
 * pass (a backward run with createGraph) differentiates the reference instead, exactly and slower.
 */
public final class Modulation {
    /** Which statistics: per sample (LayerNorm) or per sample and channel (InstanceNorm). */
    public enum Norm { LAYER, INSTANCE }

    private Modulation() {}

    /** x [N,C,H,W], gammaBeta [N,2C,H,W] -> [N,C,H,W]. */
    public static Tensor apply(Tensor x, Tensor gammaBeta, Norm norm, double eps) {
        check(x, gammaBeta);
        if (Reference.forced()) return reference(x, gammaBeta, norm, eps);
        Tensor xc = Views.contiguous(x), gb = Views.contiguous(gammaBeta);
        int groups = norm == Norm.INSTANCE ? x.shape(0) * x.shape(1) : x.shape(0);
        Tensor y = Tensor.empty(x.dtype(), x.device(), x.shape());
        Tensor mean = Tensor.empty(x.dtype(), x.device(), groups), rstd = Tensor.empty(x.dtype(), x.device(), groups);
        boolean instance = norm == Norm.INSTANCE;
        if (y.numel() > 0) y.backend().modulation(xc, gb, y, mean, rstd, instance, eps);
        return Autograd.record(y, "modulation", (gy, n) -> {
            if (GradMode.enabled()) return referenceGradients(xc, gb, norm, eps, gy, n);
            Tensor dx = Tensor.empty(xc.dtype(), xc.device(), xc.shape());
            Tensor dgb = Tensor.empty(gb.dtype(), gb.device(), gb.shape());
            if (dx.numel() > 0) dx.backend().modulationBackward(Views.contiguous(gy), xc, gb, mean, rstd, dx, dgb, instance);
            return new Tensor[] {dx, dgb};
        }, xc, gb);
    }

    /** The composite twin: {@link Norms} then {@link #modulate}. */
    public static Tensor reference(Tensor x, Tensor gammaBeta, Norm norm, double eps) {
        check(x, gammaBeta);
        return modulate(norm == Norm.LAYER ? Norms.layerNorm(x, eps) : Norms.instanceNorm(x, eps), gammaBeta);
    }

    /** normalized * gamma + beta as two elementwise ops (also the BatchNorm path, which has no fused twin). */
    public static Tensor modulate(Tensor normalized, Tensor gammaBeta) {
        check(normalized, gammaBeta);
        int c = normalized.shape(1);
        return Elementwise.add(Elementwise.mul(normalized, Views.slice(gammaBeta, 1, 0, c)), Views.slice(gammaBeta, 1, c, 2 * c));
    }

    /** Gradients for a second-order pass: the reference's, built with a graph (we are inside a createGraph backward). */
    private static Tensor[] referenceGradients(Tensor x, Tensor gb, Norm norm, double eps, Tensor gy, boolean[] needs) {
        Tensor[] inputs = needs[0] && needs[1] ? new Tensor[] {x, gb} : new Tensor[] {needs[0] ? x : gb};
        Tensor[] g = Autograd.grad(new Tensor[] {reference(x, gb, norm, eps)}, inputs, new Tensor[] {gy}, true);
        return needs[0] && needs[1] ? g : needs[0] ? new Tensor[] {g[0], null} : new Tensor[] {null, g[0]};
    }

    private static void check(Tensor x, Tensor gammaBeta) {
        Shape.check(x.rank() == 4 && gammaBeta.rank() == 4 && gammaBeta.shape(0) == x.shape(0)
                && gammaBeta.shape(1) == 2 * x.shape(1) && gammaBeta.shape(2) == x.shape(2) && gammaBeta.shape(3) == x.shape(3),
                "modulation: needs x [N,C,H,W] and gammaBeta [N,2C,H,W], got " + Shape.str(x.shape()) + " and "
                        + Shape.str(gammaBeta.shape()));
        Shape.check(x.dtype() == gammaBeta.dtype() && x.device().equals(gammaBeta.device()), "modulation: " + x
                + " and " + gammaBeta + " differ in dtype or device");
    }
}

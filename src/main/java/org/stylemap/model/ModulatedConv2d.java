package org.stylemap.model;

import org.stylemap.autograd.GradMode;
import org.stylemap.nn.Module;
import org.stylemap.ops.Conv;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Modulation;
import org.stylemap.ops.Norms;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * StyleMapGAN's spatially variant modulation followed by a plain convolution:
 * h = normalize(x) * gamma(s) + beta(s), with gamma and beta 3x3 equalized convolutions of the
 * layer's stylemap s (already at x's resolution); then conv(h, weight / sqrt(in k k)), or for
 * upsampling a stride-2 transposed conv and a blur. There is no demodulation and no noise.
 * Official quirk kept for the checkpoint layout: weight is stored as [1, out, in, k, k].
 */
public final class ModulatedConv2d extends Module {
    private static final double EPS = 1e-5;

    private final Tensor weight;
    private final Blur blur;
    private final EqualConv2d gamma, beta;
    private final NormalizeMode mode;
    private final Tensor runningMean, runningVar, batchesTracked; // BatchNorm2d only
    private final int in, out, k;
    private final double scale;
    private final boolean upsample;

    public ModulatedConv2d(Init init, int in, int out, int k, int styleDim, NormalizeMode mode, boolean upsample) {
        this.in = in;
        this.out = out;
        this.k = k;
        this.mode = mode;
        this.upsample = upsample;
        this.scale = 1 / Math.sqrt((double) in * k * k);
        weight = parameter("weight", () -> init.randn(1, out, in, k, k));
        if (upsample) {
            int p = (4 - 2) - (k - 1);
            blur = module("blur", new Blur(init, Math.floorDiv(p + 1, 2) + 1, Math.floorDiv(p, 2) + 1, 2));
        } else blur = null;
        if (mode == NormalizeMode.BATCH_NORM) {
            NormBuffers nb = module("norm", new NormBuffers(init, in));
            runningMean = nb.mean;
            runningVar = nb.var;
            batchesTracked = nb.count;
        } else runningMean = runningVar = batchesTracked = null;
        gamma = module("gamma", new EqualConv2d(init, styleDim, in, 3, 1, 1, true, 1, false));
        beta = module("beta", new EqualConv2d(init, styleDim, in, 3, 1, 1, true, 0, false));
    }

    /** BatchNorm2d(affine=False)'s state, under the official names norm.running_mean etc. */
    private static final class NormBuffers extends Module {
        final Tensor mean, var, count;

        NormBuffers(Init init, int channels) {
            mean = buffer("running_mean", () -> init.full(0, channels));
            var = buffer("running_var", () -> init.full(1, channels));
            count = buffer("num_batches_tracked", () -> init.full(0));
        }
    }

    /** x [N,in,H,W], style [N,styleDim,H,W] -> [N,out,H,W] (or 2H x 2W when upsampling). */
    public Tensor forward(Tensor x, Tensor style) {
        Tensor gammaBeta = gammaBeta(style);
        Tensor h = switch (mode) {
            case LAYER_NORM -> Modulation.apply(x, gammaBeta, Modulation.Norm.LAYER, EPS);
            case INSTANCE_NORM -> Modulation.apply(x, gammaBeta, Modulation.Norm.INSTANCE, EPS);
            case BATCH_NORM -> Modulation.modulate(batchNorm(x), gammaBeta);
        };
        Tensor w = Elementwise.scale(Views.reshape(weight, out, in, k, k), scale);
        if (!upsample) return Conv.conv2d(h, w, 1, k / 2, 1);
        return blur.forward(Conv.convTranspose2d(h, Views.transpose(w, 0, 1), 2, 0));
    }

    /**
     * gamma(style) and beta(style) [N,in,H,W] each, as ONE convolution [N,2in,H,W] whose weights
     * and biases are theirs concatenated along the output channels: exact, since every output
     * channel of a convolution is computed on its own, and it reads the stylemap once instead of
     * twice. The modules (and so the checkpoint keys gamma.* and beta.*) stay as they were.
     */
    private Tensor gammaBeta(Tensor style) {
        Tensor w = Elementwise.scale(Views.concat(0, gamma.weight(), beta.weight()), gamma.scale());
        Tensor b = Views.concat(0, gamma.bias(), beta.bias());
        return Elementwise.add(Conv.conv2d(style, w, 1, 1, 1), Views.reshape(b, 1, -1, 1, 1));
    }

    /** PyTorch BatchNorm2d(affine=False): batch statistics while training (updating the running ones), else running. */
    private Tensor batchNorm(Tensor x) {
        int[] dims = {0, 2, 3};
        if (!isTraining()) {
            Tensor m = Views.reshape(runningMean, 1, -1, 1, 1), v = Views.reshape(runningVar, 1, -1, 1, 1);
            return Elementwise.mul(Elementwise.sub(x, m), Elementwise.rsqrt(Elementwise.addScalar(v, EPS)));
        }
        try (GradMode g = GradMode.off()) {
            long n = x.numel() / x.shape(1);
            Tensor mean = Reductions.mean(x, dims, false), var = Reductions.var(x, dims, false, true);
            Elementwise.copyInto(runningMean, Elementwise.add(Elementwise.scale(runningMean, 0.9), Elementwise.scale(mean, 0.1)));
            Elementwise.copyInto(runningVar, Elementwise.add(Elementwise.scale(runningVar, 0.9), Elementwise.scale(var, 0.1)));
            Elementwise.copyInto(batchesTracked, Elementwise.addScalar(batchesTracked, 1));
            if (n < 2) throw new IllegalArgumentException("BatchNorm2d needs more than one value per channel in training");
        }
        return Norms.normalize(x, dims, EPS);
    }
}

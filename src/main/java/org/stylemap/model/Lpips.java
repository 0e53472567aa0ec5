package org.stylemap.model;

import io.jhdf.HdfFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.stylemap.io.H5;
import org.stylemap.nn.Module;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * LPIPS v0.1, "net-lin" on VGG16 (the official PNetLin): images in [-1, 1] are scaled to VGG's
 * input statistics, five VGG feature maps are unit-normalised over channels, their squared
 * differences are weighted per channel by the 1x1 "lin" layers, averaged over space and summed
 * over the layers. State dict names are PNetLin's ("scaling_layer.shift", "net.slice1.0.weight",
 * "lin0.model.1.weight"), so weights exported from PyTorch load by name (docs/LPIPS.md).
 * All weights are frozen; gradients flow to the images only.
 */
public final class Lpips extends Module implements PerceptualLoss {
    /** Where {@link #load} finds the state dict: datasets named by their dotted keys in this group. */
    public static final String H5_GROUP = "lpips";

    private static final int[] VGG16_WIDTHS = {64, 128, 256, 512, 512};
    private static final double EPS = 1e-10;

    private final Scaling scaling;
    private final LpipsVgg net;
    private final List<LpipsLin> lins = new ArrayList<>();

    /** VGG16 widths with random weights (tests; real use goes through {@link #load}). */
    public Lpips(Init init) {
        this(init, VGG16_WIDTHS);
    }

    /** A VGG of other channel widths (one per slice), so tests can use a narrow network. */
    public Lpips(Init init, int... widths) {
        Shape.check(widths.length == VGG16_WIDTHS.length, "LPIPS needs 5 channel widths, got " + Arrays.toString(widths));
        scaling = module("scaling_layer", new Scaling(init));
        net = module("net", new LpipsVgg(init, widths));
        for (int k = 0; k < widths.length; k++) lins.add(module("lin" + k, new LpipsLin(init, widths[k])));
        setRequiresGrad(false);
        setDropout(null);
    }

    /** The VGG16 LPIPS with the weights in group {@value #H5_GROUP} of an HDF5 file (layout: docs/LPIPS.md), on a device. */
    public static Lpips load(Path h5, DType dtype, Device device) {
        return load(h5, dtype, device, VGG16_WIDTHS);
    }

    /** {@link #load(Path, DType, Device)} for a VGG of other widths (tests, where VGG16-sized files are slow to write). */
    static Lpips load(Path h5, DType dtype, Device device, int... widths) {
        try (HdfFile f = H5.open(h5)) {
            // The seeded random weights are placeholders: loadStateDict overwrites every one of them.
            Lpips lpips = new Lpips(new Init(dtype, device, new Rng(0)), widths);
            lpips.loadStateDict(H5.group(f, H5_GROUP, dtype, device), h5.toString());
            return lpips;
        }
    }

    /**
     * Training-mode dropout before the lin layers, drawing its masks from gen (the official training
     * runs LPIPS in training mode, spec 17.15); null restores evaluation mode (no dropout), the default.
     */
    public void setDropout(Rng gen) {
        for (LpipsLin lin : lins) lin.setDropout(gen);
        train(gen != null);
    }

    /** The distance of every pair, [N, 1, 1, 1] like PNetLin's output. */
    public Tensor forward(Tensor a, Tensor b) {
        Shape.check(a.rank() == 4 && a.shape(1) == 3 && Arrays.equals(a.shape(), b.shape()) && a.shape(2) >= 16 && a.shape(3) >= 16,
                "LPIPS: needs two RGB images [N,3,H,W] of the same shape with H, W >= 16, got "
                        + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        List<Tensor> fa = net.features(scaling.forward(a)), fb = net.features(scaling.forward(b));
        Tensor total = null;
        for (int k = 0; k < lins.size(); k++) {
            Tensor diff = Elementwise.sub(unitNormalize(fa.get(k)), unitNormalize(fb.get(k)));
            Tensor layer = Reductions.mean(lins.get(k).forward(Elementwise.mul(diff, diff)), new int[] {2, 3}, true);
            total = total == null ? layer : Elementwise.add(total, layer);
        }
        return total;
    }

    /** The batch mean of {@link #forward}, as train.py takes percept(...).mean(). */
    @Override
    public Tensor distance(Tensor a, Tensor b) {
        return Reductions.mean(forward(a, b), null, false);
    }

    /**
     * f / (sqrt(sum_c f^2) + 1e-10). Where a feature vector is all zero (common after ReLU in narrow
     * networks), sqrt's derivative at 0 would turn the gradient into NaN, as it does in PyTorch. The
     * sum is therefore clamped below at a value whose root vanishes against 1e-10 in this dtype, so
     * the value is bit-for-bit the formula's while the gradient there is the one-sided limit f/1e-10.
     */
    private static Tensor unitNormalize(Tensor f) {
        double floor = f.dtype() == DType.F64 ? 1e-54 : 1e-36;
        Tensor sumSq = Reductions.sum(Elementwise.mul(f, f), new int[] {1}, true);
        Tensor norm = Elementwise.sqrt(Elementwise.maximum(sumSq, Tensor.scalar(f.dtype(), f.device(), floor)));
        return Elementwise.div(f, Elementwise.addScalar(norm, EPS));
    }

    /** LPIPS's ScalingLayer: (x - shift) / scale per RGB channel, from [-1, 1] images to VGG's input statistics. */
    private static final class Scaling extends Module {
        // PyTorch stores these as float32; the float-rounded values make float64 runs use the same constants.
        private static final double[] SHIFT = {(float) -0.030, (float) -0.088, (float) -0.188};
        private static final double[] SCALE = {(float) 0.458, (float) 0.448, (float) 0.450};

        private final Tensor shift, scale;

        Scaling(Init init) {
            shift = buffer("shift", () -> init.of(SHIFT, 1, 3, 1, 1));
            scale = buffer("scale", () -> init.of(SCALE, 1, 3, 1, 1));
        }

        Tensor forward(Tensor x) {
            return Elementwise.div(Elementwise.sub(x, shift), scale);
        }
    }
}

package org.stylemap.model;

import org.stylemap.nn.Module;
import org.stylemap.ops.Upfirdn2d;
import org.stylemap.tensor.Tensor;

/**
 * Depthwise FIR blur with StyleGAN's [1,3,3,1] kernel (outer product normalised to sum 1, times
 * factor^2 after an upsampling convolution, whose zero-stuffed output has 1/factor^2 of the energy).
 */
public final class Blur extends Module {
    private final Tensor kernel;
    private final int pad0, pad1;

    public Blur(Init init, int pad0, int pad1, int upsampleFactor) {
        double[] k1 = {1, 3, 3, 1};
        double[] k = new double[16];
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) k[a * 4 + b] = k1[a] * k1[b] / 64.0 * upsampleFactor * upsampleFactor;
        this.kernel = buffer("kernel", () -> init.of(k, 4, 4));
        this.pad0 = pad0;
        this.pad1 = pad1;
    }

    public Tensor forward(Tensor x) {
        return Upfirdn2d.apply(x, kernel, 1, 1, pad0, pad1);
    }
}

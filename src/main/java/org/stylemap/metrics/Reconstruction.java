package org.stylemap.metrics;

import java.io.PrintStream;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.Progress;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Lpips;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.tensor.Tensor;

/**
 * Reconstruction errors of real images through the encoder and generator, G(E(x)) against x,
 * as the official metrics/reconstruction.py measures them: per image the MSE over all pixels and
 * channels in [-1, 1] and the LPIPS-VGG distance, each averaged over the images. Reconstructions
 * are rounded to 8 bits first, as the official script reads them from PNG files.
 */
public final class Reconstruction {
    /** Mean MSE and LPIPS (NaN when no LPIPS network was given) over count images. */
    public record Result(double mse, double lpips, int count) {}

    private Reconstruction() {}

    /**
     * @param lpips   LPIPS network, or null to measure MSE only
     * @param batch   images per forward pass
     */
    public static Result measure(Generator g, Encoder e, Lpips lpips, ImageBatches real, int n, int batch, PrintStream log) {
        if (n < 1) throw new IllegalArgumentException("reconstruction: no images to measure (the split is empty)");
        double mse = 0, lp = 0;
        Progress progress = new Progress(log, "recon", "images", n, 10_000);
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < n; from += batch) {
                int k = Math.min(batch, n - from);
                try (Scope s = Scope.open()) {
                    Tensor x = real.get(from, k);
                    Tensor rec = EightBit.round(g.synthesize(e.forward(x)));
                    Tensor d = Elementwise.sub(rec, x);
                    mse += Reductions.mean(Elementwise.mul(d, d), new int[] {1, 2, 3}, false).sum().item();
                    if (lpips != null) lp += lpips.forward(rec.to(lpipsDtype(lpips)), x.to(lpipsDtype(lpips))).sum().item();
                }
                progress.update(from + k);
            }
        }
        return new Result(mse / n, lpips == null ? Double.NaN : lp / n, n);
    }

    private static org.stylemap.tensor.DType lpipsDtype(Lpips lpips) {
        return lpips.stateDict().values().iterator().next().dtype();
    }
}

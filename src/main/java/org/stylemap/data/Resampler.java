package org.stylemap.data;

/**
 * Antialiased Lanczos-3 resampling, separable, in the manner of PIL's LANCZOS filter: when shrinking
 * by a factor s the kernel is stretched by s, so every source pixel contributes and fine detail
 * (a checkerboard, hair, text) averages out instead of aliasing into moire.
 */
public final class Resampler {
    private static final double SUPPORT = 3;

    private Resampler() {}

    /** The image resampled to width x height (aspect ratio is not preserved: crop first to keep it). */
    public static RgbImage resize(RgbImage src, int width, int height) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        // Horizontal pass first, as PIL does: for the usual photo-to-thumbnail case it shrinks the
        // image the vertical pass then has to walk.
        RgbImage h = width == src.width() ? src : horizontal(src, Taps.of(src.width(), width));
        return height == src.height() ? h : vertical(h, Taps.of(src.height(), height));
    }

    private static RgbImage horizontal(RgbImage src, Taps t) {
        int inW = src.width(), rows = 3 * src.height(), outW = t.start.length;
        float[] in = src.planes(), out = new float[rows * outW];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outW; o++) {
                double acc = 0;
                int base = r * inW + t.start[o], wBase = o * t.stride;
                for (int k = 0; k < t.count[o]; k++) acc += t.weights[wBase + k] * in[base + k];
                out[r * outW + o] = (float) acc;
            }
        return new RgbImage(outW, src.height(), out);
    }

    private static RgbImage vertical(RgbImage src, Taps t) {
        int w = src.width(), inH = src.height(), outH = t.start.length;
        float[] in = src.planes(), out = new float[3 * outH * w];
        double[] acc = new double[w];
        for (int c = 0; c < 3; c++)
            for (int o = 0; o < outH; o++) {
                java.util.Arrays.fill(acc, 0);
                // Row-wise accumulation keeps the inner loop on contiguous memory.
                for (int k = 0; k < t.count[o]; k++) {
                    double wk = t.weights[o * t.stride + k];
                    int base = (c * inH + t.start[o] + k) * w;
                    for (int x = 0; x < w; x++) acc[x] += wk * in[base + x];
                }
                int ob = (c * outH + o) * w;
                for (int x = 0; x < w; x++) out[ob + x] = (float) acc[x];
            }
        return new RgbImage(w, outH, out);
    }

    /** The Lanczos-3 kernel. StrictMath keeps prepared files byte-identical across JVMs and CPUs. */
    static double lanczos(double x) {
        x = Math.abs(x);
        if (x >= SUPPORT) return 0;
        if (x < 1e-9) return 1;
        double px = Math.PI * x;
        return SUPPORT * StrictMath.sin(px) * StrictMath.sin(px / SUPPORT) / (px * px);
    }

    /** For each output pixel: the first source pixel it reads, how many, and their normalised weights. */
    private record Taps(int[] start, int[] count, double[] weights, int stride) {
        static Taps of(int in, int out) {
            double scale = (double) in / out;
            double stretch = Math.max(1, scale);
            double support = SUPPORT * stretch;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[out], count = new int[out];
            double[] w = new double[out * stride];
            for (int o = 0; o < out; o++) {
                double center = (o + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
                int hi = Math.min(in, (int) Math.floor(center + support + 0.5));
                double sum = 0;
                for (int j = lo; j < hi; j++) sum += w[o * stride + j - lo] = lanczos((j + 0.5 - center) / stretch);
                // Near the borders the kernel is cut off; renormalising keeps flat regions flat there.
                for (int j = lo; j < hi; j++) w[o * stride + j - lo] /= sum;
                start[o] = lo;
                count[o] = hi - lo;
            }
            return new Taps(start, count, w, stride);
        }
    }
}

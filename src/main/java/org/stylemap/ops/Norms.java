package org.stylemap.ops;

import org.stylemap.tensor.Tensor;

/** Normalisations without affine parameters, as composites (so their gradients of any order exist). */
public final class Norms {
    private Norms() {}

    /** (x - mean) / sqrt(var + eps) over the given dims (biased variance, as PyTorch's norms use). */
    public static Tensor normalize(Tensor x, int[] dims, double eps) {
        Tensor centered = Elementwise.sub(x, Reductions.mean(x, dims, true));
        Tensor var = Reductions.mean(Elementwise.mul(centered, centered), dims, true);
        return Elementwise.mul(centered, Elementwise.rsqrt(Elementwise.addScalar(var, eps)));
    }

    /** nn.LayerNorm(x.shape[1:], elementwise_affine=False): every sample over all its other dims. */
    public static Tensor layerNorm(Tensor x, double eps) {
        int[] dims = new int[x.rank() - 1];
        for (int i = 0; i < dims.length; i++) dims[i] = i + 1;
        return normalize(x, dims, eps);
    }

    /** nn.InstanceNorm2d(affine=False): every sample and channel over H, W. */
    public static Tensor instanceNorm(Tensor x, double eps) {
        return normalize(x, new int[] {2, 3}, eps);
    }
}

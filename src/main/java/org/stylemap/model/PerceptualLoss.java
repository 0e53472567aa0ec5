package org.stylemap.model;

import org.stylemap.tensor.Tensor;

/** A differentiable image distance averaged over the batch (LPIPS in the official loss). */
public interface PerceptualLoss {
    /** Mean distance between a and b ([N,3,H,W] in [-1, 1]) as a one-element tensor. */
    Tensor distance(Tensor a, Tensor b);
}

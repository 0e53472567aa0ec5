package org.stylemap.metrics;

import org.stylemap.tensor.Tensor;

/** A numbered stream of images: images [from, from + count) as [count, 3, H, W] in [-1, 1]. */
@FunctionalInterface
public interface ImageBatches {
    Tensor get(int from, int count);
}

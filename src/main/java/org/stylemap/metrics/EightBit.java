package org.stylemap.metrics;

import org.stylemap.tensor.Tensor;

/**
 * Images as an 8-bit PNG would hold them. The official metric scripts read reconstructions and
 * edits back from PNG files written by torchvision's save_image (clamp to [-1, 1], then
 * floor((x + 1) / 2 * 255 + 0.5)), so the errors are measured on those values here too.
 */
final class EightBit {
    private EightBit() {}

    /** x clamped and rounded to the 256 levels v / 127.5 - 1, on x's device and dtype. */
    static Tensor round(Tensor x) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            double unit = (Math.max(-1, Math.min(1, v[i])) + 1) / 2;
            v[i] = Math.floor(unit * 255 + 0.5) / 127.5 - 1;
        }
        return Tensor.of(x.dtype(), x.device(), v, x.shape());
    }
}

package org.stylemap.model;

import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Where and how new parameters are made: dtype, device and the random stream for their values. */
public record Init(DType dtype, Device device, Rng gen) {
    Tensor randn(int... shape) {
        return Tensor.randn(gen, dtype, device, shape);
    }

    Tensor full(double v, int... shape) {
        return Tensor.full(dtype, device, v, shape);
    }

    Tensor of(double[] values, int... shape) {
        return Tensor.of(dtype, device, values, shape);
    }
}

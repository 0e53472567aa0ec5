package org.stylemap.backend.cuda;

import org.stylemap.tensor.Tensor;

/**
 * Convolutions on the device: the launchers of kernels/conv2d.cu (written separately) plug in
 * here, taking operand addresses from {@link CudaBackend#address} and dense copies or scratch
 * space from {@link CudaBackend#temporaries}. Until then every call says so.
 */
final class CudaConv {
    private final CudaBackend backend;

    CudaConv(CudaBackend backend) {
        this.backend = backend;
    }

    void conv2d(Tensor x, Tensor w, Tensor y, int sh, int sw, int ph, int pw, int groups) {
        throw missing("conv2d");
    }

    void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, int sh, int sw, int ph, int pw, int groups) {
        throw missing("conv2d backward data");
    }

    void conv2dBackwardWeight(Tensor x, Tensor dy, Tensor dw, int sh, int sw, int ph, int pw, int groups) {
        throw missing("conv2d backward weight");
    }

    private UnsupportedOperationException missing(String op) {
        return new UnsupportedOperationException("cuda: " + op + " has no kernel yet (" + backend.device() + ")");
    }
}

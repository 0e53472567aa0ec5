package org.stylemap.backend.cuda;

import org.stylemap.tensor.Tensor;

/**
 * upfirdn2d on the device: the launcher of kernels/upfirdn2d.cu (written separately) plugs in
 * here, taking operand addresses from {@link CudaBackend#address} and dense copies from
 * {@link CudaBackend#temporaries}. Until then every call says so.
 */
final class CudaUpfirdn2d {
    private final CudaBackend backend;

    CudaUpfirdn2d(CudaBackend backend) {
        this.backend = backend;
    }

    void upfirdn2d(Tensor x, Tensor k, boolean flipKernel, int upX, int upY, int downX, int downY,
                   int padX0, int padX1, int padY0, int padY1, Tensor out) {
        throw new UnsupportedOperationException("cuda: upfirdn2d has no kernel yet (" + backend.device() + ")");
    }
}

package org.stylemap.backend.cuda;

import org.stylemap.tensor.Tensor;

/**
 * Batched matrix products on the device: the launcher of kernels/gemm.cu (written separately)
 * plugs in here, taking operand addresses from {@link CudaBackend#address} and dense copies or
 * scratch space from {@link CudaBackend#temporaries}. Until then every call says so.
 */
final class CudaLinalg {
    private final CudaBackend backend;

    CudaLinalg(CudaBackend backend) {
        this.backend = backend;
    }

    void matmul(Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException("cuda: matmul has no kernel yet (" + backend.device() + ")");
    }
}

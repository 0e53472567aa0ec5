package org.stylemap.backend.cuda;

import org.stylemap.tensor.Tensor;

/**
 * matmul, conv2d (forward, backward data, backward weight) and upfirdn2d: the primitives whose
 * kernels (kernels/gemm.cu, conv2d.cu, upfirdn2d.cu, written separately with their launchers
 * CudaGemm, CudaConv and CudaUpfirdn2d) take dense operands as device addresses and shapes. They
 * plug in here: addresses from {@link CudaBackend#address}, dense copies of strided inputs and
 * workspaces from {@link CudaBackend#temporaries} (as CpuBackend's Copies), the runtime from
 * {@link CudaBackend#runtime}. Until then every call says which op has no kernel yet.
 */
final class CudaDenseOps {
    private final CudaBackend backend;

    CudaDenseOps(CudaBackend backend) {
        this.backend = backend;
    }

    void matmul(Tensor a, Tensor b, Tensor out) {
        throw missing("matmul");
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

    void upfirdn2d(Tensor x, Tensor k, boolean flipKernel, int upX, int upY, int downX, int downY,
                   int padX0, int padX1, int padY0, int padY1, Tensor out) {
        throw missing("upfirdn2d");
    }

    private UnsupportedOperationException missing(String op) {
        return new UnsupportedOperationException("cuda: " + op + " has no kernel yet (" + backend.device() + ")");
    }
}

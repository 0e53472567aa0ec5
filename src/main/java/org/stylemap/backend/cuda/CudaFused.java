package org.stylemap.backend.cuda;

import org.stylemap.tensor.Tensor;

/**
 * The fused primitives (bias_act, modulation, multi-tensor Adam and EMA) on the device. Their
 * kernels are being written (kernels/bias_act.cu, modulation.cu, optimizers.cu); until then each
 * call names the op that has no kernel, and -Dstylemap.reference=true runs the composites instead.
 */
final class CudaFused {
    private final CudaBackend backend;

    CudaFused(CudaBackend backend, CudaKernels kernels) {
        this.backend = backend;
    }

    void biasAct(Tensor x, Tensor b, Tensor y, double slope, double gain) {
        throw missing("bias_act");
    }

    void biasActBackward(Tensor dy, Tensor y, Tensor dx, double slope, double gain) {
        throw missing("bias_act backward");
    }

    void modulation(Tensor x, Tensor gammaBeta, Tensor y, Tensor mean, Tensor rstd, boolean instanceNorm, double eps) {
        throw missing("modulation");
    }

    void modulationBackward(Tensor dy, Tensor x, Tensor gammaBeta, Tensor mean, Tensor rstd,
                            Tensor dx, Tensor dGammaBeta, boolean instanceNorm) {
        throw missing("modulation backward");
    }

    void adam(Tensor[] params, Tensor[] grads, Tensor[] expAvg, Tensor[] expAvgSq,
              double[] stepSize, double[] biasCorrection2Sqrt, double beta1, double beta2, double eps) {
        throw missing("adam");
    }

    void ema(Tensor[] targets, Tensor[] sources, double decay) {
        throw missing("ema");
    }

    private UnsupportedOperationException missing(String op) {
        return new UnsupportedOperationException("cuda: " + op + " has no kernel yet (" + backend.device()
                + "; -Dstylemap.reference=true computes it from the other kernels)");
    }
}

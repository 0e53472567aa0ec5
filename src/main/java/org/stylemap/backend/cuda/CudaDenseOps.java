package org.stylemap.backend.cuda;

import org.stylemap.backend.MatmulOperand;
import org.stylemap.backend.cpu.ConvGeom;
import org.stylemap.tensor.Tensor;

/**
 * matmul, conv2d (forward, backward data, backward weight) and upfirdn2d: the primitives whose
 * kernels (kernels/gemm.cu, conv2d.cu, upfirdn2d.cu, launched by CudaGemm, CudaConv and
 * CudaUpfirdn2d) take dense operands as device addresses and shapes. Strided inputs get dense copies
 * and the weight gradient its workspace from {@link CudaBackend#temporaries}, freed when the call
 * returns: safe on one stream, where later work cannot overtake these launches.
 */
final class CudaDenseOps {
    private final CudaBackend backend;

    CudaDenseOps(CudaBackend backend) {
        this.backend = backend;
    }

    void matmul(Tensor a, Tensor b, Tensor out) {
        int batch = out.shape(0), m = out.shape(1), n = out.shape(2), k = a.shape(2);
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            MatmulOperand la = MatmulOperand.of(a), lb = MatmulOperand.of(b);
            Tensor ta = la != null ? a : tmp.dense(a), tb = lb != null ? b : tmp.dense(b);
            if (la == null) la = MatmulOperand.dense(ta);
            if (lb == null) lb = MatmulOperand.dense(tb);
            // address() already points at the view's first element, so the element offsets are 0.
            CudaGemm.gemmBatched(backend.runtime(), out.dtype(), la.trans(), lb.trans(), batch, m, n, k, 1.0,
                    backend.address(ta), 0, la.ld(), ta.stride(0), backend.address(tb), 0, lb.ld(), tb.stride(0),
                    0.0, backend.address(out), 0, n, (long) m * n);
        }
    }

    private static ConvGeom geom(Tensor x, Tensor w, int sh, int sw, int ph, int pw, int groups) {
        return new ConvGeom(x.shape(0), x.shape(1), x.shape(2), x.shape(3), w.shape(0), w.shape(2), w.shape(3),
                sh, sw, ph, pw, groups);
    }

    void conv2d(Tensor x, Tensor w, Tensor y, int sh, int sw, int ph, int pw, int groups) {
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            CudaConv.forward(backend.runtime(), y.dtype(), geom(x, w, sh, sw, ph, pw, groups),
                    backend.address(tmp.dense(x)), backend.address(tmp.dense(w)), backend.address(y));
        }
    }

    void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, int sh, int sw, int ph, int pw, int groups) {
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            CudaConv.backwardData(backend.runtime(), dx.dtype(), geom(dx, w, sh, sw, ph, pw, groups),
                    backend.address(tmp.dense(dy)), backend.address(tmp.dense(w)), backend.address(dx));
        }
    }

    void conv2dBackwardWeight(Tensor x, Tensor dy, Tensor dw, int sh, int sw, int ph, int pw, int groups) {
        ConvGeom g = geom(x, dw, sh, sw, ph, pw, groups);
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            long workspace = CudaConv.backwardWeightWorkspaceBytes(dw.dtype(), g);
            CudaConv.backwardWeight(backend.runtime(), dw.dtype(), g, backend.address(tmp.dense(x)),
                    backend.address(tmp.dense(dy)), backend.address(dw), workspace == 0 ? 0 : tmp.scratch(workspace));
        }
    }

    void upfirdn2d(Tensor x, Tensor k, boolean flipKernel, int upX, int upY, int downX, int downY,
                   int padX0, int padX1, int padY0, int padY1, Tensor out) {
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            CudaUpfirdn2d.upfirdn2d(backend.runtime(), out.dtype(), backend.address(tmp.dense(x)), x.shape(0), x.shape(1),
                    x.shape(2), x.shape(3), backend.address(tmp.dense(k)), k.shape(0), k.shape(1), flipKernel,
                    upX, upY, downX, downY, padX0, padX1, padY0, padY1, backend.address(out));
        }
    }
}

package org.stylemap.backend.cuda;

import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.tensor.Tensor;

/** Max pooling and its gradient (kernels/max_pool2d.cu): x and dy strided, out and dx contiguous. */
final class CudaPool {
    private final CudaBackend backend;
    private final CudaKernels kernels;

    CudaPool(CudaBackend backend, CudaKernels kernels) {
        this.backend = backend;
        this.kernels = kernels;
    }

    void maxPool2d(Tensor x, Tensor out, int k, int stride, int pad) {
        if (out.numel() == 0) return;
        KernelArgs args = new KernelArgs().ptr(backend.address(x)).ptr(backend.address(out));
        kernels.launch("max_pool2d", "max_pool2d_" + CudaKernels.suffix(x.dtype()), out.numel(), pool(args, x, out, k, stride, pad));
    }

    /** dx is overwritten: every element gets the sum of the dy elements whose window's first maximum it is. */
    void maxPool2dBackward(Tensor x, Tensor dy, Tensor dx, int k, int stride, int pad) {
        if (dx.numel() == 0) return;
        KernelArgs args = new KernelArgs().ptr(backend.address(x)).ptr(backend.address(dy)).ptr(backend.address(dx));
        pool(args, x, dy, k, stride, pad);
        for (int d = 0; d < 4; d++) args.i64(dy.stride(d));
        kernels.launch("max_pool2d", "max_pool2d_backward_" + CudaKernels.suffix(x.dtype()), dx.numel(), args);
    }

    /** POOL_PARAMS: x's shape, the output's extent, the window, and x's strides. */
    private static KernelArgs pool(KernelArgs args, Tensor x, Tensor out, int k, int stride, int pad) {
        for (int d = 0; d < 4; d++) args.i32(x.shape(d));
        args.i32(out.shape(2)).i32(out.shape(3)).i32(k).i32(stride).i32(pad);
        for (int d = 0; d < 4; d++) args.i64(x.stride(d));
        return args;
    }
}

package org.stylemap.backend.cuda;

import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.UnaryOp;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.tensor.Tensor;

/**
 * fill, assign, unary, binary and where: kernels/fill.cu, assign.cu, unary.cu, binary.cu and
 * where.cu, over any strides (kernels/strided.cuh). Dense fills with zero and dense copies of one
 * dtype use the runtime's memset and device-to-device copy instead of a kernel.
 */
final class CudaElementwise {
    private final CudaBackend backend;
    private final CudaKernels kernels;

    CudaElementwise(CudaBackend backend, CudaKernels kernels) {
        this.backend = backend;
        this.kernels = kernels;
    }

    void fill(Tensor dst, double value) {
        if (dst.numel() == 0) return;
        long bytes = dst.dtype().bytes;
        if (value == 0 && dst.isContiguous()) { // as the CPU: zero bytes, +0.0
            kernels.runtime().memset(backend.address(dst), 0, dst.numel() * bytes);
            return;
        }
        long base = backend.address(dst);
        String name = "fill_" + CudaKernels.suffix(dst.dtype());
        StridedLayout.of(dst.shape(), dst.strides()).forEachLaunch((part, at) -> kernels.launch("fill", name, part.numel(),
                part.addStrides(part.addShape(new KernelArgs().ptr(base + at[0] * bytes).f64(value).i64(part.numel())), 0)));
    }

    void assign(Tensor dst, Tensor src) {
        if (dst.numel() == 0) return;
        StridedLayout layout = StridedLayout.of(dst.shape(), dst.strides(), src.strides());
        long db = dst.dtype().bytes, sb = src.dtype().bytes, d = backend.address(dst), s = backend.address(src);
        if (dst.dtype() == src.dtype() && layout.contiguous(0, 1)) {
            kernels.runtime().copyOnDevice(d, s, layout.numel() * db);
            return;
        }
        String name = "assign_" + CudaKernels.suffix(dst.dtype()) + "_" + CudaKernels.suffix(src.dtype());
        layout.forEachLaunch((part, at) -> {
            KernelArgs args = part.addShape(new KernelArgs().ptr(d + at[0] * db).ptr(s + at[1] * sb).i64(part.numel()));
            kernels.launch("assign", name, part.numel(), part.addStrides(part.addStrides(args, 0), 1));
        });
    }

    void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        if (out.numel() == 0) return;
        long b = x.dtype().bytes, px = backend.address(x), po = backend.address(out);
        String name = "unary_" + CudaKernels.suffix(x.dtype());
        StridedLayout.of(out.shape(), x.strides(), out.strides()).forEachLaunch((part, at) -> {
            // op.ordinal(): kernels/unary.cu lists the ops in UnaryOp's order.
            KernelArgs args = part.addShape(new KernelArgs().ptr(px + at[0] * b).ptr(po + at[1] * b).i32(op.ordinal()).f64(p)
                    .i64(part.numel()));
            kernels.launch("unary", name, part.numel(), part.addStrides(part.addStrides(args, 0), 1));
        });
    }

    void binary(BinaryOp op, Tensor a, Tensor bt, Tensor out) {
        if (out.numel() == 0) return;
        long b = out.dtype().bytes, pa = backend.address(a), pb = backend.address(bt), po = backend.address(out);
        String name = "binary_" + CudaKernels.suffix(out.dtype());
        StridedLayout.of(out.shape(), a.strides(), bt.strides(), out.strides()).forEachLaunch((part, at) -> {
            // op.ordinal(): kernels/binary.cu lists the ops in BinaryOp's order.
            KernelArgs args = part.addShape(new KernelArgs().ptr(pa + at[0] * b).ptr(pb + at[1] * b).ptr(po + at[2] * b)
                    .i32(op.ordinal()).i64(part.numel()));
            for (int k = 0; k < 3; k++) part.addStrides(args, k);
            kernels.launch("binary", name, part.numel(), args);
        });
    }

    void where(Tensor cond, Tensor a, Tensor bt, Tensor out) {
        if (out.numel() == 0) return;
        long cb = cond.dtype().bytes, b = out.dtype().bytes;
        long pc = backend.address(cond), pa = backend.address(a), pb = backend.address(bt), po = backend.address(out);
        String name = "where_" + CudaKernels.suffix(out.dtype()) + "_" + CudaKernels.suffix(cond.dtype());
        StridedLayout.of(out.shape(), cond.strides(), a.strides(), bt.strides(), out.strides()).forEachLaunch((part, at) -> {
            KernelArgs args = part.addShape(new KernelArgs().ptr(pc + at[0] * cb).ptr(pa + at[1] * b).ptr(pb + at[2] * b)
                    .ptr(po + at[3] * b).i64(part.numel()));
            for (int k = 0; k < 4; k++) part.addStrides(args, k);
            kernels.launch("where", name, part.numel(), args);
        });
    }
}

package org.stylemap.backend.cuda;

import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.tensor.Tensor;

/** Philox normal and uniform numbers (kernels/random.cu): the CPU's numbers (random/Philox), bit for bit. */
final class CudaRandom {
    private final CudaBackend backend;
    private final CudaKernels kernels;

    CudaRandom(CudaBackend backend, CudaKernels kernels) {
        this.backend = backend;
        this.kernels = kernels;
    }

    /** out contiguous: element i gets the value of counter offset + i. */
    void random(Tensor out, long seed, long offset, boolean uniform) {
        long n = out.numel();
        if (n == 0) return;
        kernels.launch("random", "random_" + CudaKernels.suffix(out.dtype()), n,
                new KernelArgs().ptr(backend.address(out)).i64(n).i64(seed).i64(offset).i32(uniform ? 1 : 0));
    }
}

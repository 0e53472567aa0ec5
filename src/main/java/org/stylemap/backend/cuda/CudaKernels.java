package org.stylemap.backend.cuda;

import java.util.concurrent.ConcurrentHashMap;
import org.stylemap.backend.cuda.runtime.Dim3;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.backend.cuda.runtime.KernelFunction;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.tensor.DType;

/**
 * The kernels of kernels/*.cu on one runtime: each looked up once (by family and name) and
 * launched on the runtime's stream. Launches return at once on the GPU; nothing here waits.
 */
final class CudaKernels {
    /** STRIDED_BLOCK of kernels/strided.cuh: threads per block of the grid-stride kernels. */
    static final int BLOCK = 256;
    /** The most blocks a grid-stride launch uses (a million threads: several waves on any GPU). */
    static final int MAX_BLOCKS = 4096;

    private final KernelRuntime runtime;
    private final ConcurrentHashMap<String, KernelFunction> functions = new ConcurrentHashMap<>();

    CudaKernels(KernelRuntime runtime) {
        this.runtime = runtime;
    }

    KernelRuntime runtime() {
        return runtime;
    }

    /** The kernel name of kernels/family.cu. */
    KernelFunction function(String family, String name) {
        return functions.computeIfAbsent(family + "/" + name, k -> runtime.function(family, name));
    }

    /** A grid-stride kernel over n elements: enough blocks of BLOCK threads, at most MAX_BLOCKS. */
    void launch(String family, String name, long n, KernelArgs args) {
        long blocks = Math.min(MAX_BLOCKS, (n + BLOCK - 1) / BLOCK);
        launch(family, name, Dim3.of((int) Math.max(1, blocks)), Dim3.of(BLOCK), args);
    }

    void launch(String family, String name, Dim3 grid, Dim3 block, KernelArgs args) {
        runtime.launch(function(family, name), grid, block, 0, args);
    }

    /** The kernel name suffix of a dtype: f32 or f64. */
    static String suffix(DType dtype) {
        return switch (dtype) {
            case F32 -> "f32";
            case F64 -> "f64";
        };
    }
}

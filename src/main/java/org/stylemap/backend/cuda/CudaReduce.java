package org.stylemap.backend.cuda;

import org.stylemap.backend.cuda.runtime.Dim3;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * Sums over any set of dimensions (kernels/sum.cu), deterministic: each output's inputs are
 * added in an order fixed by the shape alone (no atomics), so two runs give identical bits.
 * x's dimensions split into kept ones (out's, in order) and reduced ones, each merged as in
 * {@link StridedLayout}. Many outputs or few inputs each: one thread per output
 * ({@code sum_serial}). Otherwise a block per (chunk, output) adds its chunk with a fixed tree
 * ({@code sum_blocks}) and, when an output has several chunks, a second pass adds the chunks'
 * double partial sums in order.
 */
final class CudaReduce {
    /** One thread per output when each has at most this many inputs, */
    static final long SERIAL_MAX_INPUTS = 32;
    /** or when there are at least this many outputs (threads enough to keep a GPU busy). */
    static final long SERIAL_MIN_OUTPUTS = 8192;
    /** Inputs per block of sum_blocks (16 per thread), and the most chunks per output. */
    static final long CHUNK = 16L * CudaKernels.BLOCK, MAX_CHUNKS = 1024;
    /** CUDA's limit on gridDim.y; sum_blocks loops over more outputs. */
    private static final int MAX_GRID_Y = 65535;

    private final CudaBackend backend;
    private final CudaKernels kernels;

    CudaReduce(CudaBackend backend, CudaKernels kernels) {
        this.backend = backend;
        this.kernels = kernels;
    }

    /** out has x's rank; a dimension of size 1 in out (and not in x) is reduced. */
    void sum(Tensor x, Tensor out) {
        if (out.numel() == 0) return;
        int rank = x.rank();
        int nk = 0;
        for (int d = 0; d < rank; d++) if (out.shape(d) == x.shape(d)) nk++;
        int[] order = new int[rank]; // kept dimensions first, then reduced ones
        for (int d = 0, k = 0, r = nk; d < rank; d++) order[out.shape(d) == x.shape(d) ? k++ : r++] = d;
        int[] keptShape = new int[nk], reducedShape = new int[rank - nk];
        long[] keptStrides = new long[nk], reducedStrides = new long[rank - nk];
        for (int i = 0; i < rank; i++) {
            if (i < nk) {
                keptShape[i] = x.shape(order[i]);
                keptStrides[i] = x.stride(order[i]);
            } else {
                reducedShape[i - nk] = x.shape(order[i]);
                reducedStrides[i - nk] = x.stride(order[i]);
            }
        }
        StridedLayout kept = StridedLayout.of(keptShape, keptStrides), reduced = StridedLayout.of(reducedShape, reducedStrides);
        if (kept.rank() > StridedLayout.MAX_RANK || reduced.rank() > StridedLayout.MAX_RANK) {
            // Past the kernels' rank: sum a dense copy with the kept dimensions first (two dimensions then).
            try (CudaBackend.Temporaries tmp = backend.temporaries()) {
                int[] permuted = new int[rank];
                long[] permutedStrides = new long[rank];
                for (int i = 0; i < rank; i++) {
                    permuted[i] = x.shape(order[i]);
                    permutedStrides[i] = x.stride(order[i]);
                }
                Tensor dense = tmp.dense(new Tensor(x.storage(), permuted, permutedStrides, x.offset()));
                int[] denseOut = permuted.clone();
                for (int i = nk; i < rank; i++) denseOut[i] = 1;
                sum(dense, new Tensor(out.storage(), denseOut, Shape.contiguousStrides(denseOut), out.offset()));
            }
            return;
        }
        run(x.dtype(), backend.address(x), out.dtype(), backend.address(out), kept, reduced);
    }

    private void run(DType dtype, long x, DType outType, long out, StridedLayout kept, StridedLayout reduced) {
        long nk = kept.numel(), nr = reduced.numel();
        String t = CudaKernels.suffix(dtype);
        if (nr <= SERIAL_MAX_INPUTS || nk >= SERIAL_MIN_OUTPUTS) {
            serial("sum_serial_" + t, x, out, kept, reduced);
            return;
        }
        long parts = Math.min(MAX_CHUNKS, (nr + CHUNK - 1) / CHUNK), chunk = (nr + parts - 1) / parts;
        Dim3 grid = Dim3.of((int) parts, (int) Math.min(nk, MAX_GRID_Y));
        if (parts == 1) {
            blocks("sum_blocks_" + t, x, out, chunk, grid, kept, reduced);
            return;
        }
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            long partial = tmp.scratch(nk * parts * DType.F64.bytes);
            blocks(dtype == DType.F32 ? "sum_blocks_f32_partial" : "sum_blocks_f64", x, partial, chunk, grid, kept, reduced);
            // partial is [nk][parts]: output k adds its parts in order.
            StridedLayout outputs = StridedLayout.of(new int[] {(int) nk}, new long[] {parts});
            StridedLayout partsOf = StridedLayout.of(new int[] {(int) parts}, new long[] {1});
            serial(outType == DType.F32 ? "sum_serial_d2f" : "sum_serial_f64", partial, out, outputs, partsOf);
        }
    }

    private void serial(String name, long x, long out, StridedLayout kept, StridedLayout reduced) {
        KernelArgs args = new KernelArgs().ptr(x).ptr(out).i64(kept.numel()).i64(reduced.numel());
        reduced.addStrides(reduced.addShape(kept.addStrides(kept.addShape(args), 0)), 0);
        kernels.launch("sum", name, kept.numel(), args);
    }

    private void blocks(String name, long x, long out, long chunk, Dim3 grid, StridedLayout kept, StridedLayout reduced) {
        KernelArgs args = new KernelArgs().ptr(x).ptr(out).i64(kept.numel()).i64(reduced.numel()).i64(chunk);
        reduced.addStrides(reduced.addShape(kept.addStrides(kept.addShape(args), 0)), 0);
        kernels.launch("sum", name, grid, Dim3.of(CudaKernels.BLOCK), args);
    }
}

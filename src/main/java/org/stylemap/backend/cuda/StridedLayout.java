package org.stylemap.backend.cuda;

import java.util.Arrays;
import org.stylemap.backend.MergedStrides;
import org.stylemap.backend.cuda.runtime.KernelArgs;

/**
 * Several operands of one shape, each with its own strides (in elements), as the kernels of
 * kernels/strided.cuh take them: merged as {@link MergedStrides} does, listed innermost first. Up to {@link #MAX_RANK} dimensions go into one launch; a layout with
 * more is split over its outer dimensions by {@link #forEachLaunch}.
 */
final class StridedLayout {
    /** STRIDED_MAX_RANK of kernels/strided.cuh. */
    static final int MAX_RANK = 8;

    /** Extents, innermost first. */
    private final int[] dims;
    /** strides[operand][d], innermost first. */
    private final long[][] strides;

    private StridedLayout(int[] dims, long[][] strides) {
        this.dims = dims;
        this.strides = strides;
    }

    /** The merged layout of operands of this shape with these strides (row-major, outer first, as Tensor's). */
    static StridedLayout of(int[] shape, long[]... operandStrides) {
        MergedStrides merged = MergedStrides.of(shape, operandStrides);
        int rank = merged.rank(), ops = operandStrides.length;
        int[] inner = new int[rank];
        long[][] innerSt = new long[ops][rank];
        for (int d = 0; d < rank; d++) {
            inner[d] = merged.shape()[rank - 1 - d];
            for (int k = 0; k < ops; k++) innerSt[k][d] = merged.strides()[k][rank - 1 - d];
        }
        return new StridedLayout(inner, innerSt);
    }

    int rank() {
        return dims.length;
    }

    long numel() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Extents, innermost first. */
    int[] dims() {
        return dims.clone();
    }

    /** One operand's strides, innermost first. */
    long[] strides(int operand) {
        return strides[operand].clone();
    }

    /** Whether every listed operand is dense (one dimension of stride 1, or a single element). */
    boolean contiguous(int... operands) {
        for (int k : operands) if (rank() > 1 || rank() == 1 && strides[k][0] != 1) return false;
        return true;
    }

    /** Adds the shape as RANK_PARAMS: the rank, then MAX_RANK extents (1 where unused). */
    KernelArgs addShape(KernelArgs args) {
        args.i32(rank());
        for (int d = 0; d < MAX_RANK; d++) args.i32(d < rank() ? dims[d] : 1);
        return args;
    }

    /** Adds one operand's strides as STRIDE_PARAMS: MAX_RANK values (0 where unused). */
    KernelArgs addStrides(KernelArgs args, int operand) {
        for (int d = 0; d < MAX_RANK; d++) args.i64(d < rank() ? strides[operand][d] : 0);
        return args;
    }

    /** What one launch covers: a layout of at most MAX_RANK dimensions and each operand's element offset. */
    interface Launch {
        void run(StridedLayout part, long[] offsets);
    }

    /** Runs launch once for this layout, or, past MAX_RANK dimensions, once per index of the outer ones. */
    void forEachLaunch(Launch launch) {
        split(launch, new long[strides.length]);
    }

    private void split(Launch launch, long[] offsets) {
        if (rank() <= MAX_RANK) {
            launch.run(this, offsets);
            return;
        }
        int outer = rank() - 1;
        long[][] rest = new long[strides.length][];
        for (int k = 0; k < strides.length; k++) rest[k] = Arrays.copyOf(strides[k], outer);
        StridedLayout part = new StridedLayout(Arrays.copyOf(dims, outer), rest);
        for (int i = 0; i < dims[outer]; i++) {
            long[] at = offsets.clone();
            for (int k = 0; k < strides.length; k++) at[k] += i * strides[k][outer];
            part.split(launch, at);
        }
    }
}

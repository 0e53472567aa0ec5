package org.stylemap.backend;

import java.util.Arrays;

/**
 * Several operands of one shape, each with its own strides (in elements), with as few dimensions
 * as they allow: dimensions of size 1 are dropped, and a dimension merges into the one before it
 * where every operand steps over the pair as over one (a contiguous tensor becomes one dimension,
 * a broadcast one keeps stride 0). A bias of [1, C, 1, 1] against [N, C, H, W] becomes rows of
 * H * W with inner strides 0 and 1, instead of N * C * H rows of W. The elements are visited in
 * the same order. Both backends' strided loops start from this.
 *
 * @param shape   merged extents, outermost first (empty for a single element)
 * @param strides strides[operand][d] of each merged dimension
 */
public record MergedStrides(int[] shape, long[][] strides) {

    /** The merged layout of operands of this shape (row-major, outermost first, as Tensor's) with these strides. */
    public static MergedStrides of(int[] shape, long[]... operandStrides) {
        int operands = operandStrides.length, rank = 0;
        int[] dims = new int[shape.length];
        long[][] st = new long[operands][shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            // Extents stay ints: a merge that would pass Integer.MAX_VALUE keeps the dimensions apart.
            boolean merge = rank > 0 && (long) dims[rank - 1] * shape[d] <= Integer.MAX_VALUE;
            for (int k = 0; k < operands && merge; k++) merge = st[k][rank - 1] == operandStrides[k][d] * shape[d];
            if (merge) {
                dims[rank - 1] *= shape[d];
                for (int k = 0; k < operands; k++) st[k][rank - 1] = operandStrides[k][d];
            } else {
                dims[rank] = shape[d];
                for (int k = 0; k < operands; k++) st[k][rank] = operandStrides[k][d];
                rank++;
            }
        }
        long[][] trimmed = new long[operands][];
        for (int k = 0; k < operands; k++) trimmed[k] = Arrays.copyOf(st[k], rank);
        return new MergedStrides(Arrays.copyOf(dims, rank), trimmed);
    }

    public int rank() {
        return shape.length;
    }

    /** Operand k's stride along the innermost dimension (1 when there is none). */
    public long inner(int k) {
        return shape.length == 0 ? 1 : strides[k][shape.length - 1];
    }
}

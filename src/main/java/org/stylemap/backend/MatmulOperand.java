package org.stylemap.backend;

import org.stylemap.tensor.Tensor;

/**
 * A [B,R,C] matrix batch as a GEMM kernel reads it: unit stride along columns (as stored) or along
 * rows (transposed), with its leading dimension. Views of another layout need a dense copy first:
 * {@link #of} returns null for them. One rule for every backend's matmul.
 */
public record MatmulOperand(boolean trans, int ld) {
    public static MatmulOperand of(Tensor t) {
        int r = t.shape(1), c = t.shape(2);
        long sr = t.stride(1), sc = t.stride(2);
        if ((sc == 1 || c == 1) && (r == 1 || sr >= c)) return new MatmulOperand(false, (int) (r == 1 ? c : sr));
        if ((sr == 1 || r == 1) && (c == 1 || sc >= r)) return new MatmulOperand(true, (int) (c == 1 ? r : sc));
        return null;
    }

    /** The layout of a dense copy of t. */
    public static MatmulOperand dense(Tensor t) {
        return new MatmulOperand(false, t.shape(2));
    }
}

package org.stylemap.backend.cpu;

/**
 * Walks the elements of several same-shape strided operands in row-major order of the shape,
 * one innermost row at a time, in parallel over rows. The row callback gets each operand's
 * element offset at the row start; it steps by the operands' innermost strides itself.
 */
final class Strided {
    @FunctionalInterface
    interface Row {
        void run(long[] offsets, int length);
    }

    private Strided() {}

    /** A shape with one stride array per operand, as {@link #coalesce} returns it. */
    record Layout(int[] shape, long[][] strides) {
        /** Operand k's stride along the innermost dimension (1 when there is none). */
        long inner(int k) {
            return shape.length == 0 ? 1 : strides[k][shape.length - 1];
        }
    }

    /**
     * The same elements in the same order with as few dimensions as the operands allow: size-1
     * dimensions are dropped, and a dimension merges into the one before it where every operand
     * steps over the pair as over one. A bias of [1, C, 1, 1] against [N, C, H, W] becomes rows
     * of H * W with inner strides 0 and 1, instead of N * C * H rows of W.
     */
    static Layout coalesce(int[] shape, long[][] strides) {
        int operands = strides.length, rank = 0;
        int[] s = new int[shape.length];
        long[][] st = new long[operands][shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = rank > 0;
            for (int k = 0; k < operands && merge; k++) merge = st[k][rank - 1] == strides[k][d] * shape[d];
            if (merge) {
                s[rank - 1] *= shape[d];
                for (int k = 0; k < operands; k++) st[k][rank - 1] = strides[k][d];
            } else {
                s[rank] = shape[d];
                for (int k = 0; k < operands; k++) st[k][rank] = strides[k][d];
                rank++;
            }
        }
        long[][] trimmed = new long[operands][];
        for (int k = 0; k < operands; k++) trimmed[k] = java.util.Arrays.copyOf(st[k], rank);
        return new Layout(java.util.Arrays.copyOf(s, rank), trimmed);
    }

    static void forEachRow(int[] shape, long[][] strides, long[] base, Row row) {
        int rank = shape.length;
        int operands = strides.length;
        int len = rank == 0 ? 1 : shape[rank - 1];
        long rowsL = 1;
        for (int d = 0; d < rank - 1; d++) rowsL *= shape[d];
        if (len == 0 || rowsL == 0) return;
        if (rowsL > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large for the CPU iterator");
        int rows = (int) rowsL;
        Parallel.forRange(rows, Math.max(1, 16384 / len), (from, to) -> {
            int[] idx = new int[Math.max(rank - 1, 0)];
            long[] offs = new long[operands];
            // Decompose the first row index into a multi-index once, then count upwards.
            long r = from;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d] = (int) (r % shape[d]);
                r /= shape[d];
            }
            for (int k = 0; k < operands; k++) {
                long o = base[k];
                for (int d = 0; d < rank - 1; d++) o += idx[d] * strides[k][d];
                offs[k] = o;
            }
            for (int i = from; i < to; i++) {
                row.run(offs, len);
                for (int d = rank - 2; d >= 0; d--) {
                    if (++idx[d] < shape[d]) {
                        for (int k = 0; k < operands; k++) offs[k] += strides[k][d];
                        break;
                    }
                    idx[d] = 0;
                    for (int k = 0; k < operands; k++) offs[k] -= strides[k][d] * (shape[d] - 1);
                }
            }
        });
    }
}

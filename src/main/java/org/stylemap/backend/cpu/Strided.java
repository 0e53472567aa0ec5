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

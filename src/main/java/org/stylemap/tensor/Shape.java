package org.stylemap.tensor;

import java.util.Arrays;

/** Static helpers over shapes (int[]) and strides (long[], in elements). */
public final class Shape {
    private Shape() {}

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public static long[] contiguousStrides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Normalises a possibly negative dimension index against a rank. */
    public static int dim(int d, int rank) {
        int r = d < 0 ? d + rank : d;
        if (r < 0 || r >= rank) throw new IllegalArgumentException("dimension " + d + " out of range for rank " + rank);
        return r;
    }

    /** NumPy broadcasting of two shapes; names the op and both shapes when they do not broadcast. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}

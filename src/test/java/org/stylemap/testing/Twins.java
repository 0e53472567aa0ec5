package org.stylemap.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Supplier;
import org.stylemap.ops.Reference;
import org.stylemap.tensor.Tensor;

/** Runs one computation on the fused path and on the reference twins (ops.Reference), and compares. */
public final class Twins {
    private Twins() {}

    /** The host values of what f returns, computed with the fused ops (reference false) or their twins. */
    public static double[][] run(boolean reference, Supplier<Tensor[]> f) {
        try (Reference.Restore r = Reference.use(reference)) {
            Tensor[] out = f.get();
            double[][] v = new double[out.length][];
            for (int i = 0; i < out.length; i++) v[i] = out[i].toDoubleArray();
            return v;
        }
    }

    /** Every tensor f returns agrees between the two paths within tol (relative, as Checks.assertClose). */
    public static void assertAgree(double tol, Supplier<Tensor[]> f) {
        double[][] fused = run(false, f), reference = run(true, f);
        assertEquals(reference.length, fused.length);
        for (int i = 0; i < fused.length; i++) Checks.assertClose(reference[i], fused[i], tol);
    }

    /** Every tensor f returns has the same bits on both paths. */
    public static void assertIdentical(Supplier<Tensor[]> f) {
        double[][] fused = run(false, f), reference = run(true, f);
        assertEquals(reference.length, fused.length);
        for (int i = 0; i < fused.length; i++) {
            assertEquals(reference[i].length, fused[i].length, "output " + i + ": lengths differ");
            for (int k = 0; k < fused[i].length; k++) {
                int t = i, e = k;
                assertEquals(Double.doubleToLongBits(reference[i][k]), Double.doubleToLongBits(fused[i][k]),
                        () -> "output " + t + " element " + e + ": reference " + reference[t][e] + ", fused " + fused[t][e]);
            }
        }
    }
}

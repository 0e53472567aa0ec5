package org.stylemap.metrics;

/**
 * The Fréchet distance between two Gaussians N(mu1, S1) and N(mu2, S2):
 * |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)), in float64.
 *
 * <p>pytorch-fid takes a general matrix square root of the non-symmetric product S1 S2 (scipy's
 * sqrtm), which can return complex or non-finite values when a covariance is near singular and
 * then retries with a diagonal offset. Only the trace of the root is needed, and it has a
 * symmetric form: with S1 = L L^T, S1 S2 is similar to L^T S2 L, which is symmetric positive
 * semi-definite, so tr((S1 S2)^(1/2)) is the sum of the square roots of its eigenvalues. The
 * factor L comes from a pivoted Cholesky factorisation, which also handles singular S1 (fewer
 * samples than dimensions) exactly; eigenvalues that round-off pushes below zero count as zero.
 */
public final class Frechet {
    private Frechet() {}

    /** The Fréchet distance between two sets of feature statistics of equal dimension. */
    public static double distance(FeatureStats a, FeatureStats b) {
        if (a.dim() != b.dim())
            throw new IllegalArgumentException("Fréchet distance: feature dimensions differ (" + a.dim() + " and " + b.dim() + ")");
        return distance(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    /** The distance from means mu [n] and covariances sigma [n, n] (row-major). */
    public static double distance(double[] mu1, double[] sigma1, double[] mu2, double[] sigma2) {
        int n = mu1.length;
        check(mu2.length == n && sigma1.length == n * n && sigma2.length == n * n,
                "means of " + mu1.length + " and " + mu2.length + " values, covariances of " + sigma1.length + " and " + sigma2.length);
        double meanTerm = 0, traces = 0;
        for (int i = 0; i < n; i++) {
            double d = mu1[i] - mu2[i];
            meanTerm += d * d;
            traces += sigma1[i * n + i] + sigma2[i * n + i];
        }
        return meanTerm + traces - 2 * traceSqrtProduct(sigma1, sigma2, n);
    }

    /** tr((S1 S2)^(1/2)) for symmetric positive semi-definite S1, S2 [n, n]. */
    public static double traceSqrtProduct(double[] sigma1, double[] sigma2, int n) {
        double[] s1 = symmetrized(sigma1, n), s2 = symmetrized(sigma2, n);
        HostLinalg.Factor f = HostLinalg.pivotedCholesky(s1, n);
        int r = f.rank();
        if (r == 0) return 0;
        double[] s2l = HostLinalg.multiply(s2, f.l(), n, n, r);                 // S2 L   [n, r]
        double[] m = HostLinalg.multiplyTransposedA(f.l(), s2l, n, r, r);       // L^T S2 L [r, r]
        double sum = 0;
        for (double lambda : HostLinalg.symmetricEigenvalues(m, r)) sum += Math.sqrt(Math.max(lambda, 0));
        return sum;
    }

    /** (S + S^T) / 2, refusing non-finite values (a NaN would otherwise surface as a NaN FID with no cause). */
    private static double[] symmetrized(double[] s, int n) {
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double v = s[i * n + j];
                check(Double.isFinite(v), "covariance entry (" + i + ", " + j + ") is " + v);
                out[i * n + j] = 0.5 * (v + s[j * n + i]);
            }
        return out;
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalArgumentException("Fréchet distance: " + what);
    }
}

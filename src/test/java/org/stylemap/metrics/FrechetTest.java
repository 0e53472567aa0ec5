package org.stylemap.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrechetTest {

    // ------------------------------------------------------------ an independent float64 reference

    /** Eigenvalues and eigenvectors (columns of v) of a symmetric matrix by cyclic Jacobi rotations. */
    static double[][] jacobi(double[] a0, int n, double[] vOut) {
        double[] a = a0.clone(), v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (Math.abs(apq) < 1e-300) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) { // A <- A J
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // A <- J^T A
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) lambda[i] = a[i * n + i];
        if (vOut != null) System.arraycopy(v, 0, vOut, 0, n * n);
        return new double[][] {lambda};
    }

    static double[] matmul(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    /** tr((S1 S2)^(1/2)) as the eigenvalues of the symmetric form S1^(1/2) S2 S1^(1/2), all by Jacobi. */
    static double traceSqrtReference(double[] s1, double[] s2, int n) {
        double[] v = new double[n * n];
        double[] lambda = jacobi(s1, n, v)[0];
        double[] root = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += v[i * n + k] * Math.sqrt(Math.max(lambda[k], 0)) * v[j * n + k];
                root[i * n + j] = s;
            }
        double sum = 0;
        for (double l : jacobi(matmul(matmul(root, s2, n), root, n), n, null)[0]) sum += Math.sqrt(Math.max(l, 0));
        return sum;
    }

    // ------------------------------------------------------------ data

    /** Sample covariance (float64, two-pass) of rows x dims data. */
    static double[] covariance(double[] x, int rows, int dims) {
        double[] mean = mean(x, rows, dims), c = new double[dims * dims];
        for (int i = 0; i < dims; i++)
            for (int j = 0; j < dims; j++) {
                double s = 0;
                for (int r = 0; r < rows; r++) s += (x[r * dims + i] - mean[i]) * (x[r * dims + j] - mean[j]);
                c[i * dims + j] = s / (rows - 1);
            }
        return c;
    }

    static double[] mean(double[] x, int rows, int dims) {
        double[] m = new double[dims];
        for (int r = 0; r < rows; r++) for (int j = 0; j < dims; j++) m[j] += x[r * dims + j] / rows;
        return m;
    }

    /** Correlated Gaussian-ish data: rows of z @ mix + offset. */
    static double[] data(long seed, int rows, int dims, double offset) {
        Random r = new Random(seed);
        double[] mix = new double[dims * dims], x = new double[rows * dims];
        for (int i = 0; i < mix.length; i++) mix[i] = r.nextGaussian() / Math.sqrt(dims);
        for (int row = 0; row < rows; row++) {
            double[] z = new double[dims];
            for (int k = 0; k < dims; k++) z[k] = r.nextGaussian();
            for (int j = 0; j < dims; j++) {
                double s = offset + 0.1 * j;
                for (int k = 0; k < dims; k++) s += z[k] * mix[k * dims + j];
                x[row * dims + j] = s;
            }
        }
        return x;
    }

    // ------------------------------------------------------------ closed forms

    @Test
    void diagonalCovariancesHaveTheClosedForm() {
        int n = 7;
        double[] mu1 = new double[n], mu2 = new double[n], s1 = new double[n * n], s2 = new double[n * n];
        double expect = 0;
        Random r = new Random(3);
        for (int i = 0; i < n; i++) {
            mu1[i] = r.nextGaussian();
            mu2[i] = r.nextGaussian();
            double a = 0.1 + r.nextDouble() * 3, b = i == 2 ? 0 : 0.1 + r.nextDouble() * 3; // one zero variance
            s1[i * n + i] = a;
            s2[i * n + i] = b;
            expect += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + (Math.sqrt(a) - Math.sqrt(b)) * (Math.sqrt(a) - Math.sqrt(b));
        }
        assertEquals(expect, Frechet.distance(mu1, s1, mu2, s2), 1e-12 * expect);
    }

    @Test
    void identicalStatisticsGiveZeroAndAShiftGivesItsSquaredLength() {
        int n = 12;
        double[] x = data(5, 40, n, 0);
        double[] mu = mean(x, 40, n), s = covariance(x, 40, n), shift = new double[n];
        double trace = 0, len2 = 0;
        for (int i = 0; i < n; i++) {
            trace += s[i * n + i];
            shift[i] = mu[i] + 0.3 * (i - 4);
            len2 += 0.09 * (i - 4) * (i - 4);
        }
        assertEquals(0, Frechet.distance(mu, s, mu, s), 1e-10 * trace);
        assertEquals(len2, Frechet.distance(mu, s, shift, s), 1e-10 * (trace + len2));
    }

    @Test
    void singularIdenticalCovariancesStillGiveZero() {
        // 5 samples in 20 dimensions: rank 4. scipy's sqrtm of S S is ill-conditioned here; the
        // pivoted Cholesky form is exact: tr((S S)^(1/2)) = tr(S).
        int n = 20;
        double[] x = data(7, 5, n, 2);
        double[] mu = mean(x, 5, n), s = covariance(x, 5, n);
        double trace = 0;
        for (int i = 0; i < n; i++) trace += s[i * n + i];
        assertEquals(0, Frechet.distance(mu, s, mu, s), 1e-10 * trace);
        assertEquals(4, HostLinalg.pivotedCholesky(s, n).rank());
    }

    // ------------------------------------------------------------ against the reference

    @Test
    void matchesTheJacobiReferenceOnRandomFullRankCovariances() {
        int n = 16;
        double[] a = data(11, 60, n, 0.5), b = data(12, 80, n, -0.2);
        double[] s1 = covariance(a, 60, n), s2 = covariance(b, 80, n);
        double ref = traceSqrtReference(s1, s2, n), got = Frechet.traceSqrtProduct(s1, s2, n);
        assertEquals(ref, got, 1e-11 * ref);
        double[] mu1 = mean(a, 60, n), mu2 = mean(b, 80, n);
        double expect = 0;
        for (int i = 0; i < n; i++) expect += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + s1[i * n + i] + s2[i * n + i];
        expect -= 2 * ref;
        assertEquals(expect, Frechet.distance(mu1, s1, mu2, s2), 1e-10 * Math.abs(expect));
    }

    @Test
    void matchesTheJacobiReferenceOnSingularCovariances() {
        int n = 24;
        double[] a = data(21, 9, n, 1), b = data(22, 15, n, 1);
        double[] s1 = covariance(a, 9, n), s2 = covariance(b, 15, n);
        double ref = traceSqrtReference(s1, s2, n);
        // The reference clamps the round-off eigenvalues of the singular S1 at zero; their square
        // roots (~1e-8 each) are what separates the two, hence the looser tolerance.
        assertEquals(ref, Frechet.traceSqrtProduct(s1, s2, n), 1e-6 * ref);
        assertEquals(ref, Frechet.traceSqrtProduct(s2, s1, n), 1e-6 * ref); // tr sqrt(AB) = tr sqrt(BA)
    }

    @Test
    void symmetricEigenvaluesMatchJacobi() {
        for (int n : new int[] {1, 2, 3, 10, 33}) {
            Random r = new Random(n);
            double[] a = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = r.nextGaussian();
            double[] ref = jacobi(a, n, null)[0];
            Arrays.sort(ref);
            double[] got = HostLinalg.symmetricEigenvalues(a, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], got[i], 1e-12 * n, "n=" + n + " eigenvalue " + i);
        }
        // repeated eigenvalues and an already diagonal matrix
        assertArrayEquals(new double[] {-1, 2, 2, 5}, HostLinalg.symmetricEigenvalues(
                new double[] {2, 0, 0, 0, 0, 5, 0, 0, 0, 0, -1, 0, 0, 0, 0, 2}, 4), 1e-15);
    }

    @Test
    void pivotedCholeskyReproducesTheMatrix() {
        int n = 9;
        double[] s = covariance(data(31, 6, n, 0), 6, n); // rank 5
        HostLinalg.Factor f = HostLinalg.pivotedCholesky(s, n);
        assertEquals(5, f.rank());
        double[] llt = HostLinalg.multiply(f.l(), HostLinalg.transpose(f.l(), n, f.rank()), n, f.rank(), n);
        for (int i = 0; i < n * n; i++) assertEquals(s[i], llt[i], 1e-13);
    }

    @Test
    void refusesMismatchedOrNonFiniteInput() {
        assertThrows(IllegalArgumentException.class, () -> Frechet.distance(new double[2], new double[4], new double[3], new double[9]));
        double[] bad = {1, 0, 0, Double.NaN};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Frechet.distance(new double[2], bad, new double[2], new double[] {1, 0, 0, 1}));
        assertTrue(e.getMessage().contains("(1, 1)"), e.getMessage());
    }

    // ------------------------------------------------------------ feature statistics

    @Test
    void accumulatedStatisticsMatchTheTwoPassFormulas() {
        // More rows than one Gram block, in uneven batches, with a mean far from zero.
        int rows = 600, dims = 10;
        double[] x = data(41, rows, dims, 1e4);
        FeatureStats.Accumulator acc = new FeatureStats.Accumulator(dims);
        for (int from = 0, k = 1; from < rows; from += k, k = k % 97 + 13) {
            int take = Math.min(k, rows - from);
            acc.add(Arrays.copyOfRange(x, from * dims, (from + take) * dims), take);
        }
        FeatureStats s = acc.finish();
        assertEquals(rows, s.count());
        double[] mu = mean(x, rows, dims), cov = covariance(x, rows, dims);
        for (int j = 0; j < dims; j++) assertEquals(mu[j], s.mean()[j], 1e-9 * Math.abs(mu[j]));
        for (int i = 0; i < dims * dims; i++) assertEquals(cov[i], s.covariance()[i], 1e-9);
    }

    @Test
    void statisticsNeedTwoVectorsAndFiniteValues() {
        FeatureStats.Accumulator acc = new FeatureStats.Accumulator(3);
        acc.add(new double[] {1, 2, 3}, 1);
        assertThrows(IllegalStateException.class, acc::finish);
        assertThrows(IllegalArgumentException.class, () -> acc.add(new double[] {1, Double.POSITIVE_INFINITY, 3}, 1));
    }
}

package org.stylemap.metrics;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.stylemap.backend.cpu.Parallel;

/**
 * Float64 dense linear algebra on the host for the Fréchet distance: products, a pivoted
 * Cholesky factorisation of a positive semi-definite matrix, and the eigenvalues of a symmetric
 * matrix (Householder tridiagonalisation, then implicit QL with Wilkinson shifts). Matrices are
 * row-major double[] of rows x cols. Covariances of Inception features are 2048 x 2048, so the
 * loops are written for that size: rows in parallel, inner loops contiguous (vectorised).
 */
final class HostLinalg {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Rows of B kept hot while every row of C accumulates them (1 MiB of B at 2048 columns). */
    private static final int K_BLOCK = 64;

    private HostLinalg() {}

    /** C [m, n] = A [m, k] @ B [k, n]. */
    static double[] multiply(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        Parallel.forRange(m, 8, (i0, i1) -> {
            for (int p0 = 0; p0 < k; p0 += K_BLOCK)
                for (int i = i0; i < i1; i++)
                    for (int p = p0, pe = Math.min(k, p0 + K_BLOCK); p < pe; p++)
                        axpy(a[i * k + p], b, p * n, c, i * n, n);
        });
        return c;
    }

    /** C [m, n] = A^T @ B for A [k, m], B [k, n]. */
    static double[] multiplyTransposedA(double[] a, double[] b, int k, int m, int n) {
        return multiply(transpose(a, k, m), b, m, k, n);
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /** y[yOff..+len] += s * x[xOff..+len]. */
    private static void axpy(double s, double[] x, int xOff, double[] y, int yOff, int len) {
        if (s == 0) return;
        int j = 0;
        DoubleVector sv = DoubleVector.broadcast(S, s);
        for (int end = S.loopBound(len); j < end; j += S.length())
            DoubleVector.fromArray(S, x, xOff + j).fma(sv, DoubleVector.fromArray(S, y, yOff + j)).intoArray(y, yOff + j);
        for (; j < len; j++) y[yOff + j] += s * x[xOff + j];
    }

    private static double dot(double[] x, int xOff, double[] y, int yOff, int len) {
        DoubleVector acc = DoubleVector.zero(S);
        int j = 0;
        for (int end = S.loopBound(len); j < end; j += S.length())
            acc = DoubleVector.fromArray(S, x, xOff + j).fma(DoubleVector.fromArray(S, y, yOff + j), acc);
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < len; j++) s += x[xOff + j] * y[yOff + j];
        return s;
    }

    /**
     * A factor L [n, r] with A = L L^T for a symmetric positive semi-definite A [n, n], by Cholesky
     * with complete (diagonal) pivoting; r is the numerical rank. The pivot stops where every
     * remaining diagonal is at most n * 2^-52 * max(diag A), LAPACK's dpstrf default, so singular
     * covariances (fewer samples than dimensions) factor exactly instead of failing. Rows of L are
     * in A's order; only the column order follows the pivots, which A = L L^T does not see.
     */
    static Factor pivotedCholesky(double[] a, int n) {
        double[] rows = new double[n * n]; // row i holds L[i, 0..r)
        double[] d = new double[n];
        boolean[] done = new boolean[n];
        double max = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, d[i] = a[i * n + i]);
        double tol = n * 0x1p-52 * max;
        int r = 0;
        for (; r < n; r++) {
            int p = -1;
            for (int i = 0; i < n; i++) if (!done[i] && (p < 0 || d[i] > d[p])) p = i;
            if (d[p] <= tol) break;
            done[p] = true;
            double lpp = Math.sqrt(d[p]);
            rows[p * n + r] = lpp;
            final int k = r, pivot = p;
            Parallel.forRange(n, 64, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    if (done[i]) continue;
                    double v = (a[i * n + pivot] - dot(rows, i * n, rows, pivot * n, k)) / lpp;
                    rows[i * n + k] = v;
                    d[i] -= v * v;
                }
            });
        }
        double[] l = new double[n * r];
        for (int i = 0; i < n; i++) System.arraycopy(rows, i * n, l, i * r, r);
        return new Factor(l, n, r);
    }

    /** L [rows, rank], row-major. */
    record Factor(double[] l, int rows, int rank) {}

    /**
     * The eigenvalues of a symmetric matrix A [n, n] (only its lower triangle is read), ascending.
     * A is not modified.
     */
    static double[] symmetricEigenvalues(double[] a, int n) {
        double[] w = a.clone();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) w[i * n + j] = w[j * n + i];
        double[] diag = new double[n], off = new double[n];
        tridiagonalize(w, n, diag, off);
        tridiagonalEigenvalues(diag, off, n);
        java.util.Arrays.sort(diag);
        return diag;
    }

    /**
     * Householder reduction of the symmetric w (full storage, overwritten) to tridiagonal form:
     * diag[k] and off[k] (the entry below diag[k]) afterwards. Step k reflects column k below the
     * diagonal onto a multiple of e1 and applies the reflector to the trailing block from both
     * sides as one symmetric rank-2 update, A22 -= v q^T + q v^T.
     */
    private static void tridiagonalize(double[] w, int n, double[] diag, double[] off) {
        double[] v = new double[n], p = new double[n];
        for (int k = 0; k < n - 1; k++) {
            int s = k + 1, m = n - s;
            double norm2 = 0;
            for (int i = s; i < n; i++) norm2 += w[i * n + k] * w[i * n + k];
            diag[k] = w[k * n + k];
            double x0 = w[s * n + k], norm = Math.sqrt(norm2);
            if (m == 1 || norm2 == 0) { // nothing below the subdiagonal to annihilate
                off[k] = x0;
                continue;
            }
            // v = x - alpha e1 with alpha = -sign(x0) |x|, so that v0 = x0 + sign(x0) |x| does not cancel.
            double alpha = x0 >= 0 ? -norm : norm;
            for (int i = 0; i < m; i++) v[i] = w[(s + i) * n + k];
            v[0] -= alpha;
            double vtv = norm2 - x0 * x0 + v[0] * v[0];
            off[k] = alpha;
            // p = (2 / v^T v) A22 v; q = p - (p^T v / v^T v) v.
            double beta = 2 / vtv;
            Parallel.forRange(m, 32, (i0, i1) -> {
                for (int i = i0; i < i1; i++) p[i] = beta * dot(w, (s + i) * n + s, v, 0, m);
            });
            double kq = dot(p, 0, v, 0, m) / vtv;
            for (int i = 0; i < m; i++) p[i] -= kq * v[i];
            Parallel.forRange(m, 32, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    int row = (s + i) * n + s;
                    axpy(-v[i], p, 0, w, row, m);
                    axpy(-p[i], v, 0, w, row, m);
                }
            });
        }
        diag[n - 1] = w[(n - 1) * n + n - 1];
        off[n - 1] = 0;
    }

    /**
     * Eigenvalues of the symmetric tridiagonal matrix (diag, off: off[i] couples i and i+1) by the
     * implicit QL algorithm with Wilkinson shifts, overwriting diag with them (unsorted).
     */
    private static void tridiagonalEigenvalues(double[] d, double[] e, int n) {
        for (int l = 0; l < n; l++) {
            for (int iter = 0; ; iter++) {
                // Find the first negligible off-diagonal entry at or after l: the block [l, m] splits off.
                int m = l;
                for (; m < n - 1; m++) {
                    double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) <= 0x1p-52 * dd) break;
                }
                if (m == l) break;
                if (iter == 60) throw new ArithmeticException("symmetric eigenvalues: QL did not converge");
                // Wilkinson shift from the leading 2x2 block.
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1, c = 1, p = 0;
                int i = m - 1;
                for (; i >= l; i--) {
                    double f = s * e[i], b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        // Underflow: the block decouples here; deflate and start over.
                        d[i + 1] -= p;
                        e[m] = 0;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                }
                if (r == 0 && i >= l) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }
}

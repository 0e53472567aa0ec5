package org.stylemap.edit;

/**
 * L2-regularized logistic regression, minimizing
 * <pre>  (1/n) sum_i log(1 + exp(-y_i (w.x_i + b))) + (lambda/2) |w|^2,   y_i in {-1, +1}  </pre>
 * by Nesterov's accelerated gradient with the fixed step 1/L, where L = |X~|_2^2 / (4n) + lambda
 * bounds the gradient's Lipschitz constant (X~ is X with a column of ones for the bias; its
 * largest singular value comes from power iteration). The bias is not regularized. The loss is
 * strongly convex, so this converges to the unique minimum; iteration stops when the gradient's
 * norm falls below 1e-6 or after maxIterations.
 */
public final class LogisticRegression implements LinearClassifier {
    private final double lambda;
    private final int maxIterations;

    public LogisticRegression(double lambda, int maxIterations) {
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be positive, got " + lambda);
        this.lambda = lambda;
        this.maxIterations = maxIterations;
    }

    @Override
    public Hyperplane fit(double[][] x, boolean[] y) {
        LinearClassifier.checkData(x, y);
        int n = x.length, d = x[0].length;
        double step = 1 / (largestSingularValueSquared(x) / (4.0 * n) + lambda);
        double[] w = new double[d + 1], prev = w.clone(), look = w.clone(), grad = new double[d + 1];
        for (int it = 0; it < maxIterations; it++) {
            // Look-ahead point of Nesterov's method, then a gradient step from it.
            double mom = it / (it + 3.0);
            for (int j = 0; j <= d; j++) look[j] = w[j] + mom * (w[j] - prev[j]);
            double norm = gradient(x, y, look, grad);
            System.arraycopy(w, 0, prev, 0, d + 1);
            for (int j = 0; j <= d; j++) w[j] = look[j] - step * grad[j];
            if (norm < 1e-6) break;
        }
        double[] weights = new double[d];
        System.arraycopy(w, 0, weights, 0, d);
        return new Hyperplane(weights, w[d]);
    }

    /** The loss gradient at v (weights then bias) into grad; returns its norm. */
    private double gradient(double[][] x, boolean[] y, double[] v, double[] grad) {
        int n = x.length, d = x[0].length;
        java.util.Arrays.fill(grad, 0);
        for (int i = 0; i < n; i++) {
            double s = v[d];
            for (int j = 0; j < d; j++) s += v[j] * x[i][j];
            double yi = y[i] ? 1 : -1;
            // d/ds log(1 + exp(-y s)) = -y sigmoid(-y s), written to stay finite for large |s|.
            double m = yi * s, coef = -yi * (m > 0 ? Math.exp(-m) / (1 + Math.exp(-m)) : 1 / (1 + Math.exp(m))) / n;
            for (int j = 0; j < d; j++) grad[j] += coef * x[i][j];
            grad[d] += coef;
        }
        double norm = 0;
        for (int j = 0; j < d; j++) {
            grad[j] += lambda * v[j];
            norm += grad[j] * grad[j];
        }
        return Math.sqrt(norm + grad[d] * grad[d]);
    }

    /** |[X 1]|_2^2 by power iteration on [X 1]^T [X 1] (50 rounds, then 1% headroom: only an upper bound matters). */
    static double largestSingularValueSquared(double[][] x) {
        int n = x.length, d = x[0].length;
        double[] v = new double[d + 1], u = new double[n];
        java.util.Arrays.fill(v, 1 / Math.sqrt(d + 1));
        double lambda = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < n; i++) {
                double s = v[d];
                for (int j = 0; j < d; j++) s += x[i][j] * v[j];
                u[i] = s;
            }
            double[] next = new double[d + 1];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) next[j] += x[i][j] * u[i];
                next[d] += u[i];
            }
            double norm = 0;
            for (double a : next) norm += a * a;
            norm = Math.sqrt(norm);
            if (norm == 0) return 1;
            lambda = norm;
            for (int j = 0; j <= d; j++) v[j] = next[j] / norm;
        }
        return lambda * 1.01;
    }
}

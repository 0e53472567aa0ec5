package org.stylemap.edit;

/**
 * Linear support vector machine (hinge loss, the official code's sklearn SVC(kernel="linear")
 * model), minimizing  (1/2)|w|^2 + C sum_i max(0, 1 - y_i (w.x_i + b))  by dual coordinate
 * descent (Hsieh et al., ICML 2008, as in liblinear): one dual variable at a time, in a fixed
 * pseudo-random order per epoch, with w kept equal to sum_i alpha_i y_i x_i. The bias is an extra
 * feature of constant 1 (so it is regularized too, as in liblinear). Stops when the projected
 * gradient's spread falls below 1e-3 or after maxEpochs.
 */
public final class LinearSvm implements LinearClassifier {
    private final double c;
    private final int maxEpochs;

    public LinearSvm(double c, int maxEpochs) {
        if (!(c > 0)) throw new IllegalArgumentException("C must be positive, got " + c);
        this.c = c;
        this.maxEpochs = maxEpochs;
    }

    @Override
    public Hyperplane fit(double[][] x, boolean[] y) {
        LinearClassifier.checkData(x, y);
        int n = x.length, d = x[0].length;
        double[] w = new double[d + 1], alpha = new double[n], q = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 1; // the bias feature
            for (double v : x[i]) s += v * v;
            q[i] = s;
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Random shuffle = new java.util.Random(0);
        for (int epoch = 0; epoch < maxEpochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int k = shuffle.nextInt(i + 1), t = order[i];
                order[i] = order[k];
                order[k] = t;
            }
            double maxPg = Double.NEGATIVE_INFINITY, minPg = Double.POSITIVE_INFINITY;
            for (int i : order) {
                double yi = y[i] ? 1 : -1, s = w[d];
                for (int j = 0; j < d; j++) s += w[j] * x[i][j];
                double grad = yi * s - 1, pg = grad;
                if (alpha[i] == 0) pg = Math.min(grad, 0);
                else if (alpha[i] == c) pg = Math.max(grad, 0);
                maxPg = Math.max(maxPg, pg);
                minPg = Math.min(minPg, pg);
                if (pg == 0) continue;
                double old = alpha[i];
                alpha[i] = Math.min(Math.max(old - grad / q[i], 0), c);
                double delta = (alpha[i] - old) * yi;
                for (int j = 0; j < d; j++) w[j] += delta * x[i][j];
                w[d] += delta;
            }
            if (maxPg - minPg < 1e-3) break;
        }
        double[] weights = new double[d];
        System.arraycopy(w, 0, weights, 0, d);
        return new Hyperplane(weights, w[d]);
    }
}

package org.stylemap.edit;

/**
 * A linear two-class classifier on dense feature vectors: fits w, b so that w.x + b > 0 predicts
 * the positive class. Used to find attribute directions in stylemap space (the unit normal of the
 * separating hyperplane), as the official semantic_manipulation.py does with a linear SVM.
 */
public interface LinearClassifier {
    /** A hyperplane w.x + b = 0; positive side = positive class. */
    record Hyperplane(double[] w, double b) {
        public double score(double[] x) {
            double s = b;
            for (int j = 0; j < w.length; j++) s += w[j] * x[j];
            return s;
        }

        /** Fraction of samples on their label's side. */
        public double accuracy(double[][] x, boolean[] y) {
            int right = 0;
            for (int i = 0; i < x.length; i++) if ((score(x[i]) > 0) == y[i]) right++;
            return (double) right / x.length;
        }
    }

    Hyperplane fit(double[][] x, boolean[] y);

    /** "logistic" or "svm", with their default regularization. */
    static LinearClassifier named(String name) {
        return switch (name) {
            case "logistic" -> new LogisticRegression(1e-3, 2000);
            case "svm" -> new LinearSvm(1.0, 1000);
            default -> throw new IllegalArgumentException("classifier must be logistic or svm, got '" + name + "'");
        };
    }

    /** Both classes present, every row the same length: a one-line refusal otherwise. */
    static void checkData(double[][] x, boolean[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " samples but " + y.length + " labels");
        int pos = 0;
        for (boolean v : y) if (v) pos++;
        if (pos == 0 || pos == y.length)
            throw new IllegalArgumentException("the labels need both classes, got " + pos + " positive and " + (y.length - pos) + " negative");
        for (double[] row : x)
            if (row.length != x[0].length) throw new IllegalArgumentException("samples have different lengths");
    }
}

package org.stylemap.metrics;

import org.stylemap.tensor.Tensor;

/**
 * The mean [dim] and covariance [dim, dim] (row-major, unbiased: divided by count - 1, as numpy's
 * cov) of a set of feature vectors: what the Fréchet distance compares.
 */
public record FeatureStats(double[] mean, double[] covariance, long count) {
    public FeatureStats {
        if (covariance.length != (long) mean.length * mean.length)
            throw new IllegalArgumentException("feature statistics: covariance of " + covariance.length
                    + " values does not match a mean of " + mean.length);
    }

    public int dim() {
        return mean.length;
    }

    /**
     * Collects feature vectors batch by batch in float64 on the host. Sums are taken of the
     * features minus a shift (the first batch's mean), so the covariance does not lose digits to
     * the cancellation of E[x x^T] - E[x] E[x]^T when the mean is large against the spread.
     * Rows are buffered and folded into the Gram matrix in blocks, one pass over it per block.
     */
    public static final class Accumulator {
        private static final int BLOCK = 256;

        private final int dim;
        private final double[] sum, gram, block;
        private double[] shift;
        private int buffered;
        private long count;

        public Accumulator(int dim) {
            this.dim = dim;
            sum = new double[dim];
            gram = new double[dim * dim];
            block = new double[BLOCK * dim];
        }

        /** Adds the rows of features [B, dim] (any dtype or device; they are read to the host). */
        public void add(Tensor features) {
            if (features.rank() != 2 || features.shape(1) != dim)
                throw new IllegalArgumentException("feature statistics: expected [B, " + dim + "] features, got "
                        + org.stylemap.tensor.Shape.str(features.shape()));
            add(features.toDoubleArray(), features.shape(0));
        }

        /** Adds rows feature vectors stored row-major in x. */
        public void add(double[] x, int rows) {
            if (shift == null) {
                shift = new double[dim];
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < dim; j++) shift[j] += x[r * dim + j] / rows;
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < dim; j++) {
                    double v = x[r * dim + j];
                    if (!Double.isFinite(v))
                        throw new IllegalArgumentException("feature statistics: feature " + j + " of vector " + (count + r) + " is " + v);
                    double c = v - shift[j];
                    sum[j] += c;
                    block[buffered * dim + j] = c;
                }
                if (++buffered == BLOCK) flush();
            }
            count += rows;
        }

        private void flush() {
            if (buffered == 0) return;
            double[] rows = java.util.Arrays.copyOf(block, buffered * dim);
            double[] g = HostLinalg.multiplyTransposedA(rows, rows, buffered, dim, dim);
            for (int i = 0; i < gram.length; i++) gram[i] += g[i];
            buffered = 0;
        }

        public long count() {
            return count;
        }

        /** The statistics of everything added (at least two vectors: a covariance needs them). */
        public FeatureStats finish() {
            if (count < 2) throw new IllegalStateException("feature statistics need at least 2 images, got " + count);
            flush();
            double[] mean = new double[dim], cov = new double[dim * dim];
            for (int j = 0; j < dim; j++) mean[j] = shift[j] + sum[j] / count;
            for (int i = 0; i < dim; i++)
                for (int j = 0; j < dim; j++)
                    cov[i * dim + j] = (gram[i * dim + j] - sum[i] * sum[j] / count) / (count - 1);
            return new FeatureStats(mean, cov, count);
        }
    }
}

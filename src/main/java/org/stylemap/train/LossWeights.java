package org.stylemap.train;

/** The official loss weights (train.py's lambda_* arguments; all 1 by default). */
public record LossWeights(double xRec, double adv, double wRec, double d, double perceptual,
                          double indomainD, double indomainE) {
    public static LossWeights official() {
        return new LossWeights(1, 1, 1, 1, 1, 1, 1);
    }
}

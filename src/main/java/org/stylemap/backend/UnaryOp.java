package org.stylemap.backend;

/**
 * Elementwise unary primitives with one scalar parameter p. {@link #apply} is the scalar
 * reference every backend must match.
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, SIGMOID,
    /** log(1 + exp(x)), computed without overflow. */
    SOFTPLUS,
    /** x^p. */
    POW,
    /** x * p. */
    SCALE,
    /** x + p. */
    ADD_SCALAR,
    /** x > 0 ? x : p * x. */
    LEAKY_RELU,
    /** The derivative of LEAKY_RELU: x > 0 ? 1 : p. */
    LEAKY_RELU_SLOPE;

    public double apply(double x, double p) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
            case SOFTPLUS -> Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
            case POW -> Math.pow(x, p);
            case SCALE -> x * p;
            case ADD_SCALAR -> x + p;
            case LEAKY_RELU -> x > 0 ? x : p * x;
            case LEAKY_RELU_SLOPE -> x > 0 ? 1.0 : p;
        };
    }
}

package org.stylemap.autograd;

import org.stylemap.tensor.Tensor;

/**
 * The record of one op application: its inputs and how to turn the output's gradient into the
 * inputs' gradients. Backward functions are written with differentiable ops, so running them
 * with gradients enabled builds the graph of the gradient (for gradients of gradients).
 */
public final class Node {
    /** Gradients of the inputs given the output's gradient gy; entries may be null where !needs[i]. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gy, boolean[] needs);
    }

    private final String op;
    private final Tensor[] inputs;
    private final Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() { return op; }
    public Tensor[] inputs() { return inputs; }
    Backward backward() { return backward; }
}

package org.stylemap.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import org.stylemap.memory.Scope;
import org.stylemap.memory.Storage;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * Reverse-mode differentiation over the define-by-run graph. Conventions: gradients of leaves
 * accumulate into {@link Tensor#grad()} (call zeroGrad to reset); {@link #grad} returns fresh
 * gradients and touches no .grad. With createGraph the returned gradients carry their own graph.
 */
public final class Autograd {
    private Autograd() {}

    /** Records that out = op(inputs) when gradients are on and some input requires them. */
    public static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.enabled()) return out;
        for (Tensor t : inputs)
            if (t != null && t.requiresGrad()) {
                out.setGradFn(new Node(op, inputs, backward));
                return out;
            }
        return out;
    }

    /** Backpropagates d(root)/d(leaf) into every leaf's .grad; root must have one element. */
    public static void backward(Tensor root) {
        if (root.numel() != 1)
            throw new IllegalArgumentException("backward() needs a one-element tensor, got shape " + Shape.str(root.shape()));
        backward(root, Tensor.ones(root.dtype(), root.device(), root.shape()));
    }

    /** Backpropagates the vector-Jacobian product with seed into every leaf's .grad. */
    public static void backward(Tensor root, Tensor seed) {
        try (Scope work = Scope.open()) {
            Map<Tensor, Tensor> grads = run(new Tensor[] {root}, new Tensor[] {seed}, null, false, work);
            for (Map.Entry<Tensor, Tensor> e : grads.entrySet()) {
                Tensor leaf = e.getKey();
                if (!leaf.isLeaf() || !leaf.requiresGrad()) continue;
                Tensor g = e.getValue();
                if (leaf.grad() == null) {
                    // Parameters (long-lived) keep long-lived gradients; a leaf made inside a scope (an input
                    // batch with requiresGrad for R1) gets a gradient freed with it, not left to the GC.
                    Tensor copy = Scope.untracked(() -> Elementwise.copy(g));
                    Scope.tieTo(leaf.storage(), copy.storage());
                    leaf.setGrad(copy);
                }
                else Elementwise.addInPlace(leaf.grad(), g);
            }
        }
    }

    /** d(sum of outputs)/d(inputs), each seeded with ones; see {@link #grad(Tensor[], Tensor[], Tensor[], boolean)}. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, boolean createGraph) {
        Tensor[] seeds = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++)
            seeds[i] = Tensor.ones(outputs[i].dtype(), outputs[i].device(), outputs[i].shape());
        return grad(outputs, inputs, seeds, createGraph);
    }

    /**
     * Vector-Jacobian products of outputs (with the given seeds) with respect to inputs. An input
     * that the outputs do not depend on gets a zero gradient. With createGraph the results are
     * differentiable (this is how the R1 penalty's gradient is itself backpropagated), and the
     * graph is kept, since the gradient's graph runs through it again.
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] seeds, boolean createGraph) {
        for (Tensor t : inputs)
            if (!t.requiresGrad())
                throw new IllegalArgumentException("grad(): input " + t + " does not require grad");
        Set<Tensor> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(targets, inputs);
        try (Scope work = createGraph ? null : Scope.open()) {
            Map<Tensor, Tensor> grads = run(outputs, seeds, targets, createGraph, work);
            Tensor[] result = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Tensor g = grads.get(inputs[i]);
                result[i] = g != null ? g : Tensor.zeros(inputs[i].dtype(), inputs[i].device(), inputs[i].shape());
            }
            if (work != null) Scope.keep(result);
            return result;
        }
    }

    /** Topological order (inputs before users) of the tensors reachable from roots through grad_fns. */
    private static List<Tensor> topoOrder(Tensor[] roots) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative DFS: graphs of deep generators would overflow the Java stack recursively.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        for (Tensor r : roots) {
            if (!visited.add(r)) continue;
            stack.push(new Object[] {r, 0});
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Tensor t = (Tensor) frame[0];
                int next = (int) frame[1];
                Tensor[] ins = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
                if (next < ins.length) {
                    frame[1] = next + 1;
                    Tensor in = ins[next];
                    if (in != null && in.requiresGrad() && visited.add(in)) stack.push(new Object[] {in, 0});
                } else {
                    stack.pop();
                    order.add(t);
                }
            }
        }
        return order;
    }

    /**
     * targets == null: every leaf requiring grad is a target. Without createGraph the walk frees as
     * it goes, as PyTorch does: each node's backward runs in its own scope (its temporaries go when
     * it returns), a gradient is freed once its node has used it, and each node drops the tensors
     * it saved from the forward. work owns every gradient made here (null with createGraph: then
     * nothing is freed, since the gradients' own graph reads them again).
     */
    private static Map<Tensor, Tensor> run(Tensor[] roots, Tensor[] seeds, Set<Tensor> targets, boolean createGraph, Scope work) {
        List<Tensor> order = topoOrder(roots);
        // needed: the tensor is a target or leads to one; only those get gradients computed.
        Set<Tensor> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : order) {
            boolean need = targets == null ? t.isLeaf() && t.requiresGrad() : targets.contains(t);
            if (!need && t.gradFn() != null)
                for (Tensor in : t.gradFn().inputs())
                    if (in != null && needed.contains(in)) { need = true; break; }
            if (need) needed.add(t);
        }
        Gradients grads = new Gradients(work);
        for (int i = 0; i < roots.length; i++) {
            Shape.check(roots[i].sameShape(seeds[i]), "backward: seed shape " + Shape.str(seeds[i].shape())
                    + " does not match output shape " + Shape.str(roots[i].shape()));
            grads.accumulate(roots[i], seeds[i]);
        }
        try (GradMode mode = createGraph ? GradMode.on() : GradMode.off()) {
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Node fn = t.gradFn();
                Tensor gy = grads.get(t);
                if (fn == null || gy == null || !needed.contains(t)) continue;
                Tensor[] ins = fn.inputs();
                boolean[] needs = new boolean[ins.length];
                for (int i = 0; i < ins.length; i++) needs[i] = ins[i] != null && needed.contains(ins[i]);
                Tensor[] gin;
                try (Scope temporaries = createGraph ? null : Scope.open()) {
                    gin = fn.backward().apply(gy, needs);
                    if (temporaries != null) Scope.keep(gin);
                }
                if (!createGraph) fn.release();
                for (int i = 0; i < ins.length; i++) {
                    if (!needs[i] || gin[i] == null) continue;
                    Shape.check(gin[i].sameShape(ins[i]), "internal: backward of " + fn.op() + " gave gradient shape "
                            + Shape.str(gin[i].shape()) + " for input shape " + Shape.str(ins[i].shape()));
                    grads.accumulate(ins[i], gin[i]);
                }
                if (targets == null || !targets.contains(t)) grads.drop(t);
            }
        }
        return grads.all();
    }

    /**
     * The gradients of a backward walk, by tensor. With a work scope, a gradient is freed as soon as
     * nothing refers to it any more (storages are counted, since a backward may return its incoming
     * gradient itself, or a view of it, as an input's gradient); only storage the walk made is freed.
     */
    private static final class Gradients {
        private final Map<Tensor, Tensor> byTensor = new IdentityHashMap<>();
        private final Map<Storage, Integer> refs = new IdentityHashMap<>();
        private final Scope work;

        Gradients(Scope work) {
            this.work = work;
        }

        Tensor get(Tensor t) {
            return byTensor.get(t);
        }

        Map<Tensor, Tensor> all() {
            return byTensor;
        }

        void accumulate(Tensor t, Tensor g) {
            Tensor prev = byTensor.get(t);
            if (prev == null) {
                put(t, g);
                return;
            }
            put(t, Elementwise.add(prev, g));
            release(prev);
            freeIfUnused(g);
        }

        private void put(Tensor t, Tensor g) {
            refs.merge(g.storage(), 1, Integer::sum);
            byTensor.put(t, g);
        }

        /** t's gradient has been used by its node: forget it, and free it when nothing else refers to it. */
        void drop(Tensor t) {
            Tensor g = byTensor.remove(t);
            if (g != null) release(g);
        }

        private void release(Tensor g) {
            int n = refs.merge(g.storage(), -1, Integer::sum);
            if (n == 0) freeIfUnused(g);
        }

        private void freeIfUnused(Tensor g) {
            Integer n = refs.get(g.storage());
            if (n != null && n > 0) return;
            refs.remove(g.storage());
            if (work != null) work.release(g.storage());
        }
    }
}

package org.stylemap.autograd;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.stylemap.memory.Storage;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * The record of one op application: its inputs and how to turn the output's gradient into the
 * inputs' gradients. Backward functions are written with differentiable ops, so running them
 * with gradients enabled builds the graph of the gradient (for gradients of gradients).
 *
 * <p>The tensors a backward function will read are exactly the ones its closure captured; the node
 * finds them there (so no op has to list them by hand, and none can forget one) and pins their
 * storage until its backward has run, which is what lets layer scopes free everything else early.
 */
public final class Node {
    /** Gradients of the inputs given the output's gradient gy; entries may be null where !needs[i]. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gy, boolean[] needs);
    }

    private final String op;
    private final Tensor[] inputs;
    private Backward backward;
    private List<Storage> saved;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.saved = captured(op, backward);
        for (Storage s : saved) s.pin();
    }

    public String op() { return op; }
    public Tensor[] inputs() { return inputs; }

    Backward backward() {
        if (backward == null)
            throw new IllegalStateException("backward through " + op + " a second time: its saved tensors were freed after the "
                    + "first backward (compute both gradients in one pass, or use Autograd.grad with createGraph)");
        return backward;
    }

    /** After a backward that does not keep the graph: the saved tensors are no longer needed here. */
    void release() {
        if (backward == null) return;
        backward = null;
        for (Storage s : saved) s.unpin();
        saved = List.of();
    }

    /** The fields of each backward closure class: its captured variables. */
    private static final ClassValue<Field[]> CAPTURES = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Field f : type.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                f.setAccessible(true);
                fields.add(f);
            }
            return fields.toArray(Field[]::new);
        }
    };

    private static List<Storage> captured(String op, Backward backward) {
        List<Storage> out = new ArrayList<>(4);
        for (Field f : CAPTURES.get(backward.getClass())) {
            Object v;
            try {
                v = f.get(backward);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read the captures of " + op + "'s backward", e);
            }
            collect(op, v, out);
        }
        return out;
    }

    private static void collect(String op, Object v, List<Storage> out) {
        switch (v) {
            case null -> { }
            case Tensor t -> out.add(t.storage());
            case Tensor[] ts -> { for (Tensor t : ts) collect(op, t, out); }
            case Collection<?> c -> { for (Object o : c) collect(op, o, out); }
            case Number n -> { }
            case Boolean b -> { }
            case String s -> { }
            case Enum<?> e -> { }
            case Device d -> { }
            default -> {
                if (!v.getClass().isArray() || !v.getClass().getComponentType().isPrimitive())
                    throw new IllegalStateException("the backward of " + op + " captures a " + v.getClass().getName()
                            + ": the graph cannot tell which tensors it holds; capture tensors (or arrays of them) directly");
            }
        }
    }
}

package org.stylemap.nn;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * A tree of named parameters, buffers and submodules. Dotted names follow PyTorch's state_dict
 * ("decoder.convs.0.conv1.weight"), so weights move between this project and PyTorch by name.
 * Parameters and buffers are long-lived: they are allocated outside every Scope.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter (it is moved out of any open scope). */
    protected final Tensor parameter(String name, java.util.function.Supplier<Tensor> init) {
        Tensor t = Scope.untracked(init).requiresGrad(true).named(name);
        params.put(name, t);
        return t;
    }

    /** Registers a constant that belongs to the state (e.g. a blur kernel). */
    protected final Tensor buffer(String name, java.util.function.Supplier<Tensor> init) {
        Tensor t = Scope.untracked(init).named(name);
        buffers.put(name, t);
        return t;
    }

    protected final <M extends Module> M module(String name, M m) {
        children.put(name, m);
        return m;
    }

    /** Every parameter under its dotted name, in registration order. */
    public final Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return Collections.unmodifiableMap(out);
    }

    /** Parameters and buffers under their dotted names (PyTorch's state_dict order). */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withBuffers));
    }

    /**
     * Copies values into this module's tensors. Every key of the module must be present with the
     * same shape; extra keys are errors too, so a checkpoint of another configuration is refused.
     */
    public final void loadStateDict(Map<String, Tensor> values, String source) {
        Map<String, Tensor> mine = stateDict();
        for (String k : values.keySet())
            if (!mine.containsKey(k)) throw new IllegalArgumentException(source + ": unexpected key '" + k + "'");
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor v = values.get(e.getKey());
            if (v == null) throw new IllegalArgumentException(source + ": missing key '" + e.getKey() + "'");
            if (!Arrays.equals(v.shape(), e.getValue().shape()))
                throw new IllegalArgumentException(source + ": '" + e.getKey() + "' has shape " + Shape.str(v.shape())
                        + " but the configuration needs " + Shape.str(e.getValue().shape()));
            Elementwise.copyInto(e.getValue(), Elementwise.cast(v.detach(), e.getValue().dtype()));
        }
    }

    /** Freezes (false) or unfreezes (true) every parameter. */
    public final void setRequiresGrad(boolean on) {
        for (Tensor p : parameters().values()) p.requiresGrad(on);
    }

    public final void zeroGrad() {
        for (Tensor p : parameters().values()) p.zeroGrad();
    }

    /** Training mode (the default) or evaluation mode, for this module and all below it. */
    public final void train(boolean on) {
        training = on;
        for (Module m : children.values()) m.train(on);
    }

    public final boolean isTraining() {
        return training;
    }

    /**
     * Runs one layer's computation in a layer scope: its temporaries are freed as soon as it
     * returns, except what a graph node saved for the backward (see {@link Scope#openLayer}).
     */
    protected static Tensor layer(Supplier<Tensor> body) {
        try (Scope s = Scope.openLayer()) {
            return Scope.keep(body.get());
        }
    }

    /**
     * In a chain of layers: out replaces x, which the chain made and nothing reads again, so x is
     * freed now unless the graph saved it for the backward. Returns out.
     */
    protected static Tensor next(Tensor x, Tensor out) {
        Scope.drop(x, out);
        return out;
    }

    /** Number of trainable values. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : parameters().values()) n += p.numel();
        return n;
    }
}

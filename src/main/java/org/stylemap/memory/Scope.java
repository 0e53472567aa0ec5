package org.stylemap.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Collections;
import java.util.function.Supplier;
import org.stylemap.tensor.Tensor;

/**
 * Deterministic lifetime for temporaries. Every storage allocated while a scope is open on this
 * thread belongs to the innermost scope, and is freed when that scope closes. A training step
 * runs inside one scope, so its activations, graph and gradients' temporaries are released at the
 * end of the step, not when the garbage collector gets round to it (which matters for GPU memory).
 * <pre>
 * try (Scope s = Scope.open()) {
 *     Tensor loss = model.forward(x);   // freed when s closes
 *     Scope.keep(result);               // survives: moved to the enclosing scope
 * }
 * </pre>
 * A layer scope ({@link #openLayer}) frees what a layer allocated as soon as the layer returns,
 * except what a graph node saved for its backward: that moves to the enclosing scope and is freed
 * when backward has used it (or, at the latest, when the enclosing scope closes). So a forward
 * without gradients holds one layer's temporaries at a time, and a training forward holds only
 * what its backward will read, as PyTorch's reference counting gives.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<Storage> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Scope parent;
    private final boolean layer;
    private boolean closed;

    private Scope(Scope parent, boolean layer) {
        this.parent = parent;
        this.layer = layer;
    }

    /** Opens a scope nested in the current one: everything it owns is freed when it closes. */
    public static Scope open() {
        return push(false);
    }

    /**
     * Opens a scope for one layer's work (nested in the current one). On close it frees what it
     * owns except storage pinned by a graph node, which goes to the enclosing scope (or, with none,
     * becomes long-lived) and is freed at its last unpin. Keep the layer's output with {@link #keep}.
     */
    public static Scope openLayer() {
        return push(true);
    }

    /**
     * Frees t now when nothing will read it again: the innermost scope owns it (so the caller made
     * it), no graph node saved it, and next (what replaces it) is not a view of it. For chains of
     * layers, where each output is read only by the next layer.
     */
    public static void drop(Tensor t, Tensor next) {
        Scope s = STACK.get().peek();
        Storage st = t.storage();
        if (s == null || st == next.storage() || st.pinned() || !s.owned.remove(st)) return;
        st.free();
    }

    private static Scope push(boolean layer) {
        ArrayDeque<Scope> stack = STACK.get();
        Scope s = new Scope(stack.peek(), layer);
        stack.push(s);
        return s;
    }

    /** Frees storage now and forgets it (the caller knows nothing else uses it). */
    public void release(Storage storage) {
        if (owned.remove(storage)) storage.free();
    }

    /** Called by backends for every new storage: the innermost open scope takes ownership. */
    public static void register(Storage storage) {
        Scope s = STACK.get().peek();
        if (s != null) s.owned.add(storage);
    }

    /**
     * Gives storage the lifetime of owner: it joins the open scope that owns owner, and stays
     * long-lived when none does (a leaf's gradient lives as long as the leaf).
     */
    public static void tieTo(Storage owner, Storage storage) {
        for (Scope s : STACK.get()) s.owned.remove(storage);
        for (Scope s : STACK.get())
            if (s.owned.contains(owner)) {
                s.owned.add(storage);
                return;
            }
    }

    /**
     * Moves the storage of these tensors from the innermost scope to its parent (or out of all
     * scopes when there is none), so they outlive the innermost scope. Returns the first tensor.
     */
    public static Tensor keep(Tensor... tensors) {
        Scope s = STACK.get().peek();
        if (s != null)
            for (Tensor t : tensors)
                if (t != null && s.owned.remove(t.storage()) && s.parent != null) s.parent.owned.add(t.storage());
        return tensors.length > 0 ? tensors[0] : null;
    }

    /** Runs body with no scope active, so what it allocates is long-lived (parameters, state). */
    public static <T> T untracked(Supplier<T> body) {
        ArrayDeque<Scope> stack = STACK.get();
        STACK.set(new ArrayDeque<>());
        try {
            return body.get();
        } finally {
            STACK.set(stack);
        }
    }

    /** Number of storages this scope currently owns (for tests and memory reports). */
    public int size() {
        return owned.size();
    }

    @Override
    public void close() {
        if (closed) return;
        ArrayDeque<Scope> stack = STACK.get();
        // Checked before marking it closed: a refused close must leave the scope open and closable.
        if (stack.peek() != this) throw new IllegalStateException("scopes must be closed in the order they were opened");
        closed = true;
        stack.pop();
        List<Storage> toFree = new ArrayList<>(owned);
        owned.clear();
        for (Storage st : toFree) {
            if (layer && st.pinned() && !st.isFreed()) {
                st.orphan();
                if (parent != null) parent.owned.add(st);
            } else st.free();
        }
    }
}

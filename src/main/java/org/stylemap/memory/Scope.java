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
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<Storage> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Scope parent;
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
    }

    /** Opens a scope nested in the current one. */
    public static Scope open() {
        ArrayDeque<Scope> stack = STACK.get();
        Scope s = new Scope(stack.peek());
        stack.push(s);
        return s;
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

    /** True when the storage is owned by some open scope (false: long-lived, GC-backed). */
    public static boolean isScoped(Storage storage) {
        for (Scope s : STACK.get()) if (s.owned.contains(storage)) return true;
        return false;
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
        for (Storage st : toFree) st.free();
    }
}

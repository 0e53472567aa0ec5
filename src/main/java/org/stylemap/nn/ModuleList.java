package org.stylemap.nn;

/** Children numbered "0", "1", ... in the order added, like PyTorch's ModuleList and Sequential. */
public final class ModuleList extends Module {
    private int count;

    public <M extends Module> M add(M m) {
        return module(String.valueOf(count++), m);
    }
}

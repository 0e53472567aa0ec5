package org.stylemap.memory;

import java.lang.foreign.MemorySegment;
import org.stylemap.backend.Backend;
import org.stylemap.tensor.DType;

/**
 * A block of device memory owned by one backend. Tensors are views onto a storage.
 * Every storage is freed exactly once: by the {@link Scope} it was allocated in, or, for storage
 * allocated outside any scope (parameters, optimizer state), by {@link #free()} or at last by the
 * garbage collector. Any use after free fails with a message saying so.
 */
public abstract class Storage {
    private final Backend backend;
    private final DType dtype;
    private final long numel;
    private volatile boolean freed;
    /** Graph nodes whose backward still needs this storage (see {@link Scope#openLayer()}). */
    private int pins;
    /** Its scope has closed while it was pinned: free it when the last pin goes. */
    private boolean orphaned;

    protected Storage(Backend backend, DType dtype, long numel) {
        this.backend = backend;
        this.dtype = dtype;
        this.numel = numel;
    }

    public final Backend backend() { return backend; }
    public final DType dtype() { return dtype; }
    public final long numel() { return numel; }
    public final long bytes() { return numel * dtype.bytes; }
    public final boolean isFreed() { return freed; }

    /** Throws if this storage has been freed. */
    public final void checkLive() {
        if (freed)
            throw new IllegalStateException("tensor used after it was freed (its scope was closed); "
                    + "keep it with Scope.keep(...) or allocate it outside the scope");
    }

    /**
     * This storage's bytes when they are host memory of this process (the CPU backend), else null.
     * Lets transfers between the host and a device skip a staging copy.
     */
    public MemorySegment hostSegment() {
        return null;
    }

    /** A graph node saved a view of this storage for its backward. */
    public final void pin() {
        pins++;
    }

    /** A node's backward no longer needs it; frees it when that was the last pin and its scope has closed. */
    public final void unpin() {
        if (--pins == 0 && orphaned) free();
    }

    final boolean pinned() {
        return pins > 0;
    }

    /** Its owning scope closed while the graph still needed it: it is freed at its last unpin. */
    final void orphan() {
        orphaned = true;
    }

    /** Releases the memory now. Idempotent. */
    public final void free() {
        if (freed) return;
        freed = true;
        release();
    }

    /** Backend-specific release of the memory; called once. */
    protected abstract void release();
}

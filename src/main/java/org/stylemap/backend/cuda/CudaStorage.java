package org.stylemap.backend.cuda;

import java.lang.ref.Cleaner;
import org.stylemap.memory.Storage;
import org.stylemap.tensor.DType;

/**
 * Device storage: a block of the backend's caching allocator (a device pointer and its size
 * class). Freed by its scope or free(), which return the block to the allocator's cache, or, for
 * long-lived storage nobody references any more, by the garbage collector's cleaner (from the
 * cleaner's thread; the allocator is thread-safe). Never host memory: {@link #hostSegment()}
 * stays null, so transfers always take the runtime's copy path, on the emulator too.
 */
final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    /** What the cleaner holds: it must not reference the storage itself. */
    private record Release(CudaAllocator allocator, CudaAllocator.Block block) implements Runnable {
        @Override
        public void run() {
            allocator.release(block);
        }
    }

    private final long pointer;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaBackend backend, CudaAllocator allocator, DType dtype, long numel) {
        super(backend, dtype, numel);
        if (numel == 0) { // nothing to hold; kernels never launch on empty tensors
            pointer = 0;
            cleanable = null;
            return;
        }
        CudaAllocator.Block block = allocator.allocate(numel * dtype.bytes);
        pointer = block.pointer();
        cleanable = CLEANER.register(this, new Release(allocator, block));
    }

    /** The device address of element 0. */
    long pointer() {
        checkLive();
        return pointer;
    }

    @Override
    protected void release() {
        if (cleanable != null) cleanable.clean();
    }
}

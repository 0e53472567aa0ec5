package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.stylemap.backend.Backend;
import org.stylemap.memory.Storage;
import org.stylemap.tensor.DType;

/** Host storage: one native block. Freed by its scope, by free(), or by the GC as a last resort. */
final class CpuStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();
    static final AtomicLong LIVE_BYTES = new AtomicLong();

    /** The part the cleaner holds: it must not reference the storage itself. */
    private record Block(long address, long bytes, AtomicBoolean released) implements Runnable {
        @Override
        public void run() {
            if (released.compareAndSet(false, true)) {
                NativeMemory.free(address);
                LIVE_BYTES.addAndGet(-bytes);
            }
        }
    }

    final MemorySegment segment;
    private final Block block;
    private final Cleaner.Cleanable cleanable;

    CpuStorage(Backend backend, DType dtype, long numel) {
        super(backend, dtype, numel);
        segment = NativeMemory.allocate(numel * dtype.bytes);
        block = new Block(segment.address(), numel * dtype.bytes, new AtomicBoolean());
        LIVE_BYTES.addAndGet(block.bytes());
        cleanable = CLEANER.register(this, block);
    }

    @Override
    protected void release() {
        cleanable.clean();
    }
}

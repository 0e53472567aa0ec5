package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.stylemap.backend.Backend;
import org.stylemap.backend.MemoryStats;
import org.stylemap.memory.Storage;
import org.stylemap.tensor.DType;

/**
 * Host storage: one native block. Freed by its scope, by free(), or by the GC as a last resort.
 * Tensors live off the Java heap, so the heap limit does not bound them: allocations are counted
 * against {@link CpuMemoryLimit} and refused with a clear out-of-memory message past it, instead
 * of the kernel killing the process.
 */
final class CpuStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LIVE_BYTES = new AtomicLong(), PEAK_BYTES = new AtomicLong();

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
    private final Cleaner.Cleanable cleanable;

    CpuStorage(Backend backend, DType dtype, long numel) {
        super(backend, dtype, numel);
        long bytes = numel * dtype.bytes;
        reserve(bytes);
        try {
            segment = NativeMemory.allocate(bytes);
        } catch (RuntimeException | Error e) {
            LIVE_BYTES.addAndGet(-bytes);
            throw e;
        }
        cleanable = CLEANER.register(this, new Block(segment.address(), bytes, new AtomicBoolean()));
    }

    /** Counts bytes as live, or refuses them when they would pass the limit. */
    private static void reserve(long bytes) {
        long limit = CpuMemoryLimit.bytes();
        long live = LIVE_BYTES.addAndGet(bytes);
        if (live > limit) {
            LIVE_BYTES.addAndGet(-bytes);
            // Long-lived storages nobody references any more are freed by the GC's cleaner: give it one chance.
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            live = LIVE_BYTES.addAndGet(bytes);
            if (live > limit) {
                LIVE_BYTES.addAndGet(-bytes);
                throw new OutOfMemoryError("out of CPU memory: a tensor of " + MemoryStats.mib(bytes) + " does not fit ("
                        + MemoryStats.mib(live - bytes) + " held by tensors, limit " + MemoryStats.mib(limit) + "; "
                        + CpuMemoryLimit.HOW_TO_SET + ")");
            }
        }
        PEAK_BYTES.accumulateAndGet(live, Math::max);
    }

    static MemoryStats stats() {
        long live = LIVE_BYTES.get();
        return new MemoryStats(live, Math.max(live, PEAK_BYTES.get()), live, CpuMemoryLimit.bytes());
    }

    static void resetPeak() {
        PEAK_BYTES.set(LIVE_BYTES.get());
    }

    @Override
    public MemorySegment hostSegment() {
        checkLive();
        return segment;
    }

    @Override
    protected void release() {
        cleanable.clean();
    }
}

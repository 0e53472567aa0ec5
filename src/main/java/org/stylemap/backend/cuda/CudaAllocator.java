package org.stylemap.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.stylemap.backend.MemoryStats;
import org.stylemap.backend.cuda.runtime.DeviceOutOfMemoryException;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.MemoryInfo;

/**
 * A stream-ordered caching allocator over one runtime: device memory is taken from the runtime
 * (cuMemAlloc) only when no cached block of the size class is free, and freed blocks go back to
 * the cache, not to the device. A training step allocates the same sizes every iteration, so
 * after the first one no allocation reaches the driver.
 * <p>
 * <b>Size classes.</b> Requests are rounded up to a multiple of 512 bytes below 1 MiB and of
 * 2 MiB from 1 MiB on; a request is served by a free block of exactly its class. Blocks are never
 * split or merged: a split block could only return to the device when all its pieces are free,
 * and splitting buys little when the same sizes recur; the price is at most 2 MiB of rounding
 * per large block (counted in live and peak, which are block sizes).
 * <p>
 * <b>Stream order.</b> There is one stream, so a block freed while kernels that use it are still
 * queued can be handed out at once: whatever the new owner issues runs after them. Blocks are
 * returned to the runtime only by {@link #emptyCache} (cuMemFree may wait for the device).
 * <p>
 * <b>Out of memory.</b> When the device (or the limit) refuses a block: give the garbage collector
 * one chance to return the blocks of unreachable long-lived tensors, empty the cache, retry once,
 * then an OutOfMemoryError that names the request, what is live and reserved, and what the
 * device has free.
 * <p>
 * Thread-safe: storage freed by the garbage collector's cleaner returns its block from that thread.
 */
final class CudaAllocator {
    static final long SMALL_GRANULE = 512, LARGE_GRANULE = 2L << 20, LARGE_FROM = 1L << 20;

    /** A device block: its address and its size class (bytes). */
    record Block(long pointer, long bytes) {}

    private final KernelRuntime runtime;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long limit, live, reserved, peak, runtimeAllocations;

    /** The limit bounds reserved memory (live plus cached); the device's own capacity applies too. */
    CudaAllocator(KernelRuntime runtime, long limit) {
        this.runtime = runtime;
        this.limit = limit;
    }

    /** The size class of a request of bytes (at least one granule). */
    static long sizeClass(long bytes) {
        long granule = bytes < LARGE_FROM ? SMALL_GRANULE : LARGE_GRANULE;
        return Math.max(granule, (bytes + granule - 1) / granule * granule);
    }

    /** A block of at least bytes bytes: a cached one of its class, or a new one from the runtime. */
    Block allocate(long bytes) {
        long size = sizeClass(bytes);
        synchronized (this) {
            Block b = take(size);
            if (b != null) return b;
        }
        // Outside the lock, so that the cleaner can return the blocks of unreachable long-lived tensors.
        System.gc();
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            emptyCache();
            Block b = take(size);
            if (b != null) return b;
            MemoryInfo device = runtime.memoryInfo();
            throw new OutOfMemoryError("out of GPU memory: a tensor of " + MemoryStats.mib(bytes) + " does not fit ("
                    + MemoryStats.mib(live) + " live in tensors, " + MemoryStats.mib(reserved) + " reserved, device: "
                    + device + (limit < device.totalBytes() ? ", limit " + MemoryStats.mib(limit) : "")
                    + "); use a smaller batch");
        }
    }

    /** A cached block of the class, else a new one from the runtime, else null. */
    private Block take(long size) {
        ArrayDeque<Long> cached = free.get(size);
        Long pointer = cached == null ? null : cached.pollLast();
        if (pointer == null) pointer = tryRuntime(size);
        if (pointer == null) return null;
        live += size;
        peak = Math.max(peak, live);
        return new Block(pointer, size);
    }

    /** Returns a block to the cache (any thread). */
    synchronized void release(Block block) {
        live -= block.bytes();
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).addLast(block.pointer());
    }

    /** Returns every cached block to the device. */
    synchronized void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet())
            for (long p : e.getValue()) {
                runtime.free(p);
                reserved -= e.getKey();
            }
        free.clear();
    }

    /** A new block from the runtime, or null when the limit or the device refuses it. */
    private Long tryRuntime(long size) {
        if (reserved + size > limit) return null;
        try {
            long p = runtime.alloc(size);
            reserved += size;
            runtimeAllocations++;
            return p;
        } catch (DeviceOutOfMemoryException e) {
            return null;
        }
    }

    synchronized MemoryStats stats() {
        return new MemoryStats(live, peak, reserved, limit);
    }

    synchronized void resetPeak() {
        peak = live;
    }

    /** Caps reserved memory (for tests and users who share a device); blocks over it stay until freed. */
    synchronized void setLimit(long bytes) {
        limit = bytes;
    }

    /** How many blocks were taken from the runtime so far (each a cuMemAlloc): for tests. */
    synchronized long runtimeAllocations() {
        return runtimeAllocations;
    }
}

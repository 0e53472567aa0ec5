package org.stylemap.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.stylemap.backend.cuda.runtime.KernelRuntime;

/**
 * Host transfers of one backend. The runtimes copy only from and to native (off-heap) memory:
 * native segments (CPU tensors) go straight through; heap segments (Java arrays) pass through one
 * reused native buffer, chunk by chunk, so a transfer of any size needs at most {@link #CHUNK}
 * bytes of staging. Thread-safe (the buffer is used by one transfer at a time).
 */
final class HostStaging {
    /** Staging buffer size: large transfers go in chunks of this. */
    static final long CHUNK = 8L << 20;

    private final KernelRuntime runtime;
    private MemorySegment buffer = MemorySegment.NULL;

    HostStaging(KernelRuntime runtime) {
        this.runtime = runtime;
    }

    /** Copies bytes from src (offset 0) to the device address dst; src may be reused on return. */
    void toDevice(long dst, MemorySegment src, long bytes) {
        if (bytes == 0) return; // an empty tensor has no device block
        if (src.isNative()) {
            runtime.copyToDevice(dst, src, bytes);
            return;
        }
        synchronized (this) {
            for (long done = 0; done < bytes; done += CHUNK) {
                long n = Math.min(CHUNK, bytes - done);
                MemorySegment.copy(src, done, buffer(n), 0, n);
                runtime.copyToDevice(dst + done, buffer, n);
            }
        }
    }

    /** Copies bytes from the device address src to dst (offset 0), after all queued work; waits. */
    void toHost(MemorySegment dst, long src, long bytes) {
        if (bytes == 0) return;
        if (dst.isNative()) {
            runtime.copyToHost(dst, src, bytes);
            return;
        }
        synchronized (this) {
            for (long done = 0; done < bytes; done += CHUNK) {
                long n = Math.min(CHUNK, bytes - done);
                runtime.copyToHost(buffer(n), src + done, n);
                MemorySegment.copy(buffer, 0, dst, done, n);
            }
        }
    }

    /** The staging buffer, grown to at least n bytes (never past CHUNK). */
    private MemorySegment buffer(long n) {
        if (buffer.byteSize() < n) buffer = Arena.ofAuto().allocate(Math.min(CHUNK, Math.max(n, 1 << 16)), 64);
        return buffer;
    }
}

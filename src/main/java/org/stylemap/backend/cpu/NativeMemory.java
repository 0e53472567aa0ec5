package org.stylemap.backend.cpu;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap blocks from the C allocator. Arenas would also work, but closing a shared arena costs
 * a handshake with every thread, far too slow for thousands of temporaries per training step;
 * aligned_alloc/free cost about as much as in C.
 */
final class NativeMemory {
    static final long ALIGN = 64; // one cache line, and one 512-bit vector
    private static final MethodHandle ALLOC, FREE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        ALLOC = linker.downcallHandle(libc.find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(libc.find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    private NativeMemory() {}

    /** A block of at least bytes bytes (never zero-sized), uninitialised. */
    static MemorySegment allocate(long bytes) {
        long rounded = Math.max(ALIGN, (bytes + ALIGN - 1) / ALIGN * ALIGN);
        try {
            MemorySegment p = (MemorySegment) ALLOC.invokeExact(ALIGN, rounded);
            if (p.address() == 0)
                throw new OutOfMemoryError("out of host memory allocating " + bytes + " bytes");
            return p.reinterpret(bytes);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void free(long address) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}

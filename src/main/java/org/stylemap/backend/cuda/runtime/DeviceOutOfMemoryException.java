package org.stylemap.backend.cuda.runtime;

/** An allocation the device could not satisfy; a caching allocator frees its cache and retries. */
public final class DeviceOutOfMemoryException extends KernelRuntimeException {
    private final long requestedBytes;

    public DeviceOutOfMemoryException(long requestedBytes, MemoryInfo memory) {
        super("out of device memory allocating " + requestedBytes + " bytes (" + memory + ")");
        this.requestedBytes = requestedBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}

package org.stylemap.backend.cuda.runtime;

import java.lang.foreign.MemorySegment;

/**
 * Device memory and kernel launches on one device, in stream order: the CUDA driver
 * ({@link DriverRuntime}) or the host emulator ({@link EmulatorRuntime}), which run the same
 * kernels/*.cu with the same argument packing. Device pointers are plain longs (addresses on the
 * device; host addresses on the emulator) and pointer arithmetic on them is the caller's.
 * <p>
 * Every operation is ordered after the ones before it. Launches, device-side copies and memsets
 * return without waiting for the device; {@link #copyToHost} and {@link #synchronize} wait. Host
 * segments must be native (off-heap) and at least bytes long. One runtime serves all threads.
 */
public interface KernelRuntime {
    /** One line: the device, for `stylemap info` and logs. */
    String describe();

    /** True for the host emulator. */
    boolean emulated();

    /**
     * bytes of device memory (256-byte aligned, uninitialised).
     * @throws DeviceOutOfMemoryException when the device has no room
     */
    long alloc(long bytes);

    /** Frees a pointer from {@link #alloc}; may wait for the device to finish work that uses it. */
    void free(long pointer);

    MemoryInfo memoryInfo();

    /** Copies bytes from a host segment to dst. The source may be reused when this returns. */
    void copyToDevice(long dst, MemorySegment src, long bytes);

    /** Copies bytes from src to a host segment, after all earlier work; waits for the copy. */
    void copyToHost(MemorySegment dst, long src, long bytes);

    void copyOnDevice(long dst, long src, long bytes);

    /** Sets bytes bytes at dst to the low 8 bits of value. */
    void memset(long dst, int value, long bytes);

    /**
     * The kernel name of kernels/family.cu.
     * @throws KernelRuntimeException when the family or the kernel does not exist
     */
    KernelFunction function(String family, String name);

    /**
     * Launches f with sharedBytes of dynamic shared memory (above 48 KiB the runtime opts in).
     * The emulator checks args against the kernel's parameter types and reports kernel failures
     * (deadlock, strict mode, assert) here; the GPU reports its errors at the next waiting call.
     */
    void launch(KernelFunction f, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

    /** Waits until all work issued so far has finished. */
    void synchronize();
}

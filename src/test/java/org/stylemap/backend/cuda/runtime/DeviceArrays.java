package org.stylemap.backend.cuda.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Test arrays on a runtime's device: uploads, downloads, and frees everything at close. */
public final class DeviceArrays implements AutoCloseable {
    private final KernelRuntime runtime;
    private final Arena arena = Arena.ofConfined();
    private final List<Long> pointers = new ArrayList<>();

    public DeviceArrays(KernelRuntime runtime) {
        this.runtime = runtime;
    }

    /** bytes of device memory, every byte 0xff (NaN as float, -1 as int) so unwritten places show. */
    public long alloc(long bytes) {
        long p = runtime.alloc(bytes);
        pointers.add(p);
        runtime.memset(p, 0xff, bytes);
        return p;
    }

    public long floats(float... v) {
        return upload(MemorySegment.ofArray(v), 4L * v.length);
    }

    public long ints(int... v) {
        return upload(MemorySegment.ofArray(v), 4L * v.length);
    }

    public long doubles(double... v) {
        return upload(MemorySegment.ofArray(v), 8L * v.length);
    }

    public float[] floats(long p, int n) {
        return download(p, 4L * n).toArray(ValueLayout.JAVA_FLOAT);
    }

    public int[] ints(long p, int n) {
        return download(p, 4L * n).toArray(ValueLayout.JAVA_INT);
    }

    public long[] longs(long p, int n) {
        return download(p, 8L * n).toArray(ValueLayout.JAVA_LONG);
    }

    public double[] doubles(long p, int n) {
        return download(p, 8L * n).toArray(ValueLayout.JAVA_DOUBLE);
    }

    private long upload(MemorySegment heap, long bytes) {
        long p = alloc(Math.max(bytes, 1));
        MemorySegment staging = arena.allocate(Math.max(bytes, 1), 16);
        MemorySegment.copy(heap, 0, staging, 0, bytes);
        runtime.copyToDevice(p, staging, bytes);
        return p;
    }

    private MemorySegment download(long p, long bytes) {
        MemorySegment staging = arena.allocate(Math.max(bytes, 1), 16);
        runtime.copyToHost(staging, p, bytes);
        return staging.asSlice(0, bytes);
    }

    @Override
    public void close() {
        runtime.synchronize();
        for (long p : pointers) runtime.free(p);
        arena.close();
    }
}

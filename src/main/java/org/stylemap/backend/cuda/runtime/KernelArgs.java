package org.stylemap.backend.cuda.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The arguments of one kernel launch, in the order of the kernel's parameters. Both runtimes pack
 * them the same way, in cuLaunchKernel's convention: an array of one pointer per parameter, each
 * pointing at the parameter's value. {@link #signature()} (p pointer, i int, l long, f float,
 * d double) is what the emulator checks against the kernel's C++ parameter types.
 */
public final class KernelArgs {
    private long[] values = new long[8];
    private char[] kinds = new char[8];
    private int count;

    /** A device pointer (T*). */
    public KernelArgs ptr(long devicePointer) {
        return add('p', devicePointer);
    }

    /** A 32-bit int or unsigned. */
    public KernelArgs i32(int value) {
        return add('i', value);
    }

    /** A 64-bit long long or size_t. */
    public KernelArgs i64(long value) {
        return add('l', value);
    }

    public KernelArgs f32(float value) {
        return add('f', Float.floatToRawIntBits(value));
    }

    public KernelArgs f64(double value) {
        return add('d', Double.doubleToRawLongBits(value));
    }

    public int count() {
        return count;
    }

    public String signature() {
        return new String(kinds, 0, count);
    }

    /** Bytes {@link #pack} writes. */
    long packedBytes() {
        return 16L * count;
    }

    /**
     * Writes the pointer array (count addresses) followed by one 8-byte slot per value into buf,
     * which must stay alive and unchanged until the launch call returns; returns buf's address,
     * the kernelParams of cuLaunchKernel.
     */
    long pack(MemorySegment buf) {
        long valuesAt = 8L * count;
        for (int i = 0; i < count; i++) {
            long slot = valuesAt + 8L * i;
            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, buf.address() + slot);
            switch (kinds[i]) {
                case 'i', 'f' -> buf.set(ValueLayout.JAVA_INT_UNALIGNED, slot, (int) values[i]);
                default -> buf.set(ValueLayout.JAVA_LONG_UNALIGNED, slot, values[i]);
            }
        }
        return buf.address();
    }

    private KernelArgs add(char kind, long value) {
        if (count == values.length) {
            values = Arrays.copyOf(values, 2 * count);
            kinds = Arrays.copyOf(kinds, 2 * count);
        }
        values[count] = value;
        kinds[count] = kind;
        count++;
        return this;
    }
}

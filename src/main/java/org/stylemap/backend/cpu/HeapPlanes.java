package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Per-thread heap scratch for the float32 image kernels, and the zero-bordered copy of an image
 * plane they work on. Small planes (training's 4x4 to 32x32 images) make per-call costs
 * dominate: a memory-segment copy or fill of a short run costs tens of nanoseconds of checks,
 * an array copy or a loop over arrays (whose range checks the JIT removes) almost nothing.
 */
final class HeapPlanes {
    /** Slots: a padded input plane; a second operand (a padded dy plane, an im2col block); output rows. */
    static final int PLANE = 0, AUX = 1, OUT = 2;
    private static final ThreadLocal<HeapPlanes> LOCAL = ThreadLocal.withInitial(HeapPlanes::new);
    private final float[][] slots = new float[3][0];

    private HeapPlanes() {}

    /** This thread's buffers; kernels that loop over many small planes fetch them once. */
    static HeapPlanes local() {
        return LOCAL.get();
    }

    /**
     * Slot i of this thread's buffers, at least n floats plus 64 of slack; contents undefined.
     * The slack keeps a vector that starts before n inside the array: a masked access that
     * reaches past the end of an array takes a slow path (lane by lane checks).
     */
    float[] get(int slot, int n) {
        if (slots[slot].length < n + SLACK) slots[slot] = new float[Math.max(n + SLACK, slots[slot].length * 3 / 2)];
        return slots[slot];
    }

    private static final int SLACK = 64;

    /**
     * dst[0, totalRows * stride) = the h x w float32 plane at src[plane] shifted down by top and
     * right by left (negative values crop): row pr holds source row pr - top where that exists
     * and pr < usedRows, columns likewise; zeros everywhere else.
     */
    static void pad(float[] dst, MemorySegment src, long plane, int h, int w, int top, int left,
                    int usedRows, int stride, int totalRows) {
        // Only what the copies leave uncovered is zeroed: a full fill costs as much as the copies.
        int c0 = Math.max(0, -left), c1 = Math.min(w, stride - left), r0 = Math.max(0, top), r1 = Math.min(usedRows, h + top);
        if (c0 >= c1 || r0 >= r1) {
            Arrays.fill(dst, 0, totalRows * stride, 0f);
            return;
        }
        Arrays.fill(dst, 0, r0 * stride, 0f);
        for (int pr = r0; pr < r1; pr++) {
            int row = pr * stride;
            Arrays.fill(dst, row, row + c0 + left, 0f);
            MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, (plane + (long) (pr - top) * w + c0) * Float.BYTES, dst, row + c0 + left, c1 - c0);
            Arrays.fill(dst, row + c1 + left, row + stride, 0f);
        }
        Arrays.fill(dst, r1 * stride, totalRows * stride, 0f);
    }
}

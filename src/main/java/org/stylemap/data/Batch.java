package org.stylemap.data;

import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * A batch of images as host floats [count, 3, size, size] in [-1, 1], with what it was made of.
 * The arrays are shared, not copied.
 *
 * @param position the loader position that produced it (the number of batches drawn before it), or -1
 * @param indices  the image index within the split of each sample
 * @param flipped  whether each sample was mirrored left-right
 * @param size     the image side length
 * @param pixels   the values, NCHW
 */
public record Batch(long position, int[] indices, boolean[] flipped, int size, float[] pixels) {
    public Batch {
        if (indices.length != flipped.length || pixels.length != indices.length * 3 * size * size)
            throw new IllegalArgumentException("batch arrays disagree: " + indices.length + " indices, " + flipped.length
                    + " flips, " + pixels.length + " values for size " + size);
    }

    public int count() { return indices.length; }

    /** {count, 3, size, size}. */
    public int[] shape() {
        return new int[] {count(), 3, size, size};
    }

    /** The pixels as a new tensor of dtype on the device (one transfer). */
    public Tensor toTensor(DType dtype, Device device) {
        return Tensor.of(dtype, device, pixels, shape());
    }
}

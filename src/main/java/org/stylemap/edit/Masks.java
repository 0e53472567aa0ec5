package org.stylemap.edit;

import java.nio.file.Path;
import org.stylemap.data.RgbImage;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * Editing masks as [1, size, size] tensors in the official convention: 1 where the edit takes the
 * reference, -1 elsewhere. From an image (white = reference), a pixel rectangle, or stylemap cells.
 */
public final class Masks {
    private Masks() {}

    /** A mask image file, center-cropped like the photos, resized nearest-neighbour and thresholded at mid-grey. */
    public static Tensor load(Path file, int size, DType dtype, Device device) {
        return of(Photos.read(file), size, dtype, device);
    }

    /**
     * A mask from an image: nearest-neighbour resizing keeps it binary (an antialiasing filter
     * would grey the edges and move the threshold), then pixels brighter than mid-grey are 1.
     */
    public static Tensor of(RgbImage img, int size, DType dtype, Device device) {
        RgbImage sq = img.centerCropSquare();
        int side = sq.width();
        double[] m = new double[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                int sy = (int) ((y + 0.5) * side / size), sx = (int) ((x + 0.5) * side / size);
                double grey = (sq.get(0, sx, sy) + sq.get(1, sx, sy) + sq.get(2, sx, sy)) / 3;
                m[y * size + x] = grey > 127.5 ? 1 : -1;
            }
        return Tensor.of(dtype, device, m, 1, size, size);
    }

    /** A rectangle [y0, y1) x [x0, x1) in pixels of the size x size image; it must lie inside and not be empty. */
    public static Tensor box(Box b, int size, DType dtype, Device device) {
        if (b.y0() < 0 || b.x0() < 0 || b.y1() > size || b.x1() > size || b.y0() >= b.y1() || b.x0() >= b.x1())
            throw new IllegalArgumentException("box " + b + " must lie inside the " + size + "x" + size
                    + " image with y0 < y1 and x0 < x1 (pixels of the image at the model's size)");
        double[] m = new double[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) m[y * size + x] = b.contains(y, x) ? 1 : -1;
        return Tensor.of(dtype, device, m, 1, size, size);
    }

    /** The mask as an image (white = reference), for output sheets. */
    public static RgbImage image(Tensor mask) {
        int h = mask.shape(1), w = mask.shape(2);
        double[] v = mask.toDoubleArray();
        float[] p = new float[3 * h * w];
        for (int i = 0; i < h * w; i++) p[i] = p[h * w + i] = p[2 * h * w + i] = v[i] > -1 ? 255f : 0f;
        return new RgbImage(w, h, p);
    }

    /** The fraction of pixels where the mask takes the reference. */
    public static double coverage(Tensor mask) {
        double n = 0;
        double[] v = mask.toDoubleArray();
        for (double x : v) if (x > -1) n++;
        return n / v.length;
    }

    /** A rectangle [y0, y1) x [x0, x1) in pixels; parsed from "y0,x0,y1,x1". */
    public record Box(int y0, int x0, int y1, int x1) {
        public boolean contains(int y, int x) {
            return y >= y0 && y < y1 && x >= x0 && x < x1;
        }

        public static Box parse(String s) {
            int[] v = Ints.parse(s, 4, "a box y0,x0,y1,x1");
            return new Box(v[0], v[1], v[2], v[3]);
        }

        @Override
        public String toString() {
            return y0 + "," + x0 + "," + y1 + "," + x1;
        }
    }
}

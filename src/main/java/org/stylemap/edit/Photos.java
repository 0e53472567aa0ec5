package org.stylemap.edit;

import java.nio.file.Path;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.Resampler;
import org.stylemap.data.RgbImage;
import org.stylemap.data.UnreadableImageException;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Photos in and out of the model: center-cropped, resized to the model's size, scaled to [-1, 1]. */
public final class Photos {
    private Photos() {}

    /** A photo as [1, 3, size, size] in [-1, 1]. */
    public static Tensor load(Path file, int size, DType dtype, Device device) {
        float[] p = pixels(file, size);
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) v[i] = p[i] / 127.5 - 1;
        return Tensor.of(dtype, device, v, 1, 3, size, size);
    }

    /** The photo center-cropped and resized to size x size: RGB planes of 0..255 values. */
    private static float[] pixels(Path file, int size) {
        RgbImage img;
        try {
            img = ImageFiles.read(file);
        } catch (UnreadableImageException e) {
            throw new IllegalArgumentException(file + ": " + e.reason());
        }
        return Resampler.resize(img.centerCropSquare(), size, size).planes();
    }

    /**
     * An editing mask [1, size, size] from an image: 1 where it is brighter than mid-grey (the region
     * taken from the reference), -1 elsewhere, the official code's convention.
     */
    public static Tensor mask(Path file, int size, DType dtype, Device device) {
        float[] v = pixels(file, size);
        double[] m = new double[size * size];
        for (int i = 0; i < m.length; i++) m[i] = (v[i] + v[m.length + i] + v[2 * m.length + i]) / 3 > 127.5 ? 1 : -1;
        return Tensor.of(dtype, device, m, 1, size, size);
    }
}

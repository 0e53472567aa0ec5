package org.stylemap.edit;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.Preparer;
import org.stylemap.data.SquareImage;
import org.stylemap.data.UnreadableImageException;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Photos in and out of the model: center-cropped, resized to the model's size, scaled to [-1, 1]. */
public final class Photos {
    private Photos() {}

    /** A photo as [1, 3, size, size] in [-1, 1] on the device; warn hears of a photo smaller than size. */
    public static Tensor load(Path file, int size, DType dtype, Device device, Consumer<String> warn) {
        float[] p = pixels(file, size, warn);
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) v[i] = p[i] / 127.5 - 1;
        return Tensor.of(dtype, device, v, 1, 3, size, size);
    }

    /** The photo center-cropped and resized to size x size: RGB planes of 0..255 values. */
    private static float[] pixels(Path file, int size, Consumer<String> warn) {
        SquareImage sq;
        try {
            sq = SquareImage.of(ImageFiles.read(file), Preparer.Crop.CENTER, size);
        } catch (UnreadableImageException e) {
            throw new IllegalArgumentException(file + ": " + e.reason());
        }
        if (sq.upscaled() != null)
            warn.accept("warning: " + file + " (" + sq.upscaled() + ") is smaller than the model's " + size + "x" + size + " and was enlarged");
        return sq.image().planes();
    }

    /**
     * An editing mask [1, size, size] from an image: 1 where it is brighter than mid-grey (the region
     * taken from the reference), -1 elsewhere, the official code's convention.
     */
    public static Tensor mask(Path file, int size, DType dtype, Device device, Consumer<String> warn) {
        float[] v = pixels(file, size, warn);
        double[] m = new double[size * size];
        for (int i = 0; i < m.length; i++) m[i] = (v[i] + v[m.length + i] + v[2 * m.length + i]) / 3 > 127.5 ? 1 : -1;
        return Tensor.of(dtype, device, m, 1, size, size);
    }
}

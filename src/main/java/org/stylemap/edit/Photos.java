package org.stylemap.edit;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.Preparer;
import org.stylemap.data.RgbImage;
import org.stylemap.data.SquareImage;
import org.stylemap.data.UnreadableImageException;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.Samples;

/**
 * Photos in and out of the model: center-cropped to a square and resized to the model's size with
 * the antialiased Lanczos filter `prepare` uses, scaled to [-1, 1]. A photo smaller than the
 * model's size is enlarged, and warn hears of it by name.
 */
public final class Photos {
    private Photos() {}

    /** A photo file (any size, any format ImageIO reads) as [1, 3, size, size] in [-1, 1]. */
    public static Tensor load(Path file, int size, DType dtype, Device device, Consumer<String> warn) {
        return of(read(file), file.toString(), size, dtype, device, warn);
    }

    /** A decoded image (name says which, in a warning) as [1, 3, size, size] in [-1, 1]. */
    public static Tensor of(RgbImage img, String name, int size, DType dtype, Device device, Consumer<String> warn) {
        SquareImage sq = SquareImage.of(img, Preparer.Crop.CENTER, size);
        if (sq.upscaled() != null)
            warn.accept("warning: " + name + " (" + sq.upscaled() + ") is smaller than the model's " + size + "x" + size + " and was enlarged");
        float[] p = sq.image().planes();
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) v[i] = p[i] / 127.5 - 1;
        return Tensor.of(dtype, device, v, 1, 3, size, size);
    }

    /** Decodes a file, refusing an unreadable one with a line naming it. */
    static RgbImage read(Path file) {
        try {
            return ImageFiles.read(file);
        } catch (UnreadableImageException e) {
            throw new IllegalArgumentException(file + ": " + e.reason());
        }
    }

    /** The first image of x [N, 3, H, W] (values in [-1, 1], clamped) as RGB. */
    public static RgbImage image(Tensor x) {
        return Samples.images(x).getFirst();
    }

    /** Every image of x as RGB. */
    public static List<RgbImage> images(Tensor x) {
        return Samples.images(x);
    }
}

package org.stylemap.train;

import java.nio.file.Path;
import org.stylemap.io.AtomicFile;
import java.util.ArrayList;
import java.util.List;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.ImageGrid;
import org.stylemap.data.RgbImage;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Images of a run: tensors in [-1, 1] to RGB tiles, and sample grids written atomically as PNG. */
public final class Samples {
    private Samples() {}

    /** Each image of x [N,3,H,W] (values in [-1, 1], clamped) as an RGB image. */
    public static List<RgbImage> images(Tensor x) {
        int n = x.shape(0), h = x.shape(2), w = x.shape(3), plane = 3 * h * w;
        double[] v = x.toDoubleArray();
        List<RgbImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] p = new float[plane];
            for (int j = 0; j < plane; j++) p[j] = (float) (Math.max(-1, Math.min(1, v[i * plane + j])) * 127.5 + 127.5);
            out.add(new RgbImage(w, h, p));
        }
        return out;
    }

    /**
     * The run's progress picture: a row of random samples for fixed noise, then rows of fixed
     * validation images followed by their reconstructions through the encoder and generator.
     */
    public static void writeGrid(Path png, Generator g, Encoder e, Tensor z, Tensor val) {
        List<RgbImage> tiles = new ArrayList<>();
        int columns = z.shape(0);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            tiles.addAll(images(g.synthesize(g.stylemap(z))));
            if (val != null) {
                tiles.addAll(images(val));
                tiles.addAll(images(g.synthesize(e.forward(val))));
            }
        }
        write(ImageGrid.of(tiles.stream().map(Samples::atLeast64).toList(), columns), png);
    }

    /** Small images are repeated pixel by pixel up to 64 px or more, so a grid of 32 px samples is legible. */
    static RgbImage atLeast64(RgbImage img) {
        int f = Math.max(1, (64 + img.width() - 1) / img.width());
        if (f == 1) return img;
        int w = img.width(), h = img.height();
        float[] src = img.planes(), dst = new float[3 * w * h * f * f];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h * f; y++)
                for (int x = 0; x < w * f; x++) dst[(c * h * f + y) * w * f + x] = src[(c * h + y / f) * w + x / f];
        return new RgbImage(w * f, h * f, dst);
    }

    public static void write(RgbImage img, Path png) {
        AtomicFile.write(png, tmp -> ImageFiles.writePng(img, tmp));
    }
}

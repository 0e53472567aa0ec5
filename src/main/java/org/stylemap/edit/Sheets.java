package org.stylemap.edit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.stylemap.data.ImageGrid;
import org.stylemap.data.RgbImage;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.Samples;

/** The pictures editing writes: rows and grids of tiles, boxes drawn on photos, numbered frames. */
public final class Sheets {
    /** Box colours in drawing order (blue, green, red, ...), so box i has the same colour on both photos. */
    private static final int[] COLORS = {0x2060ff, 0x20c040, 0xff3030, 0xffc000, 0xc040ff, 0x00c0c0};

    private Sheets() {}

    /** The tiles side by side. */
    public static RgbImage row(List<RgbImage> tiles) {
        return ImageGrid.of(tiles, tiles.size());
    }

    /** The tiles row by row, columns wide. */
    public static RgbImage grid(List<RgbImage> tiles, int columns) {
        return ImageGrid.of(tiles, columns);
    }

    /** The images of x [1, 3, H, W] tensors side by side. */
    public static RgbImage row(Tensor... images) {
        return row(java.util.Arrays.stream(images).map(Photos::image).toList());
    }

    /** A local edit: the original, the references, their reconstructions, the edit. */
    public static RgbImage localEdit(EditModel m, Input original, List<Input> references, Tensor edited) {
        List<RgbImage> tiles = new ArrayList<>(List.of(original.tile(m)));
        for (Input r : references) tiles.add(r.tile(m));
        tiles.add(Photos.image(m.decode(original.latent())));
        for (Input r : references) tiles.add(Photos.image(m.decode(r.latent())));
        tiles.add(Photos.image(edited));
        return row(tiles);
    }

    /** An edit of one input: the input, its reconstruction, the result. */
    public static RgbImage single(EditModel m, Input input, Tensor result) {
        return row(List.of(input.tile(m), Photos.image(m.decode(input.latent())), Photos.image(result)));
    }

    /** Style mixing: both inputs, their reconstructions, the mix. */
    public static RgbImage mix(EditModel m, Input coarse, Input fine, Tensor mixed) {
        return row(List.of(coarse.tile(m), fine.tile(m), Photos.image(m.decode(coarse.latent())), Photos.image(m.decode(fine.latent())),
                Photos.image(mixed)));
    }

    /** Transplantation: both inputs with box i drawn in colour i (at its target on the original, its source on the reference), their reconstructions, the result. */
    public static RgbImage transplant(EditModel m, Input original, Input reference, List<Transplant.Move> moves, Tensor result) {
        RgbImage pa = original.tile(m), pb = reference.tile(m);
        int cell = m.size() / m.config().latentSpatialSize();
        for (int i = 0; i < moves.size(); i++) {
            Transplant.Move mv = moves.get(i);
            pa = withBox(pa, mv.toY() * cell, mv.toX() * cell, (mv.toY() + mv.h()) * cell, (mv.toX() + mv.w()) * cell, i);
            pb = withBox(pb, mv.fromY() * cell, mv.fromX() * cell, (mv.fromY() + mv.h()) * cell, (mv.fromX() + mv.w()) * cell, i);
        }
        return row(List.of(pa, pb, Photos.image(m.decode(original.latent())), Photos.image(m.decode(reference.latent())), Photos.image(result)));
    }

    /** An interpolation: a, the frames, b. */
    public static RgbImage strip(EditModel m, Input a, List<Tensor> frames, Input b) {
        List<RgbImage> tiles = new ArrayList<>(List.of(a.tile(m)));
        for (Tensor f : frames) tiles.add(Photos.image(f));
        tiles.add(b.tile(m));
        return row(tiles);
    }

    /** A copy of img with the outline of [y0, y1) x [x0, x1) drawn two pixels wide in the i-th colour. */
    public static RgbImage withBox(RgbImage img, int y0, int x0, int y1, int x1, int i) {
        RgbImage out = new RgbImage(img.width(), img.height(), img.planes().clone());
        int rgb = COLORS[i % COLORS.length], t = Math.max(1, Math.min(2, Math.min(y1 - y0, x1 - x0) / 2));
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
                boolean edge = y < y0 + t || y >= y1 - t || x < x0 + t || x >= x1 - t;
                if (!edge) continue;
                for (int c = 0; c < 3; c++) out.set(c, x, y, (rgb >> (16 - 8 * c)) & 0xff);
            }
        return out;
    }

    /** Writes a PNG (atomically: never a half-written file). */
    public static void write(RgbImage img, Path png) {
        Samples.write(img, png);
    }

    /** The frames as dir/000.png, dir/001.png, ... */
    public static void writeFrames(List<RgbImage> frames, Path dir) {
        for (int i = 0; i < frames.size(); i++) write(frames.get(i), frameFile(dir, i));
    }

    /** Frames as dir/NNN.png and, side by side, dir/strip.png. */
    public static void writeFramesAndStrip(List<Tensor> frames, Path dir) {
        List<RgbImage> f = frames.stream().map(Photos::image).toList();
        writeFrames(f, dir);
        write(row(f), dir.resolve("strip.png"));
    }

    /** Where {@link #writeFrames} puts frame i. */
    public static Path frameFile(Path dir, int i) {
        return dir.resolve(String.format("%03d.png", i));
    }
}

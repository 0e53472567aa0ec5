package org.stylemap.edit;

import java.nio.file.Path;
import java.util.List;
import org.stylemap.data.ImageGrid;
import org.stylemap.data.RgbImage;
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

    /** Where {@link #writeFrames} puts frame i. */
    public static Path frameFile(Path dir, int i) {
        return dir.resolve(String.format("%03d.png", i));
    }
}

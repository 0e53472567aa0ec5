package org.stylemap.data;

import java.util.List;

/** Tiles equally sized images into one sheet, for eyeballing datasets and samples. */
public final class ImageGrid {
    /** Pixels of white between tiles and around the sheet. */
    private static final int GAP = 2;

    private ImageGrid() {}

    /** The tiles row by row, columns wide, separated by thin white lines. */
    public static RgbImage of(List<RgbImage> tiles, int columns) {
        if (tiles.isEmpty()) throw new IllegalArgumentException("no images to tile");
        if (columns <= 0) throw new IllegalArgumentException("columns must be positive, got " + columns);
        int tw = tiles.get(0).width(), th = tiles.get(0).height();
        int cols = Math.min(columns, tiles.size()), rows = (tiles.size() + cols - 1) / cols;
        RgbImage sheet = RgbImage.blank(GAP + cols * (tw + GAP), GAP + rows * (th + GAP));
        java.util.Arrays.fill(sheet.planes(), 255f);
        for (int i = 0; i < tiles.size(); i++) {
            RgbImage t = tiles.get(i);
            if (t.width() != tw || t.height() != th)
                throw new IllegalArgumentException("tile " + i + " is " + t.width() + "x" + t.height() + ", expected " + tw + "x" + th);
            int x0 = GAP + (i % cols) * (tw + GAP), y0 = GAP + (i / cols) * (th + GAP);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw; x++) sheet.set(c, x0 + x, y0 + y, t.get(c, x, y));
        }
        return sheet;
    }
}

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
        Sheet sheet = new Sheet(tiles.size(), columns, tiles.get(0).width(), tiles.get(0).height());
        for (int i = 0; i < tiles.size(); i++) sheet.put(i, tiles.get(i));
        return sheet.image();
    }

    /** A sheet filled tile by tile, so that the tiles need not all exist at once. */
    public static final class Sheet {
        private final int cols, tw, th;
        private final RgbImage image;

        /** A white sheet for count tiles of tw x th, columns wide. */
        public Sheet(int count, int columns, int tw, int th) {
            if (count <= 0) throw new IllegalArgumentException("no images to tile");
            if (columns <= 0) throw new IllegalArgumentException("columns must be positive, got " + columns);
            this.cols = Math.min(columns, count);
            this.tw = tw;
            this.th = th;
            int rows = (count + cols - 1) / cols;
            long pixels = (long) (GAP + cols * (tw + GAP)) * (GAP + rows * (th + GAP));
            if (3 * pixels > Integer.MAX_VALUE)
                throw new IllegalArgumentException(count + " images of " + tw + "x" + th + " make a sheet of " + pixels / 1_000_000
                        + " megapixels, more than one image can hold (about " + Integer.MAX_VALUE / 3 / 1_000_000 + ")");
            image = RgbImage.blank(GAP + cols * (tw + GAP), GAP + rows * (th + GAP));
            java.util.Arrays.fill(image.planes(), 255f);
        }

        /** Puts tile i in its place. */
        public void put(int i, RgbImage t) {
            if (t.width() != tw || t.height() != th)
                throw new IllegalArgumentException("tile " + i + " is " + t.width() + "x" + t.height() + ", expected " + tw + "x" + th);
            int x0 = GAP + (i % cols) * (tw + GAP), y0 = GAP + (i / cols) * (th + GAP);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw; x++) image.set(c, x0 + x, y0 + y, t.get(c, x, y));
        }

        public RgbImage image() {
            return image;
        }
    }
}

package org.stylemap.data;

/**
 * An RGB image as three float planes (R, then G, then B; each row-major), values nominally in
 * [0, 255]. Planar storage matches both the NCHW tensors the model eats and the dataset shards.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final float[] planes;

    /** Wraps planes (length 3 * width * height, not copied). */
    public RgbImage(int width, int height, float[] planes) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        if (planes.length != 3 * width * height)
            throw new IllegalArgumentException(planes.length + " values do not fill a " + width + "x" + height + " RGB image");
        this.width = width;
        this.height = height;
        this.planes = planes;
    }

    /** A black image. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new float[3 * width * height]);
    }

    /** An image from 8-bit planes laid out like {@link #toUint8()} flattened (3 * height * width bytes from offset). */
    public static RgbImage fromUint8(byte[] chw, int offset, int width, int height) {
        float[] p = new float[3 * width * height];
        for (int i = 0; i < p.length; i++) p[i] = chw[offset + i] & 0xFF;
        return new RgbImage(width, height, p);
    }

    public int width() { return width; }

    public int height() { return height; }

    /** The backing planes (shared, not a copy). */
    public float[] planes() { return planes; }

    /** Channel c (0 = R, 1 = G, 2 = B) at column x, row y. */
    public float get(int c, int x, int y) {
        return planes[(c * height + y) * width + x];
    }

    public void set(int c, int x, int y, float v) {
        planes[(c * height + y) * width + x] = v;
    }

    /** The w x h window whose top-left corner is (x0, y0). */
    public RgbImage crop(int x0, int y0, int w, int h) {
        if (x0 < 0 || y0 < 0 || x0 + w > width || y0 + h > height)
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + x0 + "+" + y0 + " exceeds a " + width + "x" + height + " image");
        float[] out = new float[3 * w * h];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                System.arraycopy(planes, (c * height + y0 + y) * width + x0, out, (c * h + y) * w, w);
        return new RgbImage(w, h, out);
    }

    /** The largest centred square (the odd pixel of an odd margin goes to the right/bottom). */
    public RgbImage centerCropSquare() {
        int side = Math.min(width, height);
        if (side == width && side == height) return this;
        return crop((width - side) / 2, (height - side) / 2, side, side);
    }

    /** 8-bit planes [3][height][width], rounded and clamped to [0, 255]. */
    public byte[][][] toUint8() {
        byte[][][] out = new byte[3][height][width];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++) {
                int base = (c * height + y) * width;
                for (int x = 0; x < width; x++) out[c][y][x] = (byte) quantize(planes[base + x]);
            }
        return out;
    }

    /** Round half up after clamping, so resampling overshoot (Lanczos rings) saturates instead of wrapping. */
    static int quantize(float v) {
        if (!(v > 0)) return 0; // also maps NaN to 0
        return v >= 255 ? 255 : (int) (v + 0.5f);
    }
}

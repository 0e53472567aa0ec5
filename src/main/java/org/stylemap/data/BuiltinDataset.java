package org.stylemap.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small synthetic dataset that ships as code: smooth two-colour gradient backgrounds with one or
 * two soft-edged shapes (disc, square, ring) of random position, size, rotation and colour. The
 * structure is simple enough for a small GAN to learn in minutes and varied enough to show whether
 * it does, and the images are drawn in unit coordinates so every size shows the same scenes.
 * Everything follows from {@link #SEED} through Philox and StrictMath, so the file is identical on
 * every machine.
 */
public final class BuiltinDataset {
    /** Images in the dataset (5% of them held out for validation). */
    public static final int COUNT = 1024;
    public static final long SEED = 2021;
    private static final double VAL_FRACTION = 0.05;
    /** Random numbers reserved per image; each image reads its own block, so images are independent. */
    private static final int DRAWS_PER_IMAGE = 64;

    private BuiltinDataset() {}

    /**
     * The built-in dataset at the given size: datasetsDir/builtin_SIZE.h5, written first when it is
     * missing or unreadable.
     */
    public static Path ensure(Path datasetsDir, int size) {
        Path file = datasetsDir.resolve("builtin_" + size + ".h5");
        if (Files.isRegularFile(file)) {
            try (ImageDataset _ = ImageDataset.open(file, size)) {
                return file;
            } catch (IllegalArgumentException stale) {
                // An older format or a damaged file: rebuilding is cheap.
            }
        }
        write(file, size);
        return file;
    }

    /** Writes all {@link #COUNT} images at the given size in the prepared format. */
    public static void write(Path file, int size) {
        DatasetWriter w = new DatasetWriter(size);
        for (int i = 0; i < COUNT; i++) w.add(String.format(java.util.Locale.ROOT, "builtin_%04d", i), render(i, size).toUint8());
        w.provenance("source", "builtin");
        w.write(file, VAL_FRACTION, SEED);
    }

    /** Image number index (0 .. COUNT-1, or beyond for more of the same kind) at size x size. */
    public static RgbImage render(int index, int size) {
        Rand r = new Rand(index);
        double hue = r.next();
        double[] c1 = hsv(hue, 0.2 + 0.4 * r.next(), 0.25 + 0.5 * r.next());
        double[] c2 = hsv(hue + 0.1 + 0.3 * r.next(), 0.2 + 0.4 * r.next(), 0.25 + 0.5 * r.next());
        double angle = 2 * Math.PI * r.next();
        double dx = StrictMath.cos(angle), dy = StrictMath.sin(angle);
        Shape[] shapes = new Shape[r.next() < 0.5 ? 1 : 2];
        for (int s = 0; s < shapes.length; s++) shapes[s] = Shape.random(r);

        RgbImage img = RgbImage.blank(size, size);
        double edge = 1.5 / size; // a soft rim of about three pixels at any size
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                double px = (x + 0.5) / size, py = (y + 0.5) / size;
                double t = smoothstep(0, 1, 0.5 + (px - 0.5) * dx + (py - 0.5) * dy);
                double[] c = {c1[0] + t * (c2[0] - c1[0]), c1[1] + t * (c2[1] - c1[1]), c1[2] + t * (c2[2] - c1[2])};
                for (Shape sh : shapes) {
                    double a = smoothstep(edge, -edge, sh.distance(px, py));
                    for (int k = 0; k < 3; k++) c[k] += a * (sh.color[k] - c[k]);
                }
                for (int k = 0; k < 3; k++) img.set(k, x, y, (float) (255 * c[k]));
            }
        return img;
    }

    /** A shape by its signed distance (negative inside), in unit image coordinates. */
    private record Shape(int kind, double cx, double cy, double radius, double cos, double sin, double[] color) {
        static Shape random(Rand r) {
            int kind = (int) (3 * r.next());
            double radius = 0.12 + 0.16 * r.next();
            double cx = 0.2 + 0.6 * r.next(), cy = 0.2 + 0.6 * r.next();
            double rot = 0.5 * Math.PI * r.next();
            double[] color = hsv(r.next(), 0.6 + 0.4 * r.next(), 0.7 + 0.3 * r.next());
            return new Shape(kind, cx, cy, radius, StrictMath.cos(rot), StrictMath.sin(rot), color);
        }

        double distance(double px, double py) {
            double x = px - cx, y = py - cy;
            return switch (kind) {
                case 0 -> Math.sqrt(x * x + y * y) - radius; // disc
                case 1 -> Math.max(Math.abs(x * cos + y * sin), Math.abs(-x * sin + y * cos)) - 0.85 * radius; // rotated square
                default -> Math.abs(Math.sqrt(x * x + y * y) - 0.8 * radius) - 0.2 * radius; // ring
            };
        }
    }

    /** Image index's own block of the built-in stream. */
    private static final class Rand {
        private final long key = Draws.key(SEED, Draws.BUILTIN);
        private final int[] scratch = new int[4];
        private long counter;
        private final long end;

        Rand(int index) {
            counter = (long) index * DRAWS_PER_IMAGE;
            end = counter + DRAWS_PER_IMAGE;
        }

        double next() {
            if (counter == end) throw new IllegalStateException("more than " + DRAWS_PER_IMAGE + " draws for one image");
            return Draws.uniform(key, counter++, scratch);
        }
    }

    private static double smoothstep(double e0, double e1, double v) {
        double t = Math.max(0, Math.min(1, (v - e0) / (e1 - e0)));
        return t * t * (3 - 2 * t);
    }

    /** HSV (hue wraps, all in [0, 1]) to RGB in [0, 1]. */
    private static double[] hsv(double h, double s, double v) {
        h = (h - Math.floor(h)) * 6;
        int sector = (int) h % 6;
        double f = h - Math.floor(h), p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        return switch (sector) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }
}

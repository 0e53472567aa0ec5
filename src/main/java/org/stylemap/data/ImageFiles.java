package org.stylemap.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.ImageIO;

/** Reading PNG/JPEG files into {@link RgbImage}s and writing RGB PNGs (ImageIO). */
public final class ImageFiles {
    static {
        // ImageIO's default disk cache writes temp files per decode: slow and pointless for files we own.
        ImageIO.setUseCache(false);
    }

    private ImageFiles() {}

    /** Whether the name ends in .png, .jpg or .jpeg (any case): the files `prepare` takes. */
    public static boolean hasImageExtension(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /**
     * Decodes an image file to RGB. Grayscale is replicated to three channels, palettes are looked
     * up, alpha is dropped, and CMYK/YCCK JPEGs are converted (as PIL's convert("RGB"), which the
     * reference data pipeline uses). A file the decoder reports damage in (a truncated JPEG
     * decodes with its missing part grey) is refused, as PIL refuses it.
     *
     * @throws UnreadableImageException when the file is missing, damaged or cannot be decoded, naming the file
     */
    public static RgbImage read(Path file) throws UnreadableImageException {
        if (Files.isDirectory(file)) throw new UnreadableImageException(file, "is a folder, not a file", null);
        if (!Files.exists(file)) throw new UnreadableImageException(file, "no such file", null);
        try (InputStream raw = Files.newInputStream(file); ImageInputStream in = ImageIO.createImageInputStream(raw)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new UnreadableImageException(file, unsupportedFormat(file), null);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, message) -> { if (!warnings.contains(message)) warnings.add(message); });
                RgbImage img = CmykJpeg.applies(reader) ? CmykJpeg.decode(reader) : toRgb(reader.read(0));
                if (!warnings.isEmpty())
                    throw new UnreadableImageException(file, "damaged or truncated: " + String.join("; ", warnings), null);
                return img;
            } finally {
                reader.dispose();
            }
        } catch (UnreadableImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders report damaged data with assorted runtime exceptions as well as IIOException.
            throw new UnreadableImageException(file, e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName(), e);
        }
    }

    /** Why ImageIO found no decoder, naming WebP (common in scraped sets such as LSUN, whatever the extension). */
    private static String unsupportedFormat(Path file) {
        byte[] head = new byte[12];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 12) == 12 && new String(head, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF")
                    && new String(head, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP"))
                return "WebP data, which is not supported: convert it to PNG";
        } catch (IOException e) {
            // Fall through to the generic reason: the decoder attempt already read the file once.
        }
        return "no decoder recognises its contents";
    }

    static RgbImage toRgb(BufferedImage bi) {
        int w = bi.getWidth(), h = bi.getHeight();
        float[] p = new float[3 * w * h];
        ColorModel cm = bi.getColorModel();
        Raster r = bi.getRaster();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // Take gray samples as stored: getRGB would treat Java's gray space as linear light and
            // brighten every mid-tone on the way to sRGB.
            float scale = 255f / ((1 << cm.getComponentSize(0)) - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) p[y * w + x] = p[(h + y) * w + x] = p[(2 * h + y) * w + x] = row[x] * scale;
            }
        } else if (cm instanceof ComponentColorModel && cm.getColorSpace().isCS_sRGB()
                && r.getSampleModel() instanceof ComponentSampleModel sm && r.getDataBuffer() instanceof DataBufferByte db
                && db.getNumBanks() == 1) {
            // 8-bit RGB(A) as JPEG and PNG decode to: copy the bytes directly, several times faster than getRGB.
            byte[] d = db.getData();
            int ps = sm.getPixelStride(), ss = sm.getScanlineStride();
            int origin = db.getOffset() - r.getSampleModelTranslateY() * ss - r.getSampleModelTranslateX() * ps;
            for (int c = 0; c < 3; c++) {
                int band = sm.getBandOffsets()[c];
                for (int y = 0; y < h; y++) {
                    int src = origin + y * ss + band, dst = (c * h + y) * w;
                    for (int x = 0; x < w; x++) p[dst + x] = d[src + x * ps] & 0xFF;
                }
            }
        } else {
            // Palettes, packed ints, 16-bit and other colour spaces: let Java convert to 8-bit sRGB.
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                bi.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int argb = row[x];
                    p[y * w + x] = (argb >> 16) & 0xFF;
                    p[(h + y) * w + x] = (argb >> 8) & 0xFF;
                    p[(2 * h + y) * w + x] = argb & 0xFF;
                }
            }
        }
        return new RgbImage(w, h, p);
    }

    /** Writes an 8-bit RGB PNG (values rounded and clamped), creating parent folders. */
    public static void writePng(RgbImage img, Path file) throws IOException {
        writePng(toBufferedImage(img), file);
    }

    /**
     * Writes a PNG, creating parent folders. Through a plain output stream: ImageIO's own file
     * streams print a stack trace and hide the reason when the file cannot be created.
     */
    public static void writePng(BufferedImage bi, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        try (OutputStream out = Files.newOutputStream(file)) {
            if (!ImageIO.write(bi, "png", out)) throw new IOException("no PNG writer available");
        }
    }

    /** The PNG file's bytes for an image (values rounded and clamped), e.g. for an HTTP response. */
    public static byte[] encodePng(RgbImage img) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            if (!ImageIO.write(toBufferedImage(img), "png", out)) throw new IllegalStateException("no PNG writer available");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static BufferedImage toBufferedImage(RgbImage img) {
        int w = img.width(), h = img.height();
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++)
                row[x] = RgbImage.quantize(img.get(0, x, y)) << 16 | RgbImage.quantize(img.get(1, x, y)) << 8 | RgbImage.quantize(img.get(2, x, y));
            bi.setRGB(0, y, w, 1, row, 0, w);
        }
        return bi;
    }

    /**
     * Decodes image bytes from an untrusted source (an upload). The dimensions are read from the
     * header first, so an image of more than maxPixels is refused before it is decoded.
     *
     * @throws IllegalArgumentException one line saying why: not an image, unsupported, too large, damaged
     */
    public static RgbImage decode(byte[] data, long maxPixels) {
        try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(data))) {
            java.util.Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IllegalArgumentException("not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
            javax.imageio.ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w, h;
                BufferedImage bi;
                try {
                    w = reader.getWidth(0);
                    h = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw damaged(e);
                }
                if ((long) w * h > maxPixels)
                    throw new IllegalArgumentException("image of " + w + "x" + h + " pixels is larger than the limit of " + maxPixels + " pixels");
                try {
                    bi = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw damaged(e);
                }
                return toRgb(bi);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw damaged(e);
        }
    }

    private static IllegalArgumentException damaged(Exception e) {
        return new IllegalArgumentException("not a readable image (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")");
    }
}

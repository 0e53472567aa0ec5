package org.stylemap.data;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.testing.Cli;

/** Issue 7, items 10-13: damaged or unusual input is refused or warned about by name, never used quietly. */
class DamagedInputTest {
    @TempDir Path tmp;

    /** Item 10: a prepared dataset cut short is refused at open (it used to serve zeros and garbage). */
    @Test
    void truncatedDatasetIsRefusedAtOpen() throws Exception {
        Path full = tmp.resolve("b16.h5"), cut = tmp.resolve("cut.h5");
        BuiltinDataset.write(full, 16);
        byte[] all = Files.readAllBytes(full);
        for (int keep : new int[] {100_000, all.length / 2, all.length - 1}) {
            Files.write(cut, Arrays.copyOf(all, keep));
            var e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.open(cut, 16).count(Split.TRAIN), "kept " + keep);
            assertTrue(e.getMessage().startsWith(cut + ": truncated HDF5 file (" + keep + " of " + all.length + " bytes"), e.getMessage());
        }
        try (ImageDataset d = ImageDataset.open(full, 16)) {
            assertTrue(d.count(Split.TRAIN) > 0);
        }
    }

    private static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | 128);
        return img;
    }

    /** Item 11: a truncated JPEG (its missing part decodes grey) is refused by name, as PIL refuses it. */
    @Test
    void truncatedJpegIsRefusedByName() throws Exception {
        Path full = tmp.resolve("full.jpg"), cut = tmp.resolve("cut.jpg");
        ImageIO.write(gradient(256, 192), "jpg", full.toFile());
        byte[] all = Files.readAllBytes(full);
        Files.write(cut, Arrays.copyOf(all, all.length * 6 / 10));
        assertEquals(256, ImageFiles.read(full).width());
        var e = assertThrows(UnreadableImageException.class, () -> ImageFiles.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": not a readable image (damaged or truncated"), e.getMessage());

        // prepare leaves it out and names it
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Files.copy(full, photos.resolve("full.jpg"));
        Files.copy(cut, photos.resolve("cut.jpg"));
        Cli.Result r = Cli.run("prepare", "--images", photos.toString(), "--size", "16", "--out", tmp.resolve("d.h5").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("skipped 1 of 2 files: cut.jpg (damaged or truncated"), r.err());
    }

    /** Adobe CMYK ink percentages for a few colours, as stored (inverted: 255 = no ink). */
    private static final int[][] INK_STORED = {
        {255, 0, 0, 255},       // magenta + yellow ink: red
        {0, 255, 0, 255},       // cyan + yellow ink: green
        {255, 255, 255, 255},   // no ink: white paper
        {255, 255, 255, 0},     // black ink only
        {255, 255, 255, 128},   // half black: mid grey
    };
    private static final int[][] RGB_EXPECTED = {{255, 0, 0}, {0, 255, 0}, {255, 255, 255}, {0, 0, 0}, {128, 128, 128}};

    /** Item 12: CMYK and YCCK JPEGs decode to the colours their ink describes (ImageIO alone washed them out). */
    @Test
    void cmykAndYcckJpegsDecodeToTheirColours() throws Exception {
        for (int transform : new int[] {0, 2}) {
            for (int i = 0; i < INK_STORED.length; i++) {
                int[] stored = INK_STORED[i].clone();
                if (transform == 2) {
                    // YCCK holds 255 - (stored C, M, Y) as JFIF Y, Cb, Cr (the forward conversion, computed here).
                    double r = 255 - stored[0], g = 255 - stored[1], b = 255 - stored[2];
                    stored[0] = (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                    stored[1] = (int) Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
                    stored[2] = (int) Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
                }
                Path f = tmp.resolve("ink" + i + "-" + transform + ".jpg");
                writeFourChannelJpeg(f, stored, transform);
                RgbImage img = ImageFiles.read(f);
                for (int c = 0; c < 3; c++)
                    assertEquals(RGB_EXPECTED[i][c], img.get(c, 8, 8), 6, "transform " + transform + ", colour " + i + ", channel " + c);
            }
        }
    }

    /** A real photo saved as an Adobe CMYK JPEG (ink = 255 - RGB, no black ink) decodes to the photo's colours. */
    @Test
    void realPhotoAsCmykJpegKeepsItsColours() throws Exception {
        Path real = Path.of("..", "shared", "data", "real", "celeba_hq");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(real), "no shared real photos here");
        Path photo;
        try (var files = Files.list(real)) {
            photo = files.filter(p -> p.toString().endsWith(".jpg")).sorted().findFirst().orElseThrow();
        }
        RgbImage rgb = ImageFiles.read(photo);
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, rgb.width(), rgb.height(), 4, null);
        for (int y = 0; y < rgb.height(); y++)
            for (int x = 0; x < rgb.width(); x++) // stored Adobe CMYK is inverted: C' = 255 - C = R; K' = 255 (no black ink)
                raster.setPixel(x, y, new int[] {Math.round(rgb.get(0, x, y)), Math.round(rgb.get(1, x, y)), Math.round(rgb.get(2, x, y)), 255});
        Path cmyk = tmp.resolve("real-cmyk.jpg");
        writeFourChannelJpeg(cmyk, raster, 0);
        RgbImage back = ImageFiles.read(cmyk);
        for (int c = 0; c < 3; c++) assertEquals(mean(rgb, c), mean(back, c), 1.0, "channel " + c + " mean");
    }

    private static double mean(RgbImage img, int c) {
        double s = 0;
        for (int y = 0; y < img.height(); y++) for (int x = 0; x < img.width(); x++) s += img.get(c, x, y);
        return s / ((double) img.width() * img.height());
    }

    /** A 16x16 JPEG of four components, all pixels `stored`, with an Adobe APP14 marker of the given transform. */
    static void writeFourChannelJpeg(Path f, int[] stored, int transform) throws Exception {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) raster.setPixel(x, y, stored);
        writeFourChannelJpeg(f, raster, transform);
    }

    /** A JPEG of the four-band raster's samples as stored, with an Adobe APP14 marker of the given transform. */
    static void writeFourChannelJpeg(Path f, Raster raster, int transform) throws Exception {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(plain)) {
            w.setOutput(out);
            w.write(new IIOImage(raster, null, null));
        }
        IIOMetadata md;
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(plain.toByteArray()))) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            md = r.getImageMetadata(0);
        }
        String format = "javax_imageio_jpeg_image_1.0";
        IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(format);
        IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
        IIOMetadataNode adobe = new IIOMetadataNode("app14Adobe");
        adobe.setAttribute("transform", String.valueOf(transform));
        markers.insertBefore(adobe, markers.getFirstChild());
        md.setFromTree(format, root);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(raster, null, md), w.getDefaultWriteParam());
        }
        w.dispose();
    }


    /** Item 13: photos whose (cropped) square is smaller than the output are named in a warning. */
    @Test
    void photosSmallerThanTheOutputAreNamed() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("small"));
        ImageIO.write(gradient(1, 1), "png", photos.resolve("dot.png").toFile());
        ImageIO.write(gradient(2000, 20), "png", photos.resolve("strip.png").toFile());
        ImageIO.write(gradient(40, 40), "png", photos.resolve("fine.png").toFile());
        Cli.Result r = Cli.run("prepare", "--images", photos.toString(), "--size", "32", "--out", tmp.resolve("s.h5").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: 2 of 3 images are smaller than 32x32 after cropping and were enlarged: dot.png (1x1), "
                + "strip.png (2000x20, centre square 20x20)"), r.err());
    }
}

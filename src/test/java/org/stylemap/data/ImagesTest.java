package org.stylemap.data;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir
    Path tmp;

    static RgbImage constant(int w, int h, float r, float g, float b) {
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                img.set(0, x, y, r);
                img.set(1, x, y, g);
                img.set(2, x, y, b);
            }
        return img;
    }

    @Test
    void resizingAConstantImageKeepsItConstant() {
        RgbImage src = constant(37, 23, 100, 150, 200);
        for (int[] s : new int[][] {{16, 16}, {64, 50}, {5, 90}, {1, 1}}) {
            RgbImage out = Resampler.resize(src, s[0], s[1]);
            for (int y = 0; y < s[1]; y++)
                for (int x = 0; x < s[0]; x++) {
                    assertEquals(100, out.get(0, x, y), 1e-3);
                    assertEquals(150, out.get(1, x, y), 1e-3);
                    assertEquals(200, out.get(2, x, y), 1e-3);
                }
        }
    }

    @Test
    void halvingACheckerboardGivesMidGreyNotAliasing() {
        RgbImage board = RgbImage.blank(64, 64);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++) board.set(c, x, y, (x + y) % 2 == 0 ? 255 : 0);
        RgbImage out = Resampler.resize(board, 32, 32);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++) {
                    // Away from the borders the kernel is symmetric over equal numbers of black and
                    // white pixels; at the borders it is cut off, which tilts the mean a little.
                    boolean inner = x >= 2 && y >= 2 && x < 30 && y < 30;
                    assertEquals(127.5, out.get(c, x, y), inner ? 0.01 : 8.0, "pixel " + x + "," + y);
                }
        // A 4x shrink of stripes, where a plain bicubic (kernel not widened) would still see them.
        RgbImage stripes = RgbImage.blank(128, 8);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 128; x++) stripes.set(c, x, y, x % 2 == 0 ? 255 : 0);
        RgbImage s4 = Resampler.resize(stripes, 32, 2);
        for (int x = 0; x < 32; x++) assertEquals(127.5, s4.get(0, x, 1), x >= 4 && x < 28 ? 0.01 : 12.0);
    }

    @Test
    void resizeProducesTheRequestedShapes() {
        RgbImage src = constant(10, 7, 1, 2, 3);
        RgbImage up = Resampler.resize(src, 31, 40);
        assertEquals(31, up.width());
        assertEquals(40, up.height());
        RgbImage down = Resampler.resize(up, 3, 2);
        assertEquals(3, down.width());
        assertEquals(2, down.height());
        assertSame(src, Resampler.resize(src, 10, 7), "same size is a no-op");
        // A linear ramp stays a monotone ramp when upscaled: the kernel does not scramble order.
        RgbImage ramp = RgbImage.blank(8, 1);
        for (int x = 0; x < 8; x++) for (int c = 0; c < 3; c++) ramp.set(c, x, 0, 30 * x);
        RgbImage big = Resampler.resize(ramp, 32, 1);
        for (int x = 1; x < 32; x++) assertTrue(big.get(0, x, 0) >= big.get(0, x - 1, 0) - 1e-3);
    }

    @Test
    void centerCropTakesTheMiddleSquare() {
        RgbImage wide = RgbImage.blank(10, 6);
        for (int x = 0; x < 10; x++) for (int y = 0; y < 6; y++) wide.set(0, x, y, x);
        RgbImage sq = wide.centerCropSquare();
        assertEquals(6, sq.width());
        assertEquals(6, sq.height());
        assertEquals(2, sq.get(0, 0, 0));
        assertEquals(7, sq.get(0, 5, 5));

        RgbImage tall = RgbImage.blank(3, 8);
        for (int y = 0; y < 8; y++) tall.set(1, 1, y, y);
        RgbImage t = tall.centerCropSquare();
        assertEquals(3, t.height());
        assertEquals(2, t.get(1, 1, 0), "odd margin of 5: 2 rows off the top, 3 off the bottom");
        assertSame(t, t.centerCropSquare());
    }

    @Test
    void quantizeRoundsAndClamps() {
        RgbImage img = RgbImage.blank(4, 1);
        float[] v = {-20f, 12.5f, 254.6f, 400f};
        for (int x = 0; x < 4; x++) img.set(0, x, 0, v[x]);
        byte[][][] q = img.toUint8();
        assertArrayEquals(new byte[] {0, 13, (byte) 255, (byte) 255}, q[0][0]);
    }

    @Test
    void pngRoundTripsExactly() throws IOException {
        RgbImage img = RgbImage.blank(5, 3);
        for (int i = 0; i < img.planes().length; i++) img.planes()[i] = (i * 37) % 256;
        Path f = tmp.resolve("sub/x.png");
        ImageFiles.writePng(img, f);
        RgbImage back = ImageFiles.read(f);
        assertArrayEquals(img.planes(), back.planes());
    }

    @Test
    void grayPaletteAndAlphaImagesBecomeRgb() throws IOException {
        BufferedImage gray = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 1, 0, 128);
        Path g = tmp.resolve("gray.png");
        ImageIO.write(gray, "png", g.toFile());
        RgbImage gi = ImageFiles.read(g);
        for (int c = 0; c < 3; c++) {
            assertEquals(128, gi.get(c, 1, 1), "gray values are taken as stored, not gamma-converted");
            assertEquals(0, gi.get(c, 0, 0));
        }

        byte[] r = {(byte) 10, (byte) 200}, gr = {(byte) 20, (byte) 100}, b = {(byte) 30, (byte) 0};
        BufferedImage pal = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2, r, gr, b));
        pal.getRaster().setSample(2, 0, 0, 1);
        Path p = tmp.resolve("palette.png");
        ImageIO.write(pal, "png", p.toFile());
        RgbImage pi = ImageFiles.read(p);
        assertEquals(200, pi.get(0, 2, 0));
        assertEquals(100, pi.get(1, 2, 0));
        assertEquals(10, pi.get(0, 0, 0));

        BufferedImage argb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x80_40_50_60);
        Path a = tmp.resolve("alpha.png");
        ImageIO.write(argb, "png", a.toFile());
        RgbImage ai = ImageFiles.read(a);
        assertEquals(0x40, ai.get(0, 0, 0), "alpha is dropped, colour kept");
        assertEquals(0x60, ai.get(2, 0, 0));
    }

    @Test
    void byteLayoutsConvertLikeGetRgb() {
        java.util.Random rnd = new java.util.Random(5);
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB}) {
            BufferedImage bi = new BufferedImage(9, 7, type);
            for (int y = 0; y < 7; y++) for (int x = 0; x < 9; x++) bi.setRGB(x, y, rnd.nextInt() | 0xFF000000);
            // A sub-image shares the parent's buffer at an offset: the direct copy must honour it.
            BufferedImage sub = bi.getSubimage(2, 3, 5, 4);
            RgbImage img = ImageFiles.toRgb(sub);
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 5; x++) {
                    int rgb = sub.getRGB(x, y);
                    assertEquals((rgb >> 16) & 0xFF, img.get(0, x, y), "type " + type);
                    assertEquals((rgb >> 8) & 0xFF, img.get(1, x, y));
                    assertEquals(rgb & 0xFF, img.get(2, x, y));
                }
        }
    }

    @Test
    void corruptFilesRaiseAnExceptionNamingTheFile() throws IOException {
        Path bad = tmp.resolve("broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2});
        UnreadableImageException e = assertThrows(UnreadableImageException.class, () -> ImageFiles.read(bad));
        assertEquals(bad, e.file());
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());

        Path text = tmp.resolve("notes.jpg");
        Files.writeString(text, "not an image");
        UnreadableImageException t = assertThrows(UnreadableImageException.class, () -> ImageFiles.read(text));
        assertTrue(t.getMessage().startsWith(text.toString()), t.getMessage());
    }

    @Test
    void gridTilesImagesWithGaps() {
        RgbImage red = constant(4, 3, 255, 0, 0);
        RgbImage sheet = ImageGrid.of(java.util.List.of(red, red, red), 2);
        assertEquals(2 + 2 * (4 + 2), sheet.width());
        assertEquals(2 + 2 * (3 + 2), sheet.height());
        assertEquals(255, sheet.get(0, 2, 2));
        assertEquals(0, sheet.get(1, 2, 2));
        assertEquals(255, sheet.get(1, 0, 0), "the gap is white");
        assertEquals(255, sheet.get(1, 9, 8), "the missing fourth tile stays white");
    }
}

package org.stylemap.data;

import static org.junit.jupiter.api.Assertions.*;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.FixedPoint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareTest {
    @TempDir
    Path tmp;

    private static Preparer.Options options(Path images, int size, Path out) {
        return new Preparer.Options(images, size, out, 0.05, Preparer.Crop.CENTER, 0, 3);
    }

    /** Three constant-colour PNGs (one in a subfolder, one not square), a JPEG, a corrupt PNG, a text file. */
    private Path mixedFolder() throws IOException {
        Path dir = tmp.resolve("photos");
        ImageFiles.writePng(ImagesTest.constant(20, 20, 10, 20, 30), dir.resolve("a.png"));
        ImageFiles.writePng(ImagesTest.constant(30, 18, 200, 100, 0), dir.resolve("sub/b.PNG"));
        ImageFiles.writePng(ImagesTest.constant(7, 7, 255, 255, 255), dir.resolve("sub/c.png"));
        BufferedImage jpg = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) for (int x = 0; x < 40; x++) jpg.setRGB(x, y, 0x3060C0);
        assertTrue(ImageIO.write(jpg, "jpg", dir.resolve("d.jpeg").toFile()));
        Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3, 4, 5});
        Files.writeString(dir.resolve("notes.txt"), "hello");
        return dir;
    }

    @Test
    void preparesReadableImagesAndWarnsAboutTheRest() throws IOException {
        Path dir = mixedFolder();
        Path out = tmp.resolve("out/data.h5");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Preparer.Summary s = Preparer.run(options(dir, 16, out), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(3, s.train());
        assertEquals(1, s.val(), "5% of 4 rounds to 0, but at least one image is held out");
        assertEquals(List.of("broken.png", "notes.txt"), s.skipped().stream().map(Preparer.Skipped::name).toList());
        String w = s.warning();
        assertTrue(w.startsWith("warning: skipped 2 of 6 files: broken.png ("), w);
        assertTrue(w.contains("notes.txt (not a .png/.jpg/.jpeg file)"), w);
        assertFalse(w.contains("\n"));

        try (ImageDataset d = ImageDataset.open(out, 16)) {
            assertEquals(3, d.count(Split.TRAIN));
            assertEquals(1, d.count(Split.VAL));
            List<String> names = new java.util.ArrayList<>();
            for (Split sp : Split.values()) for (int i = 0; i < d.count(sp); i++) names.add(d.name(sp, i));
            assertEquals(List.of("a.png", "d.jpeg", "sub/b.PNG", "sub/c.png"), names.stream().sorted().toList());
            for (Split sp : Split.values())
                for (int i = 0; i < d.count(sp); i++) {
                    RgbImage img = d.image(sp, i);
                    float[] want = switch (d.name(sp, i)) {
                        case "a.png" -> new float[] {10, 20, 30};
                        case "sub/b.PNG" -> new float[] {200, 100, 0};
                        case "sub/c.png" -> new float[] {255, 255, 255};
                        default -> new float[] {0x30, 0x60, 0xC0};
                    };
                    double tol = d.name(sp, i).endsWith(".jpeg") ? 3 : 0; // JPEG is lossy even on flat colour
                    for (int c = 0; c < 3; c++) {
                        assertEquals(want[c], img.get(c, 0, 0), tol, d.name(sp, i));
                        assertEquals(want[c], img.get(c, 15, 9), tol, d.name(sp, i));
                    }
                }
        }
        try (HdfFile f = new HdfFile(out)) {
            Dataset shard = f.getDatasetByPath("/train/shard_0000");
            assertArrayEquals(new int[] {3, 3, 16, 16}, shard.getDimensions());
            FixedPoint t = (FixedPoint) shard.getDataType();
            assertEquals(1, t.getSize());
            assertFalse(t.isSigned(), "stored as uint8, so h5py sees uint8");
            assertEquals(16, ((Number) f.getAttribute("size").getData()).intValue());
            assertEquals("stylemap-images", f.getAttribute("format").getData());
            assertEquals(3, ((Number) f.getAttribute("train_count").getData()).intValue());
            assertEquals(1, ((String[]) f.getDatasetByPath("/val/names").getData()).length);
        }
    }

    @Test
    void sameInputGivesTheSameBytes() throws IOException {
        Path dir = mixedFolder();
        Path a = tmp.resolve("a.h5"), b = tmp.resolve("b.h5");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Preparer.run(options(dir, 12, a), quiet);
        Preparer.run(new Preparer.Options(dir, 12, b, 0.05, Preparer.Crop.CENTER, 0, 1), quiet);
        assertEquals(-1, Files.mismatch(a, b), "thread count and run must not change a byte");
        Preparer.run(options(dir, 12, a), quiet);
        assertEquals(-1, Files.mismatch(a, b));
        assertFalse(Files.exists(tmp.resolve("a.h5.tmp")));
    }

    @Test
    void cropNoneSquashesInsteadOfCropping() throws IOException {
        Path dir = tmp.resolve("wide");
        RgbImage img = RgbImage.blank(30, 10);
        for (int y = 0; y < 10; y++) for (int x = 0; x < 30; x++) for (int c = 0; c < 3; c++) img.set(c, x, y, x < 10 ? 255 : 0);
        ImageFiles.writePng(img, dir.resolve("w.png"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path center = tmp.resolve("c.h5"), none = tmp.resolve("n.h5");
        Preparer.run(options(dir, 10, center), quiet);
        Preparer.run(new Preparer.Options(dir, 10, none, 0.05, Preparer.Crop.NONE, 0, 1), quiet);
        try (ImageDataset c = ImageDataset.open(center); ImageDataset n = ImageDataset.open(none)) {
            assertEquals(0, c.image(Split.TRAIN, 0).get(0, 0, 5), "the centre crop starts past the white third");
            assertEquals(255, n.image(Split.TRAIN, 0).get(0, 0, 5), "squashing keeps the white third");
        }
    }

    @Test
    void emptyOrUnreadableFoldersAreErrors() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preparer.run(options(empty, 8, tmp.resolve("x.h5")), quiet));
        assertTrue(e.getMessage().contains("no .png/.jpg/.jpeg files"), e.getMessage());

        Path junk = tmp.resolve("junk");
        Files.createDirectories(junk);
        Files.writeString(junk.resolve("a.png"), "text");
        e = assertThrows(IllegalArgumentException.class, () -> Preparer.run(options(junk, 8, tmp.resolve("x.h5")), quiet));
        assertTrue(e.getMessage().contains("none of the 1 image files is readable") && e.getMessage().contains("a.png"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Preparer.run(options(tmp.resolve("nope"), 8, tmp.resolve("x.h5")), quiet));
        assertTrue(e.getMessage().endsWith("nope: no such directory"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x.h5")));
    }

    @Test
    void theWarningGroupsReasonsAndCountsWhatItDoesNotName() {
        List<Preparer.Skipped> skipped = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) skipped.add(new Preparer.Skipped("car" + i + ".png", "WebP"));
        skipped.add(new Preparer.Skipped("x.txt", "not an image"));
        Preparer.Summary s = new Preparer.Summary(tmp, 90, 2, 8, skipped, List.of(), 0, 0);
        assertEquals("warning: skipped 8 of 100 files: car0.png, car1.png, car2.png, car3.png, car4.png and 2 more (WebP); "
                + "1 more for other reasons", s.warning());
        assertNull(new Preparer.Summary(tmp, 1, 0, 8, List.of(), List.of(), 0, 0).warning());
    }

    @Test
    void validationCountsFollowTheRules() {
        assertEquals(0, DatasetWriter.validationCount(1, 0.05));
        assertEquals(1, DatasetWriter.validationCount(2, 0.05));
        assertEquals(1, DatasetWriter.validationCount(2, 0.9), "train keeps at least one");
        assertEquals(5, DatasetWriter.validationCount(100, 0.05));
        assertEquals(0, DatasetWriter.validationCount(100, 0));
        assertThrows(IllegalArgumentException.class, () -> DatasetWriter.validationCount(10, 1));
    }

    @Test
    void realPhotosPrepare() throws IOException {
        Path real = Path.of("..", "shared", "data", "real", "celeba_hq");
        Assumptions.assumeTrue(Files.isDirectory(real), "no shared real photos here");
        Path out = tmp.resolve("celeba_32.h5");
        Preparer.Summary s = Preparer.run(options(real, 32, out), new PrintStream(new ByteArrayOutputStream()));
        long files;
        try (var list = Files.list(real)) {
            files = list.filter(p -> ImageFiles.hasImageExtension(p.toString())).count();
        }
        assertEquals(files, s.train() + s.val());
        assertTrue(s.skipped().isEmpty(), s.warning());
        try (ImageDataset d = ImageDataset.open(out, 32)) {
            RgbImage img = d.image(Split.TRAIN, 0);
            double mean = 0, var = 0;
            for (float v : img.planes()) mean += v / img.planes().length;
            for (float v : img.planes()) var += (v - mean) * (v - mean) / img.planes().length;
            assertTrue(Math.sqrt(var) > 10, "a face photo has contrast");
        }
    }
}

package org.stylemap.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinDatasetTest {
    @TempDir
    Path tmp;

    @Test
    void ensureWritesOnceInThePreparedFormat() throws Exception {
        Path f = BuiltinDataset.ensure(tmp.resolve("datasets"), 16);
        assertEquals(tmp.resolve("datasets/builtin_16.h5"), f);
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000));
        assertEquals(f, BuiltinDataset.ensure(tmp.resolve("datasets"), 16));
        assertEquals(1_000_000, Files.getLastModifiedTime(f).toMillis(), "an existing valid file is reused");
        try (ImageDataset d = ImageDataset.open(f, 16); Loader l = Loader.training(d, 4, 0, 0)) {
            assertEquals(BuiltinDataset.COUNT, d.count(Split.TRAIN) + d.count(Split.VAL));
            assertEquals(51, d.count(Split.VAL));
            assertEquals(4, l.next().count());
            assertArrayEquals(BuiltinDataset.render(0, 16).toUint8()[1][7], d.image(Split.TRAIN, 0).toUint8()[1][7]);
        }
        Files.writeString(f, "damaged");
        BuiltinDataset.ensure(tmp.resolve("datasets"), 16);
        try (ImageDataset d = ImageDataset.open(f, 16)) {
            assertEquals(BuiltinDataset.COUNT, d.count(Split.TRAIN) + d.count(Split.VAL), "a damaged file is rebuilt");
        }
    }

    @Test
    void imagesAreDeterministicVariedAndStructured() {
        RgbImage a = BuiltinDataset.render(3, 32);
        assertArrayEquals(a.planes(), BuiltinDataset.render(3, 32).planes());
        assertFalse(java.util.Arrays.equals(a.planes(), BuiltinDataset.render(4, 32).planes()));
        for (int i = 0; i < 50; i++) {
            RgbImage img = BuiltinDataset.render(i, 32);
            float min = 255, max = 0;
            for (float v : img.planes()) {
                assertTrue(v >= 0 && v <= 255);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max - min > 60, "image " + i + " has a visible shape (range " + (max - min) + ")");
        }
        // Neighbouring pixels are mostly close: smooth backgrounds and soft edges, not noise.
        RgbImage img = BuiltinDataset.render(7, 32);
        int smooth = 0;
        for (int y = 0; y < 32; y++) for (int x = 1; x < 32; x++) smooth += Math.abs(img.get(0, x, y) - img.get(0, x - 1, y)) < 20 ? 1 : 0;
        assertTrue(smooth > 0.9 * 32 * 31, smooth + " smooth neighbours");
    }
}

package org.stylemap.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.io.H5;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

class LoaderTest {
    static final int SIZE = 6, COUNT = 23;

    @TempDir
    Path tmp;
    Path file;

    /** Image i: channel 0 is i everywhere, channel 1 a left-to-right ramp, channel 2 spans 0..255. */
    static byte[][][] image(int i) {
        byte[][][] img = new byte[3][SIZE][SIZE];
        for (int y = 0; y < SIZE; y++)
            for (int x = 0; x < SIZE; x++) {
                img[0][y][x] = (byte) i;
                img[1][y][x] = (byte) (40 * x);
                img[2][y][x] = (byte) (x == 0 ? 0 : 255);
            }
        return img;
    }

    @BeforeEach
    void write() {
        // Tiny shards (4 images each) so reads cross shard boundaries.
        DatasetWriter w = new DatasetWriter(SIZE, 4L * 3 * SIZE * SIZE);
        for (int i = 0; i < COUNT; i++) w.add("img" + i, image(i));
        file = tmp.resolve("d.h5");
        w.write(file, 0.2, 7);
    }

    /** The image ids (channel 0) of a batch's samples, read back from the pixels. */
    static int[] ids(Batch b) {
        int[] ids = new int[b.count()];
        for (int k = 0; k < ids.length; k++) ids[k] = Math.round((b.pixels()[k * 3 * SIZE * SIZE] + 1) * 127.5f);
        return ids;
    }

    @Test
    void readsEveryImageAcrossShards() {
        try (ImageDataset d = ImageDataset.open(file, SIZE)) {
            assertEquals(COUNT, d.count(Split.TRAIN) + d.count(Split.VAL));
            assertEquals(5, d.count(Split.VAL));
            Set<Integer> seen = new HashSet<>();
            for (Split s : Split.values())
                for (int i = 0; i < d.count(s); i++) {
                    int id = (int) d.image(s, i).get(0, 3, 3);
                    assertEquals("img" + id, d.name(s, i));
                    assertTrue(seen.add(id));
                }
            assertThrows(IndexOutOfBoundsException.class, () -> d.image(Split.VAL, 5));
        }
    }

    @Test
    void sameSeedAndPositionGiveTheSameBatches() {
        try (ImageDataset d = ImageDataset.open(file); Loader a = new Loader(d, Split.TRAIN, 5, 11, 0, true, 3);
                Loader b = new Loader(d, Split.TRAIN, 5, 11, 0, true, 1); Loader c = new Loader(d, Split.TRAIN, 5, 12, 0, true, 2)) {
            boolean differs = false;
            for (int i = 0; i < 12; i++) {
                Batch x = a.next(), y = b.next(), z = c.next();
                assertEquals(i, x.position());
                assertArrayEquals(x.pixels(), y.pixels(), "batch " + i + " must not depend on the thread count");
                assertArrayEquals(x.indices(), y.indices());
                differs |= !Arrays.equals(x.indices(), z.indices());
            }
            assertTrue(differs, "another seed shuffles differently");
            assertEquals(12, a.position());
        }
    }

    @Test
    void everyEpochVisitsEachImageOnceInANewOrder() {
        try (ImageDataset d = ImageDataset.open(file); Loader l = new Loader(d, Split.TRAIN, 1, 3, 0, false, 2)) {
            int n = d.count(Split.TRAIN);
            int[][] order = new int[3][n];
            for (int e = 0; e < 3; e++) {
                assertEquals(e, l.epoch());
                for (int i = 0; i < n; i++) order[e][i] = ids(l.next())[0];
            }
            for (int[] o : order) assertEquals(n, Arrays.stream(o).distinct().count());
            assertFalse(Arrays.equals(order[0], order[1]));
            assertFalse(Arrays.equals(order[1], order[2]));
        }
    }

    @Test
    void resumingAtAPositionContinuesExactly() {
        try (ImageDataset d = ImageDataset.open(file); Loader full = Loader.training(d, 7, 5, 0)) {
            Batch[] ref = new Batch[9];
            for (int i = 0; i < ref.length; i++) ref[i] = full.next();
            try (Loader resumed = Loader.training(d, 7, 5, 4)) {
                for (int i = 4; i < ref.length; i++) {
                    Batch b = resumed.next();
                    assertEquals(i, b.position());
                    assertArrayEquals(ref[i].pixels(), b.pixels(), "batch " + i);
                    assertArrayEquals(ref[i].flipped(), b.flipped());
                }
                assertEquals(ref.length, resumed.position());
            }
        }
    }

    @Test
    void valuesAreScaledToPlusMinusOneAndFlipsMirror() {
        try (ImageDataset d = ImageDataset.open(file); Loader l = Loader.training(d, 8, 1, 0)) {
            int flips = 0, total = 0;
            for (int i = 0; i < 20; i++) {
                Batch b = l.next();
                assertArrayEquals(new int[] {8, 3, SIZE, SIZE}, b.shape());
                float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
                for (float v : b.pixels()) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                assertEquals(-1f, min, "byte 0 maps to -1 exactly");
                assertEquals(1f, max, "byte 255 maps to 1 exactly");
                for (int k = 0; k < b.count(); k++) {
                    Batch plain = d.batch(Split.TRAIN, new int[] {b.indices()[k]}, new boolean[] {false}, -1);
                    float[] p = plain.pixels();
                    int base = k * 3 * SIZE * SIZE;
                    for (int row = 0; row < 3 * SIZE; row++)
                        for (int x = 0; x < SIZE; x++) {
                            int src = b.flipped()[k] ? SIZE - 1 - x : x;
                            assertEquals(p[row * SIZE + src], b.pixels()[base + row * SIZE + x]);
                        }
                    flips += b.flipped()[k] ? 1 : 0;
                    total++;
                }
            }
            assertTrue(flips > total * 0.3 && flips < total * 0.7, flips + " of " + total + " flipped");
        }
    }

    @Test
    void fixedValidationBatchIsTheFirstValidationImagesUnflipped() {
        try (ImageDataset d = ImageDataset.open(file)) {
            Batch b = d.fixedValidationBatch(3);
            assertArrayEquals(new int[] {0, 1, 2}, b.indices());
            assertArrayEquals(new boolean[3], b.flipped());
            assertArrayEquals(b.pixels(), d.fixedValidationBatch(3).pixels());
            assertEquals(5, d.fixedValidationBatch(100).count(), "capped at the validation count");
            Tensor t = b.toTensor(DType.F32, Device.CPU);
            assertArrayEquals(new int[] {3, 3, SIZE, SIZE}, t.shape());
            assertEquals(b.pixels()[17], t.toDoubleArray()[17], 0);
            t.free();
        }
    }

    @Test
    void openingErrorsAreOneClearLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.open(file, 32));
        assertEquals(file + " holds 6x6 images, but 32x32 were expected (prepare it again with --size 32)", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.open(tmp.resolve("missing.h5")));
        assertTrue(e.getMessage().contains("missing.h5") && e.getMessage().contains("no such file"), e.getMessage());

        Path other = tmp.resolve("other.h5");
        H5.writeAtomically(other, f -> f.putDataset("x", new float[] {1, 2}));
        e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.open(other));
        assertTrue(e.getMessage().startsWith(other + ": not a prepared image dataset"), e.getMessage());

        Path noVal = tmp.resolve("noval.h5");
        H5.writeAtomically(noVal, f -> {
            f.putAttribute("format", "stylemap-images");
            f.putAttribute("format_version", 1);
            f.putAttribute("size", 4);
            f.putAttribute("layout", "NCHW");
        });
        try (ImageDataset d = ImageDataset.open(noVal)) {
            e = assertThrows(IllegalArgumentException.class, () -> d.count(Split.VAL));
            assertEquals(noVal + ": missing split 'val'", e.getMessage());
        }

        Path single = tmp.resolve("single.h5");
        DatasetWriter w = new DatasetWriter(SIZE);
        w.add("only", image(1));
        w.write(single, 0.05, 0);
        try (ImageDataset d = ImageDataset.open(single)) {
            assertEquals(0, d.count(Split.VAL));
            e = assertThrows(IllegalArgumentException.class, () -> d.fixedValidationBatch(4));
            assertTrue(e.getMessage().contains("no validation images"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new Loader(d, Split.VAL, 2, 0, 0, false, 1));
            assertTrue(e.getMessage().contains("no 'val' images"), e.getMessage());
        }
    }
}

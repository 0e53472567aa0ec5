package org.stylemap.edit;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.RgbImage;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.parity.Fixture;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Local editing: masks act where they are asked to, pairs compose, frames run from the reconstruction to the edit. */
class LocalEditTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/parity_s32.h5");
    /**
     * Where "far outside" a mask of columns [0, 12) begins: four stylemap cells (16 px) away. The
     * decoder's convolutions spread an edit over a few cells around its region (more with random
     * weights than with trained ones), so nearer columns legitimately change too.
     */
    private static final int FAR = 28;

    @Test
    void theEditChangesTheImageInsideTheMaskAndLittleFarOutside() {
        EditModel m = TinyModels.random(1);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent a = m.encode(TinyModels.photo(32, 10)), b = m.encode(TinyModels.photo(32, 20));
            Tensor recon = m.decode(a);
            Tensor mask = Masks.box(new Masks.Box(0, 0, 32, 12), 32, m.dtype(), m.device());
            for (Space space : Space.values()) {
                Tensor e = LocalEdit.apply(m.g(), a, List.of(new LocalEdit.Pair(b, mask)), space, 1);
                double inside = TinyModels.meanAbsDiff(e, recon, 0, 0, 32, 12), far = TinyModels.meanAbsDiff(e, recon, 0, FAR, 32, 32);
                assertTrue(inside > 0.2, space + ": the masked region barely changed: " + inside);
                assertTrue(inside > 4 * far, space + ": inside " + inside + " vs far outside " + far);
            }
        }
    }

    /** The same on real photos, when this machine has ../shared/data/real (never committed). */
    @Test
    void theEditActsWhereTheMaskIsOnRealPhotos() throws Exception {
        Path real = Path.of("../shared/data/real/afhq");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(real), "no real photos at " + real.toAbsolutePath());
        List<Path> photos;
        try (var files = java.nio.file.Files.list(real)) {
            photos = files.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(2).toList();
        }
        EditModel m = TinyModels.random(1);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent a = m.encode(m.photo(photos.get(0))), b = m.encode(m.photo(photos.get(1)));
            Tensor recon = m.decode(a);
            Tensor mask = Masks.box(new Masks.Box(0, 0, 32, 12), 32, m.dtype(), m.device());
            for (Space space : Space.values()) {
                Tensor e = LocalEdit.apply(m.g(), a, List.of(new LocalEdit.Pair(b, mask)), space, 1);
                double inside = TinyModels.meanAbsDiff(e, recon, 0, 0, 32, 12), far = TinyModels.meanAbsDiff(e, recon, 0, FAR, 32, 32);
                assertTrue(inside > 4 * far, space + ": inside " + inside + " vs far outside " + far);
            }
        }
    }

    @Test
    void severalPairsApplyInOrderAndTheLastWinsWhereTheyOverlap() {
        EditModel m = TinyModels.random(2);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent a = m.encode(TinyModels.photo(32, 1)), b = m.encode(TinyModels.photo(32, 2)), c = m.encode(TinyModels.photo(32, 3));
            Tensor left = Masks.box(new Masks.Box(0, 0, 32, 8), 32, m.dtype(), m.device());
            Tensor right = Masks.box(new Masks.Box(0, 24, 32, 32), 32, m.dtype(), m.device());
            Tensor recon = m.decode(a);
            for (Space space : Space.values()) {
                Tensor both = LocalEdit.apply(m.g(), a, List.of(new LocalEdit.Pair(b, left), new LocalEdit.Pair(c, right)), space, 1);
                assertTrue(TinyModels.meanAbsDiff(both, recon, 0, 0, 32, 8) > 0.1, space + ": left box unchanged");
                assertTrue(TinyModels.meanAbsDiff(both, recon, 0, 24, 32, 32) > 0.1, space + ": right box unchanged");
                Tensor overlapping = LocalEdit.apply(m.g(), a, List.of(new LocalEdit.Pair(b, left), new LocalEdit.Pair(c, left)), space, 1);
                Tensor lastOnly = LocalEdit.apply(m.g(), a, List.of(new LocalEdit.Pair(c, left)), space, 1);
                assertArrayEquals(lastOnly.toDoubleArray(), overlapping.toDoubleArray(), space + ": the later pair should win");
            }
        }
    }

    @Test
    void framesRunFromTheReconstructionToTheEdit() {
        EditModel m = TinyModels.random(3);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent a = m.encode(TinyModels.photo(32, 4)), b = m.encode(TinyModels.photo(32, 5));
            List<LocalEdit.Pair> pairs = List.of(new LocalEdit.Pair(b, Masks.box(new Masks.Box(8, 8, 24, 24), 32, m.dtype(), m.device())));
            for (Space space : Space.values()) {
                List<Tensor> f = LocalEdit.frames(m.g(), a, pairs, space, 4);
                assertEquals(4, f.size());
                assertArrayEquals(m.decode(a).toDoubleArray(), f.get(0).toDoubleArray(), 1e-6, space + ": frame 0 is the reconstruction");
                assertArrayEquals(LocalEdit.apply(m.g(), a, pairs, space, 1).toDoubleArray(), f.get(3).toDoubleArray(), 1e-6,
                        space + ": the last frame is the edit");
                double d1 = TinyModels.meanAbsDiff(f.get(1), f.get(0), 0, 0, 32, 32), d3 = TinyModels.meanAbsDiff(f.get(3), f.get(0), 0, 0, 32, 32);
                assertTrue(d1 > 0 && d1 < d3, space + ": frames should move steadily, " + d1 + " then " + d3);
            }
        }
    }

    @Test
    void editingPathsMatchTheOfficialFixture() {
        try (Fixture fx = new Fixture(FIXTURE); Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Init init = new Init(DType.F64, Device.CPU, new Rng(0));
            Generator g = new Generator(init, fx.modelConfig());
            Encoder e = new Encoder(init, fx.modelConfig());
            g.loadStateDict(fx.group("params/generator", DType.F64, Device.CPU), "fixture");
            e.loadStateDict(fx.group("params/encoder", DType.F64, Device.CPU), "fixture");
            Tensor enc = e.forward(fx.tensor("inputs/real", DType.F64, Device.CPU));
            Latent a = Latent.of(enc.slice(0, 0, 1)), b = Latent.of(enc.slice(0, 1, 2));
            Tensor mask = fx.tensor("inputs/mask", DType.F64, Device.CPU);
            List<LocalEdit.Pair> pair = List.of(new LocalEdit.Pair(b, mask));
            assertClose(fx, "edit_w", LocalEdit.apply(g, a, pair, Space.W, 1));
            assertClose(fx, "edit_w_plus", LocalEdit.apply(g, a, pair, Space.W_PLUS, 1));
            assertClose(fx, "stylemix_coarse", Mixing.styleMix(g, a, b));
            assertClose(fx, "stylemix_fine", Mixing.styleMix(g, b, a));
        }
    }

    private static void assertClose(Fixture fx, String name, Tensor actual) {
        double[] ref = fx.values("outputs/" + name), got = actual.toDoubleArray();
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (got[i] - ref[i]) * (got[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        double rel = Math.sqrt(num / den);
        assertTrue(rel < 1e-9, name + ": relative error " + rel);
    }

    @Test
    void masksFromImagesAreResizedNearestAndThresholded() {
        // 40x30, white where x >= 20: the center crop keeps x in [5, 35), so its right two thirds are white.
        float[] p = new float[3 * 40 * 30];
        for (int c = 0; c < 3; c++) for (int y = 0; y < 30; y++) for (int x = 20; x < 40; x++) p[(c * 30 + y) * 40 + x] = 255;
        Tensor mask = Masks.of(new RgbImage(40, 30, p), 32, DType.F32, Device.CPU);
        double[] v = mask.toDoubleArray();
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) {
                int sx = (int) ((x + 0.5) * 30 / 32) + 5;
                assertEquals(sx >= 20 ? 1 : -1, v[y * 32 + x], "pixel " + y + "," + x);
            }
        assertTrue(Arrays.stream(v).allMatch(x -> x == 1 || x == -1), "binary");
    }

    @Test
    void boxesOutsideTheImageAreRefusedWithTheBoxNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> Masks.box(Masks.Box.parse("0,0,40,8"), 32, DType.F32, Device.CPU));
        assertTrue(e.getMessage().contains("box 0,0,40,8") && e.getMessage().contains("32x32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Masks.box(Masks.Box.parse("4,4,4,8"), 32, DType.F32, Device.CPU));
        var bad = assertThrows(IllegalArgumentException.class, () -> Masks.Box.parse("1,2,3"));
        assertTrue(bad.getMessage().contains("4 comma-separated integers"), bad.getMessage());
    }
}

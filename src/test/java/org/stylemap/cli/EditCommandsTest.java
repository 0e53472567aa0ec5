package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stylemap.testing.Cli;
import org.stylemap.testing.Cli.Result;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.train.Checkpoint;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.TrainingState;

/** Every editing command on a small random checkpoint and photos made here: outputs exist with the right sizes, bad input is one line. */
class EditCommandsTest {
    @TempDir static Path dir;
    static Path ckpt, a, b, c, mask;
    /** Tiles of 32 px with 2 px gaps: a row of k tiles is 2 + 34 k wide. */
    static final int TILE = 34;

    private static Result run(String... args) {
        return Cli.run(args);
    }

    private static Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.err());
        return r;
    }

    private static void oneLineError(String fragment, String... args) {
        Result r = run(args);
        assertNotEquals(0, r.code(), String.join(" ", args));
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains(fragment), r.err());
    }

    static Path photo(String name, int w, int h, int rgb, int discRgb) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                boolean disc = (x - w / 3) * (x - w / 3) + (y - h / 2) * (y - h / 2) < h * h / 9;
                img.setRGB(x, y, disc ? discRgb : rgb);
            }
        Path p = dir.resolve(name);
        ImageIO.write(img, name.endsWith(".jpg") ? "jpg" : "png", p.toFile());
        return p;
    }

    private static void assertSize(Path png, int w, int h) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " is not an image");
        assertEquals(w + "x" + h, img.getWidth() + "x" + img.getHeight(), png.toString());
    }

    @BeforeAll
    static void checkpointAndPhotos() throws Exception {
        TrainConfig c32 = TrainConfig.defaults().with(List.of("size=32", "latent_spatial_size=8", "latent_channel_size=16",
                "mapping_layer_num=2", "channel_max=16", "batch=2"));
        ckpt = dir.resolve("tiny.h5");
        Checkpoint.save(TrainingState.fresh(c32), ckpt);
        a = photo("a.png", 48, 40, 0x3366cc, 0xeeee22);
        b = photo("b.jpg", 64, 64, 0xcc6633, 0x22aa44);
        c = photo("c.png", 32, 32, 0x224422, 0xffffff);
        mask = photo("m.png", 40, 40, 0x000000, 0xffffff);
    }

    @Test
    void encodeAndReconstruct() throws Exception {
        Path out = dir.resolve("enc");
        Result r = ok("encode", "--ckpt", ckpt.toString(), "--images", a.toString(), b.toString(), "--out", out.toString());
        assertTrue(r.out().contains("a.png: MSE ") && r.out().contains("b.jpg: MSE "), r.out());
        assertTrue(Files.isRegularFile(out.resolve("latents.h5")));
        assertSize(out.resolve("a_recon.png"), 32, 32);
        assertSize(out.resolve("b_recon.png"), 32, 32);

        Path folder = dir.resolve("photos");
        Files.createDirectories(folder);
        Files.copy(a, folder.resolve("a.png"));
        Files.copy(b, folder.resolve("b.jpg"));
        Path rec = dir.resolve("rec");
        r = ok("reconstruct", "--ckpt", ckpt.toString(), "--images", folder.toString(), "--out", rec.toString());
        assertTrue(r.out().contains("mean over 2 images: MSE "), r.out());
        for (String f : List.of("0_real.png", "0_recon.png", "1_real.png", "1_recon.png")) assertSize(rec.resolve(f), 32, 32);
        oneLineError("give one of --images DIR or --dataset FILE", "reconstruct", "--ckpt", ckpt.toString(), "--out", rec.toString());
    }

    @Test
    void editWithSeveralPairsBoxesFramesAndLatentInputs() throws Exception {
        Path png = dir.resolve("edit2.png");
        Result r = ok("edit", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString(), "--mask", mask.toString(),
                "--reference", c.toString(), "--box", "0,16,32,32", "--space", "w", "--frames", "3", "--out", png.toString());
        assertTrue(r.out().contains("3 frames"), r.out());
        assertSize(png, 2 + 7 * TILE, 2 + TILE); // original, 2 references, 3 reconstructions, the edit
        Path frames = dir.resolve("edit2-frames");
        for (String f : List.of("000.png", "001.png", "002.png")) assertSize(frames.resolve(f), 32, 32);
        assertSize(frames.resolve("strip.png"), 2 + 3 * TILE, 2 + TILE);

        Path enc = dir.resolve("enc-edit");
        ok("encode", "--ckpt", ckpt.toString(), "--images", a.toString(), b.toString(), "--out", enc.toString());
        ok("edit", "--ckpt", ckpt.toString(), "--original", enc.resolve("latents.h5") + ":a", "--reference", enc.resolve("latents.h5") + ":b",
                "--box", "0,0,16,32", "--out", dir.resolve("edit-latent.png").toString());
        assertSize(dir.resolve("edit-latent.png"), 2 + 5 * TILE, 2 + TILE);
    }

    /** Issue 7 for the editing commands: their outputs never replace an input or a file of another kind. */
    @Test
    void editingOutputsNeverReplaceInputs() throws Exception {
        String k = ckpt.toString(), o = a.toString(), ref = b.toString();
        byte[] before = Files.readAllBytes(ckpt), photo = Files.readAllBytes(a);
        oneLineError("is one of this command's inputs", "mix", "--ckpt", k, "--coarse", o, "--fine", ref, "--out", o);
        oneLineError("is one of this command's inputs", "transplant", "--ckpt", k, "--original", o, "--reference", ref,
                "--from", "0,0", "--to", "1,1", "--size", "1,1", "--out", k);
        oneLineError("is one of this command's inputs", "encode", "--ckpt", k, "--images", o, "--out", k);
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "keep me");
        oneLineError("exists and is not a folder", "encode", "--ckpt", k, "--images", o, "--out", notes.toString());
        oneLineError("exists and is not a PNG image", "interpolate", o, ref, "--ckpt", k, "--steps", "3", "--out", notes.toString());
        Path latents = Files.createDirectories(dir.resolve("enc-out")).resolve("latents.h5");
        Files.copy(ckpt, latents);
        oneLineError("exists and is not a latent file", "encode", "--ckpt", k, "--images", o, "--out", latents.getParent().toString());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(ckpt));
        org.junit.jupiter.api.Assertions.assertArrayEquals(photo, Files.readAllBytes(a));
        org.junit.jupiter.api.Assertions.assertEquals("keep me", Files.readString(notes));
    }

    @Test
    void editRefusesBadMasksBoxesAndPairings() throws Exception {
        String k = ckpt.toString(), o = a.toString(), ref = b.toString();
        oneLineError("2 --reference but 1 --mask/--box", "edit", "--ckpt", k, "--original", o, "--reference", ref, "--reference", ref, "--mask", mask.toString());
        oneLineError("box 0,0,40,8 must lie inside the 32x32 image", "edit", "--ckpt", k, "--original", o, "--reference", ref, "--box", "0,0,40,8");
        Path notImage = dir.resolve("notes.png");
        Files.writeString(notImage, "not a picture");
        oneLineError("notes.png", "edit", "--ckpt", k, "--original", o, "--reference", ref, "--mask", notImage.toString());
        oneLineError("--space must be w or w_plus", "edit", "--ckpt", k, "--original", o, "--reference", ref, "--box", "0,0,8,8", "--space", "z");
        oneLineError("--frames must be an integer >= 2, got 1", "edit", "--ckpt", k, "--original", o, "--reference", ref, "--box", "0,0,8,8", "--frames", "1");
        oneLineError("not a latent file", "edit", "--ckpt", k, "--original", ckpt.toString(), "--reference", ref, "--box", "0,0,8,8");
    }

    @Test
    void transplantMixInterpolateGenerate() throws Exception {
        Path t = dir.resolve("t.png");
        ok("transplant", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString(), "--from", "0,0", "--to", "4,4",
                "--size", "2,3", "--from", "5,5", "--to", "0,0", "--size", "3,3", "--out", t.toString());
        assertSize(t, 2 + 5 * TILE, 2 + TILE);
        oneLineError("outside the 8x8 stylemap", "transplant", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString(),
                "--from", "7,7", "--to", "0,0", "--size", "2,2");
        oneLineError("once per box", "transplant", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString(),
                "--from", "0,0", "--from", "1,1", "--to", "0,0", "--size", "2,2");

        Path mix = dir.resolve("mix.png");
        ok("mix", "--ckpt", ckpt.toString(), "--coarse", a.toString(), "--fine", b.toString(), "--out", mix.toString());
        assertSize(mix, 2 + 5 * TILE, 2 + TILE);

        Path strip = dir.resolve("inter.png");
        ok("interpolate", a.toString(), b.toString(), "--ckpt", ckpt.toString(), "--steps", "3", "--out", strip.toString());
        assertSize(strip, 2 + 5 * TILE, 2 + TILE);
        assertSize(dir.resolve("inter-frames/002.png"), 32, 32);
        oneLineError("needs exactly two photos", "interpolate", a.toString(), "--ckpt", ckpt.toString());

        Path gen = dir.resolve("gen");
        Result r = ok("generate", "--ckpt", ckpt.toString(), "--n", "3", "--truncation", "0.7", "--out", gen.toString());
        assertTrue(r.out().contains("3 single images"), r.out());
        assertSize(gen.resolve("grid.png"), 2 + 2 * TILE, 2 + 2 * TILE);
        assertSize(gen.resolve("002.png"), 32, 32);
    }

    @Test
    void projectAndAdaptReportTheirErrors() throws Exception {
        Path out = dir.resolve("proj");
        Result r = ok("project", "--ckpt", ckpt.toString(), "--image", a.toString(), "--steps", "4", "--space", "w_plus", "--out", out.toString());
        assertTrue(r.out().matches("(?s).*MSE [0-9.]+ \\(encoder\\) -> [0-9.]+ \\(4 steps, w_plus\\).*"), r.out());
        assertSize(out.resolve("a_project.png"), 2 + 3 * TILE, 2 + TILE);
        ok("edit", "--ckpt", ckpt.toString(), "--original", out.resolve("a.h5").toString(), "--reference", b.toString(), "--box", "0,0,16,16",
                "--out", dir.resolve("edit-projected.png").toString());
        oneLineError("w_plus projection", "edit", "--ckpt", ckpt.toString(), "--original", out.resolve("a.h5").toString(), "--reference", b.toString(),
                "--box", "0,0,16,16", "--space", "w");

        Path png = dir.resolve("adapt.png");
        r = ok("adapt", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString(), "--box", "0,0,32,12", "--steps", "3",
                "--out", png.toString());
        assertTrue(r.out().contains("MSE outside the edited region: "), r.out());
        assertSize(png, 2 + 6 * TILE, 2 + TILE);
        oneLineError("exactly one --mask or --box", "adapt", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString());
    }

    @Test
    void directionFitsSavesAndApplies() throws Exception {
        Path folder = dir.resolve("labelled");
        Files.createDirectories(folder);
        StringBuilder csv = new StringBuilder("file,Bright\n");
        for (int i = 0; i < 8; i++) {
            boolean bright = i % 2 == 0;
            Path p = photo("l" + i + ".png", 32, 32, bright ? 0xf0e0d0 - i : 0x102030 + i, 0x808080);
            Files.move(p, folder.resolve("l" + i + ".png"));
            csv.append("l").append(i).append(".png,").append(bright ? 1 : -1).append('\n');
        }
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, csv);
        Path saved = dir.resolve("bright.h5"), png = dir.resolve("dir.png");
        Result r = ok("direction", "--ckpt", ckpt.toString(), "--images", folder.toString(), "--labels", labels.toString(), "--val-fraction", "0",
                "--classifier", "logistic", "--save", saved.toString(), "--apply", a.toString(), "--alphas", "-2,0,2", "--box", "0,0,16,16", "--out", png.toString());
        assertTrue(r.out().contains("4 photos with it, 4 without"), r.out());
        assertSize(png, 2 + 5 * TILE, 2 + 2 * TILE);
        Path edited = dir.resolve("edit-dir.png");
        ok("edit", "--ckpt", ckpt.toString(), "--original", a.toString(), "--direction", saved.toString(), "--alpha", "2", "--out", edited.toString());
        assertSize(edited, 2 + 3 * TILE, 2 + TILE);
        // The same photos as a prepared dataset: reconstruct its validation split, fit on its training split.
        Path ds = dir.resolve("labelled.h5");
        ok("prepare", "--images", folder.toString(), "--size", "32", "--out", ds.toString(), "--val-fraction", "0.25");
        Path rec = dir.resolve("rec-ds");
        r = ok("reconstruct", "--ckpt", ckpt.toString(), "--dataset", ds.toString(), "--split", "val", "--out", rec.toString());
        assertTrue(r.out().contains("mean over 2 images"), r.out());
        assertSize(rec.resolve("1_recon.png"), 32, 32);
        r = ok("direction", "--ckpt", ckpt.toString(), "--dataset", ds.toString(), "--split", "train", "--labels", labels.toString(),
                "--val-fraction", "0", "--save", dir.resolve("bright-ds.h5").toString());
        var counts = java.util.regex.Pattern.compile("Bright: (\\d+) photos with it, (\\d+) without").matcher(r.out());
        assertTrue(counts.find(), r.out());
        assertEquals(6, Integer.parseInt(counts.group(1)) + Integer.parseInt(counts.group(2)), "the 6 training photos of the dataset");
        oneLineError("no attribute 'Smile'", "direction", "--ckpt", ckpt.toString(), "--images", folder.toString(), "--labels", labels.toString(),
                "--attribute", "Smile", "--save", saved.toString());
    }

    /** The photos in ../shared/data/real, when this machine has them (never committed). */
    @Test
    void realPhotosReconstructAndEdit() throws Exception {
        Path real = Path.of("../shared/data/real/celeba_hq");
        Assumptions.assumeTrue(Files.isDirectory(real), "no real photos at " + real.toAbsolutePath());
        List<Path> photos;
        try (var s = Files.list(real)) {
            photos = s.filter(p -> p.toString().endsWith(".jpg") || p.toString().endsWith(".png")).sorted().limit(2).toList();
        }
        assertEquals(2, photos.size());
        Path rec = dir.resolve("real-rec");
        ok("reconstruct", "--ckpt", ckpt.toString(), "--images", real.toString(), "--limit", "2", "--out", rec.toString());
        assertSize(rec.resolve("1_recon.png"), 32, 32);
        Path png = dir.resolve("real-edit.png");
        ok("edit", "--ckpt", ckpt.toString(), "--original", photos.get(0).toString(), "--reference", photos.get(1).toString(), "--box", "8,8,24,24",
                "--out", png.toString());
        assertSize(png, 2 + 5 * TILE, 2 + TILE);
    }
}

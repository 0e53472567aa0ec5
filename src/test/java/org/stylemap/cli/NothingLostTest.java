package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.testing.Cli;
import org.stylemap.testing.Cli.Result;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.train.Checkpoint;

/**
 * Issue 7, through the command line as a user meets it: a user's run history and files are never
 * destroyed, and every bad value or path gets one line and a non-zero exit before any work.
 */
class NothingLostTest {
    @TempDir static Path dir;
    static Path config;


    private static void assertRefused(Result r, String fragment) {
        assertNotEquals(0, r.code(), "accepted: " + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "one line: " + r.err());
        assertTrue(lines[0].contains(fragment), "'" + fragment + "' not in: " + r.err());
        assertFalse(r.err().contains("\tat "), "stack trace printed: " + r.err());
    }

    @BeforeAll
    static void tinyConfig() throws Exception {
        Path data = dir.resolve("b16.h5");
        BuiltinDataset.write(data, 16);
        config = dir.resolve("t.properties");
        Files.writeString(config, String.join("\n", "size = 16", "latent_spatial_size = 4", "latent_channel_size = 8", "mapping_layer_num = 2",
                "channel_max = 8", "batch = 2", "d_reg_every = 2", "log_interval = 1", "sample_interval = 2", "val_interval = 2",
                "val_images = 2", "save_network_interval = 2", "iter = 2", "dataset = " + data) + "\n");
    }

    private static Path trained(String name) {
        Path out = dir.resolve(name);
        Result r = Cli.run("train", "--config", config.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        return out;
    }

    private static List<String> iterations(Path metrics) throws Exception {
        List<String> its = new ArrayList<>();
        for (String line : Files.readAllLines(metrics).subList(1, Files.readAllLines(metrics).size())) its.add(line.split(",")[0]);
        return its;
    }

    /** Item 1: resume writes into the checkpoint's own folder, not into checkpoints/<config name>. */
    @Test
    void resumeContinuesInTheCheckpointsFolder() throws Exception {
        Path run = trained("resume-home");
        Path ckpt = run.resolve("ckpt-000002.h5");
        Path cwdRun = Path.of("checkpoints", "t");
        boolean existedBefore = Files.exists(cwdRun);
        Result r = Cli.run("train", "--resume", ckpt.toString(), "--iterations", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(run.resolve("ckpt-000004.h5")), "the resumed run writes next to its checkpoint");
        assertEquals(existedBefore, Files.exists(cwdRun), "nothing written into checkpoints/<config name>");
        assertEquals(List.of("1", "2", "3", "4"), iterations(run.resolve("metrics.csv")));
    }

    /** Item 2: every resume keeps the metrics row of the checkpoint's own iteration (and drops only rows past it). */
    @Test
    void resumeKeepsTheCheckpointsMetricsRow() throws Exception {
        Path run = trained("resume-rows");
        Path stale = Files.writeString(run.resolve("ckpt-000099.h5.tmp"), "partial write of a killed run");
        Result r = Cli.run("train", "--resume", run.resolve("ckpt-000002.h5").toString(), "--iterations", "4", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        r = Cli.run("train", "--resume", run.resolve("ckpt-000002.h5").toString(), "--iterations", "4", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("1", "2", "3", "4"), iterations(run.resolve("metrics.csv")), "rows past the checkpoint are logged again once");
        assertFalse(Files.exists(stale), "partial files of a killed run are cleared");
    }

    /** A run started with --iterations N and killed finishes at N when resumed without it (the target is the run's key iter). */
    @Test
    void resumeKeepsTheRunsIterationTarget() throws Exception {
        Path run = dir.resolve("target-kept");
        Result r = Cli.run("train", "--config", config.toString(), "--out", run.toString(), "--iterations", "4");
        assertEquals(0, r.code(), r.err());
        Files.delete(run.resolve("ckpt-000004.h5"));
        r = Cli.run("train", "--resume", run.resolve("ckpt-000002.h5").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("from iteration 2 to 4"), r.err());
        assertEquals(List.of("1", "2", "3", "4"), iterations(run.resolve("metrics.csv")));
    }

    /** Item 3: a fresh run into a folder holding a run is refused; --overwrite replaces it; no prefix matching. */
    @Test
    void aFreshRunDoesNotTruncateAnotherRun() throws Exception {
        Path run = trained("twice");
        byte[] metrics = Files.readAllBytes(run.resolve("metrics.csv"));
        assertRefused(Cli.run("train", "--config", config.toString(), "--out", run.toString()), "already holds a run");
        assertRefused(Cli.run("train", "--config", config.toString(), "--out", run.toString()), "--resume " + run.resolve("ckpt-000002.h5"));
        assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.csv")), "metrics.csv untouched");
        assertRefused(Cli.run("train", "--config", config.toString(), "--iteration", "5", "--out", dir.resolve("typo").toString()), "Unrecognized option: --iteration");
        Files.writeString(run.resolve("notes.txt"), "mine");
        Result again = Cli.run("train", "--config", config.toString(), "--out", run.toString(), "--overwrite", "--set", "iter=1");
        assertEquals(0, again.code(), again.err());
        assertFalse(Files.exists(run.resolve("ckpt-000002.h5")), "the old run's checkpoints are gone, not mixed in");
        assertEquals(List.of("1"), iterations(run.resolve("metrics.csv")));
        assertTrue(Files.exists(run.resolve("notes.txt")), "files that are not the run's own stay");
    }

    /** Item 4: outputs never replace inputs, nor existing files of another kind unless asked. */
    @Test
    void outputsDoNotOverwriteInputs() throws Exception {
        Path ckpt = trained("inputs").resolve("ckpt-000002.h5");
        byte[] before = Files.readAllBytes(ckpt);
        assertRefused(Cli.run("generate", "--ckpt", ckpt.toString(), "--n", "1", "--out", ckpt.toString()), "is one of this command's inputs");
        Path other = dir.resolve("other.h5");
        Files.copy(ckpt, other);
        assertRefused(Cli.run("generate", "--ckpt", ckpt.toString(), "--n", "1", "--out", other.toString()), "is not a PNG image");
        assertArrayEquals(before, Files.readAllBytes(other));
        assertEquals(0, Cli.run("generate", "--ckpt", ckpt.toString(), "--n", "1", "--out", other.toString(), "--overwrite").code());

        Path photos = Files.createDirectories(dir.resolve("photos"));
        Path photo = photos.resolve("a.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(20, 20, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", photo.toFile());
        byte[] photoBytes = Files.readAllBytes(photo);
        assertRefused(Cli.run("prepare", "--images", photos.toString(), "--size", "8", "--out", photo.toString(), "--overwrite"), "is one of this command's inputs");
        assertRefused(Cli.run("prepare", "--images", photos.toString(), "--size", "8", "--out", ckpt.toString()), "is not a prepared dataset");
        assertRefused(Cli.run("prepare", "--images", photos.toString(), "--size", "8", "--out", dir.resolve("d.h5").toString(),
                "--preview", photo.toString()), "is one of this command's inputs");
        assertArrayEquals(photoBytes, Files.readAllBytes(photo));
        assertArrayEquals(before, Files.readAllBytes(ckpt));
        // A dataset may replace an earlier dataset.
        Path data = dir.resolve("d.h5");
        assertEquals(0, Cli.run("prepare", "--images", photos.toString(), "--size", "8", "--out", data.toString()).code());
        assertEquals(0, Cli.run("prepare", "--images", photos.toString(), "--size", "8", "--out", data.toString()).code());
    }

    /** Item 7: on resume, changeable keys apply and are named; fixed ones are refused by name. */
    @Test
    void resumeAppliesOrRefusesConfigurationChanges() throws Exception {
        Path ckpt = trained("changes").resolve("ckpt-000002.h5");
        Result r = Cli.run("train", "--resume", ckpt.toString(), "--set", "iter=6", "save_network_interval=3", "lr=0.001");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resuming with changes: iter 2 -> 6, save_network_interval 2 -> 3, lr 0.002 -> 0.001"), r.err());
        Path run = ckpt.getParent();
        assertTrue(Files.exists(run.resolve("ckpt-000003.h5")) && Files.exists(run.resolve("ckpt-000006.h5")), "the new interval applied");
        assertEquals("0.001", Checkpoint.load(run.resolve("ckpt-000006.h5")).config.get("lr"));
        assertRefused(Cli.run("train", "--resume", ckpt.toString(), "--set", "batch=4"), "batch cannot change when resuming");
    }

    /** Item 8: a bad output path is refused in one line before the work, with the reason. */
    @Test
    void unwritableOutputsAreRefusedWithTheReason() throws Exception {
        Path ckpt = trained("unwritable").resolve("ckpt-000002.h5");
        assertRefused(Cli.run("generate", "--ckpt", ckpt.toString(), "--out", "/proc/stylemap-test.png"),
                "cannot write /proc/stylemap-test.png: the folder /proc does not accept new files");
        assertRefused(Cli.run("generate", "--ckpt", ckpt.toString(), "--out", dir.resolve("x".repeat(300) + ".png").toString()), "File name too long");
        assertRefused(Cli.run("edit", "--ckpt", ckpt.toString(), "--original", ckpt.toString(), "--reference", ckpt.toString(),
                "--box", "0,0,4,4", "--out", dir.toString()), "is a folder");
        Path a = dir.resolve("a.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(20, 20, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", a.toFile());
        assertRefused(Cli.run("edit", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", a.toString(), "--mask", a.toString(),
                "--out", "/proc/self/edit.png"), "cannot write /proc/self/edit.png");
        assertRefused(Cli.run("train", "--config", config.toString(), "--out", "/proc/stylemap-run"), "cannot write /proc/stylemap-run/metrics.csv: the folder /proc does not accept new files");
        assertRefused(Cli.run("train", "--config", config.toString(), "--out", a.toString()), "is a file, not a folder");
    }

    /** Item 9: a full disk at a checkpoint says so with the size, leaves no partial file and keeps the previous checkpoint. */
    @Test
    void aFullDiskKeepsThePreviousCheckpoint() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "needs /dev/full (Linux)");
        Path run = trained("full");
        Path next = run.resolve("ckpt-000004.h5"), tmp = run.resolve("ckpt-000004.h5.tmp");
        Files.createSymbolicLink(tmp, Path.of("/dev/full")); // every write there fails with ENOSPC
        Result r = Cli.run("train", "--resume", run.resolve("ckpt-000002.h5").toString(), "--iterations", "4");
        assertNotEquals(0, r.code());
        String last = r.err().strip().substring(r.err().strip().lastIndexOf('\n') + 1);
        assertTrue(last.matches("stylemap train: no space left on device: " + java.util.regex.Pattern.quote(next.toString())
                + " \\(needed about \\d+\\.\\d MB\\)"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS), "no partial file left");
        assertFalse(Files.exists(next));
        assertEquals(2, Checkpoint.load(run.resolve("ckpt-000002.h5")).iteration, "the previous checkpoint is intact");
    }

    /** Item 14: every number outside its range is one line naming the key or option and the range. */
    @Test
    void badValuesNameTheKeyAndTheRange() throws Exception {
        Path out = dir.resolve("never");
        for (String[] bad : new String[][] {{"log_interval=0", "key 'log_interval' must be an integer >= 1, got 0"},
                {"save_network_interval=0", "key 'save_network_interval' must be an integer >= 1"},
                {"sample_interval=0", "key 'sample_interval' must be an integer >= 1"}, {"lr=-1", "key 'lr' must be a finite number > 0, got -1"},
                {"lr=NaN", "key 'lr' must be a finite number > 0, got NaN"}, {"ema_decay=2", "key 'ema_decay' must be a finite number in [0, 1], got 2"},
                {"val_images=-5", "key 'val_images' must be an integer >= 0, got -5"}})
            assertRefused(Cli.run("train", "--config", config.toString(), "--out", out.toString(), "--set", bad[0]), bad[1]);
        assertRefused(Cli.run("train", "--config", config.toString(), "--out", out.toString(), "--iterations", "-1"), "--iterations must be an integer >= 1, got -1");
        assertFalse(Files.exists(out), "refused before any work");
        Path ckpt = trained("ranges").resolve("ckpt-000002.h5");
        assertRefused(Cli.run("generate", "--ckpt", ckpt.toString(), "--truncation", "NaN"), "--truncation must be a finite number, got NaN");
        assertRefused(Cli.run("generate", "--ckpt", ckpt.toString(), "--n", "0"), "--n must be an integer >= 1, got 0");
        assertRefused(Cli.run("train", "--resume", ckpt.toString(), "--iterations", "1"), "--iterations 1 is not above the checkpoint's iteration 2");
        assertRefused(Cli.run("train", "--resume", ckpt.toString()), "iter=2 is not above the checkpoint's iteration 2");
    }

    /** Item 15: files of the wrong kind, truncated, missing or folders are named for what they are. */
    @Test
    void wrongMissingAndTruncatedFilesAreNamedForWhatTheyAre() throws Exception {
        Path ckpt = trained("kinds").resolve("ckpt-000002.h5");
        assertRefused(Cli.run("verify-parity", ckpt.toString()), "not a parity fixture");
        Path cut = dir.resolve("cut.h5");
        byte[] all = Files.readAllBytes(ckpt);
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        assertRefused(Cli.run("generate", "--ckpt", cut.toString()), "truncated");
        assertRefused(Cli.run("train", "--resume", cut.toString()), "truncated");
        assertRefused(Cli.run("edit", "--ckpt", ckpt.toString(), "--original", "/nope.jpg", "--reference", "/nope.jpg", "--mask", "/nope.jpg",
                "--out", dir.resolve("e.png").toString()), "/nope.jpg: no such file");
        assertRefused(Cli.run("edit", "--ckpt", ckpt.toString(), "--original", dir.toString(), "--reference", dir.toString(), "--mask", dir.toString(),
                "--out", dir.resolve("e.png").toString()), dir + ": is a folder, not a file");
        assertRefused(Cli.run("train", "--config", dir.toString(), "--out", dir.resolve("c").toString()), "is a folder, not a file");
        Path cfg = dir.resolve("dirdata.properties");
        Files.writeString(cfg, Files.readString(config).replaceAll("dataset = .*", "dataset = " + dir) + "lpips_weights = " + dir.resolve("none.h5") + "\n");
        Result both = Cli.run("train", "--config", cfg.toString(), "--out", dir.resolve("c2").toString());
        assertRefused(both, "dataset " + dir + ": is a folder, not a file");
        assertTrue(both.err().contains("lpips_weights " + dir.resolve("none.h5") + ": no such file"), "every missing input named together: " + both.err());
    }

    /** Smaller items: required options are not shown as optional, and operands appear in the usage line. */
    @Test
    void helpShowsRequiredOptionsAndOperands() {
        Result g = Cli.run("generate", "--help");
        assertEquals(0, g.code());
        assertTrue(g.out().contains("--ckpt <FILE>") && !g.out().contains("[--ckpt <FILE>]"), g.out());
        assertTrue(Cli.run("verify-parity", "--help").out().contains("FIXTURE.h5"));
    }
}

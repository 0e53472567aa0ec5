package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.testing.Cli;
import org.stylemap.testing.Cli.Result;
import org.stylemap.data.BuiltinDataset;

/** Bad input on the command line ends in one line on stderr and a non-zero exit code. */
class MainTest {

    private static void assertOneLineError(Result r, String fragment) {
        assertNotEquals(0, r.code());
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines[lines.length - 1].contains(fragment), r.err());
        assertFalse(r.err().contains("\tat "), "stack trace printed: " + r.err());
    }

    @Test
    void usageErrors() {
        assertOneLineError(Cli.run("bogus"), "unknown command 'bogus'");
        assertOneLineError(Cli.run("train", "--nope"), "Unrecognized option");
        assertOneLineError(Cli.run("verify-parity"), "needs exactly one fixture file");
        assertEquals(0, Cli.run("train", "--help").code());
    }

    @Test
    void devicesAreCheckedBeforeAnyWork(@TempDir Path dir) {
        Cli.Result bad = Cli.run("verify-parity", "src/test/resources/fixtures/parity_s32.h5", "--device", "tpu");
        assertEquals(2, bad.code());
        assertOneLineError(bad, "--device: unknown device 'tpu' (expected cpu, cuda, cuda:N or cuda-emu)");
        assertOneLineError(Cli.run("generate", "--ckpt", dir.resolve("none.h5").toString(), "--device", "cuda"), "device cuda:0 is unavailable");
        assertOneLineError(Cli.run("train", "--set", "device=gpu", "--out", dir.resolve("r").toString()), "key 'device': unknown device 'gpu'");
    }

    @Test
    void badFilesAndConfigs(@TempDir Path dir) throws Exception {
        assertOneLineError(Cli.run("verify-parity", dir.resolve("none.h5").toString()), "no such file");
        Path cfg = dir.resolve("c.properties");
        Files.writeString(cfg, "size = 16\nlatent_spatial_size = 4\nchannel_max = 8\nlatent_channel_size = 8\nmapping_layer_num = 2\nbatch = 2\n"
                + "dataset = " + dir.resolve("missing.h5") + "\n");
        assertOneLineError(Cli.run("train", "--config", cfg.toString(), "--out", dir.resolve("run").toString()), "missing.h5: no such file");
        assertOneLineError(Cli.run("train", "--config", cfg.toString(), "--set", "batch=two"), "'batch' needs int value");

        Path data = dir.resolve("b16.h5");
        BuiltinDataset.write(data, 16);
        Files.writeString(cfg, Files.readString(cfg).replace(dir.resolve("missing.h5").toString(), data.toString()));
        Result ok = Cli.run("train", "--config", cfg.toString(), "--iterations", "1", "--out", dir.resolve("run").toString());
        assertEquals(0, ok.code(), ok.err());
        Path ckpt = dir.resolve("run/ckpt-000001.h5");
        assertTrue(Files.exists(ckpt));
        assertOneLineError(Cli.run("train", "--config", cfg.toString(), "--set", "channel_max=16", "--resume", ckpt.toString()),
                "was trained with channel_max=8 but the configuration asks for channel_max=16");
        generateAndEdit(dir, ckpt);
        long before = Files.getLastModifiedTime(ckpt).toMillis();
        assertOneLineError(Cli.run("train", "--resume", dir.resolve("run/metrics.csv").toString()), "not a readable HDF5 file");
        assertEquals(before, Files.getLastModifiedTime(ckpt).toMillis(), "nothing overwritten");
    }

    private static Path photo(Path dir, String name, int rgb, boolean rightHalfOnly) throws Exception {
        var img = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) for (int x = rightHalfOnly ? 20 : 0; x < 40; x++) img.setRGB(x, y, rgb);
        Path p = dir.resolve(name);
        javax.imageio.ImageIO.write(img, "png", p.toFile());
        return p;
    }

    private static void generateAndEdit(Path dir, Path ckpt) throws Exception {
        Path gen = dir.resolve("gen.png");
        Result g = Cli.run("generate", "--ckpt", ckpt.toString(), "--n", "4", "--truncation", "0.7", "--out", gen.toString());
        assertEquals(0, g.code(), g.err());
        var grid = javax.imageio.ImageIO.read(gen.toFile());
        assertTrue(grid.getWidth() >= 2 * 16 && grid.getHeight() >= 2 * 16, grid.getWidth() + "x" + grid.getHeight());

        Path a = photo(dir, "a.png", 0x3366cc, false), b = photo(dir, "b.png", 0xcc6633, false), m = photo(dir, "m.png", 0xffffff, true);
        Path edit = dir.resolve("edit.png");
        Result e = Cli.run("edit", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString(), "--mask", m.toString(),
                "--space", "w", "--out", edit.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(Files.size(edit) > 0);
        assertOneLineError(Cli.run("edit", "--ckpt", ckpt.toString(), "--original", a.toString(), "--reference", b.toString(),
                "--mask", dir.resolve("nomask.png").toString()), "nomask.png");
        assertOneLineError(Cli.run("edit", "--ckpt", ckpt.toString(), "--original", a.toString()), "--reference is required");
    }
}

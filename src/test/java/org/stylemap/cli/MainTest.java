package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.data.BuiltinDataset;

/** Bad input on the command line ends in one line on stderr and a non-zero exit code. */
class MainTest {
    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Result r, String fragment) {
        assertNotEquals(0, r.code());
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines[lines.length - 1].contains(fragment), r.err());
        assertFalse(r.err().contains("\tat "), "stack trace printed: " + r.err());
    }

    @Test
    void usageErrors() {
        assertOneLineError(run("bogus"), "unknown command 'bogus'");
        assertOneLineError(run("train", "--nope"), "Unrecognized option");
        assertOneLineError(run("verify-parity"), "needs exactly one fixture file");
        assertEquals(0, run("train", "--help").code());
    }

    @Test
    void badFilesAndConfigs(@TempDir Path dir) throws Exception {
        assertOneLineError(run("verify-parity", dir.resolve("none.h5").toString()), "no such file");
        Path cfg = dir.resolve("c.properties");
        Files.writeString(cfg, "size = 16\nlatent_spatial_size = 4\nchannel_max = 8\nlatent_channel_size = 8\nmapping_layer_num = 2\nbatch = 2\n"
                + "dataset = " + dir.resolve("missing.h5") + "\n");
        assertOneLineError(run("train", "--config", cfg.toString(), "--out", dir.resolve("run").toString()), "missing.h5: no such file");
        assertOneLineError(run("train", "--config", cfg.toString(), "--set", "batch=two"), "'batch' needs int value");

        Path data = dir.resolve("b16.h5");
        BuiltinDataset.write(data, 16);
        Files.writeString(cfg, Files.readString(cfg).replace(dir.resolve("missing.h5").toString(), data.toString()));
        Result ok = run("train", "--config", cfg.toString(), "--iterations", "1", "--out", dir.resolve("run").toString());
        assertEquals(0, ok.code(), ok.err());
        Path ckpt = dir.resolve("run/ckpt-000001.h5");
        assertTrue(Files.exists(ckpt));
        assertOneLineError(run("train", "--config", cfg.toString(), "--set", "channel_max=16", "--resume", ckpt.toString()),
                "was trained with channel_max=8 but the configuration asks for channel_max=16");
        long before = Files.getLastModifiedTime(ckpt).toMillis();
        assertOneLineError(run("train", "--resume", dir.resolve("run/metrics.csv").toString()), "not a readable HDF5 file");
        assertEquals(before, Files.getLastModifiedTime(ckpt).toMillis(), "nothing overwritten");
    }
}

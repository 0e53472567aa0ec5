package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stylemap.testing.Cli;
import org.stylemap.testing.Cli.Result;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.train.Checkpoint;
import org.stylemap.metrics.InceptionWeights;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.TrainingState;

/** `stylemap eval` end to end: a tiny checkpoint, the built-in dataset and generated full-size Inception weights. */
class EvalCommandTest {
    @TempDir
    static Path dir;
    static Path data, ckpt, weights;

    private static Result run(String... args) {
        return Cli.run(args);
    }

    @BeforeAll
    static void setUp() {
        data = dir.resolve("b16.h5");
        BuiltinDataset.write(data, 16);
        TrainConfig c = TrainConfig.defaults().with(List.of("size=16", "latent_spatial_size=4", "channel_max=8",
                "latent_channel_size=8", "mapping_layer_num=2", "batch=2"));
        ckpt = dir.resolve("ckpt-000000.h5");
        Checkpoint.save(TrainingState.fresh(c), ckpt);
        weights = InceptionWeights.fullSize();
    }

    @Test
    void evaluatesEveryMetricAndKeepsEarlierResults() throws Exception {
        Result r = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--n", "3", "--batch", "2",
                "--inception-weights", weights.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        for (String metric : List.of("fid ", "fid_recon ", "fid_lerp ", "mse ", "mse_src ", "mse_ref ", "projection_ms ", "edit_ms "))
            assertTrue(r.out().contains("\n" + metric), metric + " missing in:\n" + r.out());
        assertTrue(r.out().contains("recon reports MSE only"), r.out());
        Path csv = dir.resolve("ckpt-000000.eval.csv"), json = dir.resolve("ckpt-000000.eval.json");
        List<String> rows = Files.readAllLines(csv);
        assertEquals("metric,value,n,unit", rows.get(0));
        double fid = value(rows, "fid"), mse = value(rows, "mse");
        assertTrue(fid > 0 && Double.isFinite(fid), rows.toString());
        assertTrue(mse > 0 && mse < 4, rows.toString());                 // images in [-1, 1]
        assertTrue(value(rows, "mse_src") >= 0 && value(rows, "mse_ref") >= 0, rows.toString());
        assertTrue(Files.readString(json).contains("\"inception_weights_sha256\""));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("b16.fid-train-3-pytorch_fid-")).count());
        }

        // Again (MSE only, no Inception passes): numbered files, the first results untouched.
        String before = Files.readString(csv);
        Result again = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--n", "3", "--metrics", "recon");
        assertEquals(0, again.code(), again.err() + again.out());
        assertTrue(again.out().contains("earlier results beside the checkpoint are kept"), again.out());
        assertEquals(before, Files.readString(csv));
        assertEquals(mse, value(Files.readAllLines(dir.resolve("ckpt-000000.eval-2.csv")), "mse"), 1e-6 * mse); // float32, other batch size
    }

    private static double value(List<String> csvRows, String metric) {
        for (String row : csvRows) if (row.startsWith(metric + ",")) return Double.parseDouble(row.split(",")[1]);
        throw new AssertionError("no row " + metric + " in " + csvRows);
    }

    @Test
    void missingWeightsAndBadOptionsAreOneLine() {
        Result r = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--inception-weights", dir.resolve("none.h5").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("none.h5 does not exist") && r.err().contains("docs/FID.md"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        Result lp = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--metrics", "recon",
                "--lpips-weights", dir.resolve("nolpips.h5").toString());
        assertTrue(lp.code() != 0 && lp.err().contains("docs/LPIPS.md"), lp.err());
        Result bad = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--metrics", "fid,bogus");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown metric 'bogus'"), bad.err());
        assertEquals(2, run("eval", "--ckpt", ckpt.toString()).code());
        Result help = run("eval", "--help");
        assertTrue(help.code() == 0 && help.out().contains("--local-edit") && help.out().contains("--fid-preprocess"), help.out());
        Result few = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--metrics", "recon", "--n", "1");
        assertTrue(few.code() != 0 && few.err().contains("--n must be at least 2"), few.err());
    }

    @Test
    void localEditPairsFromAFolderInTheOfficialLayout() throws Exception {
        Path pairs = dir.resolve("pairs");
        for (String part : List.of("nose", "hair"))
            for (String kind : List.of("source_image", "reference_image", "mask")) {
                Files.createDirectories(pairs.resolve(part).resolve(kind));
                for (int i = 0; i < 2; i++) {
                    var img = new java.awt.image.BufferedImage(16, 16, java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 16; y++)
                        for (int x = 0; x < 16; x++)
                            img.setRGB(x, y, kind.equals("mask") ? (x < 4 + 4 * i ? 0xffffff : 0) : (kind.startsWith("s") ? 0x2040a0 : 0xa04020) + x * 8);
                    javax.imageio.ImageIO.write(img, "png", pairs.resolve(part).resolve(kind).resolve(i + ".png").toFile());
                }
            }
        Result r = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--metrics", "local_edit", "--space", "w",
                "--local-edit", pairs.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("mse_src:nose") && r.out().contains("mse_ref:hair"), r.out());
        Files.delete(pairs.resolve("hair/reference_image/1.png"));
        Result broken = run("eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--metrics", "local_edit",
                "--local-edit", pairs.toString());
        assertTrue(broken.code() != 0 && broken.err().contains("reference_image/1.png: missing"), broken.err());
    }
}

package org.stylemap.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.tensor.Device;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.metrics.InceptionWeights;

class TrainerTest {
    @TempDir static Path dir;
    static Path data16;

    @BeforeAll
    static void dataset() {
        data16 = dir.resolve("builtin_16.h5");
        BuiltinDataset.write(data16, 16);
    }

    static TrainConfig tiny() {
        return TrainConfig.defaults().with(List.of("size=16", "latent_spatial_size=4", "latent_channel_size=8",
                "mapping_layer_num=2", "channel_max=8", "batch=2", "d_reg_every=2", "log_interval=1", "sample_interval=2",
                "val_interval=2", "val_images=4", "save_network_interval=2", "dataset=" + data16));
    }

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void resumedRunGivesTheSameLossesAsAnUninterruptedOne() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        List<Map<String, Double>> full = new Trainer(TrainingState.fresh(tiny()), a, 4, QUIET).run();
        new Trainer(TrainingState.fresh(tiny()), b, 2, QUIET).run();
        TrainingState resumed = Checkpoint.load(b.resolve("ckpt-000002.h5"));
        assertEquals(2, resumed.iteration);
        List<Map<String, Double>> rest = new Trainer(resumed, b, 4, QUIET).run();
        assertEquals(2, rest.size());
        for (int i = 0; i < 2; i++) assertEquals(full.get(i + 2), rest.get(i), "losses of iteration " + (i + 2));
        assertTrue(full.get(2).containsKey("r1"), "R1 ran in the resumed half");
        for (String f : new String[] {"metrics.csv", "losses.png", "sample-000004.png", "ckpt-000004.h5"})
            assertTrue(Files.exists(b.resolve(f)), f);
        assertArrayEquals(Files.readAllBytes(a.resolve("ckpt-000004.h5")), Files.readAllBytes(b.resolve("ckpt-000004.h5")),
                "the resumed run's checkpoint is the uninterrupted run's, byte for byte");
    }

    @Test
    void nonFiniteLossStopsWithTheIterationNamed() {
        TrainConfig exploding = tiny().with("lr", "1e30", "test");
        var e = assertThrows(Trainer.NonFiniteLossException.class,
                () -> new Trainer(TrainingState.fresh(exploding), dir.resolve("nan"), 20, QUIET).run());
        assertTrue(e.getMessage().matches("loss \\w+ became (NaN|-?Infinity) at iteration \\d+.*"), e.getMessage());
    }

    @Test
    void refusesADatasetOfAnotherSize() {
        TrainConfig wrong = tiny().with("size", "32", "test").with("latent_spatial_size", "8", "test");
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(TrainingState.fresh(wrong), dir.resolve("w"), 1, QUIET).run());
        assertTrue(e.getMessage().contains(data16.toString()) && e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void interruptFinishesTheIterationAndSavesAResumableCheckpoint() throws Exception {
        Path out = dir.resolve("ctrl-c");
        Trainer t = new Trainer(TrainingState.fresh(tiny()), out, 100_000, QUIET);
        Thread run = new Thread(t::run);
        run.start();
        Path metrics = out.resolve("metrics.csv");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while ((!Files.exists(metrics) || Files.readAllLines(metrics).size() < 3) && System.nanoTime() < deadline) Thread.sleep(20);
        t.interrupt();
        run.join(60_000);
        assertFalse(run.isAlive(), "the loop did not stop");
        TrainingState saved = Checkpoint.load(out.resolve("latest.h5"));
        assertTrue(saved.iteration >= 2 && saved.iteration < 100_000, "saved at iteration " + saved.iteration);
        assertEquals(saved.iteration, saved.dataPosition, "one batch per iteration");
    }

    @Test
    void emaNetworksGetTheBatchNormStatisticsBeforeValidationAndSaving() {
        TrainingState s = TrainingState.fresh(tiny().with("normalize_mode", "BatchNorm2d", "test"));
        new Trainer(s, dir.resolve("bn"), 2, QUIET).run();
        String key = "decoder.conv1.conv.norm.running_mean";
        assertArrayEquals(s.g.stateDict().get(key).toDoubleArray(), s.gEma.stateDict().get(key).toDoubleArray());
        // G runs in training mode four times an iteration (G step; fake and reconstruction of the D step, which
        // update BatchNorm statistics although they build no graph, as in PyTorch; reconstruction step).
        assertEquals(8.0, s.gEma.stateDict().get("decoder.conv1.conv.norm.num_batches_tracked").item(), 0.0);
    }

    @Test
    void fidIntervalLogsFidWithTheOtherMetrics() throws Exception {
        TrainConfig c = tiny().with(List.of("fid_interval=2", "fid_images=2",
                "inception_weights=" + InceptionWeights.fullSize().toAbsolutePath()));
        new Trainer(TrainingState.fresh(c), dir.resolve("fid"), 2, QUIET).run();
        List<String> lines = Files.readAllLines(dir.resolve("fid/metrics.csv"));
        assertTrue(lines.get(0).endsWith(",val_lpips,fid"), lines.get(0));
        assertTrue(lines.get(1).startsWith("1,") && lines.get(1).endsWith(","), "no FID at iteration 1: " + lines.get(1));
        String[] f = lines.get(2).split(",", -1);
        double fid = Double.parseDouble(f[f.length - 1]);
        assertTrue(fid > 0 && Double.isFinite(fid), lines.get(2));
    }

    @Test
    void fidIntervalWithoutWeightsOrOffTheLogGridIsRefusedBeforeTraining() {
        Path out = dir.resolve("nofid");
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(TrainingState.fresh(tiny().with(List.of(
                "fid_interval=2", "inception_weights=" + dir.resolve("none.h5")))), out, 2, QUIET).run());
        assertTrue(e.getMessage().contains("none.h5 does not exist") && e.getMessage().contains("docs/FID.md"), e.getMessage());
        assertFalse(Files.exists(out.resolve("metrics.csv")), "nothing written before the refusal");
        var grid = assertThrows(IllegalArgumentException.class, () -> new Trainer(TrainingState.fresh(tiny().with(List.of(
                "fid_interval=3", "log_interval=2"))), out, 2, QUIET).run());
        assertTrue(grid.getMessage().contains("'fid_interval' (3) must be a multiple of log_interval (2)"), grid.getMessage());
    }
}

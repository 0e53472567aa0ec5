package org.stylemap.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.io.H5;

class CheckpointTest {
    static TrainConfig tiny(String normalize) {
        return TrainConfig.defaults().with(List.of("size=16", "latent_spatial_size=4", "latent_channel_size=8",
                "mapping_layer_num=2", "channel_max=8", "batch=2", "normalize_mode=" + normalize));
    }

    private static double[] generate(TrainingState s, long seed) {
        try (Scope sc = Scope.open(); GradMode off = GradMode.off()) {
            Tensor z = Tensor.randn(new org.stylemap.random.Rng(seed), s.dtype, Device.CPU, 2, 8);
            return s.gEma.synthesize(s.gEma.stylemap(z)).toDoubleArray();
        }
    }

    @Test
    void roundTripRestoresEveryTensorAndCounter(@TempDir Path dir) {
        for (String mode : new String[] {"LayerNorm", "BatchNorm2d"}) {
            TrainingState s = TrainingState.fresh(tiny(mode));
            s.opt.g().step(); // creates optimizer state (zero gradients)
            s.iteration = 7;
            s.dataPosition = 5;
            s.noise.take(123);
            Path file = dir.resolve(mode + ".h5");
            Checkpoint.save(s, file);
            assertFalse(Files.exists(dir.resolve(mode + ".h5.tmp")), "temporary file left behind");
            TrainingState r = Checkpoint.load(file);
            assertEquals(7, r.iteration);
            assertEquals(5, r.dataPosition);
            assertEquals(s.noise.offset(), r.noise.offset());
            assertEquals(s.config.asMap(), r.config.asMap());
            for (Map.Entry<String, Tensor> e : s.g.stateDict().entrySet())
                assertArrayEquals(e.getValue().toDoubleArray(), r.g.stateDict().get(e.getKey()).toDoubleArray(), e.getKey());
            assertEquals(s.opt.g().steps(), r.opt.g().steps());
            assertArrayEquals(generate(s, 3), generate(r, 3), "g_ema outputs differ after the round trip");
        }
    }

    @Test
    void refusesForeignTruncatedAndMismatchedFiles(@TempDir Path dir) throws Exception {
        var e1 = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(Path.of("src/test/resources/fixtures/parity_s32.h5")));
        assertTrue(e1.getMessage().contains("not a stylemap checkpoint"), e1.getMessage());

        Path good = dir.resolve("good.h5");
        Checkpoint.save(TrainingState.fresh(tiny("LayerNorm")), good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.h5");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var e2 = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(cut));
        assertTrue(e2.getMessage().startsWith(cut.toString()), e2.getMessage());

        var e3 = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(dir.resolve("missing.h5")));
        assertTrue(e3.getMessage().contains("no such file"), e3.getMessage());

        TrainingState other = TrainingState.fresh(tiny("LayerNorm").with("channel_max", "4", "test"));
        var e4 = assertThrows(IllegalArgumentException.class,
                () -> other.g.loadStateDict(TrainingState.fresh(tiny("LayerNorm")).g.stateDict(), "good.h5"));
        assertTrue(e4.getMessage().contains("has shape") && e4.getMessage().contains("configuration needs"), e4.getMessage());
        assertEquals(DType.F32, other.dtype);
    }

    /** What the README's h5py recipe writes for an official checkpoint: the configuration attributes, /g_ema, /e_ema only. */
    private static void writeExport(Path file, TrainingState s, String dropKey) {
        H5.writeAtomically(file, f -> {
            f.putAttribute("format", Checkpoint.FORMAT);
            f.putAttribute("version", Checkpoint.VERSION);
            for (String k : new String[] {"size", "latent_spatial_size", "latent_channel_size", "mapping_layer_num", "channel_max"})
                f.putAttribute(k, s.config.get(k));
            io.jhdf.api.WritableGroup g = f.putGroup("g_ema"), e = f.putGroup("e_ema");
            s.gEma.stateDict().forEach((k, t) -> { if (!k.equals(dropKey)) H5.put(g, k, t); });
            s.eEma.stateDict().forEach((k, t) -> H5.put(e, k, t));
        });
    }

    @Test
    void loadsAnExportWithOnlyTheEmaNetworksAndNamesAMissingKey(@TempDir Path dir) {
        TrainingState s = TrainingState.fresh(tiny("LayerNorm"));
        Path ok = dir.resolve("export.h5");
        writeExport(ok, s, null);
        Checkpoint.Inference inf = Checkpoint.loadInference(ok, Device.CPU);
        try (Scope sc = Scope.open(); GradMode off = GradMode.off()) {
            Tensor z = Tensor.randn(new org.stylemap.random.Rng(5), DType.F32, Device.CPU, 2, 8);
            assertArrayEquals(s.gEma.synthesize(s.gEma.stylemap(z)).toDoubleArray(), inf.g().synthesize(inf.g().stylemap(z)).toDoubleArray());
        }
        Path broken = dir.resolve("broken.h5");
        writeExport(broken, s, "decoder.to_rgb.conv.weight");
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.loadInference(broken, Device.CPU));
        assertTrue(e.getMessage().contains("missing key 'decoder.to_rgb.conv.weight'") && e.getMessage().contains("g_ema"), e.getMessage());
    }
}

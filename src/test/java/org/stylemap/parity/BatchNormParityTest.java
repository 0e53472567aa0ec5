package org.stylemap.parity;

import static org.junit.jupiter.api.Assertions.*;

import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.autograd.GradMode;
import org.stylemap.io.H5;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.model.ModelConfig;
import org.stylemap.model.NormalizeMode;
import org.stylemap.ops.Views;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * With BatchNorm2d, verify-parity computes the editing outputs as the official generate.py does:
 * in eval mode, from the running statistics stored in the fixture's params/. A fixture whose
 * edits were made from running statistics R passes; the same fixture with other running statistics
 * fails, and so do edits computed in train mode (batch statistics), which is what verify-parity
 * compared before.
 */
class BatchNormParityTest {
    private static final ModelConfig CONFIG = new ModelConfig(16, 4, 8, 2, 2, 8, NormalizeMode.BATCH_NORM, false, 0.01);
    private static final String[] EDITS = {"edit_w", "edit_w_plus", "stylemix_coarse", "stylemix_fine"};

    @TempDir Path dir;

    @Test
    void editsFollowTheStoredRunningStatistics() {
        Init init = new Init(DType.F64, Device.CPU, new Rng(5));
        Generator g = new Generator(init, CONFIG);
        Encoder e = new Encoder(init, CONFIG);
        Rng stats = new Rng(6);
        for (Map.Entry<String, Tensor> t : g.stateDict().entrySet()) {
            Tensor v = t.getValue();
            if (t.getKey().endsWith("running_mean")) copy(v, Tensor.randn(stats, DType.F64, Device.CPU, v.shape()).mul(0.3));
            if (t.getKey().endsWith("running_var")) copy(v, Tensor.rand(stats, DType.F64, Device.CPU, v.shape()).add(0.5));
        }
        Tensor real = Tensor.rand(new Rng(7), DType.F64, Device.CPU, 2, 3, 16, 16).mul(2).sub(1);
        double[] m = new double[16 * 16];
        for (int i = 0; i < m.length; i++) m[i] = i % 16 < 8 ? 1 : -1;
        Tensor mask = Tensor.of(DType.F64, Device.CPU, m, 1, 16, 16);

        Map<String, Tensor> evalEdits = edits(g, e, real, mask, false);
        Path good = fixture("good.h5", g, e, real, mask, evalEdits, 1);
        ParityReport ok = ParityCheck.run(good, DType.F64, Device.CPU, EnumSet.of(ParityCheck.Section.EDITING), s -> {});
        assertEquals(4, ok.rows().size());
        assertEquals(0, ok.failures().size(), "edits from the stored running statistics: " + ok.failures());
        assertTrue(ok.worst("outputs/") < 1e-12, "recomputed from the same statistics: " + ok.rows());

        Path otherStats = fixture("other.h5", g, e, real, mask, evalEdits, 4);
        ParityReport changed = ParityCheck.run(otherStats, DType.F64, Device.CPU, EnumSet.of(ParityCheck.Section.EDITING), s -> {});
        assertEquals(4, changed.failures().size(), "the edits must depend on the stored running variance");

        Path trainMode = fixture("train.h5", g, e, real, mask, edits(g, e, real, mask, true), 1);
        ParityReport batchStats = ParityCheck.run(trainMode, DType.F64, Device.CPU, EnumSet.of(ParityCheck.Section.EDITING), s -> {});
        assertEquals(4, batchStats.failures().size(), "train-mode (batch statistics) edits are not what generate.py computes");
    }

    private static void copy(Tensor dst, Tensor src) {
        org.stylemap.ops.Elementwise.copyInto(dst, src);
    }

    private static Map<String, Tensor> edits(Generator g, Encoder e, Tensor real, Tensor mask, boolean training) {
        g.train(training);
        e.train(training);
        try (GradMode off = GradMode.off()) {
            Tensor enc = e.forward(real);
            Tensor a = Views.slice(enc, 0, 0, 1), b = Views.slice(enc, 0, 1, 2);
            return Map.of("edit_w", g.editW(a, b, mask), "edit_w_plus", g.editWPlus(a, b, mask),
                    "stylemix_coarse", g.styleMix(a, b, true), "stylemix_fine", g.styleMix(a, b, false));
        } finally {
            g.train(false);
            e.train(false);
        }
    }

    /** A fixture in the shared layout holding what the editing section reads; running variances scaled by varScale. */
    private Path fixture(String name, Generator g, Encoder e, Tensor real, Tensor mask, Map<String, Tensor> outputs, double varScale) {
        Path p = dir.resolve(name);
        H5.writeAtomically(p, f -> {
            Map<String, Object> attrs = Map.of("size", 16, "latent_spatial_size", 4, "latent_channel_size", 8, "mapping_layer_num", 2,
                    "channel_multiplier", 2, "channel_max", 8, "normalize_mode", "BatchNorm2d", "small_generator", 0, "lr_mul", 0.01);
            attrs.forEach(f::putAttribute);
            WritableGroup params = f.putGroup("params");
            WritableGroup pg = params.putGroup("generator");
            g.stateDict().forEach((k, t) -> H5.put(pg, k, k.endsWith("running_var") ? t.mul(varScale) : t));
            WritableGroup pe = params.putGroup("encoder");
            e.stateDict().forEach((k, t) -> H5.put(pe, k, t));
            WritableGroup in = f.putGroup("inputs");
            H5.put(in, "real", real);
            H5.put(in, "mask", mask);
            WritableGroup out = f.putGroup("outputs");
            for (String k : EDITS) H5.put(out, k, outputs.get(k));
        });
        return p;
    }
}

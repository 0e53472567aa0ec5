package org.stylemap.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

class ModelTest {
    private static Init init() {
        return new Init(DType.F32, Device.CPU, new Rng(3));
    }

    /** The official 256x256 model's sizes, as published for the official code (shared/DESIGN.md). */
    @Test
    void officialConfigurationHasTheOfficialParameterCountsAndKeys() {
        ModelConfig c = ModelConfig.official(256);
        var g = new org.stylemap.model.Generator(init(), c);
        var e = new Encoder(init(), c);
        var d = new Discriminator(init(), c);
        assertEquals(79.7, g.parameterCount() / 1e6, 0.05);
        assertEquals(17.6, e.parameterCount() / 1e6, 0.05);
        assertEquals(28.9, d.parameterCount() / 1e6, 0.05);
        // state_dict entries of the official modules at this configuration (parameters and blur kernels)
        assertEquals(133, g.stateDict().size());
        assertEquals(39, e.stateDict().size());
        assertEquals(50, d.stateDict().size());
        assertArrayEquals(new int[] {1, 128, 128, 3, 3}, g.stateDict().get("decoder.convs.4.conv2.conv.weight").shape());
    }

    private static void forwardShapes(ModelConfig c) {
        var g = new org.stylemap.model.Generator(init(), c);
        var e = new Encoder(init(), c);
        var d = new Discriminator(init(), c);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor z = Tensor.randn(new Rng(1), DType.F32, Device.CPU, 4, c.latentChannelSize());
            Tensor img = g.synthesize(g.stylemap(z));
            assertArrayEquals(new int[] {4, 3, c.size(), c.size()}, img.shape());
            Tensor sm = e.forward(img);
            assertArrayEquals(new int[] {4, c.latentChannelSize(), c.latentSpatialSize(), c.latentSpatialSize()}, sm.shape());
            assertArrayEquals(new int[] {4, 1}, d.forward(img).shape());
            for (double v : img.toDoubleArray()) assertTrue(Double.isFinite(v));
        }
    }

    @Test
    void everyNormalizationAndTheSmallGeneratorRun() {
        for (NormalizeMode m : NormalizeMode.values()) forwardShapes(new ModelConfig(32, 8, 8, 2, 2, 16, m, false, 0.01));
        forwardShapes(new ModelConfig(64, 16, 8, 2, 2, 16, NormalizeMode.LAYER_NORM, true, 0.01));
    }

    @Test
    void batchNormUpdatesRunningStatisticsInTrainingAndUsesThemInEvaluation() {
        ModelConfig c = new ModelConfig(16, 4, 8, 2, 2, 8, NormalizeMode.BATCH_NORM, false, 0.01);
        var g = new org.stylemap.model.Generator(init(), c);
        Tensor rm = g.stateDict().get("decoder.conv1.conv.norm.running_mean");
        Tensor count = g.stateDict().get("decoder.conv1.conv.norm.num_batches_tracked");
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor z = Tensor.randn(new Rng(2), DType.F32, Device.CPU, 3, 8);
            g.synthesize(g.stylemap(z));
            assertEquals(1.0, count.item());
            assertNotEquals(0.0, rm.toDoubleArray()[0]);
            g.train(false);
            double[] before = rm.toDoubleArray();
            Tensor a = g.synthesize(g.stylemap(z)), b = g.synthesize(g.stylemap(Tensor.randn(new Rng(2), DType.F32, Device.CPU, 3, 8)));
            assertArrayEquals(before, rm.toDoubleArray());
            assertEquals(1.0, count.item());
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray());
        }
    }
}

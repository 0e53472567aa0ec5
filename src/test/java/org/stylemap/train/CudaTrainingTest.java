package org.stylemap.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.autograd.Autograd;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Reference;
import org.stylemap.random.Rng;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.Cli;
import org.stylemap.testing.CudaDevices;

/**
 * Training on the CUDA kernels (cuda-emu in every build, cuda where a GPU is present): the R1
 * step's double backward and whole iterations without a host round trip, two iterations equal to
 * the CPU's within the float32 tolerances, and `stylemap train --device cuda-emu` end to end.
 */
class CudaTrainingTest {
    private static final String DEVICES = "org.stylemap.testing.CudaDevices#all";
    private static final double LR = 0.002;

    /** TrainerTest's tiny model (16x16 images, 8 channels), float32, on device. */
    private static TrainConfig tiny(Device device, Path dataset) {
        return TrainConfig.defaults().with(List.of("size=16", "latent_spatial_size=4", "latent_channel_size=8",
                "mapping_layer_num=2", "channel_max=8", "batch=2", "d_reg_every=2", "lr=" + LR, "dtype=f32", "device=" + device,
                "dataset=" + dataset));
    }

    private static TrainStep step(TrainingState s) {
        return new TrainStep(s.g, s.e, s.d, s.gEma, s.eEma, s.opt, s.config.weights(), s.config.getDouble("r1"),
                s.config.getInt("d_reg_every"), s.config.getDouble("ema_decay"), null);
    }

    /** The R1 penalty's gradient of a gradient through D, fused and reference: no host read until the loss is read. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void theR1StepStaysOnTheDevice(Device device) {
        TrainingState s = TrainingState.fresh(tiny(CudaDevices.require(device), Path.of("unused.h5")));
        for (boolean reference : new boolean[] {false, true})
            try (Reference.Restore r = Reference.use(reference); Scope sc = Scope.open()) {
                Tensor real = Tensor.rand(new Rng(5), s.dtype, s.device, 2, 3, 16, 16).mul(2).sub(1);
                s.d.zeroGrad();
                long before = Tensor.hostReads();
                Tensor penalty = TrainLosses.r1(s.d, real).penalty();
                Autograd.backward(penalty.mul(TrainLosses.r1Weight(10, 16)));
                assertEquals(0, Tensor.hostReads() - before, "host reads in the R1 step" + (reference ? " (reference twins)" : ""));
                assertTrue(penalty.item() > 0, "R1 penalty " + penalty.item());
                for (Map.Entry<String, Tensor> p : s.d.parameters().entrySet())
                    if (!p.getKey().endsWith("bias") && p.getValue().grad() != null)
                        assertTrue(p.getValue().grad().abs().sum().item() > 0, "no R1 gradient reached " + p.getKey());
            }
    }

    /** A whole iteration (G step, D step, R1 in iteration 0, reconstruction, EMA) reads the host once: its losses. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void anIterationReadsTheHostOnce(Device device) {
        TrainingState s = TrainingState.fresh(tiny(CudaDevices.require(device), Path.of("unused.h5")));
        TrainStep step = step(s);
        Rng gen = new Rng(3);
        for (int it = 0; it < 2; it++)
            try (Scope sc = Scope.open()) {
                Tensor real = Tensor.rand(gen, s.dtype, s.device, 2, 3, 16, 16).mul(2).sub(1);
                Tensor zG = Tensor.randn(gen, s.dtype, s.device, 2, 8), zD = Tensor.randn(gen, s.dtype, s.device, 2, 8);
                long before = Tensor.hostReads();
                step.run(it, real, zG, zD);
                assertEquals(1, Tensor.hostReads() - before, "host reads in iteration " + it);
            }
    }

    /** Losses and every tensor of the state (G, E, D, their EMAs, Adam's moments) after two iterations. */
    private record Run(List<Map<String, Double>> losses, Map<String, double[]> state) {}

    private static Run twoIterations(Device device) {
        TrainingState s = TrainingState.fresh(tiny(device, Path.of("unused.h5")));
        TrainStep step = step(s);
        Rng gen = new Rng(7);
        List<Map<String, Double>> losses = new ArrayList<>();
        for (int it = 0; it < 2; it++) // iteration 0 runs R1, iteration 1 does not
            try (Scope sc = Scope.open()) {
                // the same bits on every device: Philox numbers do not depend on where they are drawn
                Tensor real = Tensor.rand(gen, s.dtype, s.device, 2, 3, 16, 16).mul(2).sub(1);
                Tensor zG = Tensor.randn(gen, s.dtype, s.device, 2, 8), zD = Tensor.randn(gen, s.dtype, s.device, 2, 8);
                losses.add(step.run(it, real, zG, zD));
            }
        Map<String, double[]> state = new LinkedHashMap<>();
        Map<String, org.stylemap.nn.Module> modules = Map.of("generator", s.g, "encoder", s.e, "discriminator", s.d, "g_ema", s.gEma,
                "e_ema", s.eEma);
        modules.forEach((name, m) -> m.stateDict().forEach((k, t) -> state.put(name + "/" + k, t.toDoubleArray())));
        Map<String, org.stylemap.nn.Adam> optimizers = Map.of("g_optim", s.opt.g(), "e_optim", s.opt.e(), "d_optim", s.opt.d());
        optimizers.forEach((name, a) -> a.state().forEach((k, t) -> state.put(name + "/" + k, t.toDoubleArray())));
        return new Run(losses, state);
    }

    /**
     * Two iterations on the device equal the CPU's within the fixture's float32 tolerances
     * (shared/fixtures/README.md): losses within 1e-4 relative, every trained parameter element within
     * 0.5 lr (Adam's first steps move a weight by about lr whatever its gradient, so float32 noise in
     * near-zero gradients moves single elements by a fraction of lr), moments within 1e-3 of their norm.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void twoIterationsEqualTheCpus(Device device) {
        CudaDevices.require(device);
        Run cpu = twoIterations(Device.CPU), dev = twoIterations(device);
        for (int it = 0; it < 2; it++) {
            assertEquals(cpu.losses().get(it).keySet(), dev.losses().get(it).keySet());
            for (Map.Entry<String, Double> e : cpu.losses().get(it).entrySet()) {
                double want = e.getValue(), got = dev.losses().get(it).get(e.getKey());
                assertTrue(Math.abs(got - want) <= 1e-4 * Math.max(1e-3, Math.abs(want)),
                        "iteration " + it + " loss " + e.getKey() + ": cpu " + want + ", " + device + " " + got);
            }
        }
        assertEquals(cpu.state().keySet(), dev.state().keySet());
        double worstParam = 0, worstMoment = 0;
        for (Map.Entry<String, double[]> e : cpu.state().entrySet()) {
            double[] a = e.getValue(), b = dev.state().get(e.getKey());
            if (e.getKey().contains("_optim/")) {
                double diff = 0, norm = 0;
                for (int i = 0; i < a.length; i++) {
                    diff += (a[i] - b[i]) * (a[i] - b[i]);
                    norm += a[i] * a[i];
                }
                double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
                worstMoment = Math.max(worstMoment, rel);
                assertTrue(rel <= 1e-3, e.getKey() + ": relative difference " + rel);
                continue;
            }
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                worstParam = Math.max(worstParam, d);
                assertTrue(d <= 0.5 * LR, e.getKey() + " element " + i + ": cpu " + a[i] + ", " + device + " " + b[i]);
            }
        }
        System.out.printf("two iterations on %s: worst parameter difference %.2e (%.3f lr), worst moment %.2e%n", device, worstParam,
                worstParam / LR, worstMoment);
    }

    /** `stylemap train --device cuda-emu --iterations 5`: checkpoints, metrics and samples, in a temporary folder. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void theTrainCommandRunsOnTheDevice(Device device, @TempDir Path dir) throws Exception {
        CudaDevices.require(device);
        Path data = dir.resolve("builtin_16.h5"), config = dir.resolve("tiny16.properties"), out = dir.resolve("run");
        BuiltinDataset.write(data, 16);
        Files.writeString(config, "size = 16\nlatent_spatial_size = 4\nlatent_channel_size = 8\nmapping_layer_num = 2\n"
                + "channel_max = 8\nbatch = 2\nd_reg_every = 2\nlog_interval = 1\nsample_interval = 5\nval_interval = 5\n"
                + "val_images = 4\nsave_network_interval = 5\ndataset = " + data + "\n");
        Cli.Result r = Cli.run("train", "--config", config.toString(), "--device", device.toString(), "--iterations", "5", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(6, rows.size(), "a header and one row per iteration: " + rows);
        for (String row : rows.subList(1, rows.size()))
            for (String cell : row.split(",")) if (!cell.isEmpty()) assertTrue(Double.isFinite(Double.parseDouble(cell)), row);
        assertTrue(Files.exists(out.resolve("sample-000005.png")), "sample grid");
        TrainingState saved = Checkpoint.load(out.resolve("ckpt-000005.h5"));
        assertEquals(5, saved.iteration);
        assertEquals(device, saved.device, "the checkpoint records the device it was trained on");
        // D steps once per iteration, and again after the R1 penalty of iterations 0, 2 and 4
        assertEquals(java.util.Set.of(8L), new java.util.HashSet<>(saved.opt.d().steps().values()), "D's Adam step counts");
    }
}

package org.stylemap.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.stylemap.memory.Scope;
import org.stylemap.random.Rng;
import org.stylemap.backend.Backends;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.TrainStep;
import org.stylemap.train.TrainingState;

/**
 * Time of full official training iterations (G, E, D, R1 and reconstruction steps, EMA) for a
 * configuration, on random images so no dataset is needed. Reports the median plain iteration,
 * the R1 iteration, and the average over one lazy-regularization period. Timing starts after a
 * warm-up of at least two iterations and WARMUP_SECONDS: Vector API code runs many times slower
 * until the JIT has compiled it, and a small configuration's first iterations are mostly that.
 * A line under the row names the machine, the kernels and the load.
 */
public final class TrainBench {
    private static final double WARMUP_SECONDS = 10;

    private TrainBench() {}

    public static void run(PrintStream out, TrainConfig c, int iterations) {
        TrainingState s = TrainingState.fresh(c);
        int batch = c.getInt("batch"), size = c.getInt("size"), zDim = s.model.latentChannelSize(), dRegEvery = c.getInt("d_reg_every");
        // LPIPS is left out, as in the reference timings of the official code.
        TrainStep step = new TrainStep(s.g, s.e, s.d, s.gEma, s.eEma, s.opt, c.weights(), c.getDouble("r1"), dRegEvery, c.getDouble("ema_decay"), null);
        Rng gen = new Rng(99);
        List<Double> plain = new ArrayList<>(), r1 = new ArrayList<>();
        long start = System.nanoTime();
        int warmup = 2;
        for (int i = 0; i < warmup + iterations; i++) {
            if (i == warmup && System.nanoTime() - start < WARMUP_SECONDS * 1e9) warmup++;
            int it = i < warmup ? 1 : i - warmup; // warm-up without R1; then iteration 0 (R1), 1, 2, ...
            long t0 = System.nanoTime();
            try (Scope sc = Scope.open()) {
                Tensor real = Tensor.rand(gen, s.dtype, s.device, batch, 3, size, size).mul(2).sub(1);
                Map<String, Double> l = step.run(it, real, Tensor.randn(gen, s.dtype, s.device, batch, zDim),
                        Tensor.randn(gen, s.dtype, s.device, batch, zDim));
                if (l.isEmpty()) throw new IllegalStateException("no losses");
            }
            Backends.get(s.device).synchronize();
            double sec = (System.nanoTime() - t0) / 1e9;
            if (i >= warmup) (it % dRegEvery == 0 ? r1 : plain).add(sec);
        }
        double p = median(plain), q = median(r1);
        double amortized = plain.isEmpty() ? q : (p * (dRegEvery - 1) + q) / dRegEvery;
        out.printf("| %s | %d | %d | %d | %dx%dx%d | %d | %s | %.3f | %.3f | %.3f | %.1f |%n", s.device, size, c.getInt("channel_max"), batch,
                zDim, c.getInt("latent_spatial_size"), c.getInt("latent_spatial_size"), c.getInt("mapping_layer_num"),
                s.dtype.label, p, q, amortized, batch / amortized);
        out.println();
        out.println(BenchMachine.describe() + "; timed after " + warmup + " warm-up iterations (" + (int) WARMUP_SECONDS + " s at least)");
    }

    public static void header(PrintStream out) {
        out.println("| device | size | channel_max | batch | stylemap | mapping layers | dtype | s/iter (no R1) | s/iter (R1) | s/iter (avg over d_reg_every) | img/s |");
        out.println("|---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|");
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) return Double.NaN;
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }
}

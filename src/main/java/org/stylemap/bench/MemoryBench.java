package org.stylemap.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stylemap.backend.Backend;
import org.stylemap.backend.Backends;
import org.stylemap.backend.MemoryStats;
import org.stylemap.memory.Scope;
import org.stylemap.random.Rng;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.TrainStep;
import org.stylemap.train.TrainingState;

/**
 * Peak tensor memory of each phase of an official training iteration (the R1 iteration, so every
 * phase runs): the backend's peak live bytes during the phase, the part above what was live when
 * it started (activations, gradients, temporaries), and what stays live between iterations
 * (parameters, EMA copies, Adam state). Also the process's peak resident set (VmHWM), which
 * includes the JVM, for comparison with a peer's.
 */
public final class MemoryBench {
    private MemoryBench() {}

    public static void run(PrintStream out, TrainConfig c) {
        TrainingState s = TrainingState.fresh(c);
        Backend backend = Backends.get(s.device);
        TrainStep step = new TrainStep(s.g, s.e, s.d, s.gEma, s.eEma, s.opt, c.weights(), c.getDouble("r1"),
                c.getInt("d_reg_every"), c.getDouble("ema_decay"), null);
        Rng gen = new Rng(99);
        int batch = c.getInt("batch"), size = c.getInt("size"), zDim = s.model.latentChannelSize();
        Map<String, long[]> phases = new LinkedHashMap<>();
        long[] start = new long[1];
        step.onPhaseEnd(phase -> {
            backend.synchronize();
            MemoryStats m = backend.memoryStats();
            phases.put(phase, new long[] {m.peak(), m.peak() - start[0]});
            backend.resetPeakMemory();
            start[0] = backend.memoryStats().live();
        });
        // Iteration 0 creates the Adam state; iteration 16 (R1 again) is measured with everything in place.
        for (int it : new int[] {0, c.getInt("d_reg_every")}) {
            try (Scope sc = Scope.open()) {
                Tensor real = Tensor.rand(gen, s.dtype, s.device, batch, 3, size, size).mul(2).sub(1);
                Tensor zG = Tensor.randn(gen, s.dtype, s.device, batch, zDim), zD = Tensor.randn(gen, s.dtype, s.device, batch, zDim);
                backend.resetPeakMemory();
                start[0] = backend.memoryStats().live();
                step.run(it, real, zG, zD);
            }
        }
        long resident = backend.memoryStats().live();
        out.printf("%s, size %d, channel_max %d, batch %d, stylemap %dx%dx%d, %s%n", s.device, size, c.getInt("channel_max"), batch,
                zDim, c.getInt("latent_spatial_size"), c.getInt("latent_spatial_size"), s.dtype.label);
        out.printf("between iterations (parameters, EMA networks, Adam state): %s%n%n", MemoryStats.mib(resident));
        out.println("| phase | peak tensor memory | above the phase's start |");
        out.println("|---|---:|---:|");
        phases.forEach((phase, v) -> out.printf("| %s | %s | %s |%n", phase, MemoryStats.mib(v[0]), MemoryStats.mib(v[1])));
        out.printf("%nprocess peak resident set (VmHWM, includes the JVM and its heap): %s%n", vmHwm());
    }

    private static String vmHwm() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return line.substring(6).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }
}

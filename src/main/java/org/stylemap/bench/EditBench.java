package org.stylemap.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.stylemap.autograd.GradMode;
import org.stylemap.backend.cpu.Parallel;
import org.stylemap.edit.Adaptation;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Latent;
import org.stylemap.edit.LocalEdit;
import org.stylemap.edit.Masks;
import org.stylemap.edit.Projection;
import org.stylemap.edit.Space;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.model.ModelConfig;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * Editing latency at the official 256x256 configuration (random weights: the time does not depend
 * on them): one encoder pass, a local edit with its decoder pass (w, and w_plus from the resizer
 * maps the web editor keeps per photo), the whole command-line edit (two encodes and the edit),
 * then optimization refinement and generator adaptation per step.
 */
public final class EditBench {
    private static final int WARMUP = 2, TIMED = 5;

    private EditBench() {}

    /** steps: Adam steps run for project and adapt (at least 2: the per-step time is the mean of steps 2..steps). */
    public static void run(PrintStream out, int size, int steps, Device device) {
        ModelConfig c = ModelConfig.official(size);
        DType dtype = DType.F32;
        Init init = new Init(dtype, device, new Rng(1));
        Generator g = new Generator(init, c);
        Encoder e = new Encoder(init, c);
        g.train(false);
        e.train(false);
        EditModel m = new EditModel(g, e, dtype, device, out::println);
        out.printf("edit benchmark: %dx%d, stylemap %dx%dx%d (official config), %s, float32, %d threads; median of %d runs after %d warm-up%n",
                size, size, c.latentChannelSize(), c.latentSpatialSize(), c.latentSpatialSize(), device, Parallel.THREADS, TIMED, WARMUP);
        out.println();
        out.println("| step | median wall ms | median process CPU ms |");
        out.println("|---|---:|---:|");
        Rng rng = new Rng(7);
        Tensor a = Scope.untracked(() -> Tensor.rand(rng, dtype, device, 1, 3, size, size).mul(2).sub(1));
        Tensor b = Scope.untracked(() -> Tensor.rand(rng, dtype, device, 1, 3, size, size).mul(2).sub(1));
        Tensor mask = Scope.untracked(() -> Masks.box(new Masks.Box(0, 0, size, size / 2), size, dtype, device));
        Latent la, lb;
        try (GradMode off = GradMode.off()) {
            la = Scope.untracked(() -> m.encode(a).withLayers(g));
            lb = Scope.untracked(() -> m.encode(b).withLayers(g));
        }
        Latent laW = Latent.of(la.stylemap()), lbW = Latent.of(lb.stylemap());
        List<LocalEdit.Pair> cached = List.of(new LocalEdit.Pair(lb, mask)), plain = List.of(new LocalEdit.Pair(lbW, mask));
        row(out, "encode one photo (encoder pass)", () -> m.encode(a).stylemap());
        row(out, "decode one stylemap (generator pass)", () -> m.decode(laW));
        row(out, "edit w: mix + decode", () -> LocalEdit.apply(g, laW, plain, Space.W, 1));
        row(out, "edit w_plus from kept resizer maps (web editor)", () -> LocalEdit.apply(g, la, cached, Space.W_PLUS, 1));
        row(out, "edit w_plus with both resizer passes", () -> LocalEdit.apply(g, laW, plain, Space.W_PLUS, 1));
        row(out, "encode two photos + edit w_plus (the edit command)", () -> {
            Latent x = m.encode(a), y = m.encode(b);
            return LocalEdit.apply(g, x, List.of(new LocalEdit.Pair(y, mask)), Space.W_PLUS, 1);
        });
        out.println();
        out.println("| optimization | wall s per step | process CPU s per step | wall s per 100 steps | fixed wall cost, s |");
        out.println("|---|---:|---:|---:|---:|");
        StepClock clock = new StepClock();
        Projection.Result p = Projection.refine(m, a, new Projection.Options(Space.W, steps, 0.01, null, 0.1), clock.start());
        clock.print(out, "project, w, MSE + domain regularizer 0.1", p.seconds());
        p = Projection.refine(m, a, new Projection.Options(Space.W, steps, 0.01, null, 0), clock.start());
        clock.print(out, "project, w, MSE only", p.seconds());
        p = Projection.refine(m, a, new Projection.Options(Space.W_PLUS, steps, 0.01, null, 0.1), clock.start());
        clock.print(out, "project, w_plus, MSE + domain regularizer 0.1", p.seconds());
        Adaptation.Result r = Adaptation.adapt(m, la, a, new Adaptation.Options(2, steps, 1e-3, null), clock.start());
        clock.print(out, "adapt, last 2 blocks, MSE", r.seconds());
    }

    /**
     * Times the steps of an optimization from its progress calls: the mean over steps 2..N, so the
     * first step (warm-up) and the work before and after the loop (encoding, the generator copy,
     * the final image) count as the fixed cost instead.
     */
    private static final class StepClock {
        private long first, last, firstCpu, lastCpu;
        private int count;

        java.util.function.IntConsumer start() {
            count = 0;
            return k -> {
                long now = System.nanoTime(), cpu = processCpuNanos();
                if (k == 1) {
                    first = now;
                    firstCpu = cpu;
                }
                last = now;
                lastCpu = cpu;
                count = k;
            };
        }

        void print(PrintStream out, String name, double totalSeconds) {
            double perStep = count > 1 ? (last - first) / 1e9 / (count - 1) : Double.NaN;
            double cpuPerStep = count > 1 ? (lastCpu - firstCpu) / 1e9 / (count - 1) : Double.NaN;
            out.printf("| %s | %.2f | %.2f | %.0f | %.1f |%n", name, perStep, cpuPerStep, 100 * perStep, totalSeconds - count * perStep);
        }
    }

    /**
     * Median wall time, and the median CPU time of the whole process per run: on a machine shared
     * with other work the wall time stretches while the CPU time does not, so CPU time divided by
     * the threads approximates the wall time the run would take alone.
     */
    private static void row(PrintStream out, String name, Supplier<Tensor> body) {
        double[] ms = new double[TIMED], cpu = new double[TIMED];
        for (int i = 0; i < WARMUP + TIMED; i++) {
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
                Tensor t = body.get();
                t.toDoubleArray(); // the result is used, so nothing is skipped
            }
            if (i >= WARMUP) {
                ms[i - WARMUP] = (System.nanoTime() - t0) / 1e6;
                cpu[i - WARMUP] = (processCpuNanos() - c0) / 1e6;
            }
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        out.printf("| %s | %.1f | %.1f |%n", name, ms[TIMED / 2], cpu[TIMED / 2]);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}

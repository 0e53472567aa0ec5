package org.stylemap.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.stylemap.autograd.Autograd;
import org.stylemap.backend.cpu.Parallel;
import org.stylemap.memory.Scope;
import org.stylemap.nn.Ema;
import org.stylemap.ops.BiasAct;
import org.stylemap.ops.Modulation;
import org.stylemap.ops.Reference;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.TrainingState;
import org.stylemap.train.TrainConfig;

/**
 * Each fused op against its reference twin (ops.Reference), float32, on the shapes of one
 * configuration: an activation of its generator's middle resolution for bias_act and modulation
 * (forward + backward), and all of its generator's parameters for the Adam and EMA updates.
 * Fused and reference runs alternate, so both see the same machine load; the table gives the
 * medians and the fused path's memory throughput (the bytes it must read and write at least).
 */
public final class FusedBench {
    /** Warm-up until both limits pass: the Vector API kernels are slow until C2 compiles them. */
    private static final int WARMUP_MIN_RUNS = 5, TIMED = 9;
    private static final long WARMUP_MIN_NANOS = 2_000_000_000L;

    private FusedBench() {}

    public static void header(PrintStream out) {
        out.println("float32, " + Parallel.THREADS + " threads; median of " + TIMED + " alternating runs after warm-up");
        out.println();
        out.println("| op | shape | fused ms | reference ms | speed-up | fused GB/s |");
        out.println("|---|---|---:|---:|---:|---:|");
    }

    public static void run(PrintStream out, TrainConfig c) {
        TrainingState s = TrainingState.fresh(c.with(List.of("dtype=f32")));
        int n = c.getInt("batch"), res = c.getInt("size") / 2, ch = s.model.channels(res);
        Rng gen = new Rng(7);
        Tensor x = leaf(gen, n, ch, res, res), b = leaf(gen, ch), gb = leaf(gen, n, 2 * ch, res, res);
        Tensor dy = Scope.untracked(() -> Tensor.randn(gen, DType.F32, Device.CPU, n, ch, res, res));
        long act = (long) n * ch * res * res;
        String shape = "[" + n + "," + ch + "," + res + "," + res + "]";
        // bias_act: forward reads x, writes y; backward reads dy, y, writes dx, then db reads dx
        time(out, "bias_act forward + backward", shape, 6 * act * 4,
                () -> Autograd.grad(new Tensor[] {BiasAct.fusedLeakyRelu(x, b)}, new Tensor[] {x, b}, new Tensor[] {dy}, false));
        // modulation: forward reads x three times (two statistics passes) and gamma, beta, writes y;
        // backward reads dy, x, gamma twice (statistics, then results), writes dx, dgamma, dbeta
        for (Modulation.Norm norm : Modulation.Norm.values())
            time(out, "modulation (" + norm.name().toLowerCase() + ") forward + backward", shape, 15 * act * 4,
                    () -> Autograd.grad(new Tensor[] {Modulation.apply(x, gb, norm, 1e-5)}, new Tensor[] {x, gb},
                            new Tensor[] {dy}, false));
        Map<String, Tensor> params = s.g.parameters();
        long count = s.g.parameterCount();
        for (Tensor p : params.values()) p.setGrad(Scope.untracked(() -> Tensor.randn(gen, DType.F32, Device.CPU, p.shape())));
        String all = params.size() + " tensors, " + String.format("%.2fM", count / 1e6) + " values";
        // Adam reads p, g, m, v and writes p, m, v; EMA reads target and source, writes target
        time(out, "adam step (generator)", all, 7 * count * 4, () -> s.opt.g().step());
        time(out, "ema update (generator)", all, 3 * count * 4, () -> Ema.accumulate(s.gEma, s.g, 0.999));
    }

    private static Tensor leaf(Rng gen, int... shape) {
        return Scope.untracked(() -> Tensor.randn(gen, DType.F32, Device.CPU, shape)).requiresGrad(true);
    }

    private static void time(PrintStream out, String op, String shape, long bytes, Runnable body) {
        long start = System.nanoTime();
        for (int i = 0; i < WARMUP_MIN_RUNS || System.nanoTime() - start < WARMUP_MIN_NANOS; i++) {
            runTimed(false, body);
            runTimed(true, body);
        }
        List<Double> fused = new ArrayList<>(), reference = new ArrayList<>();
        for (int i = 0; i < TIMED; i++) {
            fused.add(runTimed(false, body));
            reference.add(runTimed(true, body));
        }
        double f = median(fused), r = median(reference);
        out.printf("| %s | %s | %.3f | %.3f | %.1fx | %.1f |%n", op, shape, f, r, r / f, bytes / f / 1e6);
        out.flush();
    }

    /** Milliseconds of one run on the fused path or on the reference twins. */
    private static double runTimed(boolean reference, Runnable body) {
        try (Reference.Restore r = Reference.use(reference); Scope s = Scope.open()) {
            long t0 = System.nanoTime();
            body.run();
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }
}

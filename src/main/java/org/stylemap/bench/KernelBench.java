package org.stylemap.bench;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.stylemap.backend.cpu.ConvGeom;
import org.stylemap.backend.cpu.ConvKernels;
import org.stylemap.backend.cpu.Gemm;
import org.stylemap.backend.cpu.Parallel;

/**
 * Throughput of the float32 CPU kernels (GEMM and convolutions) on the shapes that matter for
 * StyleGAN-style models. Each case is warmed up until the JIT has compiled the kernels, then
 * timed several times with System.nanoTime; the table reports the median.
 */
public final class KernelBench {
    /** Warm-up runs until both limits pass: the Vector API kernels are slow until C2 compiles them. */
    private static final int WARMUP_MIN_RUNS = 5;
    private static final long WARMUP_MIN_NANOS = 1_500_000_000L;
    private static final int TIMED_RUNS = 9;

    private KernelBench() {}

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the GEMM and conv benchmarks and prints a markdown table: case, shape, median ms, GFLOP/s. */
    public static void run(PrintStream out) {
        out.println(BenchMachine.describe());
        out.println("float32 kernels, " + Parallel.THREADS + " threads; median of " + TIMED_RUNS + " runs after warm-up");
        out.println();
        out.println("| case | shape | median ms | GFLOP/s |");
        out.println("|---|---|---:|---:|");
        // Segments are shared: the kernels' worker threads read and write them.
        try (Arena arena = Arena.ofShared()) {
            Random random = new Random(42);
            for (Case c : cases()) {
                Runnable op = c.prepare(arena, random);
                double ms = medianMillis(op);
                out.printf("| %s | %s | %.3f | %.1f |%n", c.name, c.shape, ms, c.flops / ms / 1e6);
                out.flush();
            }
        }
    }

    /** A benchmark: prepare allocates and fills its operands, then returns the operation to time. */
    private record Case(String name, String shape, double flops, Preparer prepare) {
        Runnable prepare(Arena arena, Random random) {
            return prepare.prepare(arena, random);
        }
    }

    @FunctionalInterface
    private interface Preparer {
        Runnable prepare(Arena arena, Random random);
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(gemm("GEMM", false, false, 1024, 1024, 1024));
        cases.add(gemm("GEMM", false, false, 256, 256, 256));
        cases.add(gemm("GEMM linear layer, batch 8 (x W^T)", false, true, 8, 512, 512));
        cases.add(gemm("GEMM skinny (matrix-vector)", false, false, 1, 4096, 4096));
        ConvGeom target = new ConvGeom(8, 128, 64, 64, 128, 3, 3, 1, 1, 1, 1, 1);
        ConvGeom deep = new ConvGeom(8, 512, 8, 8, 512, 3, 3, 1, 1, 1, 1, 1);
        for (ConvGeom g : List.of(target, deep))
            for (Pass p : Pass.values()) cases.add(conv(p, g));
        // A stride-2 transposed convolution (2x upsampling) is backwardData of a stride-2 conv.
        cases.add(conv(Pass.BACKWARD_DATA, new ConvGeom(8, 256, 65, 65, 256, 3, 3, 2, 2, 0, 0, 1)));
        cases.add(conv(Pass.FORWARD, new ConvGeom(8, 256, 64, 64, 256, 4, 4, 2, 2, 1, 1, 1)));
        cases.add(conv(Pass.FORWARD, new ConvGeom(8, 512, 64, 64, 512, 4, 4, 1, 1, 1, 1, 512)));
        return cases;
    }

    private static Case gemm(String name, boolean transA, boolean transB, int m, int n, int k) {
        String shape = "M=" + m + " N=" + n + " K=" + k + (transA ? " A^T" : "") + (transB ? " B^T" : "");
        return new Case(name, shape, 2.0 * m * n * k, (arena, random) -> {
            MemorySegment a = randomF32(arena, random, (long) m * k);
            MemorySegment b = randomF32(arena, random, (long) k * n);
            MemorySegment c = randomF32(arena, random, (long) m * n);
            return () -> Gemm.gemm(false, transA, transB, m, n, k, 1, a, 0, transA ? m : k, b, 0, transB ? k : n, 0, c, 0, n);
        });
    }

    private enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHT }

    private static Case conv(Pass pass, ConvGeom g) {
        String name = switch (pass) {
            case FORWARD -> "conv forward";
            case BACKWARD_DATA -> g.sh() > 1 ? "transposed conv (backwardData)" : "conv backwardData";
            case BACKWARD_WEIGHT -> "conv backwardWeight";
        };
        String shape = "N=" + g.n() + " C=" + g.c() + " " + g.h() + "x" + g.w() + " O=" + g.o() + " k=" + g.kh() + "x" + g.kw()
                + " s=" + g.sh() + " p=" + g.ph() + (g.groups() > 1 ? " groups=" + g.groups() : "");
        return new Case(name, shape, g.flops(), (arena, random) -> {
            MemorySegment x = randomF32(arena, random, (long) g.n() * g.c() * g.h() * g.w());
            MemorySegment w = randomF32(arena, random, (long) g.o() * g.cg() * g.kh() * g.kw());
            MemorySegment y = randomF32(arena, random, (long) g.n() * g.o() * g.oh() * g.ow());
            return switch (pass) {
                case FORWARD -> () -> ConvKernels.forward(false, g, x, w, y);
                case BACKWARD_DATA -> () -> ConvKernels.backwardData(false, g, y, w, x);
                case BACKWARD_WEIGHT -> () -> ConvKernels.backwardWeight(false, g, x, y, w);
            };
        });
    }

    private static MemorySegment randomF32(Arena arena, Random random, long n) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, random.nextFloat() * 2 - 1);
        return s;
    }

    private static double medianMillis(Runnable op) {
        long start = System.nanoTime();
        for (int i = 0; i < WARMUP_MIN_RUNS || System.nanoTime() - start < WARMUP_MIN_NANOS; i++) op.run();
        double[] ms = new double[TIMED_RUNS];
        for (int i = 0; i < TIMED_RUNS; i++) {
            long t0 = System.nanoTime();
            op.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[TIMED_RUNS / 2];
    }
}

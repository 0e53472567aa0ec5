package org.stylemap.backend.cuda;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.stylemap.backend.cpu.ConvGeom;
import org.stylemap.backend.cuda.runtime.DriverRuntime;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.KernelRuntimeException;
import org.stylemap.backend.cuda.runtime.KernelRuntimes;
import org.stylemap.tensor.DType;

/**
 * Throughput of the heavy float32 kernels on a kernel runtime: GEMM 1024^3 and 4096^3 with each
 * tile configuration and cuBLAS (where it loads), and the convolution shapes of docs/BENCHMARKS.md
 * (the CPU suite's) in every pass. Each case is launched until warm, then timed in samples of
 * enough back-to-back launches to last about 20 ms, synchronising before the clock is read; the
 * table gives the median sample per launch and TFLOP/s. On the emulator the same code runs on
 * shapes scaled down to a few seconds in all, and its numbers say nothing about a GPU (the output
 * says so). For `stylemap bench --device cuda` and the GPU bundle: {@link #run}.
 */
public final class CudaKernelBench {
    private static final int SAMPLES = 7;
    private static final long WARMUP_NANOS = 200_000_000L, SAMPLE_NANOS = 20_000_000L;
    /** The float32 ceiling of the H200 without tensor cores (../shared/CUDA.md), printed as the reference. */
    private static final double H200_FP32_TFLOPS = 67;

    private CudaKernelBench() {}

    /** Usage: CudaKernelBench [cuda|cuda-emu] (default cuda). */
    public static void main(String[] args) {
        boolean emu = args.length > 0 && args[0].equals("cuda-emu");
        try {
            run(emu ? KernelRuntimes.emulator(KernelBundle.MAIN) : KernelRuntimes.driver(KernelBundle.MAIN), System.out);
        } catch (KernelRuntimeException e) {
            System.err.println((emu ? "cuda-emu: " : "cuda: ") + e.getMessage());
            System.exit(1);
        }
    }

    /** Runs every case on rt and prints a markdown table to out. */
    public static void run(KernelRuntime rt, PrintStream out) {
        boolean emu = rt.emulated();
        out.println("device: " + rt.describe());
        if (emu)
            out.println("NOTE: the CUDA emulator runs the kernels on the host CPU, on scaled-down shapes: these numbers"
                    + " check that the benchmark runs and say nothing about GPU speed.");
        else
            out.printf("float32 ceiling without tensor cores on an H200: about %.0f TFLOP/s%n", H200_FP32_TFLOPS);
        out.println("float32; median of " + SAMPLES + " samples after warm-up, synchronised before the clock is read");
        out.println();
        out.println("| case | shape | kernel | median ms | TFLOP/s |");
        out.println("|---|---|---|---:|---:|");
        Cublas cublas = null, cublasTf32 = null;
        if (rt instanceof DriverRuntime driver) {
            if (Cublas.availability().available()) {
                cublas = Cublas.open(driver, false);
                cublasTf32 = Cublas.open(driver, true);
            } else {
                out.println("| cuBLAS | | " + Cublas.availability().line() + " | | |");
            }
        }
        try {
            for (int size : emu ? new int[] {96, 128} : new int[] {1024, 4096}) gemm(rt, out, size, cublas, cublasTf32);
            for (Conv c : convs(emu)) conv(rt, out, c);
        } finally {
            if (cublas != null) cublas.close();
            if (cublasTf32 != null) cublasTf32.close();
        }
    }

    private enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHT }

    private record Conv(String name, ConvGeom g, Pass pass) {}

    /** docs/BENCHMARKS.md's convolution cases (the CPU suite's), or small stand-ins on the emulator. */
    private static List<Conv> convs(boolean emu) {
        List<Conv> cases = new ArrayList<>();
        ConvGeom same = emu ? new ConvGeom(1, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1) : new ConvGeom(8, 128, 64, 64, 128, 3, 3, 1, 1, 1, 1, 1);
        ConvGeom deep = emu ? new ConvGeom(2, 64, 4, 4, 64, 3, 3, 1, 1, 1, 1, 1) : new ConvGeom(8, 512, 8, 8, 512, 3, 3, 1, 1, 1, 1, 1);
        for (ConvGeom g : List.of(same, deep))
            for (Pass p : Pass.values()) cases.add(new Conv("conv 3x3 " + p.name().toLowerCase(), g, p));
        cases.add(new Conv("transposed conv 3x3 stride 2 (backward data)", emu ? new ConvGeom(1, 16, 9, 9, 16, 3, 3, 2, 2, 0, 0, 1)
                : new ConvGeom(8, 256, 65, 65, 256, 3, 3, 2, 2, 0, 0, 1), Pass.BACKWARD_DATA));
        cases.add(new Conv("conv 4x4 stride 2 forward", emu ? new ConvGeom(1, 16, 16, 16, 16, 4, 4, 2, 2, 1, 1, 1)
                : new ConvGeom(8, 256, 64, 64, 256, 4, 4, 2, 2, 1, 1, 1), Pass.FORWARD));
        cases.add(new Conv("depthwise 4x4 forward", emu ? new ConvGeom(1, 16, 16, 16, 16, 4, 4, 1, 1, 1, 1, 16)
                : new ConvGeom(8, 512, 64, 64, 512, 4, 4, 1, 1, 1, 1, 512), Pass.FORWARD));
        return cases;
    }

    private static void gemm(KernelRuntime rt, PrintStream out, int size, Cublas cublas, Cublas cublasTf32) {
        int m = size, n = size, k = size;
        double flops = 2.0 * m * n * k;
        String shape = "M=N=K=" + size;
        long a = random(rt, (long) m * k, 1), b = random(rt, (long) k * n, 2), c = rt.alloc((long) m * n * 4);
        try {
            for (GemmTile t : List.of(GemmTile.F32_128X128, GemmTile.F32_64X64))
                row(out, "GEMM", shape, "gemm_" + t.suffix, flops, time(rt, () ->
                        CudaGemm.gemmBatched(rt, t, DType.F32, false, false, 1, m, n, k, 1, a, 0, k, 0, b, 0, n, 0, 0, c, 0, n, 0)));
            out.printf("|  |  | (launcher's choice: gemm_%s) |  |  |%n", GemmTile.choose(DType.F32, m, n, 1).suffix);
            if (cublas != null) {
                row(out, "GEMM", shape, "cuBLAS float32 (pedantic)", flops, time(rt, () ->
                        cublas.gemmBatched(DType.F32, false, false, 1, m, n, k, 1, a, 0, k, 0, b, 0, n, 0, 0, c, 0, n, 0)));
                row(out, "GEMM", shape, "cuBLAS TF32 tensor cores", flops, time(rt, () ->
                        cublasTf32.gemmBatched(DType.F32, false, false, 1, m, n, k, 1, a, 0, k, 0, b, 0, n, 0, 0, c, 0, n, 0)));
            }
        } finally {
            rt.synchronize();
            rt.free(a);
            rt.free(b);
            rt.free(c);
        }
    }

    private static void conv(KernelRuntime rt, PrintStream out, Conv c) {
        ConvGeom g = c.g;
        long xn = (long) g.n() * g.c() * g.h() * g.w(), wn = (long) g.o() * g.cg() * g.kh() * g.kw();
        long yn = (long) g.n() * g.o() * g.oh() * g.ow();
        long x = random(rt, xn, 3), w = random(rt, wn, 4), y = random(rt, yn, 5);
        long wsBytes = CudaConv.backwardWeightWorkspaceBytes(DType.F32, g);
        long ws = c.pass == Pass.BACKWARD_WEIGHT && wsBytes > 0 ? rt.alloc(wsBytes) : 0;
        String shape = "N=" + g.n() + " C=" + g.c() + " " + g.h() + "x" + g.w() + " O=" + g.o() + " k=" + g.kh() + "x" + g.kw()
                + " s=" + g.sh() + " p=" + g.ph() + (g.groups() > 1 ? " groups=" + g.groups() : "");
        GemmTile tile = switch (c.pass) {
            case FORWARD -> GemmTile.choose(DType.F32, g.og(), (long) g.n() * g.oh() * g.ow(), g.groups());
            case BACKWARD_DATA -> GemmTile.choose(DType.F32, g.cg(), (long) g.n() * GemmTile.ceilDiv(g.h(), g.sh())
                    * GemmTile.ceilDiv(g.w(), g.sw()), (long) g.groups() * g.sh() * g.sw());
            case BACKWARD_WEIGHT -> CudaConv.weightTile(DType.F32, g);
        };
        String kernel = switch (c.pass) {
            case FORWARD -> "conv2d_";
            case BACKWARD_DATA -> "conv2d_backward_data_";
            case BACKWARD_WEIGHT -> "conv2d_backward_weight_";
        } + tile.suffix + (c.pass == Pass.BACKWARD_WEIGHT ? ", " + CudaConv.splits(tile, g) + " splits" : "");
        try {
            row(out, c.name, shape, kernel, g.flops(), time(rt, () -> {
                switch (c.pass) {
                    case FORWARD -> CudaConv.forward(rt, DType.F32, g, x, w, y);
                    case BACKWARD_DATA -> CudaConv.backwardData(rt, DType.F32, g, y, w, x);
                    case BACKWARD_WEIGHT -> CudaConv.backwardWeight(rt, DType.F32, g, x, y, w, ws);
                }
            }));
        } finally {
            rt.synchronize();
            for (long p : new long[] {x, w, y, ws}) if (p != 0) rt.free(p);
        }
    }

    private static void row(PrintStream out, String name, String shape, String kernel, double flops, double ms) {
        out.printf("| %s | %s | %s | %.3f | %.2f |%n", name, shape, kernel, ms, flops / ms / 1e9);
        out.flush();
    }

    /** The median milliseconds per launch of op (which only queues work). */
    private static double time(KernelRuntime rt, Runnable op) {
        long start = System.nanoTime();
        int warm = 0;
        while (warm < 3 || System.nanoTime() - start < WARMUP_NANOS) {
            op.run();
            rt.synchronize();
            warm++;
        }
        long perRun = Math.max(1, (System.nanoTime() - start) / warm);
        int reps = (int) Math.max(1, Math.min(1000, SAMPLE_NANOS / perRun));
        double[] ms = new double[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) op.run();
            rt.synchronize();
            ms[s] = (System.nanoTime() - t0) / 1e6 / reps;
        }
        Arrays.sort(ms);
        return ms[SAMPLES / 2];
    }

    /** n float32 values uniform in [-1, 1) on the device. */
    private static long random(KernelRuntime rt, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long p = rt.alloc(n * 4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(n * 4, 64);
            for (long i = 0; i < n; i++) host.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (2 * r.nextDouble() - 1));
            rt.copyToDevice(p, host, n * 4);
        }
        return p;
    }
}

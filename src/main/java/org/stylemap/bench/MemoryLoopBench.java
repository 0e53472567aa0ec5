package org.stylemap.bench;

import java.io.PrintStream;
import org.stylemap.autograd.Autograd;
import org.stylemap.backend.Backends;
import org.stylemap.memory.Scope;
import org.stylemap.ops.BiasAct;
import org.stylemap.ops.Conv;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * Runs a small conv net's forward, backward and second-order (R1-style) backward for many steps,
 * one Scope per step, and reports native memory over time: it must stay flat.
 */
final class MemoryLoopBench {
    private MemoryLoopBench() {}

    static void run(PrintStream out, int steps, Device device) {
        Rng gen = new Rng(7);
        Tensor w1 = Tensor.randn(gen, DType.F32, device, 16, 3, 3, 3).requiresGrad(true);
        Tensor w2 = Tensor.randn(gen, DType.F32, device, 1, 16, 3, 3).requiresGrad(true);
        Tensor b1 = Tensor.zeros(DType.F32, device, 16).requiresGrad(true);
        out.println();
        out.println("## memory over a " + steps + "-step forward/backward/R1 loop on " + device + " (conv net, 8x3x32x32 input)");
        out.println();
        out.println("| step | tensor KiB live (" + "backend) | JVM heap MiB after GC | mean ms/step so far |");
        out.println("|---:|---:|---:|---:|");
        long t0 = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.randn(gen, DType.F32, device, 8, 3, 32, 32).requiresGrad(true);
                Tensor h = BiasAct.fusedLeakyRelu(Conv.conv2d(x, w1, 1, 1, 1), b1);
                Tensor d = Reductions.sum(Conv.conv2d(h, w2, 2, 1, 1), null, false);
                Tensor gx = Autograd.grad(new Tensor[] {d}, new Tensor[] {x}, true)[0];
                Tensor r1 = Reductions.sum(Elementwise.mul(gx, gx), null, false);
                Autograd.backward(Elementwise.add(d, r1));
            }
            for (Tensor p : new Tensor[] {w1, w2, b1}) p.zeroGrad();
            if (step == 1 || step == 10 || step == 100 || step % 1000 == 0 || step == steps) {
                Runtime rt = Runtime.getRuntime();
                System.gc(); // only at the report points: the heap figure should show what is retained
                out.printf("| %d | %.1f | %.1f | %.2f |%n", step, Backends.get(device).memoryStats().live() / 1024.0,
                        (rt.totalMemory() - rt.freeMemory()) / 1048576.0, (System.nanoTime() - t0) / 1e6 / step);
            }
        }
    }
}

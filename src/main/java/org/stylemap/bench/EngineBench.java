package org.stylemap.bench;

import java.io.PrintStream;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cuda.CudaBackend;
import org.stylemap.backend.cuda.CudaKernelBench;
import org.stylemap.tensor.Device;

/** The engine suite: kernel throughput and the memory of a long forward/backward loop, on one device. */
public final class EngineBench {
    private EngineBench() {}

    public static void run(PrintStream out, int steps, Device device) {
        out.println("# engine benchmark");
        kernels(out, device);
        MemoryLoopBench.run(out, steps, device);
    }

    /** GEMM and convolution throughput: the CPU's kernels, or our CUDA kernels on the GPU or the emulator. */
    public static void kernels(PrintStream out, Device device) {
        if (device.kind() == Device.Kind.CPU) KernelBench.run(out);
        else CudaKernelBench.run(((CudaBackend) Backends.get(device)).runtime(), out);
    }
}

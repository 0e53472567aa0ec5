package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.UnaryOp;
import org.stylemap.backend.cuda.runtime.Dim3;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.KernelFunction;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.KernelRuntimes;
import org.stylemap.backend.cuda.runtime.MemoryInfo;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;

/**
 * The asynchronous contract (Backend's javadoc): the backend never waits after its launches;
 * only copies to the host and synchronize() do. Counted on a runtime that wraps the emulator.
 */
class CudaAsyncTest {
    /** The emulator, counting the calls that wait for the device. */
    private static final class CountingRuntime implements KernelRuntime {
        final KernelRuntime inner;
        int synchronizations, hostCopies, launches;

        CountingRuntime(KernelRuntime inner) {
            this.inner = inner;
        }

        @Override public String describe() { return inner.describe(); }
        @Override public boolean emulated() { return inner.emulated(); }
        @Override public long alloc(long bytes) { return inner.alloc(bytes); }
        @Override public void free(long pointer) { inner.free(pointer); }
        @Override public MemoryInfo memoryInfo() { return inner.memoryInfo(); }
        @Override public void copyToDevice(long dst, MemorySegment src, long bytes) { inner.copyToDevice(dst, src, bytes); }
        @Override public void copyOnDevice(long dst, long src, long bytes) { inner.copyOnDevice(dst, src, bytes); }
        @Override public void memset(long dst, int value, long bytes) { inner.memset(dst, value, bytes); }
        @Override public KernelFunction function(String family, String name) { return inner.function(family, name); }

        @Override
        public void copyToHost(MemorySegment dst, long src, long bytes) {
            hostCopies++;
            inner.copyToHost(dst, src, bytes);
        }

        @Override
        public void launch(KernelFunction f, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
            launches++;
            inner.launch(f, grid, block, sharedBytes, args);
        }

        @Override
        public void synchronize() {
            synchronizations++;
            inner.synchronize();
        }
    }

    @Test
    void onlyHostReadsAndSynchronizeWait() {
        CudaDevices.require(Device.CUDA_EMU);
        CountingRuntime rt = new CountingRuntime(KernelRuntimes.emulator(KernelBundle.MAIN));
        CudaBackend b = new CudaBackend(Device.CUDA_EMU, rt);
        Tensor x = tensor(b, 3, 17, 65), y = tensor(b, 3, 17, 65), dx = tensor(b, 3, 17, 65);
        b.copyFromHost(x, MemorySegment.ofArray(new float[3 * 17 * 65]));
        b.random(y, 1, 0, false);
        b.unary(UnaryOp.SOFTPLUS, 0, y, x);
        b.binary(BinaryOp.MUL, x, Views.transpose(y, 1, 2).transpose(1, 2), dx);
        b.fill(Views.slice(y, 2, 0, 3), 0.5);
        b.assign(y, Views.permute(x, 0, 1, 2));
        b.where(x, y, dx, dx);
        Tensor total = tensor(b, 1, 1, 1), rows = tensor(b, 3, 1, 65);
        b.sum(x, total);       // partial sums in a temporary, freed at once
        b.sum(dx, rows);
        Tensor planes = Views.reshape(x, 1, 3, 17, 65), pooled = tensor(b, 1, 3, 8, 32);
        b.maxPool2d(planes, pooled, 3, 2, 0);
        b.maxPool2dBackward(planes, pooled, Views.reshape(dx, 1, 3, 17, 65), 3, 2, 0);
        // The fused primitives: modulation's scratch sums and the optimizers' uploaded tables wait for nothing either.
        Tensor bias = tensor(b, 17), gammaBeta = tensor(b, 1, 6, 17, 65), dgb = tensor(b, 1, 6, 17, 65);
        Tensor mean = tensor(b, 1), rstd = tensor(b, 1), m = tensor(b, 3, 17, 65), v = tensor(b, 3, 17, 65);
        b.fill(bias, 0.1);
        b.biasAct(x, bias, y, 0.2, 1.5);
        b.biasActBackward(dx, y, dx, 0.2, 1.5);
        b.random(gammaBeta, 2, 0, false);
        b.modulation(planes, gammaBeta, Views.reshape(y, 1, 3, 17, 65), mean, rstd, false, 1e-5);
        b.modulationBackward(Views.reshape(dx, 1, 3, 17, 65), planes, gammaBeta, mean, rstd, Views.reshape(y, 1, 3, 17, 65), dgb, false);
        b.fill(m, 0);
        b.fill(v, 0);
        b.adam(new Tensor[] {y}, new Tensor[] {dx}, new Tensor[] {m}, new Tensor[] {v}, new double[] {0.01}, new double[] {0.1}, 0, 0.99, 1e-8);
        b.ema(new Tensor[] {y}, new Tensor[] {x}, 0.9);
        assertEquals(0, rt.synchronizations, "no launch waits");
        assertEquals(0, rt.hostCopies);
        assertTrue(rt.launches >= 19, "the work was launched: " + rt.launches);
        float[] host = new float[1];
        b.copyToHost(total, MemorySegment.ofArray(host));
        assertEquals(1, rt.hostCopies, "a host read waits, through its copy");
        assertEquals(0, rt.synchronizations);
        b.synchronize();
        assertEquals(1, rt.synchronizations);
        assertArrayEquals(new float[] {host[0]}, new float[] {(float) sumOf(b, x)}, 1e-2f);
    }

    private static Tensor tensor(CudaBackend b, int... shape) {
        return new Tensor(b.allocate(DType.F32, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    private static double sumOf(CudaBackend b, Tensor x) {
        float[] v = new float[(int) x.numel()];
        b.copyToHost(x, MemorySegment.ofArray(v));
        double s = 0;
        for (float f : v) s += f;
        return s;
    }
}

package org.stylemap.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.stylemap.backend.Backend;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.MemoryStats;
import org.stylemap.backend.UnaryOp;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.memory.Storage;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * The CUDA backend on one kernel runtime: {@code cuda:0} on the GPU (DriverRuntime) or
 * {@code cuda-emu} on the host emulator (EmulatorRuntime), the same kernels either way. It owns
 * the device memory (a caching allocator, {@link CudaAllocator}) and the host transfers
 * ({@link HostStaging}), and hands each primitive family to a class of its own: elementwise
 * ({@link CudaElementwise}), sums ({@link CudaReduce}), random numbers ({@link CudaRandom}), max
 * pooling ({@link CudaPool}), the families with dense operands, matrix products, convolutions
 * and upfirdn2d ({@link CudaDenseOps}), and the fused ops, bias_act, modulation, Adam and EMA
 * ({@link CudaFused}).
 * <p>
 * Asynchrony (see Backend): every launch, device copy and memset goes onto the runtime's one
 * stream and returns at once; only {@link #copyToHost} and {@link #synchronize} wait.
 */
public final class CudaBackend implements Backend {
    private final Device device;
    private final KernelRuntime runtime;
    private final CudaAllocator allocator;
    private final HostStaging staging;
    private final CudaElementwise elementwise;
    private final CudaReduce reduce;
    private final CudaRandom random;
    private final CudaPool pool;
    private final CudaDenseOps dense;
    private final CudaFused fused;

    /** The backend of device on runtime; memory is capped at the device's total (see {@link #setMemoryLimit}). */
    public CudaBackend(Device device, KernelRuntime runtime) {
        this.device = device;
        this.runtime = runtime;
        this.allocator = new CudaAllocator(runtime, runtime.memoryInfo().totalBytes());
        this.staging = new HostStaging(runtime);
        CudaKernels kernels = new CudaKernels(runtime);
        this.elementwise = new CudaElementwise(this, kernels);
        this.reduce = new CudaReduce(this, kernels);
        this.random = new CudaRandom(this, kernels);
        this.pool = new CudaPool(this, kernels);
        this.dense = new CudaDenseOps(this);
        this.fused = new CudaFused(this, kernels);
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String describe() {
        return "available: " + runtime.describe();
    }

    /** The runtime the kernels run on (for the kernel families' launchers). */
    public KernelRuntime runtime() {
        return runtime;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Storage allocate(DType dtype, long numel) {
        return new CudaStorage(this, allocator, dtype, numel);
    }

    @Override
    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    @Override
    public void resetPeakMemory() {
        allocator.resetPeak();
    }

    /** Caps the device memory this backend reserves (tensors plus its cache); for tests and shared devices. */
    public void setMemoryLimit(long bytes) {
        allocator.setLimit(bytes);
    }

    /** Returns the allocator's cached blocks to the device (tensors keep theirs). */
    public void emptyCache() {
        allocator.emptyCache();
    }

    /** Blocks taken from the runtime so far (each one cuMemAlloc); the cache serves the rest. */
    long deviceAllocations() {
        return allocator.runtimeAllocations();
    }

    /**
     * The device address of t's element 0 (its storage's block plus its offset).
     * @throws IllegalArgumentException when t lives on another device
     */
    long address(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s) || s.backend() != this)
            throw new IllegalArgumentException("a tensor on " + t.device() + " was passed to the " + device + " backend");
        return s.pointer() + t.offset() * t.dtype().bytes;
    }

    /**
     * Device memory for the temporaries of one call (dense copies, scratch), freed when it closes.
     * Freeing right after the launches that use them is safe: the one stream runs whatever reuses
     * the memory after those launches.
     */
    Temporaries temporaries() {
        return new Temporaries();
    }

    final class Temporaries implements AutoCloseable {
        private final List<CudaAllocator.Block> blocks = new ArrayList<>(1);
        private final List<Storage> copies = new ArrayList<>(2);

        /** bytes of uninitialised device memory; returns its address. */
        long scratch(long bytes) {
            CudaAllocator.Block b = allocator.allocate(bytes);
            blocks.add(b);
            return b.pointer();
        }

        /** A device copy of src's bytes (queued in stream order); src may be reused on return. */
        long upload(MemorySegment src) {
            long p = scratch(src.byteSize());
            staging.toDevice(p, src, src.byteSize());
            return p;
        }

        /** t itself when contiguous, else a contiguous copy. */
        Tensor dense(Tensor t) {
            if (t.isContiguous()) return t;
            Storage s = allocate(t.dtype(), t.numel());
            copies.add(s);
            Tensor c = new Tensor(s, t.shape(), Shape.contiguousStrides(t.shape()), 0);
            assign(c, t);
            return c;
        }

        @Override
        public void close() {
            for (CudaAllocator.Block b : blocks) allocator.release(b);
            for (Storage s : copies) s.free();
        }
    }

    // ---------------------------------------------------------------- transfers

    @Override
    public void copyFromHost(Tensor dst, MemorySegment src) {
        staging.toDevice(address(dst), src, dst.numel() * dst.dtype().bytes);
    }

    @Override
    public void copyToHost(Tensor src, MemorySegment dst) {
        staging.toHost(dst, address(src), src.numel() * src.dtype().bytes);
    }

    @Override
    public void synchronize() {
        runtime.synchronize();
    }

    // ---------------------------------------------------------------- primitives

    @Override
    public void assign(Tensor dst, Tensor src) {
        elementwise.assign(dst, src);
    }

    @Override
    public void fill(Tensor dst, double value) {
        elementwise.fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        elementwise.unary(op, p, x, out);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        elementwise.binary(op, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        elementwise.where(cond, a, b, out);
    }

    @Override
    public void sum(Tensor x, Tensor out) {
        reduce.sum(x, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        dense.matmul(a, b, out);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor y, int sh, int sw, int ph, int pw, int groups) {
        dense.conv2d(x, w, y, sh, sw, ph, pw, groups);
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, int sh, int sw, int ph, int pw, int groups) {
        dense.conv2dBackwardData(dy, w, dx, sh, sw, ph, pw, groups);
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor dy, Tensor dw, int sh, int sw, int ph, int pw, int groups) {
        dense.conv2dBackwardWeight(x, dy, dw, sh, sw, ph, pw, groups);
    }

    @Override
    public void upfirdn2d(Tensor x, Tensor k, boolean flipKernel, int upX, int upY, int downX, int downY,
                          int padX0, int padX1, int padY0, int padY1, Tensor out) {
        dense.upfirdn2d(x, k, flipKernel, upX, upY, downX, downY, padX0, padX1, padY0, padY1, out);
    }

    @Override
    public void maxPool2d(Tensor x, Tensor out, int k, int stride, int pad) {
        pool.maxPool2d(x, out, k, stride, pad);
    }

    @Override
    public void maxPool2dBackward(Tensor x, Tensor dy, Tensor dx, int k, int stride, int pad) {
        pool.maxPool2dBackward(x, dy, dx, k, stride, pad);
    }

    @Override
    public void random(Tensor out, long seed, long offset, boolean uniform) {
        random.random(out, seed, offset, uniform);
    }

    @Override
    public void biasAct(Tensor x, Tensor b, Tensor y, double slope, double gain) {
        fused.biasAct(x, b, y, slope, gain);
    }

    @Override
    public void biasActBackward(Tensor dy, Tensor y, Tensor dx, double slope, double gain) {
        fused.biasActBackward(dy, y, dx, slope, gain);
    }

    @Override
    public void modulation(Tensor x, Tensor gammaBeta, Tensor y, Tensor mean, Tensor rstd, boolean instanceNorm, double eps) {
        fused.modulation(x, gammaBeta, y, mean, rstd, instanceNorm, eps);
    }

    @Override
    public void modulationBackward(Tensor dy, Tensor x, Tensor gammaBeta, Tensor mean, Tensor rstd,
                                   Tensor dx, Tensor dGammaBeta, boolean instanceNorm) {
        fused.modulationBackward(dy, x, gammaBeta, mean, rstd, dx, dGammaBeta, instanceNorm);
    }

    @Override
    public void adam(Tensor[] params, Tensor[] grads, Tensor[] expAvg, Tensor[] expAvgSq,
                     double[] stepSize, double[] biasCorrection2Sqrt, double beta1, double beta2, double eps) {
        fused.adam(params, grads, expAvg, expAvgSq, stepSize, biasCorrection2Sqrt, beta1, beta2, eps);
    }

    @Override
    public void ema(Tensor[] targets, Tensor[] sources, double decay) {
        fused.ema(targets, sources, decay);
    }
}

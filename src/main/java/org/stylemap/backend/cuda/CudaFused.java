package org.stylemap.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.UnaryOperator;
import org.stylemap.backend.cuda.runtime.Dim3;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

/**
 * The fused primitives on the device (contracts in Backend): bias + leaky ReLU and its gradient
 * (kernels/bias_act.cu), spatially variant modulation and its gradients (kernels/modulation.cu),
 * and the multi-tensor Adam and EMA updates (kernels/optimizers.cu). Tensors are contiguous
 * (offsets allowed), as the ops and optimizers guarantee. float32 scalars are rounded to float
 * here, as the CPU twins round them, so both give the same bits where the kernels' comments say so.
 * Nothing waits: scratch memory (modulation's partial sums, the optimizers' tensor tables) comes
 * from {@link CudaBackend#temporaries} and returns to the stream-ordered cache after the launches.
 */
final class CudaFused {
    /** modulation.cu: each block of the reductions adds at least this many elements of a group, */
    private static final long MIN_CHUNK = 4096;
    /** and a group is cut into at most this many chunks (their partial sums are added in order). */
    private static final long MAX_PARTS = 256;
    /** CUDA's limit on gridDim.y; the reduction kernels loop over more groups. */
    private static final int MAX_GRID_Y = 65535;
    /** optimizers.cu: OPTIMIZER_CHUNK elements per block, OPTIMIZER_THREADS threads, the table entries' sizes. */
    private static final long OPTIMIZER_CHUNK = 4096;
    private static final int OPTIMIZER_THREADS = 256, ADAM_ENTRY = 64, EMA_ENTRY = 32;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final CudaBackend backend;
    private final CudaKernels kernels;

    CudaFused(CudaBackend backend, CudaKernels kernels) {
        this.backend = backend;
        this.kernels = kernels;
    }

    /** A scalar kernel argument of the element type: float32 rounds it first, as the CPU twins do. */
    private static KernelArgs real(KernelArgs args, DType dtype, double v) {
        return dtype == DType.F32 ? args.f32((float) v) : args.f64(v);
    }

    private long at(Tensor t) {
        return backend.address(t);
    }

    // ---------------------------------------------------------------- bias_act

    void biasAct(Tensor x, Tensor b, Tensor y, double slope, double gain) {
        long n = x.numel();
        if (n == 0) return;
        int c = x.shape(1);
        long inner = n / ((long) x.shape(0) * c);
        KernelArgs args = new KernelArgs().ptr(at(x)).ptr(b == null ? 0 : at(b)).ptr(at(y)).i64(n).i32(c).i64(inner);
        real(real(args, x.dtype(), slope), x.dtype(), gain);
        kernels.launch("bias_act", "bias_act_" + CudaKernels.suffix(x.dtype()), n, args);
    }

    void biasActBackward(Tensor dy, Tensor y, Tensor dx, double slope, double gain) {
        long n = dy.numel();
        if (n == 0) return;
        KernelArgs args = new KernelArgs().ptr(at(dy)).ptr(at(y)).ptr(at(dx)).i64(n);
        real(real(args, dy.dtype(), slope), dy.dtype(), gain);
        kernels.launch("bias_act", "bias_act_backward_" + CudaKernels.suffix(dy.dtype()), n, args);
    }

    // ---------------------------------------------------------------- modulation

    /** The normalization groups of x [N,C,H,W]: count groups of len contiguous elements, chw per sample. */
    private record Groups(long count, long len, long chw, long parts, long chunk) {
        static Groups of(Tensor x, boolean instanceNorm) {
            long hw = (long) x.shape(2) * x.shape(3), chw = x.shape(1) * hw;
            long count = instanceNorm ? (long) x.shape(0) * x.shape(1) : x.shape(0), len = instanceNorm ? hw : chw;
            long parts = Math.max(1, Math.min(MAX_PARTS, (len + MIN_CHUNK - 1) / MIN_CHUNK));
            return new Groups(count, len, chw, parts, (len + parts - 1) / parts);
        }

        /** The reduction kernels' grid: (parts, groups), looping over groups past CUDA's limit. */
        Dim3 grid() {
            return Dim3.of((int) parts, (int) Math.min(count, MAX_GRID_Y));
        }
    }

    void modulation(Tensor x, Tensor gammaBeta, Tensor y, Tensor mean, Tensor rstd, boolean instanceNorm, double eps) {
        if (x.numel() == 0) return;
        Groups gs = Groups.of(x, instanceNorm);
        String t = CudaKernels.suffix(x.dtype());
        Dim3 block = Dim3.of(CudaKernels.BLOCK);
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            long partial = tmp.scratch(gs.count() * gs.parts() * Double.BYTES), meanD = tmp.scratch(gs.count() * Double.BYTES);
            kernels.launch("modulation", "modulation_moment_" + t, gs.grid(), block,
                    new KernelArgs().ptr(at(x)).ptr(0).ptr(partial).i64(gs.count()).i64(gs.len()).i64(gs.chunk()));
            kernels.launch("modulation", "modulation_mean_" + t, gs.count(),
                    new KernelArgs().ptr(partial).i64(gs.parts()).i64(gs.count()).i64(gs.len()).ptr(meanD).ptr(at(mean)));
            kernels.launch("modulation", "modulation_moment_" + t, gs.grid(), block,
                    new KernelArgs().ptr(at(x)).ptr(meanD).ptr(partial).i64(gs.count()).i64(gs.len()).i64(gs.chunk()));
            kernels.launch("modulation", "modulation_rstd_" + t, gs.count(),
                    new KernelArgs().ptr(partial).i64(gs.parts()).i64(gs.count()).i64(gs.len()).f64(eps).ptr(at(rstd)));
            kernels.launch("modulation", "modulation_apply_" + t, x.numel(), new KernelArgs().ptr(at(x)).ptr(at(gammaBeta))
                    .ptr(at(mean)).ptr(at(rstd)).ptr(at(y)).i64(x.numel()).i64(gs.len()).i64(gs.chw()));
        }
    }

    void modulationBackward(Tensor dy, Tensor x, Tensor gammaBeta, Tensor mean, Tensor rstd,
                            Tensor dx, Tensor dGammaBeta, boolean instanceNorm) {
        if (x.numel() == 0) return;
        Groups gs = Groups.of(x, instanceNorm);
        String t = CudaKernels.suffix(x.dtype());
        try (CudaBackend.Temporaries tmp = backend.temporaries()) {
            long partial = tmp.scratch(2 * gs.count() * gs.parts() * Double.BYTES), means = tmp.scratch(2 * gs.count() * Double.BYTES);
            kernels.launch("modulation", "modulation_grad_moments_" + t, gs.grid(), Dim3.of(CudaKernels.BLOCK),
                    new KernelArgs().ptr(at(dy)).ptr(at(x)).ptr(at(gammaBeta)).ptr(at(mean)).ptr(partial).i64(gs.count())
                            .i64(gs.len()).i64(gs.chw()).i64(gs.chunk()));
            kernels.launch("modulation", "modulation_grad_means_" + t, gs.count(),
                    new KernelArgs().ptr(partial).i64(gs.parts()).i64(gs.count()).i64(gs.len()).ptr(at(rstd)).ptr(means));
            kernels.launch("modulation", "modulation_grad_apply_" + t, x.numel(), new KernelArgs().ptr(at(dy)).ptr(at(x))
                    .ptr(at(gammaBeta)).ptr(at(mean)).ptr(at(rstd)).ptr(means).ptr(at(dx)).ptr(at(dGammaBeta)).i64(x.numel())
                    .i64(gs.count()).i64(gs.len()).i64(gs.chw()));
        }
    }

    // ---------------------------------------------------------------- Adam and EMA

    /** Writes the table entry of tensor k, whose chunks start at firstChunk. */
    @FunctionalInterface
    private interface EntryWriter {
        void write(MemorySegment entry, int k, long firstChunk);
    }

    /**
     * Uploads a table of one entry (entryBytes, written by writer) per non-empty tensor of ts and
     * launches kernel(table, entries, scalars...) with one block per OPTIMIZER_CHUNK elements of
     * each tensor.
     */
    private void multiTensor(String kernel, Tensor[] ts, int entryBytes, EntryWriter writer, UnaryOperator<KernelArgs> scalars) {
        int entries = 0;
        for (Tensor t : ts) if (t.numel() > 0) entries++;
        if (entries == 0) return;
        try (Arena arena = Arena.ofConfined(); CudaBackend.Temporaries tmp = backend.temporaries()) {
            MemorySegment table = arena.allocate((long) entries * entryBytes, 8);
            long chunks = 0;
            for (int k = 0, e = 0; k < ts.length; k++) {
                if (ts[k].numel() == 0) continue;
                writer.write(table.asSlice((long) e++ * entryBytes, entryBytes), k, chunks);
                chunks += (ts[k].numel() + OPTIMIZER_CHUNK - 1) / OPTIMIZER_CHUNK;
            }
            if (chunks > Integer.MAX_VALUE)
                throw new IllegalArgumentException("optimizer update: more than 2^31 chunks of " + OPTIMIZER_CHUNK + " elements in one call");
            // The table is copied out of host memory before upload returns, so the arena may close.
            KernelArgs args = scalars.apply(new KernelArgs().ptr(tmp.upload(table)).i32(entries));
            kernels.launch("optimizers", kernel, Dim3.of((int) chunks), Dim3.of(OPTIMIZER_THREADS), args);
        }
    }

    void adam(Tensor[] params, Tensor[] grads, Tensor[] expAvg, Tensor[] expAvgSq,
              double[] stepSize, double[] biasCorrection2Sqrt, double beta1, double beta2, double eps) {
        if (params.length == 0) return;
        DType dtype = params[0].dtype();
        multiTensor("adam_" + CudaKernels.suffix(dtype), params, ADAM_ENTRY, (entry, k, first) -> {
            entry.set(LONG, 0, at(params[k]));
            entry.set(LONG, 8, grads[k] == null ? 0 : at(grads[k]));
            entry.set(LONG, 16, at(expAvg[k]));
            entry.set(LONG, 24, at(expAvgSq[k]));
            entry.set(LONG, 32, params[k].numel());
            entry.set(LONG, 40, first);
            entry.set(DOUBLE, 48, -stepSize[k]);
            entry.set(DOUBLE, 56, biasCorrection2Sqrt[k]);
        }, args -> real(real(real(real(real(args, dtype, beta1), dtype, 1 - beta1), dtype, beta2), dtype, 1 - beta2), dtype, eps));
    }

    void ema(Tensor[] targets, Tensor[] sources, double decay) {
        if (targets.length == 0) return;
        DType dtype = targets[0].dtype();
        multiTensor("ema_" + CudaKernels.suffix(dtype), targets, EMA_ENTRY, (entry, k, first) -> {
            entry.set(LONG, 0, at(targets[k]));
            entry.set(LONG, 8, at(sources[k]));
            entry.set(LONG, 16, targets[k].numel());
            entry.set(LONG, 24, first);
        }, args -> real(real(args, dtype, decay), dtype, 1 - decay));
    }
}

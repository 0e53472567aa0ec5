package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.stylemap.tensor.Tensor;

/**
 * CPU twins of the adam and ema kernels of kernels/optimizers.cu: one multi-tensor update per optimizer step
 * (contracts in Backend.adam / Backend.ema). The tensors are laid end to end in one index range
 * that is split evenly over the threads, so a few large weights and many small biases balance.
 * float32 runs on the Vector API with every operation rounded in PyTorch's order (lane-wise
 * mul, add, div and sqrt round exactly as the scalar float code does, so the tail loops agree);
 * float64 runs plain loops.
 */
final class OptimizerKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE;
    private static final int GRAIN = 1 << 15;

    private OptimizerKernels() {}

    /** An element range [from, to) of tensor k. */
    @FunctionalInterface
    private interface Part {
        void run(int k, long from, long to);
    }

    /** Elements of every tensor before tensor k (start[k]), and the total at the end. */
    private static long[] starts(Tensor[] ts) {
        long[] start = new long[ts.length + 1];
        for (int k = 0; k < ts.length; k++) start[k + 1] = start[k] + ts[k].numel();
        if (start[ts.length] > Integer.MAX_VALUE)
            throw new IllegalArgumentException("optimizer update: more than 2^31 elements in one call");
        return start;
    }

    /** Runs part over the pieces of the tensors that the flat range [from, to) covers. */
    private static void forParts(long[] start, int from, int to, Part part) {
        // The first tensor to visit: one starting at from (an empty one there is skipped below), or the one containing it.
        int k = Arrays.binarySearch(start, from);
        if (k < 0) k = -k - 2;
        for (; k < start.length - 1 && start[k] < to; k++) {
            long lo = Math.max(from, start[k]) - start[k], hi = Math.min(to, start[k + 1]) - start[k];
            if (lo < hi) part.run(k, lo, hi);
        }
    }

    private static void forAll(Tensor[] ts, Part part) {
        long[] start = starts(ts);
        Parallel.forRange((int) start[ts.length], GRAIN, (from, to) -> forParts(start, from, to, part));
    }

    static void adam(Tensor[] params, Tensor[] grads, Tensor[] expAvg, Tensor[] expAvgSq, double[] stepSize,
                     double[] biasCorrection2Sqrt, double beta1, double beta2, double eps) {
        if (params.length == 0) return;
        boolean f64 = CpuBackend.f64(params[0]);
        forAll(params, (k, from, to) -> {
            MemorySegment p = CpuBackend.seg(params[k]), m = CpuBackend.seg(expAvg[k]), v = CpuBackend.seg(expAvgSq[k]);
            MemorySegment g = grads[k] == null ? null : CpuBackend.seg(grads[k]);
            long po = params[k].offset() + from, mo = expAvg[k].offset() + from, vo = expAvgSq[k].offset() + from;
            long go = grads[k] == null ? 0 : grads[k].offset() + from;
            int n = (int) (to - from);
            if (f64) adamF64(p, po, g, go, m, mo, v, vo, n, beta1, beta2, eps, -stepSize[k], biasCorrection2Sqrt[k]);
            else adamF32(p, po, g, go, m, mo, v, vo, n, (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2),
                    (float) eps, (float) -stepSize[k], (float) biasCorrection2Sqrt[k]);
        });
    }

    private static void adamF64(MemorySegment p, long po, MemorySegment g, long go, MemorySegment m, long mo,
                                MemorySegment v, long vo, int n, double beta1, double beta2, double eps, double negStep, double bc2) {
        for (int i = 0; i < n; i++) {
            double gi = g == null ? 0 : g.getAtIndex(D, go + i);
            double mi = m.getAtIndex(D, mo + i) * beta1 + (1 - beta1) * gi;
            double vi = v.getAtIndex(D, vo + i) * beta2 + ((1 - beta2) * gi) * gi;
            m.setAtIndex(D, mo + i, mi);
            v.setAtIndex(D, vo + i, vi);
            p.setAtIndex(D, po + i, p.getAtIndex(D, po + i) + (negStep * mi) / (Math.sqrt(vi) / bc2 + eps));
        }
    }

    private static void adamF32(MemorySegment p, long po, MemorySegment g, long go, MemorySegment m, long mo,
                                MemorySegment v, long vo, int n, float beta1, float oneMinusBeta1, float beta2,
                                float oneMinusBeta2, float eps, float negStep, float bc2) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector gi = g == null ? zero : load(g, go + i);
            FloatVector mi = load(m, mo + i).mul(beta1).add(gi.mul(oneMinusBeta1));
            FloatVector vi = load(v, vo + i).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
            mi.intoMemorySegment(m, (mo + i) * 4, NATIVE);
            vi.intoMemorySegment(v, (vo + i) * 4, NATIVE);
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(bc2).add(eps);
            load(p, po + i).add(mi.mul(negStep).div(denom)).intoMemorySegment(p, (po + i) * 4, NATIVE);
        }
        for (; i < n; i++) {
            float gi = g == null ? 0f : g.getAtIndex(F, go + i);
            float mi = m.getAtIndex(F, mo + i) * beta1 + oneMinusBeta1 * gi;
            float vi = v.getAtIndex(F, vo + i) * beta2 + (oneMinusBeta2 * gi) * gi;
            m.setAtIndex(F, mo + i, mi);
            v.setAtIndex(F, vo + i, vi);
            p.setAtIndex(F, po + i, p.getAtIndex(F, po + i) + (negStep * mi) / ((float) Math.sqrt(vi) / bc2 + eps));
        }
    }

    static void ema(Tensor[] targets, Tensor[] sources, double decay) {
        if (targets.length == 0) return;
        boolean f64 = CpuBackend.f64(targets[0]);
        forAll(targets, (k, from, to) -> {
            MemorySegment t = CpuBackend.seg(targets[k]), s = CpuBackend.seg(sources[k]);
            long to0 = targets[k].offset() + from, so = sources[k].offset() + from;
            int n = (int) (to - from);
            if (f64) {
                for (int i = 0; i < n; i++)
                    t.setAtIndex(D, to0 + i, t.getAtIndex(D, to0 + i) * decay + (1 - decay) * s.getAtIndex(D, so + i));
                return;
            }
            float d = (float) decay, c = (float) (1 - decay);
            int i = 0;
            for (int upper = S.loopBound(n); i < upper; i += S.length())
                load(t, to0 + i).mul(d).add(load(s, so + i).mul(c)).intoMemorySegment(t, (to0 + i) * 4, NATIVE);
            for (; i < n; i++) t.setAtIndex(F, to0 + i, t.getAtIndex(F, to0 + i) * d + c * s.getAtIndex(F, so + i));
        });
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index * 4, NATIVE);
    }
}

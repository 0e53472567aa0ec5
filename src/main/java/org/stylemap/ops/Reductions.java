package org.stylemap.ops;

import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/** Sum, mean and variance over any set of dimensions. dims == null means all dimensions. */
public final class Reductions {
    private Reductions() {}

    private static boolean[] reduced(Tensor x, int[] dims) {
        boolean[] r = new boolean[x.rank()];
        if (dims == null) java.util.Arrays.fill(r, true);
        else for (int d : dims) r[Shape.dim(d, x.rank())] = true;
        return r;
    }

    private static int[] keptShape(Tensor x, boolean[] r, boolean keepdim) {
        int[] xs = x.shape();
        int n = 0;
        for (int d = 0; d < xs.length; d++) if (!r[d] || keepdim) n++;
        int[] s = new int[n];
        for (int d = 0, j = 0; d < xs.length; d++) {
            if (r[d] && keepdim) s[j++] = 1;
            else if (!r[d]) s[j++] = xs[d];
        }
        return s;
    }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        boolean[] r = reduced(x, dims);
        int[] keep = keptShape(x, r, true);
        Tensor out = Tensor.empty(x.dtype(), x.device(), keep);
        if (x.numel() == 0) out.backend().fill(out, 0);
        else out.backend().sum(x, out);
        int[] xs = x.shape();
        Tensor summed = Autograd.record(out, "sum",
                (gy, n) -> new Tensor[] {Views.expand(Views.reshape(gy, keep), xs)}, x);
        return keepdim ? summed : Views.reshape(summed, keptShape(x, r, false));
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        boolean[] r = reduced(x, dims);
        long count = 1;
        for (int d = 0; d < r.length; d++) if (r[d]) count *= x.shape(d);
        return Elementwise.scale(sum(x, dims, keepdim), 1.0 / count);
    }

    /** Variance; unbiased divides by n - 1 (PyTorch's default), otherwise by n. */
    public static Tensor var(Tensor x, int[] dims, boolean keepdim, boolean unbiased) {
        boolean[] r = reduced(x, dims);
        long count = 1;
        for (int d = 0; d < r.length; d++) if (r[d]) count *= x.shape(d);
        Tensor centered = Elementwise.sub(x, mean(x, dims, true));
        Tensor ss = sum(Elementwise.mul(centered, centered), dims, keepdim);
        return Elementwise.scale(ss, 1.0 / (unbiased ? count - 1 : count));
    }
}

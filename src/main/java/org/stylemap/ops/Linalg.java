package org.stylemap.ops;

import java.util.Arrays;
import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/** Matrix products. */
public final class Linalg {
    private Linalg() {}

    /** a [..., M, K] @ b [..., K, N] -> [..., M, N], broadcasting the batch dimensions. */
    public static Tensor matmul(Tensor a, Tensor b) {
        Shape.check(a.rank() >= 2 && b.rank() >= 2, "matmul: needs matrices, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        int m = a.shape(-2), k = a.shape(-1), n = b.shape(-1);
        Shape.check(b.shape(-2) == k, "matmul: inner sizes differ: " + Shape.str(a.shape()) + " @ " + Shape.str(b.shape()));
        Shape.check(a.dtype() == b.dtype(), "matmul: dtypes differ (" + a.dtype() + " and " + b.dtype() + ")");
        int[] batch = Shape.broadcast("matmul " + Shape.str(a.shape()) + " @ " + Shape.str(b.shape()) + " (batch dimensions)",
                Arrays.copyOf(a.shape(), a.rank() - 2), Arrays.copyOf(b.shape(), b.rank() - 2));
        int nb = (int) Shape.numel(batch);
        Tensor a3 = asBatch(a, batch, nb), b3 = asBatch(b, batch, nb);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.empty(a.dtype(), a.device(), outShape);
        out.backend().matmul(a3, b3, Views.view(out, new int[] {nb, m, n}, new long[] {(long) m * n, n, 1}, 0));
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record(out, "matmul", (gy, need) -> new Tensor[] {
                need[0] ? Views.sumTo(matmul(gy, Views.transpose(b, -1, -2)), as) : null,
                need[1] ? Views.sumTo(matmul(Views.transpose(a, -1, -2), gy), bs) : null}, a, b);
    }

    /** A [nb, R, C] view (or copy) of t broadcast to the batch shape, without graph. */
    private static Tensor asBatch(Tensor t, int[] batch, int nb) {
        int r = t.shape(-2), c = t.shape(-1);
        long sr = t.stride(-2), sc = t.stride(-1);
        long tb = Shape.numel(Arrays.copyOf(t.shape(), t.rank() - 2));
        if (tb == 1) return Views.view(t, new int[] {nb, r, c}, new long[] {0, sr, sc}, t.offset());
        int[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = r;
        full[batch.length + 1] = c;
        Tensor e = Views.broadcastRaw(t, full);
        // The batch dimensions collapse into one stride when the tensor is laid out densely over them.
        long step = e.stride(batch.length - 1);
        boolean collapsible = true;
        for (int d = batch.length - 2; d >= 0; d--)
            if (e.stride(d) != e.stride(d + 1) * batch[d + 1]) collapsible = false;
        if (collapsible) return Views.view(e, new int[] {nb, r, c}, new long[] {step, sr, sc}, e.offset());
        Tensor copy = Tensor.empty(t.dtype(), t.device(), full);
        copy.backend().assign(copy, e);
        return Views.view(copy, new int[] {nb, r, c}, new long[] {(long) r * c, c, 1}, 0);
    }

    /** x [..., in] @ w[out, in]^T + b[out] (b may be null). */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        Shape.check(w.rank() == 2 && x.shape(-1) == w.shape(1), "linear: input " + Shape.str(x.shape())
                + " does not match weight " + Shape.str(w.shape()));
        Tensor y = matmul(x, Views.transpose(w, 0, 1));
        return b == null ? y : Elementwise.add(y, b);
    }
}

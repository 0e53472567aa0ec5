package org.stylemap.ops;

import java.util.Arrays;
import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * Shape ops. Views share storage and cost nothing; an op returns a copy only where no view can
 * express the result (reshape of a non-contiguous tensor), as PyTorch does.
 */
public final class Views {
    private Views() {}

    /** A view without graph: the primitive behind the differentiable ops below. */
    static Tensor view(Tensor t, int[] shape, long[] strides, long offset) {
        return new Tensor(t.storage(), shape, strides, offset);
    }

    /** Broadcast view (stride 0 on expanded dims), without graph. */
    static Tensor broadcastRaw(Tensor t, int[] shape) {
        int rank = shape.length, lead = rank - t.rank();
        Shape.check(lead >= 0, "expand: cannot expand " + Shape.str(t.shape()) + " to fewer dims " + Shape.str(shape));
        long[] st = new long[rank];
        for (int d = 0; d < rank; d++) {
            if (d < lead) continue;
            int sd = t.shape(d - lead);
            Shape.check(sd == shape[d] || sd == 1,
                    "expand: shape " + Shape.str(t.shape()) + " cannot be expanded to " + Shape.str(shape));
            st[d] = sd == 1 && shape[d] != 1 ? 0 : t.stride(d - lead);
        }
        return view(t, shape, st, t.offset());
    }

    public static Tensor expand(Tensor x, int... shape) {
        if (Arrays.equals(x.shape(), shape)) return x;
        int[] xs = x.shape();
        return Autograd.record(broadcastRaw(x, shape), "expand", (gy, n) -> new Tensor[] {sumTo(gy, xs)}, x);
    }

    /** Sums g over broadcast dimensions so that it has the given shape (the adjoint of expand). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        int lead = g.rank() - shape.length;
        int[] dims = new int[g.rank()];
        int nd = 0;
        for (int d = 0; d < g.rank(); d++)
            if (d < lead || (shape[d - lead] == 1 && g.shape(d) != 1)) dims[nd++] = d;
        Tensor s = Reductions.sum(g, Arrays.copyOf(dims, nd), true);
        return reshape(s, shape);
    }

    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = inferShape(x, shape);
        if (Arrays.equals(s, x.shape())) return x;
        Tensor c = x.isContiguous() ? x : contiguous(x);
        int[] xs = x.shape();
        return Autograd.record(view(c, s, Shape.contiguousStrides(s), c.offset()), "reshape",
                (gy, n) -> new Tensor[] {reshape(gy, xs)}, c);
    }

    private static int[] inferShape(Tensor x, int[] shape) {
        int[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                Shape.check(infer < 0, "reshape: only one dimension can be -1 in " + Shape.str(shape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) {
            Shape.check(known > 0 && x.numel() % known == 0, "reshape: cannot reshape " + Shape.str(x.shape()) + " to " + Shape.str(shape));
            s[infer] = (int) (x.numel() / known);
        }
        Shape.check(Shape.numel(s) == x.numel(), "reshape: cannot reshape " + Shape.str(x.shape()) + " ("
                + x.numel() + " elements) to " + Shape.str(shape));
        return s;
    }

    public static Tensor permute(Tensor x, int... perm) {
        int r = x.rank();
        Shape.check(perm.length == r, "permute: " + Arrays.toString(perm) + " does not match rank of " + Shape.str(x.shape()));
        int[] s = new int[r], inv = new int[r];
        long[] st = new long[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int p = Shape.dim(perm[i], r);
            Shape.check(!seen[p], "permute: repeated dimension in " + Arrays.toString(perm));
            seen[p] = true;
            s[i] = x.shape(p);
            st[i] = x.stride(p);
            inv[p] = i;
        }
        return Autograd.record(view(x, s, st, x.offset()), "permute", (gy, n) -> new Tensor[] {permute(gy, inv)}, x);
    }

    public static Tensor transpose(Tensor x, int a, int b) {
        int r = x.rank();
        int[] p = new int[r];
        for (int i = 0; i < r; i++) p[i] = i;
        a = Shape.dim(a, r);
        b = Shape.dim(b, r);
        p[a] = b;
        p[b] = a;
        return permute(x, p);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int[] xs = x.shape();
        int d = Shape.dim(dim, xs.length + 1);
        int[] s = new int[xs.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == d ? 1 : xs[j++];
        return reshape(x, s);
    }

    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.dim(dim, x.rank());
        Shape.check(x.shape(d) == 1, "squeeze: dimension " + dim + " of " + Shape.str(x.shape()) + " is not 1");
        int[] xs = x.shape(), s = new int[xs.length - 1];
        for (int i = 0, j = 0; i < xs.length; i++) if (i != d) s[j++] = xs[i];
        return reshape(x, s);
    }

    /** Elements [start, end) along dim (a view). */
    public static Tensor slice(Tensor x, int dim, int start, int end) {
        int d = Shape.dim(dim, x.rank());
        int[] starts = new int[x.rank()], sizes = x.shape();
        starts[d] = start;
        sizes[d] = end - start;
        return narrow(x, starts, sizes);
    }

    /** The block starting at starts with extent sizes (a view). */
    public static Tensor narrow(Tensor x, int[] starts, int[] sizes) {
        int[] xs = x.shape();
        long off = x.offset();
        for (int d = 0; d < xs.length; d++) {
            Shape.check(starts[d] >= 0 && sizes[d] >= 0 && starts[d] + sizes[d] <= xs[d],
                    "slice: block at " + Arrays.toString(starts) + " of size " + Arrays.toString(sizes)
                            + " is outside shape " + Shape.str(xs));
            off += starts[d] * x.stride(d);
        }
        if (Arrays.equals(sizes, xs)) return x;
        return Autograd.record(view(x, sizes, x.strides(), off), "slice",
                (gy, n) -> new Tensor[] {embed(gy, xs, starts)}, x);
    }

    /** A zero tensor of the given shape holding g at starts (the adjoint of narrow). */
    public static Tensor embed(Tensor g, int[] shape, int[] starts) {
        Tensor out = Tensor.zeros(g.dtype(), g.device(), shape);
        int[] gs = g.shape();
        out.backend().assign(narrowRaw(out, starts, gs), g);
        return Autograd.record(out, "embed", (gy, n) -> new Tensor[] {narrow(gy, starts, gs)}, g);
    }

    static Tensor narrowRaw(Tensor x, int[] starts, int[] sizes) {
        long off = x.offset();
        for (int d = 0; d < starts.length; d++) off += starts[d] * x.stride(d);
        return view(x, sizes, x.strides(), off);
    }

    /** A contiguous copy (or x itself when already contiguous). */
    public static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) return x;
        return Elementwise.copy(x);
    }

    /** Zero padding; pads[2*i], pads[2*i+1] are the amounts before and after dimension i (non-negative). */
    public static Tensor pad(Tensor x, int... pads) {
        Shape.check(pads.length == 2 * x.rank(), "pad: need 2 amounts per dimension of " + Shape.str(x.shape())
                + ", got " + pads.length);
        int[] s = x.shape(), starts = new int[x.rank()];
        for (int d = 0; d < x.rank(); d++) {
            Shape.check(pads[2 * d] >= 0 && pads[2 * d + 1] >= 0, "pad: negative amounts are not supported: " + Arrays.toString(pads));
            starts[d] = pads[2 * d];
            s[d] += pads[2 * d] + pads[2 * d + 1];
        }
        return embed(x, s, starts);
    }

    /** Concatenation along dim. */
    public static Tensor concat(int dim, Tensor... parts) {
        Shape.check(parts.length > 0, "concat: no tensors");
        Tensor first = parts[0];
        int d = Shape.dim(dim, first.rank());
        int[] shape = first.shape();
        int total = 0;
        for (Tensor p : parts) {
            Shape.check(p.rank() == first.rank(), "concat: ranks differ: " + Shape.str(first.shape()) + " and " + Shape.str(p.shape()));
            for (int i = 0; i < shape.length; i++)
                Shape.check(i == d || p.shape(i) == shape[i], "concat along " + d + ": shapes " + Shape.str(first.shape())
                        + " and " + Shape.str(p.shape()) + " differ in dimension " + i);
            Shape.check(p.dtype() == first.dtype(), "concat: dtypes differ: " + first.dtype() + " and " + p.dtype());
            total += p.shape(d);
        }
        shape[d] = total;
        Tensor out = Tensor.empty(first.dtype(), first.device(), shape);
        int[] at = new int[parts.length];
        for (int i = 0, pos = 0; i < parts.length; pos += parts[i].shape(d), i++) {
            at[i] = pos;
            int[] starts = new int[shape.length];
            starts[d] = pos;
            out.backend().assign(narrowRaw(out, starts, parts[i].shape()), parts[i]);
        }
        return Autograd.record(out, "concat", (gy, needs) -> {
            Tensor[] g = new Tensor[parts.length];
            for (int i = 0; i < parts.length; i++)
                if (needs[i]) g[i] = slice(gy, d, at[i], at[i] + parts[i].shape(d));
            return g;
        }, parts);
    }
}

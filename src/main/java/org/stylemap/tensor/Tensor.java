package org.stylemap.tensor;

import java.util.Arrays;
import org.stylemap.autograd.Node;
import org.stylemap.backend.Backend;
import org.stylemap.backend.Backends;
import org.stylemap.memory.Storage;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Linalg;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Views;
import org.stylemap.random.Rng;

/**
 * An n-d view (shape, strides in elements, offset) onto a {@link Storage}, plus autograd state.
 * Values never leave the device implicitly: {@link #toDoubleArray()} and {@link #item()} are the
 * only ways to read them on the host. The arithmetic methods are thin forwards to {@link Ops};
 * every one of them records a graph node when gradients are enabled.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final long[] strides;
    private final long offset;

    private boolean requiresGrad;
    /** Accumulated gradient of a leaf after backward(); lives as long as the leaf (long-lived for parameters). */
    private Tensor grad;
    /** The node that produced this tensor, or null for leaves and tensors made without grad. */
    private Node gradFn;
    private String name;

    public Tensor(Storage storage, int[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
    }

    // ---------------------------------------------------------------- factories

    /** Uninitialised contiguous tensor. */
    public static Tensor empty(DType dtype, Device device, int... shape) {
        for (int d : shape)
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
        Backend b = Backends.get(device);
        return new Tensor(b.allocate(dtype, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    public static Tensor full(DType dtype, Device device, double value, int... shape) {
        Tensor t = empty(dtype, device, shape);
        t.backend().fill(t, value);
        return t;
    }

    public static Tensor zeros(DType dtype, Device device, int... shape) {
        return full(dtype, device, 0, shape);
    }

    public static Tensor ones(DType dtype, Device device, int... shape) {
        return full(dtype, device, 1, shape);
    }

    /** A tensor holding host values (row-major). */
    public static Tensor of(DType dtype, Device device, double[] values, int... shape) {
        if (values.length != Shape.numel(shape))
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Shape.str(shape));
        Tensor t = empty(dtype, device, shape);
        t.backend().write(t, values);
        return t;
    }

    public static Tensor scalar(DType dtype, Device device, double value) {
        return full(dtype, device, value);
    }

    /** Standard normal values drawn from gen. */
    public static Tensor randn(Rng gen, DType dtype, Device device, int... shape) {
        Tensor t = empty(dtype, device, shape);
        t.backend().random(t, gen.seed(), gen.take(t.numel()), false);
        return t;
    }

    /** Uniform [0, 1) values drawn from gen. */
    public static Tensor rand(Rng gen, DType dtype, Device device, int... shape) {
        Tensor t = empty(dtype, device, shape);
        t.backend().random(t, gen.seed(), gen.take(t.numel()), true);
        return t;
    }

    // ---------------------------------------------------------------- metadata

    public Storage storage() { return storage; }
    public Backend backend() { return storage.backend(); }
    public DType dtype() { return storage.dtype(); }
    public Device device() { return storage.backend().device(); }
    public int[] shape() { return shape.clone(); }
    public int shape(int dim) { return shape[Shape.dim(dim, shape.length)]; }
    public long[] strides() { return strides.clone(); }
    public long stride(int dim) { return strides[Shape.dim(dim, shape.length)]; }
    public long offset() { return offset; }
    public int rank() { return shape.length; }
    public long numel() { return Shape.numel(shape); }
    public String name() { return name; }
    public Tensor named(String n) { this.name = n; return this; }

    public boolean isContiguous() {
        return offset >= 0 && Arrays.equals(strides, Shape.contiguousStrides(shape)) || numel() <= 1;
    }

    public boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    // ---------------------------------------------------------------- autograd state

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as needing gradients (parameters, inputs of a gradient penalty). */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on)
            throw new IllegalStateException("cannot turn off requiresGrad on a non-leaf; use detach()");
        this.requiresGrad = on;
        return this;
    }

    public Tensor grad() { return grad; }
    public void setGrad(Tensor g) { this.grad = g; }
    public Node gradFn() { return gradFn; }

    /** Called by ops when they record this tensor's producer. */
    public void setGradFn(Node fn) {
        this.gradFn = fn;
        this.requiresGrad = true;
    }

    public boolean isLeaf() { return gradFn == null; }

    /** Frees the gradient buffer of this leaf (zero_grad). */
    public void zeroGrad() {
        if (grad != null) {
            grad.storage().free();
            grad = null;
        }
    }

    /** The same values, cut from the graph. Shares storage. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    // ---------------------------------------------------------------- host access

    public double[] toDoubleArray() {
        storage.checkLive();
        return backend().read(this);
    }

    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() needs one element, shape is " + Shape.str(shape));
        return toDoubleArray()[0];
    }

    /** Frees this tensor's storage now (and so every view of it). */
    public void free() {
        storage.free();
    }

    @Override
    public String toString() {
        return "Tensor" + (name != null ? "(" + name + ")" : "") + Shape.str(shape) + " " + dtype().label + " " + device()
                + (storage.isFreed() ? " [freed]" : "");
    }

    // ---------------------------------------------------------------- forwards to Ops

    public Tensor add(Tensor o) { return Elementwise.add(this, o); }
    public Tensor sub(Tensor o) { return Elementwise.sub(this, o); }
    public Tensor mul(Tensor o) { return Elementwise.mul(this, o); }
    public Tensor div(Tensor o) { return Elementwise.div(this, o); }
    public Tensor pow(Tensor o) { return Elementwise.pow(this, o); }
    public Tensor add(double c) { return Elementwise.addScalar(this, c); }
    public Tensor sub(double c) { return Elementwise.addScalar(this, -c); }
    public Tensor mul(double c) { return Elementwise.scale(this, c); }
    public Tensor div(double c) { return Elementwise.scale(this, 1.0 / c); }
    public Tensor pow(double p) { return Elementwise.pow(this, p); }
    public Tensor neg() { return Elementwise.neg(this); }
    public Tensor exp() { return Elementwise.exp(this); }
    public Tensor log() { return Elementwise.log(this); }
    public Tensor sqrt() { return Elementwise.sqrt(this); }
    public Tensor rsqrt() { return Elementwise.rsqrt(this); }
    public Tensor abs() { return Elementwise.abs(this); }
    public Tensor square() { return Elementwise.mul(this, this); }
    public Tensor sum() { return Reductions.sum(this, null, false); }
    public Tensor sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    public Tensor mean() { return Reductions.mean(this, null, false); }
    public Tensor mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    public Tensor matmul(Tensor o) { return Linalg.matmul(this, o); }
    public Tensor reshape(int... s) { return Views.reshape(this, s); }
    public Tensor permute(int... p) { return Views.permute(this, p); }
    public Tensor transpose(int a, int b) { return Views.transpose(this, a, b); }
    public Tensor expand(int... s) { return Views.expand(this, s); }
    public Tensor unsqueeze(int d) { return Views.unsqueeze(this, d); }
    public Tensor squeeze(int d) { return Views.squeeze(this, d); }
    public Tensor slice(int dim, int start, int end) { return Views.slice(this, dim, start, end); }
    public Tensor contiguous() { return Views.contiguous(this); }
    public Tensor to(DType t) { return Elementwise.cast(this, t); }
}

package org.stylemap.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.Node;
import org.stylemap.backend.Backend;
import org.stylemap.backend.Backends;
import org.stylemap.memory.Scope;
import org.stylemap.memory.Storage;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Linalg;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Views;
import org.stylemap.random.Rng;

/**
 * An n-d view (shape, strides in elements, offset) onto a {@link Storage}, plus autograd state.
 * Values never leave the device implicitly: {@link #toDoubleArray()}, {@link #toFloatArray()},
 * {@link #item()} and {@link #copyToHost} are the only ways to read them on the host, and the only
 * calls that wait for a device (see Backend). The arithmetic methods are thin forwards to the op
 * classes in package ops; every one of them records a graph node when gradients are enabled.
 */
public final class Tensor {
    private static final java.util.concurrent.atomic.AtomicLong HOST_READS = new java.util.concurrent.atomic.AtomicLong();

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

    /**
     * Uninitialised contiguous tensor. Its storage belongs to the innermost open {@link Scope}
     * (freed when that closes), or is long-lived when none is open: the one place where storage
     * meets its lifetime, whatever the backend.
     */
    public static Tensor empty(DType dtype, Device device, int... shape) {
        for (int d : shape)
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
        Storage s = Backends.get(device).allocate(dtype, Shape.numel(shape));
        Scope.register(s);
        return new Tensor(s, shape, Shape.contiguousStrides(shape), 0);
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

    /** A tensor holding host values (row-major), converted to dtype on the host: one transfer. */
    public static Tensor of(DType dtype, Device device, double[] values, int... shape) {
        checkCount(values.length, shape);
        return fromHost(dtype, device, switch (dtype) {
            case F64 -> MemorySegment.ofArray(values);
            case F32 -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
                yield MemorySegment.ofArray(f);
            }
        }, shape);
    }

    /** A tensor holding host float values (row-major), converted to dtype on the host: one transfer. */
    public static Tensor of(DType dtype, Device device, float[] values, int... shape) {
        checkCount(values.length, shape);
        return fromHost(dtype, device, switch (dtype) {
            case F32 -> MemorySegment.ofArray(values);
            case F64 -> {
                double[] d = new double[values.length];
                for (int i = 0; i < d.length; i++) d[i] = values[i];
                yield MemorySegment.ofArray(d);
            }
        }, shape);
    }

    /** A tensor from host memory that already holds numel elements of dtype (native byte order). */
    public static Tensor fromHost(DType dtype, Device device, MemorySegment values, int... shape) {
        Tensor t = empty(dtype, device, shape);
        Shape.check(values.byteSize() == t.numel() * dtype.bytes, values.byteSize() + " bytes do not hold "
                + Shape.str(shape) + " " + dtype.label);
        t.backend().copyFromHost(t, values);
        return t;
    }

    private static void checkCount(int n, int[] shape) {
        if (n != Shape.numel(shape))
            throw new IllegalArgumentException(n + " values do not fill shape " + Shape.str(shape));
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

    // ---------------------------------------------------------------- host access and devices

    /** The values on the host in row-major order, as double (a host read: waits for the device). */
    public double[] toDoubleArray() {
        if (dtype() == DType.F64) {
            double[] out = new double[hostLength()];
            copyToHost(MemorySegment.ofArray(out));
            return out;
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    /** The values on the host in row-major order, as float (float64 values are rounded). */
    public float[] toFloatArray() {
        if (dtype() == DType.F32) {
            float[] out = new float[hostLength()];
            copyToHost(MemorySegment.ofArray(out));
            return out;
        }
        double[] d = toDoubleArray();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        return out;
    }

    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() needs one element, shape is " + Shape.str(shape));
        return toDoubleArray()[0];
    }

    /**
     * Host reads so far in this process (each waits for the device): a forward or backward makes
     * none, a training iteration one. For tests and diagnostics.
     */
    public static long hostReads() {
        return HOST_READS.get();
    }

    private int hostLength() {
        if (numel() > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large to read into one host array: " + this);
        return (int) numel();
    }

    /** Copies the values, row-major, into host memory of numel() elements of this dtype. */
    public void copyToHost(MemorySegment dst) {
        storage.checkLive();
        HOST_READS.incrementAndGet();
        Tensor src = isContiguous() ? this : contiguousCopy();
        try {
            src.backend().copyToHost(src, dst);
        } finally {
            if (src != this) src.free();
        }
    }

    /** A contiguous copy on the same device, outside any scope and graph (the caller frees it). */
    private Tensor contiguousCopy() {
        Tensor c = Scope.untracked(() -> empty(dtype(), device(), shape));
        c.backend().assign(c, this);
        return c;
    }

    /** This tensor's bytes as host memory when they are host memory of this process (CPU), else null. */
    private MemorySegment hostBytes() {
        MemorySegment s = storage.hostSegment();
        return s == null ? null : s.asSlice(offset * dtype().bytes, numel() * dtype().bytes);
    }

    /**
     * The same values on another device (one transfer; this tensor when it is already there).
     * Differentiable: the gradient moves back to this tensor's device.
     */
    public Tensor to(Device target) {
        if (target.equals(device())) return this;
        storage.checkLive();
        Tensor src = isContiguous() ? this : contiguousCopy();
        Tensor dst = empty(dtype(), target, shape);
        try {
            MemorySegment from = src.hostBytes(), to = dst.hostBytes();
            if (from != null) dst.backend().copyFromHost(dst, from);
            else if (to != null) src.backend().copyToHost(src, to);
            else try (Arena staging = Arena.ofConfined()) {
                MemorySegment host = staging.allocate(numel() * dtype().bytes, 64);
                src.backend().copyToHost(src, host);
                dst.backend().copyFromHost(dst, host);
            }
        } finally {
            if (src != this) src.free();
        }
        Device from = device();
        return Autograd.record(dst, "to_device", (gy, n) -> new Tensor[] {gy.to(from)}, this);
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

package org.stylemap.ops;

import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.UnaryOp;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/** Elementwise ops with NumPy broadcasting; every backward is built from these same ops. */
public final class Elementwise {
    private Elementwise() {}

    // ------------------------------------------------------------------ primitives without graph

    static Tensor unaryRaw(UnaryOp op, double p, Tensor x) {
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        out.backend().unary(op, p, x, out);
        return out;
    }

    static Tensor binaryRaw(String name, BinaryOp op, Tensor a, Tensor b) {
        checkPair(name, a, b);
        int[] s = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.empty(a.dtype(), a.device(), s);
        out.backend().binary(op, Views.broadcastRaw(a, s), Views.broadcastRaw(b, s), out);
        return out;
    }

    private static void checkPair(String name, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype())
            throw new IllegalArgumentException(name + ": dtypes differ (" + a.dtype().label + " and " + b.dtype().label + ")");
        if (!a.device().equals(b.device()))
            throw new IllegalArgumentException(name + ": devices differ (" + a.device() + " and " + b.device() + ")");
    }

    // ------------------------------------------------------------------ binary

    public static Tensor add(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record(binaryRaw("add", BinaryOp.ADD, a, b), "add",
                (gy, n) -> new Tensor[] {n[0] ? Views.sumTo(gy, as) : null, n[1] ? Views.sumTo(gy, bs) : null}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record(binaryRaw("sub", BinaryOp.SUB, a, b), "sub",
                (gy, n) -> new Tensor[] {n[0] ? Views.sumTo(gy, as) : null, n[1] ? Views.sumTo(neg(gy), bs) : null}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record(binaryRaw("mul", BinaryOp.MUL, a, b), "mul",
                (gy, n) -> new Tensor[] {n[0] ? Views.sumTo(mul(gy, b), as) : null, n[1] ? Views.sumTo(mul(gy, a), bs) : null}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record(binaryRaw("div", BinaryOp.DIV, a, b), "div", (gy, n) -> new Tensor[] {
                n[0] ? Views.sumTo(div(gy, b), as) : null,
                n[1] ? Views.sumTo(neg(div(mul(gy, a), mul(b, b))), bs) : null}, a, b);
    }

    /** a^b elementwise (a > 0 where b is differentiated). */
    public static Tensor pow(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        Tensor out = binaryRaw("pow", BinaryOp.POW, a, b);
        return Autograd.record(out, "pow", (gy, n) -> new Tensor[] {
                n[0] ? Views.sumTo(mul(gy, mul(b, pow(a, addScalar(b, -1)))), as) : null,
                n[1] ? Views.sumTo(mul(gy, mul(pow(a, b), log(a))), bs) : null}, a, b);
    }

    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor aWins = constant(() -> binaryRaw("maximum", BinaryOp.GE, a, b));
        return where(aWins, a, b);
    }

    /** cond != 0 ? a : b, broadcasting all three; cond is not differentiated. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        checkPair("where", a, b);
        int[] s = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = Tensor.empty(a.dtype(), a.device(), s);
        out.backend().where(Views.broadcastRaw(cond, s), Views.broadcastRaw(a, s), Views.broadcastRaw(b, s), out);
        int[] as = a.shape(), bs = b.shape();
        return Autograd.record(out, "where", (gy, n) -> {
            Tensor zero = Tensor.zeros(gy.dtype(), gy.device());
            return new Tensor[] {n[0] ? Views.sumTo(where(cond, gy, zero), as) : null,
                    n[1] ? Views.sumTo(where(cond, zero, gy), bs) : null};
        }, a, b);
    }

    // ------------------------------------------------------------------ scalar and unary

    public static Tensor addScalar(Tensor x, double c) {
        return Autograd.record(unaryRaw(UnaryOp.ADD_SCALAR, c, x), "add_scalar", (gy, n) -> new Tensor[] {gy}, x);
    }

    public static Tensor scale(Tensor x, double c) {
        return Autograd.record(unaryRaw(UnaryOp.SCALE, c, x), "scale", (gy, n) -> new Tensor[] {scale(gy, c)}, x);
    }

    public static Tensor neg(Tensor x) {
        return Autograd.record(unaryRaw(UnaryOp.NEG, 0, x), "neg", (gy, n) -> new Tensor[] {neg(gy)}, x);
    }

    public static Tensor exp(Tensor x) {
        Tensor out = unaryRaw(UnaryOp.EXP, 0, x);
        return Autograd.record(out, "exp", (gy, n) -> new Tensor[] {mul(gy, out)}, x);
    }

    public static Tensor log(Tensor x) {
        return Autograd.record(unaryRaw(UnaryOp.LOG, 0, x), "log", (gy, n) -> new Tensor[] {div(gy, x)}, x);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor out = unaryRaw(UnaryOp.SQRT, 0, x);
        return Autograd.record(out, "sqrt", (gy, n) -> new Tensor[] {scale(div(gy, out), 0.5)}, x);
    }

    public static Tensor rsqrt(Tensor x) {
        Tensor out = unaryRaw(UnaryOp.RSQRT, 0, x);
        // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 * out^3
        return Autograd.record(out, "rsqrt", (gy, n) -> new Tensor[] {mul(gy, scale(pow(out, 3), -0.5))}, x);
    }

    /** x^p for a constant exponent. */
    public static Tensor pow(Tensor x, double p) {
        if (p == 1) return x;
        return Autograd.record(unaryRaw(UnaryOp.POW, p, x), "pow_scalar",
                (gy, n) -> new Tensor[] {mul(gy, scale(pow(x, p - 1), p))}, x);
    }

    public static Tensor abs(Tensor x) {
        return Autograd.record(unaryRaw(UnaryOp.ABS, 0, x), "abs",
                (gy, n) -> new Tensor[] {mul(gy, constant(() -> unaryRaw(UnaryOp.SIGN, 0, x)))}, x);
    }

    public static Tensor sigmoid(Tensor x) {
        Tensor out = unaryRaw(UnaryOp.SIGMOID, 0, x);
        return Autograd.record(out, "sigmoid", (gy, n) -> new Tensor[] {mul(gy, mul(out, addScalar(neg(out), 1)))}, x);
    }

    /** log(1 + e^x), stable for large |x|. */
    public static Tensor softplus(Tensor x) {
        return Autograd.record(unaryRaw(UnaryOp.SOFTPLUS, 0, x), "softplus", (gy, n) -> new Tensor[] {mul(gy, sigmoid(x))}, x);
    }

    /**
     * x > 0 ? x : slope * x. Its derivative is a constant mask (the second derivative is zero almost
     * everywhere), so the double backward only multiplies by the same mask again.
     */
    public static Tensor leakyRelu(Tensor x, double slope) {
        return Autograd.record(unaryRaw(UnaryOp.LEAKY_RELU, slope, x), "leaky_relu",
                (gy, n) -> new Tensor[] {mul(gy, constant(() -> unaryRaw(UnaryOp.LEAKY_RELU_SLOPE, slope, x)))}, x);
    }

    /** 1 where a > b, else 0 (no gradient). */
    public static Tensor greater(Tensor a, Tensor b) {
        return constant(() -> binaryRaw("greater", BinaryOp.GT, a, b));
    }

    // ------------------------------------------------------------------ copies

    /** A contiguous copy that passes gradients through. */
    public static Tensor copy(Tensor x) {
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        out.backend().assign(out, x);
        return Autograd.record(out, "copy", (gy, n) -> new Tensor[] {gy}, x);
    }

    /** Converts to another dtype; gradients convert back. */
    public static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor out = Tensor.empty(dtype, x.device(), x.shape());
        out.backend().assign(out, x);
        DType from = x.dtype();
        return Autograd.record(out, "cast", (gy, n) -> new Tensor[] {cast(gy, from)}, x);
    }

    /** dst += src, in place and outside the graph (gradient accumulation, optimizers). */
    public static void addInPlace(Tensor dst, Tensor src) {
        Shape.check(dst.isContiguous(), "addInPlace: destination must be contiguous");
        dst.backend().binary(BinaryOp.ADD, dst, Views.broadcastRaw(src, dst.shape()), dst);
    }

    /**
     * dst = src, in place and outside the graph. src may live on another device: it then moves to
     * dst's device first (one transfer), e.g. a checkpoint's host values into device parameters.
     */
    public static void copyInto(Tensor dst, Tensor src) {
        if (!src.device().equals(dst.device())) {
            try (GradMode off = GradMode.off()) {
                Tensor moved = src.to(dst.device());
                copyInto(dst, moved);
                moved.free();
            }
            return;
        }
        checkPair("copyInto", dst, src);
        dst.backend().assign(dst, Views.broadcastRaw(src, dst.shape()));
    }

    /** Computes a tensor that is treated as a constant by autograd. */
    static Tensor constant(java.util.function.Supplier<Tensor> f) {
        try (GradMode g = GradMode.off()) {
            return f.get();
        }
    }
}

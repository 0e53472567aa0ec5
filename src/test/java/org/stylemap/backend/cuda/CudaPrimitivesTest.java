package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.backend.Backend;
import org.stylemap.backend.Backends;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.UnaryOp;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;

/**
 * Every primitive of the CUDA backend against the CPU backend (the reference) on the same fresh
 * random inputs: odd sizes (1, 3, 17, 33, 65), non-contiguous views, broadcast (stride 0)
 * operands, float64 and float32, layouts past the kernels' eight dimensions. Where the two compute
 * the same IEEE operations in the same order (copies, + - * /, comparisons, max pooling, Philox)
 * the results must be identical bits; elsewhere within a tolerance stated at the check.
 */
class CudaPrimitivesTest {
    private static final String DEVICES = "org.stylemap.testing.CudaDevices#all";
    private static final Backend CPU = Backends.cpu();
    private static final DType[] DTYPES = {DType.F64, DType.F32};

    /** The same values on the CPU and on the device, with the same view applied to both. */
    private record Pair(Tensor cpu, Tensor dev) {
        Pair view(UnaryOperator<Tensor> v) {
            return new Pair(v.apply(cpu), v.apply(dev));
        }
    }

    private static Pair pair(Device device, DType t, double[] values, int... shape) {
        Tensor cpu = Tensor.of(t, Device.CPU, values, shape);
        return new Pair(cpu, cpu.to(device));
    }

    private static Pair normal(Device device, DType t, long seed, int... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return pair(device, t, v, shape);
    }

    private static Pair empty(Device device, DType t, int... shape) {
        return new Pair(Tensor.empty(t, Device.CPU, shape), Tensor.empty(t, device, shape));
    }

    private static long numel(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Identical bits (NaN payloads aside). */
    private static void assertSameBits(String what, Tensor expected, Tensor actual) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what + ": lengths differ");
        for (int i = 0; i < e.length; i++)
            if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(a[i]))
                fail(what + ", element " + i + ": cpu " + e[i] + ", device " + a[i] + "\ncpu    " + preview(e) + "\ndevice " + preview(a));
    }

    /** |e - a| <= tol * max(1, |e|), NaN where NaN. */
    private static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what + ": lengths differ");
        for (int i = 0; i < e.length; i++) {
            boolean ok = Double.isNaN(e[i]) ? Double.isNaN(a[i]) : e[i] == a[i] || Math.abs(e[i] - a[i]) <= tol * Math.max(1, Math.abs(e[i]));
            if (!ok) fail(what + ", element " + i + ": cpu " + e[i] + ", device " + a[i] + " (tolerance " + tol + ")");
        }
    }

    private static String preview(double[] v) {
        return Arrays.toString(v.length > 10 ? Arrays.copyOf(v, 10) : v);
    }

    /** Views of one shape the kernels see with different layouts. */
    private static final UnaryOperator<Tensor> TRANSPOSED = t -> Views.transpose(t, 0, t.rank() - 1);

    // ---------------------------------------------------------------- fill and assign

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void fillWritesExactlyTheViewsElements(Device device) {
        CudaDevices.require(device);
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (double value : new double[] {0, 2.5, -1e-30}) {
                    Pair base = normal(device, t, 1, 5, 17, 3);
                    // every other row of a transposed view: strided in two dimensions
                    Pair view = base.view(x -> Views.slice(Views.transpose(x, 0, 2), 1, 3, 14));
                    CPU.fill(view.cpu, value);
                    view.dev.backend().fill(view.dev, value);
                    assertSameBits("fill view " + t + " " + value, base.cpu, base.dev);
                    Pair whole = empty(device, t, 1, 33);
                    CPU.fill(whole.cpu, value);
                    whole.dev.backend().fill(whole.dev, value);
                    assertSameBits("fill " + t + " " + value, whole.cpu, whole.dev);
                }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void assignCopiesAnyStridesBroadcastsAndConverts(Device device) {
        CudaDevices.require(device);
        try (Scope s = Scope.open()) {
            for (DType dt : DTYPES)
                for (DType st : DTYPES) {
                    String what = "assign " + st + " into " + dt;
                    // contiguous, transposed, sliced, broadcast (stride 0) sources into a contiguous dst
                    Pair src = normal(device, st, 2, 3, 17, 65);
                    for (UnaryOperator<Tensor> v : java.util.List.<UnaryOperator<Tensor>>of(x -> x, x -> Views.permute(x, 2, 0, 1),
                            x -> Views.slice(x, 2, 1, 34), x -> Views.expand(Views.slice(x, 1, 4, 5), 3, 33, 65))) {
                        Pair from = src.view(v);
                        Pair to = empty(device, dt, from.cpu.shape());
                        CPU.assign(to.cpu, from.cpu);
                        to.dev.backend().assign(to.dev, from.dev);
                        assertSameBits(what + " " + Arrays.toString(from.cpu.strides()), to.cpu, to.dev);
                    }
                    // a strided destination: the untouched elements stay
                    Pair base = normal(device, dt, 3, 17, 3);
                    Pair dst = base.view(x -> Views.transpose(x, 0, 1));
                    Pair from = normal(device, st, 4, 1, 17).view(x -> Views.expand(x, 3, 17));
                    CPU.assign(dst.cpu, from.cpu);
                    dst.dev.backend().assign(dst.dev, from.dev);
                    assertSameBits(what + " strided dst", base.cpu, base.dev);
                    // a scalar
                    Pair one = normal(device, st, 5), into = empty(device, dt);
                    CPU.assign(into.cpu, one.cpu);
                    into.dev.backend().assign(into.dev, one.dev);
                    assertSameBits(what + " scalar", into.cpu, into.dev);
                }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void layoutsPastEightDimensionsAreSplitIntoSeveralLaunches(Device device) {
        CudaDevices.require(device);
        try (Scope s = Scope.open()) {
            int[] shape = {2, 3, 2, 2, 3, 2, 2, 2, 3, 2}; // ten dimensions; reversed they merge nowhere
            int[] reverse = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
            for (DType t : DTYPES) {
                Pair x = normal(device, t, 6, shape).view(v -> Views.permute(v, reverse));
                Pair copy = empty(device, t, x.cpu.shape());
                CPU.assign(copy.cpu, x.cpu);
                copy.dev.backend().assign(copy.dev, x.dev);
                assertSameBits("assign of a 10-d permutation " + t, copy.cpu, copy.dev);
                Pair y = normal(device, t, 7, x.cpu.shape()), out = empty(device, t, x.cpu.shape());
                CPU.binary(BinaryOp.MUL, x.cpu, y.cpu, out.cpu);
                out.dev.backend().binary(BinaryOp.MUL, x.dev, y.dev, out.dev);
                assertSameBits("mul of a 10-d permutation " + t, out.cpu, out.dev);
                int[] kept = x.cpu.shape();
                kept[4] = 1; // nine kept dimensions that do not merge: summed from a dense copy
                Pair sum = empty(device, t, kept);
                CPU.sum(x.cpu, sum.cpu);
                sum.dev.backend().sum(x.dev, sum.dev);
                assertClose("sum of a 10-d permutation " + t, sum.cpu, sum.dev, t == DType.F64 ? 1e-14 : 1e-6);
            }
        }
    }

    // ---------------------------------------------------------------- unary, binary, where

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyUnaryOpMatchesTheCpu(Device device) {
        CudaDevices.require(device);
        Random r = new Random(8);
        double[] v = new double[17 * 33];
        for (int i = 0; i < v.length; i++) v[i] = (r.nextDouble() - 0.5) * 12; // both signs, exp within range
        v[0] = 0;
        v[1] = -0.0;
        double[] positive = v.clone();
        for (int i = 0; i < positive.length; i++) positive[i] = Math.abs(positive[i]) + 0.01;
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (UnaryOp op : UnaryOp.values()) {
                    boolean needsPositive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT || op == UnaryOp.POW;
                    Pair x = pair(device, t, needsPositive ? positive : v, 17, 33).view(TRANSPOSED);
                    Pair out = empty(device, t, 33, 17);
                    double p = op == UnaryOp.POW ? 1.7 : op == UnaryOp.LEAKY_RELU || op == UnaryOp.LEAKY_RELU_SLOPE ? 0.2 : 0.3;
                    CPU.unary(op, p, x.cpu, out.cpu);
                    out.dev.backend().unary(op, p, x.dev, out.dev);
                    // float64: library functions (glibc, the GPU's) within an ulp or two of Java's;
                    // float32: float math on the device against double-then-round on the CPU.
                    assertClose(op + " " + t, out.cpu, out.dev, t == DType.F64 ? 1e-14 : 1e-6);
                    Pair sx = pair(device, t, SPECIAL, SPECIAL.length), so = empty(device, t, SPECIAL.length);
                    CPU.unary(op, p, sx.cpu, so.cpu);
                    so.dev.backend().unary(op, p, sx.dev, so.dev);
                    assertClose(op + " on special values " + t, so.cpu, so.dev, t == DType.F64 ? 1e-14 : 1e-6);
                }
        }
    }

    private static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1, -1, 800, -800};

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyBinaryOpMatchesTheCpuWithBroadcasting(Device device) {
        CudaDevices.require(device);
        int[] out = {3, 17, 65};
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (BinaryOp op : BinaryOp.values()) {
                    Pair a = normal(device, t, 9, 3, 1, 65), b = normal(device, t, 10, 17, 1);
                    if (op == BinaryOp.POW) a = a.view(x -> x.abs()); // the CPU's and the device's pow agree on positive bases
                    // a and b broadcast (stride 0) to out's shape; b also transposed underneath
                    Pair ab = a.view(x -> Views.expand(x, out));
                    Pair bb = b.view(x -> Views.expand(Views.transpose(Views.expand(x, 17, 3), 0, 1).unsqueeze(2), out));
                    Pair o = empty(device, t, out);
                    CPU.binary(op, ab.cpu, bb.cpu, o.cpu);
                    o.dev.backend().binary(op, ab.dev, bb.dev, o.dev);
                    if (op == BinaryOp.POW) assertClose("pow " + t, o.cpu, o.dev, t == DType.F64 ? 1e-14 : 1e-6);
                    else assertSameBits(op + " " + t, o.cpu, o.dev);
                }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void maxMinAndComparisonsFollowJavaOnNanAndSignedZeros(Device device) {
        CudaDevices.require(device);
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        double[] a = {nan, 1, nan, 0.0, -0.0, 0.0, -0.0, inf, -inf, 2};
        double[] b = {1, nan, nan, -0.0, 0.0, 0.0, -0.0, 3, -inf, 2};
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (BinaryOp op : BinaryOp.values()) {
                    Pair x = pair(device, t, a, a.length), y = pair(device, t, b, b.length), o = empty(device, t, a.length);
                    CPU.binary(op, x.cpu, y.cpu, o.cpu);
                    o.dev.backend().binary(op, x.dev, y.dev, o.dev);
                    assertSameBits(op + " on special values " + t, o.cpu, o.dev);
                }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void whereWithConditionsOfEitherDtype(Device device) {
        CudaDevices.require(device);
        int[] out = {17, 3, 33};
        double[] c = new double[17 * 33];
        Random r = new Random(11);
        for (int i = 0; i < c.length; i++) c[i] = i % 3 == 0 ? 0 : r.nextGaussian(); // exact zeros, and both signs
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (DType ct : DTYPES) {
                    Pair cond = pair(device, ct, c, 17, 1, 33).view(x -> Views.expand(x, out));
                    Pair a = normal(device, t, 12, 3, 1).view(x -> Views.expand(x, out));
                    Pair b = normal(device, t, 13, 33, 3, 17).view(x -> Views.permute(x, 2, 1, 0));
                    Pair o = empty(device, t, out);
                    CPU.where(cond.cpu, a.cpu, b.cpu, o.cpu);
                    o.dev.backend().where(cond.dev, a.dev, b.dev, o.dev);
                    assertSameBits("where " + t + " cond " + ct, o.cpu, o.dev);
                }
        }
    }

    // ---------------------------------------------------------------- sum

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void sumOverEverySetOfDimensions(Device device) {
        CudaDevices.require(device);
        int[] shape = {3, 17, 65};
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES) {
                Pair x = normal(device, t, 14, shape);
                for (Pair in : new Pair[] {x, x.view(v -> Views.permute(v, 2, 0, 1))}) {
                    int[] is = in.cpu.shape();
                    for (int mask = 0; mask < 8; mask++) {
                        int[] os = is.clone();
                        for (int d = 0; d < 3; d++) if ((mask & 1 << d) != 0) os[d] = 1;
                        Pair o = empty(device, t, os);
                        CPU.sum(in.cpu, o.cpu);
                        o.dev.backend().sum(in.dev, o.dev);
                        assertClose("sum " + Arrays.toString(is) + " strides " + Arrays.toString(in.cpu.strides()) + " to "
                                + Arrays.toString(os) + " " + t, o.cpu, o.dev, t == DType.F64 ? 1e-13 : 1e-6);
                    }
                }
            }
        }
    }

    /** The shapes that take each of sum's paths: serial, one block per output, blocks with partial sums. */
    private static final int[][][] SUM_PATHS = {
            {{9000, 3}, {9000, 1}},   // many outputs: one thread each
            {{33, 65}, {33, 1}},      // few outputs of 65 inputs: one block per output
            {{3, 9000}, {3, 1}},      // 9000 inputs each: three chunks per output, then their partial sums
            {{2, 5, 1700}, {1, 1, 1}} // one output of 17000 inputs, with a broadcast dimension below
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void sumsTakeEveryPathAndRepeatBitForBit(Device device) {
        // On the emulator in strict mode: a block whose threads pass different numbers of barriers fails.
        try (CudaDevices.Strict strict = CudaDevices.strict(CudaDevices.require(device)); Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (int[][] c : SUM_PATHS) {
                    Pair x = normal(device, t, 15, c[0]);
                    if (c[0].length == 3) x = normal(device, t, 15, 2, 1, 1700).view(v -> Views.expand(v, c[0]));
                    Pair o = empty(device, t, c[1]);
                    CPU.sum(x.cpu, o.cpu);
                    o.dev.backend().sum(x.dev, o.dev);
                    assertClose("sum " + Arrays.toString(c[0]) + " " + t, o.cpu, o.dev, t == DType.F64 ? 1e-13 : 1e-6);
                    Tensor again = Tensor.empty(t, device, c[1]);
                    again.backend().sum(x.dev, again);
                    assertArrayEquals(o.dev.toDoubleArray(), again.toDoubleArray(), 0.0, "a second run differs: " + Arrays.toString(c[0]));
                }
        }
    }

    // ---------------------------------------------------------------- random

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void randomNumbersEqualTheCpusBitForBit(Device device) {
        CudaDevices.require(device);
        // the last: counter 38471471 of seed 0 is a uniform value that rounds to 1 in float32 (kept below 1)
        long[][] streams = {{0, 0}, {42, 1000}, {42 + (1L << 32), (1L << 32) - 7}, {-1, Long.MAX_VALUE - 5000}, {0, 38_471_470L}};
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (boolean uniform : new boolean[] {false, true})
                    for (long[] st : streams)
                        for (int n : new int[] {1, 3, 4099}) {
                            Pair o = empty(device, t, n);
                            CPU.random(o.cpu, st[0], st[1], uniform);
                            o.dev.backend().random(o.dev, st[0], st[1], uniform);
                            assertSameBits((uniform ? "uniform " : "normal ") + t + " seed " + st[0] + " offset " + st[1], o.cpu, o.dev);
                        }
        }
    }

    // ---------------------------------------------------------------- max pooling

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void maxPoolingAndItsGradientWithTies(Device device) {
        CudaDevices.require(device);
        int[][] windows = {{3, 2, 1}, {2, 2, 0}, {3, 1, 1}, {1, 1, 0}}; // k, stride, pad
        Random r = new Random(16);
        double[] levels = new double[2 * 3 * 17 * 17];
        for (int i = 0; i < levels.length; i++) levels[i] = r.nextInt(3); // many ties
        try (Scope s = Scope.open()) {
            for (DType t : DTYPES)
                for (int[] w : windows)
                    for (boolean strided : new boolean[] {false, true}) {
                        Pair x = pair(device, t, levels, 2, 17, 3, 17);
                        x = strided ? x.view(v -> Views.permute(v, 0, 2, 1, 3)) : x.view(v -> Views.reshape(v, 2, 3, 17, 17));
                        int oh = (17 + 2 * w[2] - w[0]) / w[1] + 1;
                        String what = "k " + w[0] + " stride " + w[1] + " pad " + w[2] + (strided ? " strided " : " ") + t;
                        Pair y = empty(device, t, 2, 3, oh, oh);
                        CPU.maxPool2d(x.cpu, y.cpu, w[0], w[1], w[2]);
                        y.dev.backend().maxPool2d(x.dev, y.dev, w[0], w[1], w[2]);
                        assertSameBits("max_pool2d " + what, y.cpu, y.dev);
                        Pair dy = normal(device, t, 17, 2, 3, oh, oh).view(v -> strided ? Views.transpose(v, 2, 3) : v);
                        Pair dx = empty(device, t, 2, 3, 17, 17);
                        CPU.maxPool2dBackward(x.cpu, dy.cpu, dx.cpu, w[0], w[1], w[2]);
                        dx.dev.backend().maxPool2dBackward(x.dev, dy.dev, dx.dev, w[0], w[1], w[2]);
                        assertSameBits("max_pool2d backward " + what, dx.cpu, dx.dev);
                    }
        }
    }
}

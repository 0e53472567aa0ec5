package org.stylemap.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.UnaryOp;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * The Vector API paths must give what the scalar reference gives. Float32 +, -, *, / of float
 * operands are correctly rounded, and so is the float64 result of the same operands rounded to
 * float (53 >= 2 * 24 + 2 bits), so the fast results must equal (float) of the float64 ops exactly.
 */
class FastF32Test {
    private static final Device CPU = Device.CPU;
    private static final int[] LENGTHS = {1, 7, 15, 16, 17, 31, 33, 100, 1000, 65_549, 100_003};

    private static float[] values(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 3);
            if (i % 11 == 5) v[i] = 0f;
            if (i % 13 == 7) v[i] = -v[i];
        }
        return v;
    }

    private static Tensor f32(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return Tensor.of(DType.F32, CPU, d, v.length);
    }

    private static void assertBitwise(double[] expect, double[] got, String what) {
        assertEquals(expect.length, got.length);
        for (int i = 0; i < expect.length; i++)
            if (Double.compare((float) expect[i], (float) got[i]) != 0)
                fail(what + ": element " + i + " of " + expect.length + ": expected " + (float) expect[i] + " but was " + (float) got[i]);
    }

    private static final UnaryOp[] FAST_UNARY = {UnaryOp.SCALE, UnaryOp.ADD_SCALAR, UnaryOp.NEG, UnaryOp.LEAKY_RELU, UnaryOp.LEAKY_RELU_SLOPE};

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 16, 17, 31, 33, 100, 1000, 65_549, 100_003})
    void unaryMatchesScalarReference(int n) {
        float[] xv = values(n, n);
        Tensor x = f32(xv);
        for (UnaryOp op : FAST_UNARY)
            for (double p : new double[] {0.2, -1.7, 0.3}) {
                float pf = (float) p;
                double[] expect = new double[n];
                for (int i = 0; i < n; i++) expect[i] = (float) op.apply(xv[i], pf);
                // directly: the fast path must claim the case
                Tensor out = Tensor.empty(DType.F32, CPU, n);
                assertTrue(FastF32.unary(op, pf, CpuBackend.seg(x), x.offset(), CpuBackend.seg(out), 0, n), op + " not covered");
                assertBitwise(expect, out.toDoubleArray(), op + " p=" + p + " n=" + n);
                // through the backend, and against the float64 reference path (which uses p in double)
                Tensor viaBackend = Tensor.empty(DType.F32, CPU, n);
                x.backend().unary(op, pf, x, viaBackend);
                assertBitwise(expect, viaBackend.toDoubleArray(), op + " via backend");
                Tensor x64 = x.to(DType.F64), ref64 = Tensor.empty(DType.F64, CPU, n);
                x64.backend().unary(op, p, x64, ref64);
                double[] r = ref64.toDoubleArray(), g = viaBackend.toDoubleArray();
                for (int i = 0; i < n; i++) assertEquals(r[i], g[i], 1e-6 * Math.max(1, Math.abs(r[i])), op + " vs float64 at " + i);
            }
    }

    @Test
    void unaryOnAnOffsetContiguousView() {
        int n = 1003;
        float[] xv = values(3, n + 5);
        Tensor base = f32(xv);
        Tensor x = base.slice(0, 5, n + 5);   // contiguous, offset 5 (not vector aligned)
        assertTrue(x.isContiguous());
        Tensor y = x.mul(0.3);
        double[] g = y.toDoubleArray();
        for (int i = 0; i < n; i++) assertEquals((float) ((double) xv[i + 5] * (float) 0.3), (float) g[i], 0f, "at " + i);
        Tensor l = Elementwise.leakyRelu(x, 0.2);
        double[] lv = l.toDoubleArray();
        for (int i = 0; i < n; i++) assertEquals(xv[i + 5] > 0 ? xv[i + 5] : (float) ((double) (float) 0.2 * xv[i + 5]), (float) lv[i], 0f);
    }

    @Test
    void uncoveredCasesFallBack() {
        Tensor x = f32(values(4, 40));
        Tensor out = Tensor.empty(DType.F32, CPU, 40);
        assertFalse(FastF32.unary(UnaryOp.EXP, 0f, CpuBackend.seg(x), 0, CpuBackend.seg(out), 0, 40));
        assertFalse(FastF32.binary(BinaryOp.POW, x, x, out));
        Tensor x2 = x.reshape(20, 2), out2 = Tensor.empty(DType.F32, CPU, 20, 2);
        Tensor view = f32(values(5, 40)).reshape(2, 20).transpose(0, 1);   // [20, 2] with strides [1, 20]
        assertFalse(view.isContiguous());
        assertFalse(FastF32.binary(BinaryOp.ADD, x2, view, out2));
        // the fallback still computes the right thing
        double[] xv = x2.toDoubleArray(), vv = view.toDoubleArray(), s = Elementwise.add(x2, view).toDoubleArray();
        for (int i = 0; i < 40; i++) assertEquals((float) (xv[i] + vv[i]), (float) s[i], 0f);
    }

    private static final BinaryOp[] FAST_BINARY = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX, BinaryOp.MIN};

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 16, 17, 31, 33, 100, 1000, 65_549, 100_003})
    void binaryMatchesScalarReference(int n) {
        float[] av = values(2L * n, n), bv = values(2L * n + 1, n);
        for (int i = 0; i < n; i++) if (bv[i] == 0f) bv[i] = 0.5f;   // keep divisions finite
        Tensor a = f32(av), b = f32(bv);
        float sa = -1.25f, sb = 0.7f;
        Tensor scalarA = Tensor.of(DType.F32, CPU, new double[] {sa}, 1).expand(n);
        Tensor scalarB = Tensor.of(DType.F32, CPU, new double[] {sb}, 1).expand(n);
        for (BinaryOp op : FAST_BINARY) {
            double[] both = new double[n], left = new double[n], right = new double[n];
            for (int i = 0; i < n; i++) {
                both[i] = (float) op.apply(av[i], bv[i]);
                left[i] = (float) op.apply(sa, bv[i]);
                right[i] = (float) op.apply(av[i], sb);
            }
            Object[][] cases = {{a, b, both, "contiguous"}, {scalarA, b, left, "scalar a"}, {a, scalarB, right, "scalar b"}};
            for (Object[] c : cases) {
                Tensor x = (Tensor) c[0], y = (Tensor) c[1];
                Tensor out = Tensor.empty(DType.F32, CPU, n);
                assertTrue(FastF32.binary(op, x, y, out), op + " " + c[3] + " not covered");
                assertBitwise((double[]) c[2], out.toDoubleArray(), op + " " + c[3] + " n=" + n);
                // the same through the float64 engine path
                Tensor out64 = Tensor.empty(DType.F64, CPU, n);
                out64.backend().binary(op, x.to(DType.F64), y.to(DType.F64), out64);
                assertBitwise(out64.toDoubleArray(), out.toDoubleArray(), op + " " + c[3] + " vs float64 path");
            }
        }
    }

    /**
     * Broadcast operands as the model makes them (a bias per channel, a statistic per image, a
     * map per pixel, a row vector), odd sizes so rows end off the vector length: the row path
     * must claim each case and give the scalar reference's bits, with either operand broadcast.
     */
    @Test
    void broadcastRowsMatchScalarReference() {
        int[][][] cases = {
                {{3, 5, 7, 9}, {1, 5, 1, 1}}, {{2, 4, 6, 6}, {2, 1, 1, 1}}, {{2, 3, 5, 17}, {2, 1, 5, 17}},
                {{9, 37}, {1, 37}}, {{4, 33}, {4, 1}}, {{2, 3, 1, 1}, {1, 3, 1, 1}}, {{5, 2, 3}, {1, 2, 1}},
        };
        for (int[][] c : cases) {
            int[] shape = c[0], small = c[1];
            int n = 1, m = 1;
            for (int d : shape) n *= d;
            for (int d : small) m *= d;
            Tensor full = f32(values(n, n)).reshape(shape);
            float[] sv = values(m + 7L, m);
            for (int i = 0; i < m; i++) if (sv[i] == 0f) sv[i] = 0.25f;   // keep divisions finite
            Tensor bcast = f32(sv).reshape(small).expand(shape);
            for (BinaryOp op : FAST_BINARY)
                for (boolean bcastFirst : new boolean[] {false, true}) {
                    Tensor x = bcastFirst ? bcast : full, y = bcastFirst ? full : bcast;
                    Tensor out = Tensor.empty(DType.F32, CPU, shape);
                    String what = op + " " + java.util.Arrays.toString(shape) + " with " + java.util.Arrays.toString(small)
                            + (bcastFirst ? " first" : " second");
                    assertTrue(FastF32.binary(op, x, y, out), what + " not covered");
                    Tensor out64 = Tensor.empty(DType.F64, CPU, shape);
                    out64.backend().binary(op, x.to(DType.F64), y.to(DType.F64), out64);
                    assertBitwise(out64.toDoubleArray(), out.toDoubleArray(), what);
                }
        }
    }

    @Test
    void publicOpsUseTheFastPathsCorrectly() {
        int n = 4099;
        float[] av = values(9, n), bv = values(10, n);
        Tensor a = f32(av), b = f32(bv);
        double[] sum = a.add(b).toDoubleArray(), prod = a.mul(b).toDoubleArray(), bsc = a.mul(Tensor.scalar(DType.F32, CPU, 3)).toDoubleArray();
        double[] mx = Elementwise.maximum(a, b).toDoubleArray(), sc = a.mul(-0.5).add(2).toDoubleArray();
        for (int i = 0; i < n; i++) {
            assertEquals(av[i] + bv[i], (float) sum[i], 0f);
            assertEquals(av[i] * bv[i], (float) prod[i], 0f);
            assertEquals(av[i] * 3f, (float) bsc[i], 0f);
            assertEquals(Math.max(av[i], bv[i]), (float) mx[i], 0f);
            assertEquals(av[i] * -0.5f + 2f, (float) sc[i], 0f);
        }
    }

    @Test
    void addInPlaceAliasesSafely() {
        int n = 70_001;
        float[] av = values(11, n), bv = values(12, n);
        Tensor a = f32(av), b = f32(bv);
        Elementwise.addInPlace(a, b);
        double[] r = a.toDoubleArray();
        for (int i = 0; i < n; i++) assertEquals(av[i] + bv[i], (float) r[i], 0f, "at " + i);
    }
}

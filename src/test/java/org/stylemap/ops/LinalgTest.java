package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class LinalgTest {

    /** Naive 2-D product of row-major matrices. */
    static double[] mm(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    private static double[] block(double[] v, int index, int size) {
        return java.util.Arrays.copyOfRange(v, index * size, (index + 1) * size);
    }

    @Test
    void matmul2d() {
        for (int[] mkn : new int[][] {{3, 4, 5}, {1, 7, 1}, {5, 1, 3}, {1, 1, 1}, {7, 3, 5}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            Tensor a = randn(m * 100 + k, m, k), b = randn(n * 100 + k + 1, k, n);
            Tensor c = a.matmul(b);
            assertShape(c, m, n);
            assertClose(mm(a.toDoubleArray(), b.toDoubleArray(), m, k, n), c, 1e-13);
            assertGradOk(t -> t[0].matmul(t[1]), a, b);
        }
    }

    @Test
    void matmulBatched() {
        Tensor a = randn(1, 2, 3, 4), b = randn(2, 2, 4, 5);
        Tensor c = a.matmul(b);
        assertShape(c, 2, 3, 5);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray(), cv = c.toDoubleArray();
        for (int p = 0; p < 2; p++) assertClose(mm(block(av, p, 12), block(bv, p, 20), 3, 4, 5), block(cv, p, 15), 1e-13);
        assertGradOk(t -> t[0].matmul(t[1]), a, b);
    }

    @Test
    void matmulBroadcastBatch() {
        // [2,1,3,4] @ [3,4,5] -> [2,3,3,5]
        Tensor a = randn(3, 2, 1, 3, 4), b = randn(4, 3, 4, 5);
        Tensor c = a.matmul(b);
        assertShape(c, 2, 3, 3, 5);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray(), cv = c.toDoubleArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                assertClose(mm(block(av, i, 12), block(bv, j, 20), 3, 4, 5), block(cv, i * 3 + j, 15), 1e-13);
        assertGradOk(t -> t[0].matmul(t[1]), a, b);
        // matrix @ batch and batch @ matrix
        Tensor m = randn(5, 3, 4);
        Tensor bb = randn(6, 2, 4, 5);
        Tensor c2 = m.matmul(bb);
        assertShape(c2, 2, 3, 5);
        for (int p = 0; p < 2; p++)
            assertClose(mm(m.toDoubleArray(), block(bb.toDoubleArray(), p, 20), 3, 4, 5), block(c2.toDoubleArray(), p, 15), 1e-13);
        assertGradOk(t -> t[0].matmul(t[1]), m, bb);
        assertGradOk(t -> t[0].matmul(t[1]), randn(7, 2, 3, 4), randn(8, 4, 5));
    }

    @Test
    void matmulTransposedViews() {
        Tensor at = randn(9, 4, 3), bt = randn(10, 5, 4);   // a = at^T [3,4], b = bt^T [4,5]
        double[] a = at.transpose(0, 1).contiguous().toDoubleArray(), b = bt.transpose(0, 1).contiguous().toDoubleArray();
        assertClose(mm(a, b, 3, 4, 5), at.transpose(0, 1).matmul(bt.transpose(0, 1)), 1e-13);
        assertGradOk(t -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)), at, bt);
        assertGradOk(t -> t[0].transpose(0, 1).matmul(t[1]), at, randn(11, 4, 5));
        // batched transposed views, a sliced operand (offset, row stride > columns), and a permuted batch
        Tensor x = randn(12, 2, 5, 3);
        assertGradOk(t -> t[0].transpose(-1, -2).matmul(t[1]), x, randn(13, 2, 5, 4));
        Tensor wide = randn(14, 3, 7);
        Tensor sl = wide.slice(1, 2, 6);   // [3,4] with row stride 7 and offset 2
        assertClose(mm(sl.toDoubleArray(), randn(15, 4, 2).toDoubleArray(), 3, 4, 2), sl.matmul(randn(15, 4, 2)), 1e-13);
        assertGradOk(t -> t[0].slice(1, 2, 6).matmul(t[1]), wide, randn(15, 4, 2));
        Tensor perm = randn(16, 3, 2, 4);   // permute to [2,3,4]: batch stride smaller than row stride
        double[] pv = perm.permute(1, 0, 2).contiguous().toDoubleArray();
        Tensor r = randn(17, 4, 3);
        Tensor pr = perm.permute(1, 0, 2).matmul(r);
        for (int p = 0; p < 2; p++) assertClose(mm(block(pv, p, 12), r.toDoubleArray(), 3, 4, 3), block(pr.toDoubleArray(), p, 9), 1e-13);
        assertGradOk(t -> t[0].permute(1, 0, 2).matmul(t[1]), perm, r);
        // an expanded (stride 0) operand
        Tensor row = randn(18, 1, 4);
        assertGradOk(t -> t[0].expand(3, 4).matmul(t[1]), row, randn(19, 4, 2));
    }

    @Test
    void matmulFloat32() {
        Tensor a = randn(20, 3, 5), b = randn(21, 5, 2);
        Tensor c = a.to(DType.F32).matmul(b.to(DType.F32));
        assertEquals(DType.F32, c.dtype());
        assertClose(mm(a.toDoubleArray(), b.toDoubleArray(), 3, 5, 2), c, 1e-5);
    }

    @Test
    void matmulErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> randn(1, 3, 4).matmul(randn(2, 5, 2)));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> randn(1, 2, 3, 4).matmul(randn(2, 3, 4, 5)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3, 4]") && e.getMessage().contains("[3, 4, 5]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> randn(1, 3).matmul(randn(2, 3, 1)));
    }

    @Test
    void linear() {
        Tensor x = randn(30, 5, 3), w = randn(31, 4, 3), b = randn(32, 4);
        Tensor y = Linalg.linear(x, w, b);
        assertShape(y, 5, 4);
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), bv = b.toDoubleArray(), expect = new double[20];
        for (int n = 0; n < 5; n++)
            for (int o = 0; o < 4; o++) {
                double s = bv[o];
                for (int i = 0; i < 3; i++) s += xv[n * 3 + i] * wv[o * 3 + i];
                expect[n * 4 + o] = s;
            }
        assertClose(expect, y, 1e-13);
        assertGradOk(t -> Linalg.linear(t[0], t[1], t[2]), x, w, b);
        assertGradOk(t -> Linalg.linear(t[0], t[1], null), x, w);
        // extra leading dims
        assertGradOk(t -> Linalg.linear(t[0], t[1], t[2]), randn(33, 2, 1, 3), w, b);
        assertThrows(IllegalArgumentException.class, () -> Linalg.linear(x, randn(1, 4, 2), null));
    }

    @Test
    void secondOrder() {
        Tensor x = randn(40, 3, 5), w = randn(41, 4, 5), b = randn(42, 4);
        assertSecondOk(t -> Linalg.linear(t[0], t[1], t[2]), x, w, b);
        assertSecondOk(t -> Elementwise.softplus(Linalg.linear(t[0], t[1], t[2])), x, w, b);
        assertSecondOk(t -> t[0].matmul(t[1]).square(), randn(43, 2, 3, 4), randn(44, 4, 2));
    }
}

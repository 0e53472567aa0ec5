package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.tensor.Tensor;

class ViewsTest {

    /** Naive permutation of a row-major array: out[i_0..] = x[i_perm^-1...], i.e. out dim k is x dim perm[k]. */
    static double[] permuteRef(double[] x, int[] xs, int[] perm) {
        int r = xs.length;
        int[] os = new int[r];
        for (int k = 0; k < r; k++) os[k] = xs[perm[k]];
        double[] out = new double[x.length];
        int[] at = new int[r], src = new int[r];
        for (int i = 0; i < out.length; i++) {
            int rem = i;
            for (int d = r - 1; d >= 0; d--) {
                at[d] = rem % os[d];
                rem /= os[d];
            }
            for (int k = 0; k < r; k++) src[perm[k]] = at[k];
            out[i] = x[idx(xs, src)];
        }
        return out;
    }

    @Test
    void reshapeValuesAndGrad() {
        Tensor x = randn(1, 3, 4, 5);
        assertArrayEquals(x.toDoubleArray(), x.reshape(12, 5).toDoubleArray());
        assertArrayEquals(x.toDoubleArray(), x.reshape(-1).toDoubleArray());
        assertShape(x.reshape(5, -1, 3), 5, 4, 3);
        assertGradOk(t -> t[0].reshape(5, 12).exp(), x);
        // reshape of a non-contiguous view
        assertArrayEquals(permuteRef(x.toDoubleArray(), new int[] {3, 4, 5}, new int[] {2, 0, 1}),
                x.permute(2, 0, 1).reshape(60).toDoubleArray());
        assertGradOk(t -> t[0].permute(2, 0, 1).reshape(10, 6).mul(t[0].reshape(10, 6)), x);
    }

    @Test
    void reshapeErrors() {
        Tensor x = randn(1, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> x.reshape(5, 3));
        assertThrows(IllegalArgumentException.class, () -> x.reshape(-1, -1));
        assertThrows(IllegalArgumentException.class, () -> x.reshape(5, -1));
    }

    @Test
    void permuteValuesAndGrad() {
        Tensor x = randn(2, 2, 3, 5, 1);
        int[] perm = {3, 2, 0, 1};
        Tensor y = x.permute(perm);
        assertShape(y, 1, 5, 2, 3);
        assertArrayEquals(permuteRef(x.toDoubleArray(), x.shape(), perm), y.toDoubleArray());
        assertGradOk(t -> t[0].permute(perm).mul(t[0].permute(perm).exp()), x);
        assertGradOk(t -> t[0].permute(-1, 0, 2, 1), x);
        assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> x.permute(0, 1, 2));
    }

    @Test
    void transposeValuesAndGrad() {
        Tensor x = randn(3, 3, 5);
        double[] v = x.toDoubleArray(), t = x.transpose(0, 1).toDoubleArray();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) assertEquals(v[i * 5 + j], t[j * 3 + i]);
        assertArrayEquals(t, x.transpose(-1, -2).toDoubleArray());
        assertGradOk(a -> a[0].transpose(0, 1).mul(of(new double[] {1, 2, 3}, 3)), x);
    }

    @Test
    void sliceAndNarrow() {
        Tensor x = randn(4, 5, 7);
        double[] v = x.toDoubleArray();
        Tensor s = x.slice(1, 2, 5);
        assertShape(s, 5, 3);
        double[] sv = s.toDoubleArray();
        for (int i = 0; i < 5; i++) for (int j = 0; j < 3; j++) assertEquals(v[i * 7 + j + 2], sv[i * 3 + j]);
        assertGradOk(a -> a[0].slice(1, 2, 5).exp(), x);
        assertGradOk(a -> a[0].slice(0, 4, 5), x);
        assertGradOk(a -> a[0].slice(-1, 0, 1).mul(a[0].slice(-1, 6, 7)), x);
        Tensor n = Views.narrow(x, new int[] {1, 3}, new int[] {3, 4});
        double[] nv = n.toDoubleArray();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals(v[(i + 1) * 7 + j + 3], nv[i * 4 + j]);
        assertGradOk(a -> Views.narrow(a[0], new int[] {1, 3}, new int[] {3, 4}).square(), x);
        // a slice of a slice
        assertArrayEquals(new double[] {v[2 * 7 + 3], v[2 * 7 + 4]}, x.slice(0, 1, 4).slice(1, 3, 5).slice(0, 1, 2).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> x.slice(1, 5, 8));
        assertThrows(IllegalArgumentException.class, () -> x.slice(1, 4, 3));
    }

    @Test
    void expandValuesAndGrad() {
        Tensor x = randn(5, 3, 1);
        Tensor e = x.expand(2, 3, 4);
        assertShape(e, 2, 3, 4);
        double[] v = x.toDoubleArray(), ev = e.toDoubleArray();
        for (int b = 0; b < 2; b++) for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals(v[i], ev[(b * 3 + i) * 4 + j]);
        assertGradOk(a -> a[0].expand(2, 3, 4), x);
        assertGradOk(a -> a[0].expand(2, 3, 4).mul(randn(6, 2, 3, 4)).exp(), x);
        assertThrows(IllegalArgumentException.class, () -> x.expand(2, 4, 4));
        Tensor scalar = randn(7);
        assertGradOk(a -> a[0].expand(5), scalar);
    }

    @Test
    void unsqueezeSqueeze() {
        Tensor x = randn(8, 3, 5);
        assertShape(x.unsqueeze(0), 1, 3, 5);
        assertShape(x.unsqueeze(1), 3, 1, 5);
        assertShape(x.unsqueeze(-1), 3, 5, 1);
        assertShape(x.unsqueeze(1).squeeze(1), 3, 5);
        assertArrayEquals(x.toDoubleArray(), x.unsqueeze(2).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> x.squeeze(0));
        assertGradOk(a -> a[0].unsqueeze(1).expand(3, 2, 5).exp(), x);
        assertGradOk(a -> a[0].squeeze(1).exp(), randn(9, 3, 1, 5));
        assertGradOk(a -> a[0].unsqueeze(0).squeeze(0).unsqueeze(2), x);
    }

    @Test
    void pad() {
        Tensor x = randn(10, 2, 3);
        Tensor p = Views.pad(x, 1, 0, 2, 1);
        assertShape(p, 3, 6);
        double[] v = x.toDoubleArray(), pv = p.toDoubleArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 6; j++) {
                boolean inside = i >= 1 && j >= 2 && j < 5;
                assertEquals(inside ? v[(i - 1) * 3 + (j - 2)] : 0.0, pv[i * 6 + j], "at " + i + "," + j);
            }
        assertGradOk(a -> Views.pad(a[0], 1, 0, 2, 1).exp(), x);
        assertSecondOk(a -> Views.pad(a[0], 0, 2, 1, 1).square(), x);
        assertThrows(IllegalArgumentException.class, () -> Views.pad(x, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Views.pad(x, -1, 0, 0, 0));
    }

    @Test
    void concat() {
        Tensor a = randn(11, 2, 1, 3), b = randn(12, 2, 3, 3), c = randn(13, 2, 2, 3);
        Tensor y = Views.concat(1, a, b, c);
        assertShape(y, 2, 6, 3);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray(), cv = c.toDoubleArray(), yv = y.toDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int ch = 0; ch < 6; ch++)
                for (int j = 0; j < 3; j++) {
                    double e = ch < 1 ? av[(n * 1 + ch) * 3 + j] : ch < 4 ? bv[(n * 3 + ch - 1) * 3 + j] : cv[(n * 2 + ch - 4) * 3 + j];
                    assertEquals(e, yv[(n * 6 + ch) * 3 + j]);
                }
        assertGradOk(t -> Views.concat(1, t[0], t[1], t[2]).exp(), a, b, c);
        assertGradOk(t -> Views.concat(-1, t[0], t[0].mul(t[1])), randn(14, 3, 2), randn(15, 3, 2));
        assertSecondOk(t -> Views.concat(0, t[0].square(), t[1].mul(t[0])), randn(16, 3), randn(17, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Views.concat(1, a, randn(1, 3, 1, 3)));
        assertTrue(e.getMessage().contains("concat"), e.getMessage());
    }

    @Test
    void concatWithOnlySomePartsRequiringGrad() {
        Tensor a = randn(18, 2, 2).requiresGrad(true), b = randn(19, 2, 3);
        Tensor y = Views.concat(1, a, b).mul(of(new double[] {1, 2, 3, 4, 5}, 5)).sum();
        org.stylemap.autograd.Autograd.backward(y);
        assertArrayEquals(new double[] {1, 2, 1, 2}, a.grad().toDoubleArray());
        assertNull(b.grad());
    }

    @Test
    void contiguous() {
        Tensor x = randn(20, 3, 4);
        assertSame(x, x.contiguous());
        Tensor t = x.transpose(0, 1);
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(t.toDoubleArray(), c.toDoubleArray());
        assertGradOk(a -> a[0].transpose(0, 1).contiguous().mul(a[0].transpose(0, 1)), x);
    }

    @Test
    void viewChainsSecondOrder() {
        Tensor x = randn(21, 2, 3, 5);
        assertSecondOk(a -> a[0].permute(2, 0, 1).slice(0, 1, 4).reshape(3, 6).square().unsqueeze(0).expand(2, 3, 6), x);
    }
}

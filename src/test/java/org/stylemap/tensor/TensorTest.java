package org.stylemap.tensor;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Views;

class TensorTest {

    private static Tensor arange(int... shape) {
        double[] v = new double[(int) numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return of(v, shape);
    }

    @Test
    void factories() {
        Tensor z = Tensor.zeros(DType.F32, CPU, 2, 3);
        assertArrayEquals(new double[6], z.toDoubleArray());
        assertEquals(DType.F32, z.dtype());
        assertArrayEquals(new double[] {1, 1, 1}, Tensor.ones(DType.F64, CPU, 3).toDoubleArray());
        assertArrayEquals(new double[] {2.5, 2.5}, Tensor.full(DType.F64, CPU, 2.5, 2, 1).toDoubleArray());
        Tensor s = Tensor.scalar(DType.F64, CPU, 4);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(4, s.item());
        assertEquals(0, Tensor.zeros(DType.F64, CPU, 0, 3).numel());
        assertThrows(IllegalArgumentException.class, () -> Tensor.empty(DType.F64, CPU, 2, -1));
        assertThrows(IllegalArgumentException.class, () -> of(new double[] {1, 2, 3}, 2, 2));
        assertThrows(IllegalStateException.class, () -> of(new double[] {1, 2}, 2).item());
        assertEquals(DType.F32, DType.parse("float32"));
        assertEquals(DType.F64, DType.parse("f64"));
        assertThrows(IllegalArgumentException.class, () -> DType.parse("int8"));
    }

    @Test
    void float32Storage() {
        Tensor f = Tensor.of(DType.F32, CPU, new double[] {0.1, 1e10, -3}, 3);
        assertArrayEquals(new double[] {(float) 0.1, (float) 1e10, -3}, f.toDoubleArray());
    }

    @Test
    void metadata() {
        Tensor x = arange(3, 4, 5);
        assertArrayEquals(new int[] {3, 4, 5}, x.shape());
        assertArrayEquals(new long[] {20, 5, 1}, x.strides());
        assertEquals(5, x.shape(-1));
        assertEquals(20, x.stride(0));
        assertEquals(60, x.numel());
        assertTrue(x.isContiguous());
        // shape() returns a copy
        x.shape()[0] = 99;
        assertEquals(3, x.shape(0));
        assertTrue(x.named("acts").toString().contains("acts"));
        assertTrue(x.toString().contains("[3, 4, 5]") && x.toString().contains("float64"), x.toString());
    }

    @Test
    void viewsShareStorage() {
        Tensor x = arange(3, 4, 5);
        Tensor[] views = {x.reshape(12, 5), x.transpose(0, 2), x.permute(1, 2, 0), x.slice(1, 1, 3), x.unsqueeze(0),
                x.slice(0, 0, 1).squeeze(0), x.expand(2, 3, 4, 5), Views.narrow(x, new int[] {1, 1, 1}, new int[] {2, 2, 2}), x.detach()};
        for (Tensor v : views) assertSame(x.storage(), v.storage(), v.toString());
        // writing through a view changes the base
        Tensor s = x.slice(1, 1, 3);
        Elementwise.copyInto(s, Tensor.full(DType.F64, CPU, -1, 1));
        double[] v = x.toDoubleArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 5; k++) {
                    int at = (i * 4 + j) * 5 + k;
                    assertEquals(j == 1 || j == 2 ? -1 : at, v[at], "at " + at);
                }
    }

    @Test
    void sliceAndPermuteStrides() {
        Tensor x = arange(3, 4, 5);
        Tensor s = x.slice(1, 1, 3);
        assertArrayEquals(new int[] {3, 2, 5}, s.shape());
        assertArrayEquals(new long[] {20, 5, 1}, s.strides());
        assertEquals(5, s.offset());
        assertFalse(s.isContiguous());
        Tensor s0 = x.slice(0, 1, 3);
        assertEquals(20, s0.offset());
        assertTrue(s0.isContiguous());
        Tensor p = x.permute(2, 0, 1);
        assertArrayEquals(new int[] {5, 3, 4}, p.shape());
        assertArrayEquals(new long[] {1, 20, 5}, p.strides());
        assertFalse(p.isContiguous());
        Tensor t = x.transpose(0, 2);
        assertArrayEquals(new long[] {1, 5, 20}, t.strides());
        Tensor e = of(new double[] {1, 2, 3}, 3, 1).expand(2, 3, 4);
        assertArrayEquals(new long[] {0, 1, 0}, e.strides());
        Tensor ss = s.slice(2, 2, 5);
        assertEquals(7, ss.offset());
        assertArrayEquals(new double[] {7, 8, 9, 12, 13, 14}, ss.slice(0, 0, 1).toDoubleArray());
    }

    @Test
    void reshapeOfNonContiguousCopies() {
        Tensor x = arange(3, 4);
        Tensor t = x.transpose(0, 1);
        Tensor r = t.reshape(12);
        assertNotSame(x.storage(), r.storage());
        assertArrayEquals(new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, r.toDoubleArray());
        Elementwise.copyInto(r, Tensor.zeros(DType.F64, CPU));
        assertEquals(11, x.toDoubleArray()[11], "the base is untouched by writes to the copy");
        // reshape of a contiguous view with an offset stays a view
        Tensor rows = x.slice(0, 1, 3).reshape(8);
        assertSame(x.storage(), rows.storage());
        assertArrayEquals(new double[] {4, 5, 6, 7, 8, 9, 10, 11}, rows.toDoubleArray());
        // a reshape to the same shape is the tensor itself
        assertSame(x, x.reshape(3, 4));
    }

    @Test
    void broadcastErrorsNameOpAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("myop", new int[] {2, 3}, new int[] {4, 3}));
        assertTrue(e.getMessage().contains("myop") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 3]"), e.getMessage());
        assertArrayEquals(new int[] {3, 4, 5}, Shape.broadcast("x", new int[] {3, 1, 5}, new int[] {4, 1}));
        assertArrayEquals(new int[] {2, 3}, Shape.broadcast("x", new int[] {}, new int[] {2, 3}));
        e = assertThrows(IllegalArgumentException.class, () -> arange(3, 1).sub(arange(2, 2)));
        assertTrue(e.getMessage().contains("sub") && e.getMessage().contains("[3, 1]") && e.getMessage().contains("[2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> arange(2, 3).expand(2, 4));
        assertTrue(e.getMessage().contains("expand") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2, 4]"), e.getMessage());
    }

    @Test
    void shapeHelpers() {
        assertArrayEquals(new long[] {12, 4, 1}, Shape.contiguousStrides(new int[] {2, 3, 4}));
        assertEquals(24, Shape.numel(new int[] {2, 3, 4}));
        assertEquals(1, Shape.numel(new int[0]));
        assertEquals(2, Shape.dim(-1, 3));
        assertThrows(IllegalArgumentException.class, () -> Shape.dim(3, 3));
        assertThrows(IllegalArgumentException.class, () -> Shape.dim(-4, 3));
    }

    @Test
    void detach() {
        Tensor x = arange(3).requiresGrad(true);
        Tensor y = x.mul(2);
        Tensor d = y.detach();
        assertTrue(y.requiresGrad());
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        assertSame(y.storage(), d.storage());
        assertArrayEquals(y.toDoubleArray(), d.toDoubleArray());
    }

    @Test
    void requiresGradCannotBeTurnedOffOnANonLeaf() {
        Tensor x = arange(2).requiresGrad(true);
        Tensor y = x.exp();
        assertFalse(y.isLeaf());
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        x.requiresGrad(false);
        assertFalse(x.requiresGrad());
    }

    @Test
    void freedTensorsSayTheyWereFreed() {
        Tensor x = arange(4);
        Tensor v = x.reshape(2, 2);
        x.free();
        IllegalStateException e = assertThrows(IllegalStateException.class, v::toDoubleArray);
        assertTrue(e.getMessage().contains("freed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> x.add(x));
        assertTrue(x.toString().contains("freed"));
        x.free();   // idempotent
    }
}

package org.stylemap.edit;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

class LocalEditErrorTest {
    private static Tensor full(double v, int... shape) {
        return Tensor.full(DType.F64, Device.CPU, v, shape);
    }

    @Test
    void aPerfectEditHasZeroErrorsAndOffsetsGiveTheirSquares() {
        int h = 4, w = 6;
        double[] m = new double[2 * h * w], src = new double[2 * 3 * h * w], ref = new double[2 * 3 * h * w], edit = new double[2 * 3 * h * w];
        // pair 0: left 2 columns masked; pair 1: one pixel masked
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                m[y * w + x] = x < 2 ? 1 : -1;
                m[h * w + y * w + x] = x == 5 && y == 3 ? 1 : -1;
            }
        java.util.Random r = new java.util.Random(1);
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < h * w; p++) {
                    int i = (b * 3 + c) * h * w + p;
                    src[i] = r.nextDouble();
                    ref[i] = r.nextDouble();
                    boolean in = m[b * h * w + p] > -1;
                    edit[i] = in ? ref[i] + 0.5 : src[i] - 0.25 * (c + 1);   // inside: +0.5; outside: -0.25, -0.5, -0.75
                }
        LocalEditError.PerPair e = LocalEditError.measure(Tensor.of(DType.F64, Device.CPU, edit, 2, 3, h, w),
                Tensor.of(DType.F64, Device.CPU, src, 2, 3, h, w), Tensor.of(DType.F64, Device.CPU, ref, 2, 3, h, w),
                Tensor.of(DType.F64, Device.CPU, m, 2, h, w));
        double outside = (0.0625 + 0.25 + 0.5625) / 3;
        assertArrayEquals(new double[] {0.25, 0.25}, e.mseRef(), 1e-15);
        assertArrayEquals(new double[] {outside, outside}, e.mseSrc(), 1e-15);

        LocalEditError.PerPair exact = LocalEditError.measure(Tensor.of(DType.F64, Device.CPU, src, 2, 3, h, w),
                Tensor.of(DType.F64, Device.CPU, src, 2, 3, h, w), Tensor.of(DType.F64, Device.CPU, ref, 2, 3, h, w),
                Tensor.of(DType.F64, Device.CPU, m, 2, h, w));
        assertArrayEquals(new double[] {0, 0}, exact.mseSrc(), 0); // the source itself: nothing changed outside
    }

    @Test
    void emptyRegionsAreNaNAndOneMaskServesTheBatch() {
        Tensor img = full(0.2, 3, 3, 2, 2), other = full(-0.2, 3, 3, 2, 2);
        LocalEditError.PerPair none = LocalEditError.measure(img, other, other, full(-1, 1, 2, 2));
        assertTrue(Double.isNaN(none.mseRef()[0]) && Double.isNaN(none.mseRef()[2]));
        assertArrayEquals(new double[] {0.16, 0.16, 0.16}, none.mseSrc(), 1e-15);
        LocalEditError.PerPair all = LocalEditError.measure(img, other, img, full(1, 1, 2, 2));
        assertTrue(Double.isNaN(all.mseSrc()[1]));
        assertArrayEquals(new double[] {0, 0, 0}, all.mseRef(), 0);
    }

    @Test
    void refusesMismatchedShapes() {
        assertThrows(IllegalArgumentException.class,
                () -> LocalEditError.measure(full(0, 1, 3, 4, 4), full(0, 1, 3, 4, 4), full(0, 1, 3, 4, 4), full(1, 2, 4, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> LocalEditError.measure(full(0, 1, 3, 4, 4), full(0, 1, 3, 4, 5), full(0, 1, 3, 4, 4), full(1, 1, 4, 4)));
    }
}

package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.stylemap.backend.cuda.runtime.DeviceArrays;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * What the launcher tests share: random values that both dtypes hold exactly, the same values as
 * CPU tensors (the reference runs on the CPU backend) and on the device, and a comparison with an
 * error bound that scales with the number of products summed into each result.
 */
final class DeviceCheck {
    private DeviceCheck() {}

    /** n values uniform in [-1, 1), rounded to float so that float32 and float64 hold the same numbers. */
    static double[] random(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }

    static Tensor cpu(DType dtype, double[] values, int... shape) {
        return Tensor.of(dtype, Device.CPU, values, shape);
    }

    static long upload(DeviceArrays d, DType dtype, double[] values) {
        return switch (dtype) {
            case F64 -> d.doubles(values);
            case F32 -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
                yield d.floats(f);
            }
        };
    }

    /** n elements of dtype on the device, every byte 0xff (NaN) until a kernel writes them. */
    static long alloc(DeviceArrays d, DType dtype, long n) {
        return d.alloc(Math.max(1, n) * dtype.bytes);
    }

    static double[] download(DeviceArrays d, DType dtype, long p, int n) {
        return switch (dtype) {
            case F64 -> d.doubles(p, n);
            case F32 -> {
                float[] f = d.floats(p, n);
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = f[i];
                yield v;
            }
        };
    }

    /**
     * The error allowed for sums of `terms` products of values in [-1, 1] (plus as much again for
     * an accumulated term): each of the two computations, the reference's and the kernel's, rounds
     * within terms units of the last place of a partial sum of at most terms, so terms * 2^-22 in
     * float32 and terms * 2^-50 in float64 is a safe margin; an indexing mistake is off by O(1).
     */
    static double tolerance(DType dtype, long terms) {
        return Math.max(1, terms) * (dtype == DType.F32 ? 0x1p-22 : 0x1p-50);
    }

    /** Every element close to the reference (NaN, an unwritten element, fails). */
    static void assertClose(String what, double[] expected, double[] actual, double tolerance) {
        assertTrue(expected.length == actual.length, what + ": " + actual.length + " elements, expected " + expected.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(actual[i] - expected[i]);
            if (Double.isNaN(e)) throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            if (e > worst) {
                worst = e;
                at = i;
            }
        }
        if (worst > tolerance)
            throw new AssertionError(what + ": element " + at + " is " + actual[at] + ", expected " + expected[at]
                    + " (error " + worst + ", tolerance " + tolerance + ")");
    }
}

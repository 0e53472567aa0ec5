package org.stylemap.nn;

import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.Twins;

class EmaTest {
    /** Parameters of odd sizes, one large enough to be split over threads. */
    private static final class Net extends Module {
        final Tensor a, b, c;

        Net(long seed, DType dtype) {
            a = parameter("a", () -> randn(seed, 3, 5, 7).to(dtype));
            b = parameter("b", () -> randn(seed + 1, 1).to(dtype));
            c = parameter("c", () -> randn(seed + 2, 90001).to(dtype));
        }
    }

    private static Tensor[] average(DType dtype, int updates) {
        Net target = new Net(1, dtype), source = new Net(2, dtype);
        for (int i = 0; i < updates; i++) Ema.accumulate(target, source, 0.999);
        return new Tensor[] {target.a, target.b, target.c};
    }

    @Test
    void fusedUpdateHasTheBitsOfItsReference() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) Twins.assertIdentical(() -> average(dtype, 3));
    }

    @Test
    void matchesTheFormula() {
        Net target = new Net(1, DType.F64), source = new Net(2, DType.F64);
        double[] t = target.a.toDoubleArray(), s = source.a.toDoubleArray();
        Ema.accumulate(target, source, 0.9);
        for (int i = 0; i < t.length; i++) t[i] = 0.9 * t[i] + 0.1 * s[i];
        assertClose(t, target.a, 1e-15);
        Ema.accumulate(target, source, 0);   // decay 0 copies
        assertClose(source.c.toDoubleArray(), target.c, 0);
    }
}

package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.tensor.Tensor;

class LossesTest {
    @Test
    void mseHandChecked() {
        Tensor a = of(new double[] {1, 2, 3, 4}, 2, 2), b = of(new double[] {1, 0, 5, 4}, 2, 2);
        // squared errors 0, 4, 4, 0 -> mean 2
        assertEquals(2.0, Losses.mse(a, b).item(), 1e-15);
        assertEquals(0, Losses.mse(a, a).item());
        assertEquals(0, Losses.mse(a, b).rank());
    }

    @Test
    void mseRandom() {
        Tensor a = randn(1, 3, 5, 1), b = randn(2, 3, 5, 1);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
        double s = 0;
        for (int i = 0; i < av.length; i++) s += (av[i] - bv[i]) * (av[i] - bv[i]);
        assertEquals(s / av.length, Losses.mse(a, b).item(), 1e-14);
        assertGradOk(t -> Losses.mse(t[0], t[1]), a, b);
        assertSecondOk(t -> Losses.mse(t[0].exp(), t[1]), a, b);
    }

    @Test
    void mseNeedsEqualShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.mse(randn(1, 3), randn(2, 3, 1)));
        assertTrue(e.getMessage().contains("mse"), e.getMessage());
    }
}

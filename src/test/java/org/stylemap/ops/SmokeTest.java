package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.stylemap.autograd.GradCheck;
import org.stylemap.random.Generator;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

class SmokeTest {
    @Test
    void mulAddGrad() {
        Generator g = new Generator(1);
        Tensor a = Tensor.randn(g, DType.F64, Device.CPU, 3, 4);
        Tensor b = Tensor.randn(g, DType.F64, Device.CPU, 4);
        var r = GradCheck.first(x -> x[0].mul(x[1]).add(x[0].exp()), new Tensor[] {a, b}, 3, 1e-6);
        System.out.println(r);
        assertTrue(r.ok(1e-7), r.where());
        var r2 = GradCheck.second(x -> x[0].mul(x[1]).add(x[0].exp()), new Tensor[] {a, b}, 3, 1e-5);
        System.out.println(r2);
        assertTrue(r2.ok(1e-6), r2.where());
    }

    @Test
    void convGrad() {
        Generator g = new Generator(2);
        Tensor x = Tensor.randn(g, DType.F64, Device.CPU, 2, 3, 5, 6);
        Tensor w = Tensor.randn(g, DType.F64, Device.CPU, 4, 3, 3, 3);
        var r = GradCheck.first(t -> Conv.conv2d(t[0], t[1], 2, 1, 1), new Tensor[] {x, w}, 3, 1e-6);
        assertTrue(r.ok(1e-7), r.where());
        var r2 = GradCheck.second(t -> BiasAct.fusedLeakyRelu(Conv.conv2d(t[0], t[1], 2, 1, 1), null).square(), new Tensor[] {x, w}, 3, 1e-5);
        assertTrue(r2.ok(1e-6), r2.where());
    }
}

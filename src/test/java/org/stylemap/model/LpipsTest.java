package org.stylemap.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradCheck;
import org.stylemap.autograd.GradMode;
import org.stylemap.io.H5;
import org.stylemap.ops.Elementwise;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

class LpipsTest {
    /** A narrow VGG (channels per slice) for the float64 checks; the real widths are 64, 128, 256, 512, 512. */
    private static final int[] NARROW = {4, 8, 8, 16, 16};

    private static Lpips lpips(DType dtype, long seed, int... widths) {
        Init init = new Init(dtype, Device.CPU, new Rng(seed));
        return widths.length == 0 ? new Lpips(init) : new Lpips(init, widths);
    }

    /** Uniform images in [-1, 1). */
    private static Tensor image(long seed, DType dtype, int... shape) {
        return Tensor.rand(new Rng(seed), dtype, Device.CPU, shape).mul(2).sub(1);
    }

    private static double[] forward(Lpips l, Tensor a, Tensor b) {
        try (GradMode off = GradMode.off()) {
            return l.forward(a, b).toDoubleArray();
        }
    }

    @Test
    void isASymmetricNonNegativeDistance() {
        Lpips l = lpips(DType.F32, 1, NARROW);
        Tensor a = image(2, DType.F32, 2, 3, 32, 32), b = image(3, DType.F32, 2, 3, 32, 32);
        assertArrayEquals(new double[] {0, 0}, forward(l, a, a), "d(x, x) must be exactly 0");
        double[] ab = forward(l, a, b);
        assertArrayEquals(ab, forward(l, b, a), "d(a, b) must equal d(b, a)");
        for (double v : ab) assertTrue(v > 1e-3, "distinct images must be at a positive distance: " + v);
        try (GradMode off = GradMode.off()) {
            assertEquals(0, l.distance(a, b).rank());
            assertEquals((ab[0] + ab[1]) / 2, l.distance(a, b).item(), 1e-6, "distance() is the batch mean");
        }
    }

    @Test
    void hasTheOfficialStateDictNamesAndFrozenWeights() {
        Lpips l = lpips(DType.F32, 1);
        Map<String, Tensor> sd = l.stateDict();
        assertEquals(2 + 13 * 2 + 5, sd.size());
        assertArrayEquals(new int[] {64, 3, 3, 3}, sd.get("net.slice1.0.weight").shape());
        assertArrayEquals(new int[] {512}, sd.get("net.slice5.28.bias").shape());
        assertArrayEquals(new int[] {256, 128, 3, 3}, sd.get("net.slice3.10.weight").shape());
        assertArrayEquals(new int[] {1, 512, 1, 1}, sd.get("lin4.model.1.weight").shape());
        assertArrayEquals(new int[] {1, 3, 1, 1}, sd.get("scaling_layer.shift").shape());
        assertTrue(l.parameters().values().stream().noneMatch(Tensor::requiresGrad), "LPIPS weights must be frozen");
        assertEquals(14_714_688 + 64 + 128 + 256 + 512 + 512, l.parameterCount()); // VGG16 features + lin
    }

    @Test
    void matchesANaiveFloat64Reference() {
        checkAgainstReference(lpips(DType.F64, 4, NARROW), NARROW, image(5, DType.F64, 2, 3, 32, 32), image(6, DType.F64, 2, 3, 32, 32));
        checkAgainstReference(lpips(DType.F64, 7), new int[] {64, 128, 256, 512, 512},
                image(8, DType.F64, 1, 3, 16, 16), image(9, DType.F64, 1, 3, 16, 16));
    }

    private static void checkAgainstReference(Lpips l, int[] widths, Tensor a, Tensor b) {
        double[] got = forward(l, a, b);
        double[] want = LpipsReference.distances(l.stateDict(), a, b);
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], 1e-12 * Math.abs(want[i]), "sample " + i + " with widths " + java.util.Arrays.toString(widths));
    }

    @Test
    void scalingConstantsAreTheFloat32Values() {
        double[] shift = lpips(DType.F64, 1, NARROW).stateDict().get("scaling_layer.shift").toDoubleArray();
        assertEquals(-0.029999999329447746, shift[0], 0.0); // -0.030 as PyTorch's float32 buffer holds it
        assertArrayEquals(new double[] {(float) 0.458, (float) 0.448, (float) 0.450},
                lpips(DType.F64, 1, NARROW).stateDict().get("scaling_layer.scale").toDoubleArray(), 0.0);
    }

    @Test
    void inputGradientMatchesFiniteDifferences() {
        Lpips l = lpips(DType.F64, 10, NARROW);
        Tensor a = image(11, DType.F64, 1, 3, 16, 16), b = image(12, DType.F64, 1, 3, 16, 16);
        // With respect to a only: b's gradient is the same function by symmetry, and each element costs two forwards.
        GradCheck.Result r = GradCheck.first(t -> l.forward(t[0], b), new Tensor[] {a}, 13, 1e-6);
        assertTrue(r.ok(1e-8), r.where());

        Tensor x = a.detach().requiresGrad(true);
        Autograd.backward(l.distance(x, b));
        assertNotNull(x.grad(), "the gradient must reach the input image");
        assertTrue(l.parameters().values().stream().allMatch(p -> p.grad() == null), "frozen weights must get no gradient");
    }

    @Test
    void gradientStaysFiniteWhereAllFeaturesAreZero() {
        Lpips l = lpips(DType.F64, 14, NARROW);
        Tensor bias = l.stateDict().get("net.slice1.0.bias");
        Elementwise.copyInto(bias, Tensor.full(DType.F64, Device.CPU, -1e3, bias.shape())); // every relu1_1 is 0
        Tensor x = image(15, DType.F64, 1, 3, 16, 16).requiresGrad(true);
        Tensor d = l.distance(x, image(16, DType.F64, 1, 3, 16, 16));
        assertEquals(0.0, d.item(), 0.0);
        Autograd.backward(d);
        for (double g : x.grad().toDoubleArray()) assertEquals(0.0, g, 0.0, "sqrt(0) must not turn the gradient into NaN");
    }

    @Test
    void loadsExportedWeightsByName(@TempDir Path dir) {
        Lpips saved = lpips(DType.F32, 17, NARROW);
        Path file = dir.resolve("lpips.h5");
        write(file, saved.stateDict(), null);
        Lpips loaded = Lpips.load(file, DType.F32, Device.CPU, NARROW);
        Tensor a = image(18, DType.F32, 2, 3, 32, 32), b = image(19, DType.F32, 2, 3, 32, 32);
        assertArrayEquals(forward(saved, a, b), forward(loaded, a, b), "loaded weights must give identical distances");
        assertTrue(loaded.parameters().values().stream().noneMatch(Tensor::requiresGrad));

        Path partial = dir.resolve("partial.h5");
        write(partial, saved.stateDict(), "lin3.model.1.weight");
        var missing = assertThrows(IllegalArgumentException.class, () -> Lpips.load(partial, DType.F32, Device.CPU, NARROW));
        assertEquals(partial + ": missing key 'lin3.model.1.weight'", missing.getMessage());

        var shape = assertThrows(IllegalArgumentException.class, () -> Lpips.load(file, DType.F32, Device.CPU)); // VGG16 widths
        assertTrue(shape.getMessage().contains("has shape") && !shape.getMessage().contains("\n"), shape.getMessage());

        Path flat = dir.resolve("flat.h5");
        H5.writeAtomically(flat, f -> saved.stateDict().forEach((k, t) -> H5.put(f, k, t)));
        var group = assertThrows(IllegalArgumentException.class, () -> Lpips.load(flat, DType.F32, Device.CPU, NARROW));
        assertEquals(flat + ": missing group 'lpips'", group.getMessage());

        var absent = assertThrows(IllegalArgumentException.class, () -> Lpips.load(dir.resolve("absent.h5"), DType.F32, Device.CPU));
        assertTrue(absent.getMessage().contains("no such file"), absent.getMessage());
    }

    /** Writes a state dict as the export recipe does, into group "lpips", leaving out one key when skip is set. */
    private static void write(Path file, Map<String, Tensor> sd, String skip) {
        H5.writeAtomically(file, f -> {
            var g = f.putGroup(Lpips.H5_GROUP);
            sd.forEach((k, t) -> {
                if (!k.equals(skip)) H5.put(g, k, t);
            });
        });
    }

    @Test
    void dropoutChangesTheValueReproducibly() {
        Lpips l = lpips(DType.F64, 20, NARROW);
        Tensor a = image(21, DType.F64, 2, 3, 32, 32), b = image(22, DType.F64, 2, 3, 32, 32);
        double[] eval = forward(l, a, b);
        assertFalse(l.isTraining());

        l.setDropout(new Rng(23));
        assertTrue(l.isTraining());
        double[] first = forward(l, a, b);
        double[] second = forward(l, a, b); // the generator has moved on
        l.setDropout(new Rng(23));
        assertArrayEquals(first, forward(l, a, b), 0.0, "the same seed must give the same masks");
        assertFalse(java.util.Arrays.equals(first, eval), "dropout must change the value");
        assertFalse(java.util.Arrays.equals(first, second), "fresh masks on every call");

        l.setDropout(null);
        assertArrayEquals(eval, forward(l, a, b), 0.0, "no dropout after setDropout(null)");
    }

    @Test
    void dropoutKeepsWhereTheUniformDrawIsAtLeastHalfAndDoublesIt() {
        LpipsLin lin = new LpipsLin(new Init(DType.F64, Device.CPU, new Rng(0)), 1);
        Elementwise.copyInto(lin.stateDict().get("model.1.weight"), Tensor.ones(DType.F64, Device.CPU, 1, 1, 1, 1));
        lin.setDropout(new Rng(24));
        double[] out = lin.forward(Tensor.ones(DType.F64, Device.CPU, 1, 1, 64, 64)).toDoubleArray();
        double[] u = Tensor.rand(new Rng(24), DType.F64, Device.CPU, 1, 1, 64, 64).toDoubleArray();
        int kept = 0;
        for (int i = 0; i < u.length; i++) {
            assertEquals(u[i] >= 0.5 ? 2.0 : 0.0, out[i], 0.0, "element " + i);
            if (out[i] != 0) kept++;
        }
        assertEquals(0.5, kept / (double) u.length, 0.05);
    }
}

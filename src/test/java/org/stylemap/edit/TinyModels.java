package org.stylemap.edit;

import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.model.ModelConfig;
import org.stylemap.model.NormalizeMode;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Small random models and photos made in code, for the editing tests. */
public final class TinyModels {
    private TinyModels() {}

    /** 32x32 images, a 16x8x8 stylemap, narrow layers. */
    public static ModelConfig config() {
        return new ModelConfig(32, 8, 16, 2, 2, 16, NormalizeMode.LAYER_NORM, false, 0.01);
    }

    public static EditModel random(long seed) {
        Init init = new Init(DType.F32, Device.CPU, new Rng(seed));
        Generator g = new Generator(init, config());
        Encoder e = new Encoder(init, config());
        g.train(false);
        e.train(false);
        return new EditModel(g, e, DType.F32, Device.CPU, System.err::println);
    }

    /** A photo [1, 3, size, size] in [-1, 1]: a colour gradient with a disc, both set by seed. */
    public static Tensor photo(int size, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[] c0 = {r.nextDouble(), r.nextDouble(), r.nextDouble()}, c1 = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
        double cx = size * (0.3 + 0.4 * r.nextDouble()), cy = size * (0.3 + 0.4 * r.nextDouble()), rad = size * 0.2;
        double[] v = new double[3 * size * size];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++) {
                    double t = (double) x / size, base = c0[c] * (1 - t) + c1[c] * t;
                    boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) < rad * rad;
                    v[(c * size + y) * size + x] = (in ? 1 - base : base) * 2 - 1;
                }
        return Tensor.of(DType.F32, Device.CPU, v, 1, 3, size, size);
    }

    /** Mean |a - b| over the pixels [y0, y1) x [x0, x1) of every channel. */
    public static double meanAbsDiff(Tensor a, Tensor b, int y0, int x0, int y1, int x1) {
        double[] p = a.toDoubleArray(), q = b.toDoubleArray();
        int size = a.shape(3);
        double s = 0;
        int n = 0;
        for (int c = 0; c < 3; c++)
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++) {
                    int i = (c * size + y) * size + x;
                    s += Math.abs(p[i] - q[i]);
                    n++;
                }
        return s / n;
    }
}

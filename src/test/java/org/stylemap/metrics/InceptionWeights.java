package org.stylemap.metrics;

import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.stylemap.io.H5;
import org.stylemap.model.Init;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/** Generated FID Inception weights for tests (no real weights exist offline). */
public final class InceptionWeights {
    private InceptionWeights() {}

    /** Random weights for every key of a network, with BatchNorm statistics far from the identity. */
    public static Map<String, double[]> random(FidInception net, long seed) {
        Random r = new Random(seed);
        Map<String, double[]> w = new LinkedHashMap<>();
        net.stateDict().forEach((k, t) -> {
            double[] v = new double[(int) t.numel()];
            int[] s = t.shape();
            for (int i = 0; i < v.length; i++)
                v[i] = k.endsWith("conv.weight") ? r.nextGaussian() * Math.sqrt(2.0 / (s[1] * s[2] * s[3]))
                        : k.endsWith("bn.weight") || k.endsWith("running_var") ? 0.5 + r.nextDouble()
                        : 0.2 * r.nextGaussian();
            w.put(k, v);
        });
        return w;
    }

    public static Map<String, int[]> shapes(FidInception net) {
        Map<String, int[]> s = new LinkedHashMap<>();
        net.stateDict().forEach((k, t) -> s.put(k, t.shape()));
        return s;
    }

    /**
     * Writes weights in the documented layout (group /fid_inception, float32 like the recipe unless
     * f64). Each tensor is one HDF5 chunk: jhdf writes a contiguous dataset one innermost array
     * at a time, which for 1x1 convolution weights means one file write per value (a minute for
     * the full network), while a chunk is encoded in memory and written at once.
     */
    public static void write(Path file, Map<String, double[]> w, Map<String, int[]> shapes, DType dtype) {
        H5.writeAtomically(file, f -> {
            WritableGroup g = f.putGroup(FidInception.H5_GROUP);
            w.forEach((k, v) -> {
                int[] shape = shapes.get(k);
                Object flat = dtype == DType.F64 ? v : toFloats(v);
                g.putDataset(k, nest(flat, shape, 0, 0), DatasetCreationOptions.builder().chunkDimensions(shape).build());
            });
        });
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** The nested Java array of the given shape holding flat[offset ...] (what jhdf writes). */
    private static Object nest(Object flat, int[] shape, int dim, int offset) {
        int inner = 1;
        for (int d = dim + 1; d < shape.length; d++) inner *= shape[d];
        if (dim == shape.length - 1) {
            Object row = java.lang.reflect.Array.newInstance(flat.getClass().getComponentType(), shape[dim]);
            System.arraycopy(flat, offset, row, 0, shape[dim]);
            return row;
        }
        Object[] out = (Object[]) java.lang.reflect.Array.newInstance(
                nest(flat, shape, dim + 1, offset).getClass(), shape[dim]);
        for (int i = 0; i < shape[dim]; i++) out[i] = nest(flat, shape, dim + 1, offset + i * inner);
        return out;
    }

    /** A weights file in the documented layout for the network of the given channel divisor (1: the real size). */
    public static void writeRandom(Path file, int divisor, long seed) {
        FidInception net = new FidInception(new Init(DType.F32, Device.CPU, new Rng(0)), divisor);
        write(file, random(net, seed), shapes(net), DType.F32);
    }

    /**
     * Random weights for the real-size network (87 MB), generated once into target/ and reused by
     * later test runs of the same build folder: writing them takes jhdf tens of seconds.
     */
    public static synchronized Path fullSize() {
        Path file = Path.of("target", "test-weights", "fid_inception_random_seed3.h5");
        if (!java.nio.file.Files.isRegularFile(file)) writeRandom(file, 1, 3);
        return file;
    }
}

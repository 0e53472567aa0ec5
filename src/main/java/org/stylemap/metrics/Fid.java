package org.stylemap.metrics;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.Progress;
import org.stylemap.data.Split;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * Fréchet Inception Distance: Inception statistics of image streams (generated images,
 * reconstructions, a dataset split, with the dataset's cached in HDF5), compared with
 * {@link Frechet#distance}.
 */
public final class Fid {
    private final FidInception net;
    private final FidInception.Preprocess preprocess;
    private final int batch;
    private final Device device;
    private final PrintStream log;

    /**
     * @param batch  images per Inception forward pass
     * @param device where images are moved before the network (the network's own device)
     */
    public Fid(FidInception net, FidInception.Preprocess preprocess, int batch, Device device, PrintStream log) {
        if (batch < 1) throw new IllegalArgumentException("FID batch must be at least 1, got " + batch);
        this.net = net;
        this.preprocess = preprocess;
        this.batch = batch;
        this.device = device;
        this.log = log;
    }

    public FidInception network() {
        return net;
    }

    private DType dtype() {
        return net.stateDict().values().iterator().next().dtype();
    }

    /** Inception statistics of images [0, n) of a stream, with a progress line (and ETA) every 10 s. */
    public FeatureStats stats(String label, int n, ImageBatches images) {
        FeatureStats.Accumulator acc = new FeatureStats.Accumulator(net.featureDim());
        Progress progress = new Progress(log, label, "images", n, 10_000);
        DType dtype = dtype();
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < n; from += batch) {
                int k = Math.min(batch, n - from);
                try (Scope s = Scope.open()) {
                    acc.add(net.features(images.get(from, k).to(dtype), preprocess));
                }
                progress.update(from + k);
            }
        }
        return acc.finish();
    }

    /** The Fréchet distance between the statistics of n images of a stream and reference statistics. */
    public double distance(String label, int n, ImageBatches images, FeatureStats reference) {
        return Frechet.distance(stats(label, n, images), reference);
    }

    /** Images of the EMA generator for standard normal z drawn from seed (the same z for any batch size). */
    public static ImageBatches generated(Generator g, long seed, DType dtype, Device device) {
        Rng rng = new Rng(seed);
        int zDim = g.config().latentChannelSize();
        return (from, count) -> g.synthesize(g.stylemap(Tensor.randn(rng, dtype, device, count, zDim)));
    }

    /** Images [0, n) of a split, unflipped. */
    public static ImageBatches dataset(ImageDataset data, Split split, DType dtype, Device device) {
        return (from, count) -> {
            int[] idx = new int[count];
            for (int i = 0; i < count; i++) idx[i] = from + i;
            return data.batch(split, idx, new boolean[count], -1).toTensor(dtype, device);
        };
    }

    /** Reconstructions G(E(x)) of images [0, n) of a split. */
    public static ImageBatches reconstructed(Generator g, Encoder e, ImageDataset data, Split split, DType dtype, Device device) {
        ImageBatches real = dataset(data, split, dtype, device);
        return (from, count) -> g.synthesize(e.forward(real.get(from, count)));
    }

    /**
     * Images of stylemaps interpolated between random pairs of projected photos (the paper's
     * FID_lerp, official generate.py --mixing_type w_interpolation): image i decodes
     * lambda * w[a] + (1 - lambda) * w[b] for a, b drawn with replacement from the projections and
     * lambda uniform in [0, 1), all from seed; rounded to 8 bits as the official images are saved.
     *
     * @param stylemaps the projections, row-major [count, C, S, S] on the host
     */
    public static ImageBatches interpolated(Generator g, double[] stylemaps, int[] stylemapShape, long seed, DType dtype, Device device) {
        java.util.Random r = new java.util.Random(seed);
        int count = stylemapShape[0], size = stylemaps.length / count;
        return (from, k) -> {
            double[] w = new double[k * size];
            for (int i = 0; i < k; i++) {
                int a = r.nextInt(count), b = r.nextInt(count);
                double lambda = r.nextDouble();
                for (int j = 0; j < size; j++)
                    w[i * size + j] = lambda * stylemaps[a * size + j] + (1 - lambda) * stylemaps[b * size + j];
            }
            int[] shape = stylemapShape.clone();
            shape[0] = k;
            return EightBit.round(g.synthesize(Tensor.of(dtype, device, w, shape)));
        };
    }

    /** The encoder's stylemaps of images [0, n) of a split, on the host ([n, C, S, S] row-major; shape in shapeOut). */
    public static double[] project(Encoder e, ImageDataset data, Split split, int n, int batch, DType dtype, Device device,
                                   int[] shapeOut) {
        ImageBatches real = dataset(data, split, dtype, device);
        double[] out = null;
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < n; from += batch) {
                int k = Math.min(batch, n - from);
                try (Scope s = Scope.open()) {
                    Tensor w = e.forward(real.get(from, k));
                    double[] v = w.toDoubleArray();
                    if (out == null) {
                        out = new double[n * (v.length / k)];
                        int[] ws = w.shape();
                        ws[0] = n;
                        System.arraycopy(ws, 0, shapeOut, 0, 4);
                    }
                    System.arraycopy(v, 0, out, from * (v.length / k), v.length);
                }
            }
        }
        return out;
    }

    /**
     * Statistics of the first n images of a dataset split, from the cache file when it holds them
     * for this network and preprocessing; otherwise computed and written there.
     *
     * @param replaceStale whether a cache file that describes something else may be replaced
     *     (true for the default cache path, which this program owns; false for a file the user named)
     */
    public FeatureStats datasetStats(ImageDataset data, Split split, int n, Path cache, boolean replaceStale) {
        StatsCache.Key key = new StatsCache.Key(net.weightsHash(), preprocess.label(), source(data, split), n);
        if (Files.isRegularFile(cache)) {
            try {
                FeatureStats s = StatsCache.load(cache, key);
                log.println("[eval] dataset statistics from " + cache);
                return s;
            } catch (StatsCache.Mismatch m) {
                if (!replaceStale) throw new IllegalArgumentException(m.getMessage() + " (use another --fid-stats file)");
                log.println("[eval] note: replacing the stale statistics cache: " + m.getMessage());
            }
        }
        FeatureStats s = stats("fid: " + split.group + " images of " + data.file().getFileName(), n,
                dataset(data, split, dtype(), device));
        StatsCache.save(cache, s, key);
        log.println("[eval] wrote dataset statistics to " + cache);
        return s;
    }

    /** The images a cache entry describes: file name, split, its counts and byte length (changes when re-prepared). */
    static String source(ImageDataset data, Split split) {
        long bytes;
        try {
            bytes = Files.size(data.file());
        } catch (IOException e) {
            bytes = -1;
        }
        return data.file().getFileName() + " split=" + split.group + " split_count=" + data.count(split) + " size=" + data.size()
                + " bytes=" + bytes;
    }

    /** The default cache file beside the dataset: NAME.fid-SPLIT-N-PREPROCESS-HASH8.h5. */
    public Path defaultCache(ImageDataset data, Split split, int n) {
        String name = data.file().getFileName().toString().replaceFirst("\\.h5$", "");
        return data.file().resolveSibling(name + ".fid-" + split.group + "-" + n + "-" + preprocess.label() + "-"
                + net.weightsHash().substring(0, 8) + ".h5");
    }
}

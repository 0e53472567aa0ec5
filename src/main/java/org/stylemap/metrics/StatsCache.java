package org.stylemap.metrics;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.Map;
import org.stylemap.io.H5;

/**
 * Inception statistics of a dataset in an HDF5 file, so that the real side of FID is computed
 * once per dataset, network and preprocessing:
 * <pre>
 * /        attributes format="stylemap-fid-stats", version=1, count (images), weights_sha256,
 *          preprocess, source (which images: dataset file, split, its counts and byte length)
 * /mu      float64 [dim]
 * /sigma   float64 [dim, dim]   (unbiased covariance)
 * </pre>
 * A file is used only when every identifying attribute matches; the mismatch is reported by name.
 */
public final class StatsCache {
    public static final String FORMAT = "stylemap-fid-stats";
    public static final int VERSION = 1;

    /** What the statistics were computed from; all of it must match for a file to be reused. */
    public record Key(String weightsSha256, String preprocess, String source, long count) {
        Map<String, String> attributes() {
            return Map.of("weights_sha256", weightsSha256, "preprocess", preprocess, "source", source, "count", String.valueOf(count));
        }
    }

    private StatsCache() {}

    /**
     * The statistics in file when it matches key.
     *
     * @throws Mismatch naming the first attribute that differs (the file is left alone)
     * @throws IllegalArgumentException when the file is not a statistics file or is damaged
     */
    public static FeatureStats load(Path file, Key key) {
        try (HdfFile f = H5.open(file)) {
            if (!FORMAT.equals(H5.attribute(f, "format")))
                throw new IllegalArgumentException(file + ": not an FID statistics file (no format=\"" + FORMAT + "\" attribute)");
            for (Map.Entry<String, String> e : key.attributes().entrySet()) {
                String stored = H5.attribute(f, e.getKey());
                if (!e.getValue().equals(stored))
                    throw new Mismatch(file + ": its " + e.getKey() + " is " + (stored == null ? "missing" : "'" + stored + "'")
                            + ", this evaluation needs '" + e.getValue() + "'");
            }
            double[] mu = doubles(f, file, "mu");
            double[] sigma = doubles(f, file, "sigma");
            if (sigma.length != mu.length * mu.length)
                throw new IllegalArgumentException(file + ": /sigma has " + sigma.length + " values, /mu " + mu.length);
            return new FeatureStats(mu, sigma, key.count());
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": unreadable FID statistics (" + e.getMessage() + ")");
        }
    }

    private static double[] doubles(HdfFile f, Path file, String name) {
        Node n = H5.exists(f, name) ? f.getByPath(name) : null;
        if (!(n instanceof Dataset ds)) throw new IllegalArgumentException(file + ": missing dataset '/" + name + "'");
        Object flat = ds.getDataFlat();
        if (!(flat instanceof double[] d)) throw new IllegalArgumentException(file + ": '/" + name + "' is not float64");
        return d;
    }

    /** Writes the statistics (to a temporary file first, then renamed). */
    public static void save(Path file, FeatureStats stats, Key key) {
        H5.writeAtomically(file, f -> {
            f.putAttribute("format", FORMAT);
            f.putAttribute("version", VERSION);
            key.attributes().forEach(f::putAttribute);
            f.putDataset("mu", stats.mean());
            int d = stats.dim();
            double[][] sigma = new double[d][d];
            for (int i = 0; i < d; i++) System.arraycopy(stats.covariance(), i * d, sigma[i], 0, d);
            f.putDataset("sigma", sigma);
        });
    }

    /** A statistics file that describes other images, weights or preprocessing. */
    public static final class Mismatch extends IllegalArgumentException {
        Mismatch(String message) {
            super(message);
        }
    }
}

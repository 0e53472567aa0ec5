package org.stylemap.edit;

import io.jhdf.HdfFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.stylemap.autograd.GradMode;
import org.stylemap.io.H5;
import org.stylemap.memory.Scope;
import org.stylemap.model.Generator;
import org.stylemap.model.ModelConfig;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * A semantic direction in stylemap space, as the official semantic_manipulation.py finds one: a
 * linear classifier separates the flattened stylemaps of photos with and without an attribute,
 * and the unit normal of its hyperplane (pointing to the photos with it) is the direction.
 * Editing adds alpha times it to a stylemap, everywhere or only in the cells under a mask.
 * File layout (HDF5, docs/EDITING.md):
 * <pre>
 * /            attributes format="stylemap-direction", version=1, size, latent_channel_size,
 *              latent_spatial_size, attribute, classifier, positives, negatives,
 *              train_accuracy, val_accuracy (NaN without held-out photos)
 * /direction   float32 [sd, lss, lss], unit norm over all its values
 * </pre>
 */
public record Direction(Tensor vector, String attribute, String classifier, int positives, int negatives,
                        double trainAccuracy, double valAccuracy) {
    public static final String FORMAT = "stylemap-direction";
    public static final int VERSION = 1;

    /**
     * Fits a direction on stylemaps [1, sd, lss, lss] and their labels. A seeded valFraction of
     * each class is held out to report accuracy, as the official script does with 10%.
     */
    public static Direction fit(List<Tensor> stylemaps, boolean[] labels, String classifier, double valFraction, long seed, String attribute) {
        if (stylemaps.size() != labels.length) throw new IllegalArgumentException(stylemaps.size() + " stylemaps but " + labels.length + " labels");
        if (!(valFraction >= 0 && valFraction < 1)) throw new IllegalArgumentException("val fraction must be in [0, 1), got " + valFraction);
        int n = labels.length;
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) x[i] = stylemaps.get(i).toDoubleArray();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Collections.shuffle(Arrays.asList(order), new Random(seed));
        // Held out per class, so both classes stay in the training set.
        int pos = 0;
        for (boolean b : labels) if (b) pos++;
        int valPos = (int) (pos * valFraction), valNeg = (int) ((n - pos) * valFraction);
        boolean[] isVal = new boolean[n];
        for (int i : order) {
            if (labels[i] && valPos > 0) { isVal[i] = true; valPos--; }
            else if (!labels[i] && valNeg > 0) { isVal[i] = true; valNeg--; }
        }
        double[][] tx = select(x, isVal, false), vx = select(x, isVal, true);
        boolean[] ty = select(labels, isVal, false), vy = select(labels, isVal, true);
        LinearClassifier.Hyperplane h = LinearClassifier.named(classifier).fit(tx, ty);
        double norm = 0;
        for (double v : h.w()) norm += v * v;
        norm = Math.sqrt(norm);
        if (norm == 0) throw new IllegalArgumentException("the classifier found no direction (all weights zero)");
        double[] unit = new double[h.w().length];
        for (int j = 0; j < unit.length; j++) unit[j] = h.w()[j] / norm;
        Tensor first = stylemaps.getFirst();
        Tensor vector = Tensor.of(first.dtype(), first.device(), unit, first.shape());
        return new Direction(vector, attribute, classifier, pos, n - pos, h.accuracy(tx, ty), vx.length == 0 ? Double.NaN : h.accuracy(vx, vy));
    }

    private static double[][] select(double[][] x, boolean[] mark, boolean want) {
        return java.util.stream.IntStream.range(0, x.length).filter(i -> mark[i] == want).mapToObj(i -> x[i]).toArray(double[][]::new);
    }

    private static boolean[] select(boolean[] y, boolean[] mark, boolean want) {
        int k = 0;
        for (boolean m : mark) if (m == want) k++;
        boolean[] out = new boolean[k];
        for (int i = 0, j = 0; i < y.length; i++) if (mark[i] == want) out[j++] = y[i];
        return out;
    }

    /** stylemap + alpha * direction; with a mask [1, size, size] only in the cells it touches (max-pooled, > -1). */
    public Tensor shift(Generator g, Tensor stylemap, double alpha, Tensor mask) {
        Tensor moved = Elementwise.add(stylemap, Elementwise.scale(vector, alpha));
        return mask == null ? moved : g.mix(stylemap, moved, mask, 1);
    }

    /** The image of a latent moved along the direction. */
    public Tensor apply(Generator g, Latent latent, double alpha, Tensor mask) {
        return g.synthesize(shift(g, latent.stylemap(), alpha, mask));
    }

    /** k images from the latent's reconstruction (alpha 0) to alpha, evenly spaced. */
    public List<Tensor> frames(Generator g, Latent latent, double alpha, Tensor mask, int k) {
        if (k < 2) throw new IllegalArgumentException("frames must be at least 2, got " + k);
        List<Tensor> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) out.add(apply(g, latent, alpha * i / (k - 1), mask));
        return out;
    }

    /** A direction fitted on a photo set, and how many of its photos had no label (left out). */
    public record Fit(Direction direction, int unlabelled) {}

    /**
     * Encodes the labelled photos of a set (at most limit of them; photos without a label are
     * left out and counted) and fits a direction on their stylemaps, as {@link #fit} does.
     */
    public static Fit fit(EditModel m, PhotoSet photos, Labels labels, String classifier, double valFraction, int limit) {
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            List<Tensor> stylemaps = new ArrayList<>();
            List<Boolean> y = new ArrayList<>();
            int unlabelled = 0;
            for (int i = 0; i < photos.count() && stylemaps.size() < limit; i++) {
                Boolean label = labels.values().get(photos.name(i));
                if (label == null) {
                    unlabelled++;
                    continue;
                }
                try (Scope one = Scope.open()) {
                    stylemaps.add(Scope.keep(m.e().forward(m.photo(photos.image(i), photos.name(i)))));
                }
                y.add(label);
            }
            boolean[] yy = new boolean[y.size()];
            for (int i = 0; i < yy.length; i++) yy[i] = y.get(i);
            // The direction outlives this scope; the stylemaps it was fitted on do not.
            Direction d = Scope.untracked(() -> fit(stylemaps, yy, classifier, valFraction, 0, labels.attribute()));
            return new Fit(d, unlabelled);
        }
    }

    public void save(Path file, ModelConfig c) {
        H5.writeAtomically(file, f -> {
            ModelHeader.write(f, FORMAT, VERSION, c);
            f.putAttribute("attribute", attribute);
            f.putAttribute("classifier", classifier);
            f.putAttribute("positives", positives);
            f.putAttribute("negatives", negatives);
            f.putAttribute("train_accuracy", trainAccuracy);
            f.putAttribute("val_accuracy", valAccuracy);
            H5.put(f, "direction", Views.reshape(vector, vector.shape(1), vector.shape(2), vector.shape(3)));
        });
    }

    /** A saved direction, refused with a line when it is not one or belongs to a model with another stylemap shape. */
    public static Direction load(Path file, EditModel m) {
        ModelConfig c = m.config();
        try (HdfFile f = H5.open(file)) {
            if (!FORMAT.equals(H5.attribute(f, "format")))
                throw new IllegalArgumentException(file + ": not a direction file (no format=\"" + FORMAT + "\" attribute; `direction --save` writes them)");
            if (!H5.exists(f, "direction")) throw new IllegalArgumentException(file + ": missing dataset 'direction'");
            Tensor v = H5.tensor(f, "direction", m.dtype(), m.device());
            int[] want = {c.latentChannelSize(), c.latentSpatialSize(), c.latentSpatialSize()};
            if (!Arrays.equals(v.shape(), want))
                throw new IllegalArgumentException(file + ": the direction has shape " + Shape.str(v.shape()) + " but this model's stylemap is "
                        + Shape.str(want));
            return new Direction(Views.unsqueeze(v, 0), attr(f, "attribute"), attr(f, "classifier"), (int) num(f, "positives"),
                    (int) num(f, "negatives"), num(f, "train_accuracy"), num(f, "val_accuracy"));
        }
    }

    private static String attr(HdfFile f, String name) {
        String v = H5.attribute(f, name);
        return v == null ? "" : v;
    }

    private static double num(HdfFile f, String name) {
        String v = H5.attribute(f, name);
        try {
            return v == null ? Double.NaN : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}

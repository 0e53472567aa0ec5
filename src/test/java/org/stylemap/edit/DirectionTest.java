package org.stylemap.edit;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.model.ModelConfig;
import org.stylemap.model.NormalizeMode;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Our linear classifiers on synthetic separable data, and semantic directions built on them. */
class DirectionTest {
    @TempDir Path dir;

    /** n points in d dimensions, labelled by the side of a hidden hyperplane, with a margin of at least `margin`. */
    private record Data(double[][] x, boolean[] y, double[] normal) {}

    private static Data separable(int n, int d, double margin, long seed) {
        Random r = new Random(seed);
        double[] w = new double[d];
        double norm = 0;
        for (int j = 0; j < d; j++) { w[j] = r.nextGaussian(); norm += w[j] * w[j]; }
        norm = Math.sqrt(norm);
        for (int j = 0; j < d; j++) w[j] /= norm;
        double[][] x = new double[n][d];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) { x[i][j] = r.nextGaussian(); s += x[i][j] * w[j]; }
            y[i] = i % 2 == 0;
            // Move the point along w so that it sits at distance >= margin on its label's side (offset 0.5).
            double target = (y[i] ? 1 : -1) * (margin + Math.abs(r.nextGaussian())) + 0.5, shift = target - s;
            for (int j = 0; j < d; j++) x[i][j] += shift * w[j];
        }
        return new Data(x, y, w);
    }

    private static double cosine(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int j = 0; j < a.length; j++) { ab += a[j] * b[j]; aa += a[j] * a[j]; bb += b[j] * b[j]; }
        return ab / Math.sqrt(aa * bb);
    }

    @Test
    void bothClassifiersSeparateSeparableDataAlongTheHiddenNormal() {
        Data data = separable(300, 40, 1.0, 1);
        for (String name : List.of("logistic", "svm")) {
            LinearClassifier.Hyperplane h = LinearClassifier.named(name).fit(data.x(), data.y());
            assertEquals(1.0, h.accuracy(data.x(), data.y()), name + " training accuracy");
            double cos = cosine(h.w(), data.normal());
            assertTrue(cos > 0.9, name + ": cosine with the hidden normal " + cos);
            // Held-out points from the same distribution are classified right too.
            Data fresh = separable(200, 40, 1.0, 1);
            assertTrue(h.accuracy(fresh.x(), fresh.y()) > 0.97, name + " on fresh points");
        }
    }

    @Test
    void logisticRegressionReachesTheMinimumOfItsLoss() {
        // Not separable (labels flipped for 20%): the minimum is finite, so its gradient must vanish there.
        Data data = separable(200, 5, 0.2, 2);
        Random r = new Random(3);
        for (int i = 0; i < data.y().length; i++) if (r.nextDouble() < 0.2) data.y()[i] = !data.y()[i];
        double lambda = 1e-2;
        LinearClassifier.Hyperplane h = new LogisticRegression(lambda, 5000).fit(data.x(), data.y());
        int n = data.x().length, d = 5;
        double[] grad = new double[d + 1];
        for (int i = 0; i < n; i++) {
            double yi = data.y()[i] ? 1 : -1, p = 1 / (1 + Math.exp(yi * h.score(data.x()[i])));
            for (int j = 0; j < d; j++) grad[j] -= yi * p * data.x()[i][j] / n;
            grad[d] -= yi * p / n;
        }
        for (int j = 0; j < d; j++) grad[j] += lambda * h.w()[j];
        for (double g : grad) assertEquals(0, g, 1e-5);
    }

    @Test
    void svmSatisfiesItsMarginConditions() {
        Data data = separable(200, 10, 2.0, 4);
        LinearClassifier.Hyperplane h = new LinearSvm(10, 5000).fit(data.x(), data.y());
        // With a wide true margin and a large C the hard-margin solution is reached: every point at functional margin >= 1.
        double worst = Double.POSITIVE_INFINITY;
        for (int i = 0; i < data.y().length; i++) worst = Math.min(worst, (data.y()[i] ? 1 : -1) * h.score(data.x()[i]));
        assertTrue(worst > 1 - 1e-2, "smallest functional margin " + worst);
    }

    @Test
    void classifiersRefuseOneClassData() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LinearSvm(1, 10).fit(new double[][] {{1}, {2}}, new boolean[] {true, true}));
        assertTrue(e.getMessage().contains("both classes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinearClassifier.named("tree"));
    }

    @Test
    void aDirectionFittedOnLabelledStylemapsPointsToTheAttribute() {
        ModelConfig c = TinyModels.config();
        int dim = c.latentChannelSize() * c.latentSpatialSize() * c.latentSpatialSize();
        Data data = separable(200, dim, 3.0, 5);
        List<Tensor> maps = new ArrayList<>();
        for (double[] row : data.x()) maps.add(Tensor.of(DType.F32, Device.CPU, row, 1, c.latentChannelSize(), 8, 8));
        for (String clf : List.of("svm", "logistic")) {
            Direction d = Direction.fit(maps, data.y(), clf, 0.1, 0, "Synthetic");
            assertEquals(100, d.positives());
            assertEquals(1.0, d.trainAccuracy());
            assertTrue(d.valAccuracy() > 0.8, "held out " + d.valAccuracy());
            assertEquals(1, Math.sqrt(d.vector().square().sum().item()), 1e-5, "unit norm");
            assertTrue(cosine(d.vector().toDoubleArray(), data.normal()) > 0.8, clf + " points to the positives");
            Path f = dir.resolve(clf + ".h5");
            d.save(f, c);
            Direction back = Direction.load(f, TinyModels.random(1));
            assertArrayEquals(d.vector().toDoubleArray(), back.vector().toDoubleArray(), 1e-7);
            assertEquals("Synthetic", back.attribute());
            assertEquals(clf, back.classifier());
        }
    }

    @Test
    void aMaskedShiftMovesOnlyTheCellsUnderTheMask() {
        EditModel m = TinyModels.random(9);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor stylemap = m.encode(TinyModels.photo(32, 1)).stylemap();
            double[] unit = new double[16 * 64];
            java.util.Arrays.fill(unit, 1 / 32.0);
            Direction d = new Direction(Tensor.of(DType.F32, Device.CPU, unit, 1, 16, 8, 8), "a", "svm", 1, 1, 1, 1);
            // Pixels [8, 16) x [0, 4) touch stylemap cells y in {2, 3}, x = 0.
            Tensor mask = Masks.box(new Masks.Box(8, 0, 16, 4), 32, m.dtype(), m.device());
            double[] before = stylemap.toDoubleArray(), after = d.shift(m.g(), stylemap, 2, mask).toDoubleArray();
            for (int ch = 0; ch < 16; ch++)
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++) {
                        int i = (ch * 8 + y) * 8 + x;
                        double want = before[i] + ((y == 2 || y == 3) && x == 0 ? 2 / 32.0 : 0);
                        assertEquals(want, after[i], 1e-6, "cell " + ch + "," + y + "," + x);
                    }
        }
    }

    @Test
    void directionsOfAnotherStylemapShapeAreRefused() throws Exception {
        ModelConfig other = new ModelConfig(32, 4, 16, 2, 2, 16, NormalizeMode.LAYER_NORM, false, 0.01);
        Direction d = new Direction(Tensor.zeros(DType.F32, Device.CPU, 1, 16, 4, 4).add(0.25), "a", "svm", 1, 1, 1, 1);
        Path f = dir.resolve("other.h5");
        d.save(f, other);
        var e = assertThrows(IllegalArgumentException.class, () -> Direction.load(f, TinyModels.random(1)));
        assertTrue(e.getMessage().contains("[16, 4, 4]") && e.getMessage().contains("[16, 8, 8]"), e.getMessage());
        Files.writeString(dir.resolve("x.h5"), "not hdf5");
        assertThrows(IllegalArgumentException.class, () -> Direction.load(dir.resolve("x.h5"), TinyModels.random(1)));
    }

    @Test
    void labelsAcceptTheUsualBinaryCodesAndNameBadRows() throws Exception {
        Path csv = dir.resolve("l.csv");
        Files.writeString(csv, "file,Smiling,Male\na.png,1,-1\nsub/b.jpg,-1,1\nc.png,0,true\n");
        assertEquals(new Labels("Smiling", Map.of("a.png", true, "sub/b.jpg", false, "c.png", false)), Labels.read(csv, "Smiling"));
        assertEquals(Map.of("a.png", false, "sub/b.jpg", true, "c.png", true), Labels.read(csv, "Male").values());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Labels.read(csv, null)).getMessage().contains("choose one with --attribute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Labels.read(csv, "Bald")).getMessage().contains("no attribute 'Bald'"));
        Files.writeString(csv, "file,Smiling\na.png,1\nb.png,0\n");
        assertEquals("Smiling", Labels.read(csv, null).attribute(), "the only attribute column");
        Files.writeString(csv, "file,Smiling\na.png,1\nb.png,maybe\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Labels.read(csv, null));
        assertTrue(e.getMessage().contains("l.csv:3") && e.getMessage().contains("'maybe'"), e.getMessage());
    }
}

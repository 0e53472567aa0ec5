package org.stylemap.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.autograd.GradMode;
import org.stylemap.io.H5;
import org.stylemap.model.Init;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

class FidInceptionTest {
    @TempDir
    Path tmp;

    @Test
    void keysShapesAndOrderFollowTheRecipesKeyList() throws Exception {
        FidInception net = new FidInception(new Init(DType.F32, Device.CPU, new Rng(0)));
        List<String> expected = Files.readAllLines(Path.of("docs/fid_inception_keys.txt"));
        List<String> got = new ArrayList<>();
        net.stateDict().forEach((k, t) -> got.add(k + " " + Shape.str(t.shape()).replaceAll("[\\[\\] ]", "")));
        assertEquals(expected, got);
        // torchvision's inception_v3 has 27,161,264 parameters; without AuxLogits (3,326,696) and
        // the 1000-class fc layer (2,049,000) that leaves 21,785,568 (BatchNorm statistics are buffers).
        assertEquals(21_785_568, net.parameterCount());
        assertEquals(2048, net.featureDim());
    }

    @Test
    void matchesTheNaiveFloat64Reference() {
        FidInception shape = new FidInception(new Init(DType.F64, Device.CPU, new Rng(0)), 16);
        Map<String, double[]> w = InceptionWeights.random(shape, 5);
        Path file = tmp.resolve("narrow.h5");
        InceptionWeights.write(file, w, InceptionWeights.shapes(shape), DType.F64);
        FidInception net = FidInception.load(file, DType.F64, Device.CPU, 16);
        FidInceptionReference ref = new FidInceptionReference(w, InceptionWeights.shapes(shape));

        int n = 2, h = 37, wd = 45;
        double[] img = new double[n * 3 * h * wd];
        java.util.Random r = new java.util.Random(9);
        for (int i = 0; i < img.length; i++) img[i] = 2 * r.nextDouble() - 1;
        double[] got;
        try (GradMode off = GradMode.off()) {
            got = net.features(Tensor.of(DType.F64, Device.CPU, img, n, 3, h, wd), FidInception.Preprocess.PYTORCH_FID).toDoubleArray();
        }
        int dim = net.featureDim();
        assertEquals(128, dim);
        assertEquals(n * dim, got.length);
        for (int b = 0; b < n; b++) {
            double[] one = java.util.Arrays.copyOfRange(img, b * 3 * h * wd, (b + 1) * 3 * h * wd);
            double[] expect = ref.features(new FidInceptionReference.Map3(3, h, wd, one));
            double scale = 0;
            for (double v : expect) scale = Math.max(scale, Math.abs(v));
            assertTrue(scale > 1e-3, "features are not all zero");
            for (int j = 0; j < dim; j++) assertEquals(expect[j], got[b * dim + j], 1e-10 * scale, "image " + b + " feature " + j);
        }
    }

    @Test
    void preprocessingClampsResizesAndScales() {
        double[] v = {-3, -1, -0.5, 0, 0.25, 1, 2, 0.5, -0.75, 0.1, 0.9, -0.2};
        Tensor x = Tensor.of(DType.F64, Device.CPU, v, 1, 3, 2, 2);
        double[] fid = FidInception.preprocess(x, FidInception.Preprocess.PYTORCH_FID).toDoubleArray();
        double[] off = FidInception.preprocess(x, FidInception.Preprocess.STYLEMAPGAN).toDoubleArray();
        assertEquals(3 * 299 * 299, fid.length);
        double[] mean = {0.485, 0.456, 0.406}, std = {0.229, 0.224, 0.225};
        for (int c = 0; c < 3; c++) {
            double[] plane = new double[4];
            for (int i = 0; i < 4; i++) plane[i] = Math.max(-1, Math.min(1, v[c * 4 + i]));
            FidInceptionReference.Map3 up = FidInceptionReference.resize(new FidInceptionReference.Map3(1, 2, 2, plane), 299, 299);
            for (int i : new int[] {0, 1, 298, 299 * 150 + 77, 299 * 299 - 1}) {
                assertEquals(up.v()[i], fid[c * 299 * 299 + i], 1e-14);
                assertEquals(((up.v()[i] + 1) / 2 - mean[c]) / std[c], off[c * 299 * 299 + i], 1e-13);
            }
        }
    }

    @Test
    void loadRefusesDamagedFilesNamingTheKey() {
        FidInception shape = new FidInception(new Init(DType.F32, Device.CPU, new Rng(0)), 16);
        Map<String, double[]> w = InceptionWeights.random(shape, 1);
        Map<String, int[]> s = InceptionWeights.shapes(shape);

        Map<String, double[]> missing = new LinkedHashMap<>(w);
        missing.remove("Mixed_6b.branch7x7_2.bn.running_var");
        Path a = tmp.resolve("missing.h5");
        InceptionWeights.write(a, missing, s, DType.F32);
        assertMessage(a, "missing key 'Mixed_6b.branch7x7_2.bn.running_var'");

        Map<String, double[]> extra = new LinkedHashMap<>(w);
        extra.put("fc.weight", new double[] {1, 2});
        Map<String, int[]> s2 = new LinkedHashMap<>(s);
        s2.put("fc.weight", new int[] {2});
        Path b = tmp.resolve("extra.h5");
        InceptionWeights.write(b, extra, s2, DType.F32);
        assertMessage(b, "unexpected key 'fc.weight'");

        Map<String, int[]> transposed = new LinkedHashMap<>(s);
        int[] k = transposed.get("Mixed_7b.branch3x3_2a.conv.weight").clone();
        transposed.put("Mixed_7b.branch3x3_2a.conv.weight", new int[] {k[0], k[1], k[3], k[2]}); // 3x1 instead of 1x3
        Path c = tmp.resolve("shape.h5");
        InceptionWeights.write(c, w, transposed, DType.F32);
        assertMessage(c, "'Mixed_7b.branch3x3_2a.conv.weight' has shape");

        Path d = tmp.resolve("nogroup.h5");
        H5.writeAtomically(d, f -> f.putGroup("lpips").putDataset("x", new float[] {1}));
        assertMessage(d, "no group '/fid_inception'");
        assertMessage(tmp.resolve("absent.h5"), "no such file");
    }

    private static void assertMessage(Path file, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FidInception.load(file, DType.F32, Device.CPU, 16));
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void weightsHashIdentifiesTheValuesWhateverTheirDtype() {
        FidInception shape = new FidInception(new Init(DType.F32, Device.CPU, new Rng(0)), 16);
        Map<String, double[]> w = InceptionWeights.random(shape, 2);
        Path f32 = tmp.resolve("a.h5"), f64 = tmp.resolve("b.h5"), changed = tmp.resolve("c.h5");
        InceptionWeights.write(f32, w, InceptionWeights.shapes(shape), DType.F32);
        InceptionWeights.write(f64, w, InceptionWeights.shapes(shape), DType.F64);
        Map<String, double[]> w2 = new LinkedHashMap<>(w);
        double[] v = w2.get("Mixed_7c.branch_pool.bn.bias").clone();
        v[3] += 1e-3;
        w2.put("Mixed_7c.branch_pool.bn.bias", v);
        InceptionWeights.write(changed, w2, InceptionWeights.shapes(shape), DType.F32);
        String h = FidInception.load(f32, DType.F32, Device.CPU, 16).weightsHash();
        assertEquals(64, h.length());
        assertEquals(h, FidInception.load(f64, DType.F64, Device.CPU, 16).weightsHash());
        assertNotEquals(h, FidInception.load(changed, DType.F32, Device.CPU, 16).weightsHash());
    }
}

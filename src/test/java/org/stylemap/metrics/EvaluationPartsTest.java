package org.stylemap.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.Split;
import org.stylemap.edit.LocalEditError;
import org.stylemap.model.Init;
import org.stylemap.model.Lpips;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.TrainingState;

/** The metric loops on a tiny model, against the same quantities computed one image or pair at a time. */
class EvaluationPartsTest {
    @TempDir
    static Path dir;
    static ImageDataset data;
    static TrainingState model;
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    static final DType F32 = DType.F32;
    static final Device CPU = Device.CPU;

    @BeforeAll
    static void setUp() {
        Path file = dir.resolve("b16.h5");
        BuiltinDataset.write(file, 16);
        data = ImageDataset.open(file);
        model = TrainingState.fresh(TrainConfig.defaults().with(List.of("size=16", "latent_spatial_size=4", "channel_max=8",
                "latent_channel_size=8", "mapping_layer_num=2", "batch=2")));
    }

    @AfterAll
    static void close() {
        data.close();
    }

    private static Tensor val(int i) {
        return Fid.dataset(data, Split.VAL, F32, CPU).get(i, 1);
    }

    private static Tensor reconstruct(Tensor x) {
        return EightBit.round(model.gEma.synthesize(model.eEma.forward(x)));
    }

    @Test
    void reconstructionAveragesPerImageMseAndLpipsOverBatches() {
        Lpips lpips = new Lpips(new Init(F32, CPU, new Rng(8)), 4, 4, 8, 8, 8);
        Reconstruction.Result r = Reconstruction.measure(model.gEma, model.eEma, lpips, Fid.dataset(data, Split.VAL, F32, CPU), 5, 2, QUIET);
        double mse = 0, lp = 0;
        try (GradMode off = GradMode.off()) {
            for (int i = 0; i < 5; i++) {
                Tensor x = val(i), rec = reconstruct(x);
                double[] a = rec.toDoubleArray(), b = x.toDoubleArray();
                double s = 0;
                for (int j = 0; j < a.length; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
                mse += s / a.length / 5;
                lp += lpips.forward(rec, x).item() / 5;
            }
        }
        assertEquals(5, r.count());
        assertEquals(mse, r.mse(), 1e-6 * mse);
        assertEquals(lp, r.lpips(), 1e-5 * lp);
        assertTrue(lp > 0);
    }

    /** A part made of validation pairs (k, k + 10) with the given masks. */
    private static LocalEditing.Part part(String name, double[][] masks) {
        return new LocalEditing.Part() {
            @Override public String name() { return name; }

            @Override public int count() { return masks.length; }

            @Override
            public LocalEditing.PairBatch get(int from, int count) {
                double[] m = new double[count * 256];
                for (int i = 0; i < count; i++) System.arraycopy(masks[from + i], 0, m, i * 256, 256);
                ImageBatches v = Fid.dataset(data, Split.VAL, F32, CPU);
                return new LocalEditing.PairBatch(v.get(from, count), v.get(from + 10, count), Tensor.of(F32, CPU, m, count, 16, 16));
            }
        };
    }

    private static double[] half(int k) {
        double[] m = new double[256];
        LocalEditing.halfMask(k, 16, m, 0);
        return m;
    }

    @Test
    void localEditingSkipsEmptyMasksAndWeighsPartsEqually() {
        double[] empty = new double[256];
        java.util.Arrays.fill(empty, -1);
        double[][] a = {half(0), empty, half(2)}, b = {half(1)};
        LocalEditing.Result r = LocalEditing.measure(model.gEma, model.eEma, List.of(part("a", a), part("b", b)), false, 2, QUIET);
        assertEquals(3, r.pairs());
        assertEquals(1, r.skipped());
        double[] srcA = {0, 0}, refA = {0, 0};
        int used = 0;
        double srcB = 0, refB = 0;
        try (GradMode off = GradMode.off()) {
            for (int k : new int[] {0, 2, 100}) { // 100: part b's only pair (image 0 with mask half(1))
                int img = k == 100 ? 0 : k;
                double[] mask = k == 100 ? b[0] : a[k];
                Tensor src = val(img), ref = val(img + 10), m = Tensor.of(F32, CPU, mask, 1, 16, 16);
                Tensor edit = EightBit.round(model.gEma.editW(model.eEma.forward(src), model.eEma.forward(ref), m));
                LocalEditError.PerPair e = LocalEditError.measure(edit, src, ref, m);
                if (k == 100) {
                    srcB = e.mseSrc()[0];
                    refB = e.mseRef()[0];
                } else {
                    srcA[used] = e.mseSrc()[0];
                    refA[used++] = e.mseRef()[0];
                }
            }
        }
        double expectSrc = ((srcA[0] + srcA[1]) / 2 + srcB) / 2, expectRef = ((refA[0] + refA[1]) / 2 + refB) / 2;
        assertEquals(expectSrc, r.mseSrc(), 1e-6 * expectSrc);
        assertEquals(expectRef, r.mseRef(), 1e-6 * expectRef);
        assertEquals(refB, r.perPart().get("b")[1], 1e-6 * refB);
    }

    @Test
    void interpolatingBetweenOneProjectionGivesItsReconstruction() {
        int[] shape = new int[4];
        double[] w = Fid.project(model.eEma, data, Split.VAL, 1, 1, F32, CPU, shape);
        assertArrayEquals(new int[] {1, 8, 4, 4}, shape);
        double[] rec, lerp;
        try (GradMode off = GradMode.off()) {
            rec = reconstruct(val(0)).toDoubleArray();
            lerp = Fid.interpolated(model.gEma, w, shape, 5, F32, CPU).get(0, 3).toDoubleArray();
        }
        // lambda w + (1 - lambda) w = w up to one float rounding, which can move a pixel by one 8-bit level
        for (int i = 0; i < lerp.length; i++) assertEquals(rec[i % rec.length], lerp[i], 1.01 / 127.5);
    }

    @Test
    void halfMasksCycleThroughTheFourHalves() {
        double[] m = new double[4 * 16];
        for (int k = 0; k < 4; k++) LocalEditing.halfMask(k, 4, m, k * 16);
        // pixel (x=0, y=0) is in the left and top halves; pixel (3, 3) in the right and bottom ones
        assertEquals(List.of(1.0, -1.0, 1.0, -1.0), List.of(m[0], m[16], m[32], m[48]));
        assertEquals(List.of(-1.0, 1.0, -1.0, 1.0), List.of(m[15], m[31], m[47], m[63]));
        for (int k = 0; k < 4; k++) assertEquals(0, java.util.Arrays.stream(m, k * 16, k * 16 + 16).sum(), "half of pair " + k);
    }

    @Test
    void eightBitRoundingMatchesSaveImage() {
        // torchvision save_image: floor((clamp(x) + 1) / 2 * 255 + 0.5), read back as v / 127.5 - 1
        double[] x = {-2, -1, 0, 1 / 255.0, 0.999, 1, 3};
        double[] got = EightBit.round(Tensor.of(DType.F64, Device.CPU, x, 7)).toDoubleArray();
        double[] bytes = {0, 0, 128, 128, 255, 255, 255};
        for (int i = 0; i < x.length; i++) assertEquals(bytes[i] / 127.5 - 1, got[i], 1e-15, "x=" + x[i]);
    }
}

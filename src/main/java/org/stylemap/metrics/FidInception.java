package org.stylemap.metrics;

import io.jhdf.HdfFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.stylemap.io.H5;
import org.stylemap.model.Init;
import org.stylemap.nn.Module;
import org.stylemap.ops.Conv;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Pooling;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Resize;
import org.stylemap.ops.Views;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * The InceptionV3 of FID (pytorch-fid's port of TensorFlow's 2015-12-05 graph): torchvision's
 * Inception3 with the FID variants of its blocks (average pools that ignore the zero padding in
 * Mixed_5b-d, 6b-e and 7b; a max pool in Mixed_7c), up to the 2048-d global average pool.
 * BatchNorm runs in evaluation mode (eps 1e-3), folded into each convolution at run time.
 * Module names are torchvision's ("Mixed_6b.branch7x7_2.conv.weight"), so the state dict of
 * pytorch-fid's {@code fid_inception_v3()} loads by name (docs/FID.md). Weights are frozen.
 */
public final class FidInception extends Module {
    /** Where {@link #load} finds the state dict: datasets named by their dotted keys in this group. */
    public static final String H5_GROUP = "fid_inception";
    public static final int INPUT_SIZE = 299;
    public static final int FEATURES = 2048;
    private static final double BN_EPS = 1e-3;

    /** How images in [-1, 1] are brought to the network's input. */
    public enum Preprocess {
        /**
         * pytorch-fid: images as [0, 1] files, resized bilinearly to 299 and scaled to [-1, 1].
         * For our [-1, 1] tensors that is a clamp to [-1, 1] and the resize (both are linear maps
         * that commute with the affine rescaling).
         */
        PYTORCH_FID,
        /**
         * The official StyleMapGAN metrics/fid.py: clamp to [0, 1], resize, then ImageNet's
         * per-channel mean/std normalisation (not the range the FID weights were made for, but what
         * produced the paper's FID numbers).
         */
        STYLEMAPGAN;

        public static Preprocess parse(String s) {
            return switch (s) {
                case "pytorch_fid" -> PYTORCH_FID;
                case "stylemapgan" -> STYLEMAPGAN;
                default -> throw new IllegalArgumentException("unknown FID preprocessing '" + s + "' (pytorch_fid or stylemapgan)");
            };
        }

        public String label() {
            return name().toLowerCase();
        }
    }

    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    private final int divisor;
    private final BasicConv conv1a, conv2a, conv2b, conv3b, conv4a;
    private final List<Block> mixed = new ArrayList<>();
    private String hash;

    /** The FID InceptionV3 with random weights (real use goes through {@link #load}). */
    public FidInception(Init init) {
        this(init, 1);
    }

    /**
     * The same architecture with every channel count divided by divisor (a divisor of 16, e.g.):
     * tests run it at the real input size without VGG-sized costs. Feature dimension 2048 / divisor.
     */
    public FidInception(Init init, int divisor) {
        if (divisor < 1 || 16 % divisor != 0) throw new IllegalArgumentException("channel divisor must divide 16, got " + divisor);
        this.divisor = divisor;
        Layers l = new Layers(init, divisor);
        conv1a = module("Conv2d_1a_3x3", l.conv(3, 32, 3, 3, 2, 0, 0));
        conv2a = module("Conv2d_2a_3x3", l.conv(32, 32, 3, 3, 1, 0, 0));
        conv2b = module("Conv2d_2b_3x3", l.conv(32, 64, 3, 3, 1, 1, 1));
        conv3b = module("Conv2d_3b_1x1", l.conv(64, 80, 1, 1, 1, 0, 0));
        conv4a = module("Conv2d_4a_3x3", l.conv(80, 192, 3, 3, 1, 0, 0));
        mixed.add(module("Mixed_5b", new InceptionA(l, 192, 32)));
        mixed.add(module("Mixed_5c", new InceptionA(l, 256, 64)));
        mixed.add(module("Mixed_5d", new InceptionA(l, 288, 64)));
        mixed.add(module("Mixed_6a", new InceptionB(l, 288)));
        mixed.add(module("Mixed_6b", new InceptionC(l, 768, 128)));
        mixed.add(module("Mixed_6c", new InceptionC(l, 768, 160)));
        mixed.add(module("Mixed_6d", new InceptionC(l, 768, 160)));
        mixed.add(module("Mixed_6e", new InceptionC(l, 768, 192)));
        mixed.add(module("Mixed_7a", new InceptionD(l, 768)));
        mixed.add(module("Mixed_7b", new InceptionE(l, 1280, false)));
        mixed.add(module("Mixed_7c", new InceptionE(l, 2048, true)));
        setRequiresGrad(false);
        train(false);
    }

    /**
     * The network with the weights in group {@value #H5_GROUP} of an HDF5 file (docs/FID.md).
     *
     * @throws IllegalArgumentException one line naming the file and the key when the file is
     *     missing, unreadable, lacks a key, has an extra one or a tensor of the wrong shape
     */
    public static FidInception load(Path h5, DType dtype, Device device) {
        return load(h5, dtype, device, 1);
    }

    /** {@link #load(Path, DType, Device)} for a narrow network (tests). */
    static FidInception load(Path h5, DType dtype, Device device, int divisor) {
        try (HdfFile f = H5.open(h5)) {
            if (!H5.exists(f, H5_GROUP))
                throw new IllegalArgumentException(h5 + ": no group '/" + H5_GROUP + "' (export the weights as docs/FID.md shows)");
            // The seeded random weights are placeholders: loadStateDict overwrites every one of them.
            FidInception net = new FidInception(new Init(dtype, device, new Rng(0)), divisor);
            net.loadStateDict(H5.group(f, H5_GROUP, dtype, device), h5.toString());
            return net;
        }
    }

    /** Length of the feature vectors: 2048 for the real network. */
    public int featureDim() {
        return FEATURES / divisor;
    }

    /**
     * SHA-256 over every state-dict key, shape and value (as float32), in order: identifies the
     * weights in a statistics cache whatever dtype or file they were loaded from.
     */
    public String weightsHash() {
        if (hash == null) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                for (Map.Entry<String, Tensor> e : stateDict().entrySet()) {
                    md.update((e.getKey() + Shape.str(e.getValue().shape())).getBytes(StandardCharsets.UTF_8));
                    double[] v = e.getValue().toDoubleArray();
                    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                    for (double x : v) b.putFloat((float) x);
                    md.update(b.array());
                }
                hash = HexFormat.of().formatHex(md.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available", e);
            }
        }
        return hash;
    }

    /** The network input for images [N, 3, H, W] in [-1, 1]: [N, 3, 299, 299]. */
    public static Tensor preprocess(Tensor images, Preprocess mode) {
        Shape.check(images.rank() == 4 && images.shape(1) == 3, "FID Inception: needs RGB images [N,3,H,W], got " + Shape.str(images.shape()));
        Tensor x = clamp(images, -1, 1);
        if (mode == Preprocess.STYLEMAPGAN) {
            double[] scale = new double[3], shift = new double[3];
            for (int c = 0; c < 3; c++) {
                scale[c] = 0.5 / IMAGENET_STD[c];                   // ((x + 1) / 2 - mean) / std
                shift[c] = (0.5 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
            }
            x = Elementwise.add(Elementwise.mul(x, Tensor.of(x.dtype(), x.device(), scale, 1, 3, 1, 1)),
                    Tensor.of(x.dtype(), x.device(), shift, 1, 3, 1, 1));
        }
        // Both resizes and the affine maps are linear per channel, so their order does not matter.
        if (x.shape(2) != INPUT_SIZE || x.shape(3) != INPUT_SIZE) x = Resize.bilinear(x, INPUT_SIZE, INPUT_SIZE);
        return x;
    }

    /** The pool features [N, featureDim()] of images [N, 3, H, W] in [-1, 1]. */
    public Tensor features(Tensor images, Preprocess mode) {
        return forward(preprocess(images, mode));
    }

    /** The pool features [N, featureDim()] of an already preprocessed input [N, 3, H, W]. */
    public Tensor forward(Tensor x) {
        x = conv2b.forward(conv2a.forward(conv1a.forward(x)));
        x = Pooling.maxPool2d(x, 3, 2, 0);
        x = conv4a.forward(conv3b.forward(x));
        x = Pooling.maxPool2d(x, 3, 2, 0);
        for (Block b : mixed) x = b.forward(x);
        return Reductions.mean(x, new int[] {2, 3}, false);
    }

    private static Tensor clamp(Tensor x, double lo, double hi) {
        Tensor above = Elementwise.maximum(x, Tensor.scalar(x.dtype(), x.device(), lo));
        return Elementwise.neg(Elementwise.maximum(Elementwise.neg(above), Tensor.scalar(x.dtype(), x.device(), -hi)));
    }

    /** Makes the BasicConv2d layers, dividing channel counts (except the 3 input colours). */
    private record Layers(Init init, int divisor) {
        int ch(int c) {
            return c == 3 ? 3 : c / divisor;
        }

        BasicConv conv(int in, int out, int kh, int kw, int stride, int padH, int padW) {
            return new BasicConv(init, ch(in), ch(out), kh, kw, stride, padH, padW);
        }

        BasicConv conv1x1(int in, int out) {
            return conv(in, out, 1, 1, 1, 0, 0);
        }
    }

    /** torchvision's BasicConv2d: convolution without bias, BatchNorm (eval, eps 1e-3), ReLU. */
    private static final class BasicConv extends Module {
        private final Tensor weight, gamma, beta, runningMean, runningVar;
        private final int stride, padH, padW;

        BasicConv(Init init, int in, int out, int kh, int kw, int stride, int padH, int padW) {
            this.stride = stride;
            this.padH = padH;
            this.padW = padW;
            Weights conv = module("conv", new Weights());
            Weights bn = module("bn", new Weights());
            // Random placeholders of a sensible scale (He-normal weights, unit statistics), so a
            // random network keeps activations of order one through its depth.
            double std = Math.sqrt(2.0 / (in * kh * kw));
            weight = conv.param("weight", () -> Elementwise.scale(Tensor.randn(init.gen(), init.dtype(), init.device(), out, in, kh, kw), std));
            gamma = bn.param("weight", () -> Tensor.full(init.dtype(), init.device(), 1, out));
            beta = bn.param("bias", () -> Tensor.full(init.dtype(), init.device(), 0, out));
            runningMean = bn.buf("running_mean", () -> Tensor.full(init.dtype(), init.device(), 0, out));
            runningVar = bn.buf("running_var", () -> Tensor.full(init.dtype(), init.device(), 1, out));
        }

        Tensor forward(Tensor x) {
            // BatchNorm folded into the convolution: w * s and beta - mean * s with s = gamma / sqrt(var + eps).
            Tensor s = Elementwise.mul(gamma, Elementwise.rsqrt(Elementwise.addScalar(runningVar, BN_EPS)));
            Tensor w = Elementwise.mul(weight, Views.reshape(s, -1, 1, 1, 1));
            Tensor b = Elementwise.sub(beta, Elementwise.mul(runningMean, s));
            Tensor y = padH == padW ? Conv.conv2d(x, w, stride, padH, 1)
                    : Conv.conv2d(Views.pad(x, 0, 0, 0, 0, padH, padH, padW, padW), w, stride, 0, 1);
            return Elementwise.leakyRelu(Elementwise.add(y, Views.reshape(b, 1, -1, 1, 1)), 0);
        }
    }

    /** A leaf that only names tensors ("conv.weight", "bn.running_mean"). */
    private static final class Weights extends Module {
        Tensor param(String name, java.util.function.Supplier<Tensor> init) {
            return parameter(name, init);
        }

        Tensor buf(String name, java.util.function.Supplier<Tensor> init) {
            return buffer(name, init);
        }
    }

    private abstract static class Block extends Module {
        abstract Tensor forward(Tensor x);
    }

    /** Mixed_5b-d: 1x1 | 1x1, 5x5 | 1x1, 3x3, 3x3 | avg pool (padding excluded), 1x1. */
    private static final class InceptionA extends Block {
        private final BasicConv b1, b5a, b5b, d1, d2, d3, pool;

        InceptionA(Layers l, int in, int poolFeatures) {
            b1 = module("branch1x1", l.conv1x1(in, 64));
            b5a = module("branch5x5_1", l.conv1x1(in, 48));
            b5b = module("branch5x5_2", l.conv(48, 64, 5, 5, 1, 2, 2));
            d1 = module("branch3x3dbl_1", l.conv1x1(in, 64));
            d2 = module("branch3x3dbl_2", l.conv(64, 96, 3, 3, 1, 1, 1));
            d3 = module("branch3x3dbl_3", l.conv(96, 96, 3, 3, 1, 1, 1));
            pool = module("branch_pool", l.conv1x1(in, poolFeatures));
        }

        @Override
        Tensor forward(Tensor x) {
            return Views.concat(1, b1.forward(x), b5b.forward(b5a.forward(x)), d3.forward(d2.forward(d1.forward(x))),
                    pool.forward(Pooling.avgPool2dExcludePad(x, 3, 1, 1)));
        }
    }

    /** Mixed_6a (grid reduction): 3x3/2 | 1x1, 3x3, 3x3/2 | max pool 3/2. */
    private static final class InceptionB extends Block {
        private final BasicConv b3, d1, d2, d3;

        InceptionB(Layers l, int in) {
            b3 = module("branch3x3", l.conv(in, 384, 3, 3, 2, 0, 0));
            d1 = module("branch3x3dbl_1", l.conv1x1(in, 64));
            d2 = module("branch3x3dbl_2", l.conv(64, 96, 3, 3, 1, 1, 1));
            d3 = module("branch3x3dbl_3", l.conv(96, 96, 3, 3, 2, 0, 0));
        }

        @Override
        Tensor forward(Tensor x) {
            return Views.concat(1, b3.forward(x), d3.forward(d2.forward(d1.forward(x))), Pooling.maxPool2d(x, 3, 2, 0));
        }
    }

    /** Mixed_6b-e: 1x1 | 1x1, 1x7, 7x1 | 1x1, 7x1, 1x7, 7x1, 1x7 | avg pool (padding excluded), 1x1. */
    private static final class InceptionC extends Block {
        private final BasicConv b1, s1, s2, s3, d1, d2, d3, d4, d5, pool;

        InceptionC(Layers l, int in, int c7) {
            b1 = module("branch1x1", l.conv1x1(in, 192));
            s1 = module("branch7x7_1", l.conv1x1(in, c7));
            s2 = module("branch7x7_2", l.conv(c7, c7, 1, 7, 1, 0, 3));
            s3 = module("branch7x7_3", l.conv(c7, 192, 7, 1, 1, 3, 0));
            d1 = module("branch7x7dbl_1", l.conv1x1(in, c7));
            d2 = module("branch7x7dbl_2", l.conv(c7, c7, 7, 1, 1, 3, 0));
            d3 = module("branch7x7dbl_3", l.conv(c7, c7, 1, 7, 1, 0, 3));
            d4 = module("branch7x7dbl_4", l.conv(c7, c7, 7, 1, 1, 3, 0));
            d5 = module("branch7x7dbl_5", l.conv(c7, 192, 1, 7, 1, 0, 3));
            pool = module("branch_pool", l.conv1x1(in, 192));
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor dbl = d5.forward(d4.forward(d3.forward(d2.forward(d1.forward(x)))));
            return Views.concat(1, b1.forward(x), s3.forward(s2.forward(s1.forward(x))), dbl,
                    pool.forward(Pooling.avgPool2dExcludePad(x, 3, 1, 1)));
        }
    }

    /** Mixed_7a (grid reduction): 1x1, 3x3/2 | 1x1, 1x7, 7x1, 3x3/2 | max pool 3/2. */
    private static final class InceptionD extends Block {
        private final BasicConv a1, a2, b1, b2, b3, b4;

        InceptionD(Layers l, int in) {
            a1 = module("branch3x3_1", l.conv1x1(in, 192));
            a2 = module("branch3x3_2", l.conv(192, 320, 3, 3, 2, 0, 0));
            b1 = module("branch7x7x3_1", l.conv1x1(in, 192));
            b2 = module("branch7x7x3_2", l.conv(192, 192, 1, 7, 1, 0, 3));
            b3 = module("branch7x7x3_3", l.conv(192, 192, 7, 1, 1, 3, 0));
            b4 = module("branch7x7x3_4", l.conv(192, 192, 3, 3, 2, 0, 0));
        }

        @Override
        Tensor forward(Tensor x) {
            return Views.concat(1, a2.forward(a1.forward(x)), b4.forward(b3.forward(b2.forward(b1.forward(x)))),
                    Pooling.maxPool2d(x, 3, 2, 0));
        }
    }

    /**
     * Mixed_7b/7c: 1x1 | 1x1, (1x3 ‖ 3x1) | 1x1, 3x3, (1x3 ‖ 3x1) | pool, 1x1. The pool is an
     * average excluding padding in 7b (FIDInceptionE_1) and a 3x3/1 max pool in 7c (FIDInceptionE_2).
     */
    private static final class InceptionE extends Block {
        private final BasicConv b1, t1, t2a, t2b, d1, d2, d3a, d3b, pool;
        private final boolean maxPool;

        InceptionE(Layers l, int in, boolean maxPool) {
            this.maxPool = maxPool;
            b1 = module("branch1x1", l.conv1x1(in, 320));
            t1 = module("branch3x3_1", l.conv1x1(in, 384));
            t2a = module("branch3x3_2a", l.conv(384, 384, 1, 3, 1, 0, 1));
            t2b = module("branch3x3_2b", l.conv(384, 384, 3, 1, 1, 1, 0));
            d1 = module("branch3x3dbl_1", l.conv1x1(in, 448));
            d2 = module("branch3x3dbl_2", l.conv(448, 384, 3, 3, 1, 1, 1));
            d3a = module("branch3x3dbl_3a", l.conv(384, 384, 1, 3, 1, 0, 1));
            d3b = module("branch3x3dbl_3b", l.conv(384, 384, 3, 1, 1, 1, 0));
            pool = module("branch_pool", l.conv1x1(in, 192));
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor t = t1.forward(x), d = d2.forward(d1.forward(x));
            Tensor pooled = maxPool ? Pooling.maxPool2d(x, 3, 1, 1) : Pooling.avgPool2dExcludePad(x, 3, 1, 1);
            return Views.concat(1, b1.forward(x), Views.concat(1, t2a.forward(t), t2b.forward(t)),
                    Views.concat(1, d3a.forward(d), d3b.forward(d)), pool.forward(pooled));
        }
    }
}

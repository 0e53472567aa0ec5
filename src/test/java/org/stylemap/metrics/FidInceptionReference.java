package org.stylemap.metrics;

import java.util.Map;

/**
 * A plain-loop float64 transcription of pytorch-fid's InceptionV3 forward pass (torchvision's
 * Inception3 layers with the FIDInceptionA/C/E_1/E_2 blocks), written from the PyTorch module
 * definitions, for one image at a time. Weights come as flat arrays by state-dict key; BatchNorm
 * is applied as (x - mean) / sqrt(var + 1e-3) * gamma + beta, not folded.
 */
final class FidInceptionReference {
    /** One image's feature map: c planes of h x w. */
    record Map3(int c, int h, int w, double[] v) {
        double at(int ch, int y, int x) {
            return v[(ch * h + y) * w + x];
        }
    }

    private final Map<String, double[]> weights;
    private final Map<String, int[]> shapes;

    FidInceptionReference(Map<String, double[]> weights, Map<String, int[]> shapes) {
        this.weights = weights;
        this.shapes = shapes;
    }

    /** The 2048/divisor pool features of an image [3, H, W] that is already scaled to the network's input range. */
    double[] features(Map3 x) {
        x = resize(x, 299, 299);
        x = conv(x, "Conv2d_1a_3x3", 2, 0, 0);
        x = conv(x, "Conv2d_2a_3x3", 1, 0, 0);
        x = conv(x, "Conv2d_2b_3x3", 1, 1, 1);
        x = maxPool(x, 3, 2, 0);
        x = conv(x, "Conv2d_3b_1x1", 1, 0, 0);
        x = conv(x, "Conv2d_4a_3x3", 1, 0, 0);
        x = maxPool(x, 3, 2, 0);
        for (String b : new String[] {"Mixed_5b", "Mixed_5c", "Mixed_5d"}) x = inceptionA(x, b);
        x = inceptionB(x, "Mixed_6a");
        for (String b : new String[] {"Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"}) x = inceptionC(x, b);
        x = inceptionD(x, "Mixed_7a");
        x = inceptionE(x, "Mixed_7b", false);
        x = inceptionE(x, "Mixed_7c", true);
        double[] f = new double[x.c];
        for (int c = 0; c < x.c; c++) {
            double s = 0;
            for (int i = 0; i < x.h * x.w; i++) s += x.v[c * x.h * x.w + i];
            f[c] = s / (x.h * x.w);
        }
        return f;
    }

    private Map3 inceptionA(Map3 x, String p) {
        Map3 b1 = conv(x, p + ".branch1x1", 1, 0, 0);
        Map3 b5 = conv(conv(x, p + ".branch5x5_1", 1, 0, 0), p + ".branch5x5_2", 1, 2, 2);
        Map3 d = conv(conv(conv(x, p + ".branch3x3dbl_1", 1, 0, 0), p + ".branch3x3dbl_2", 1, 1, 1), p + ".branch3x3dbl_3", 1, 1, 1);
        Map3 pool = conv(avgPoolExcludingPadding(x), p + ".branch_pool", 1, 0, 0);
        return concat(b1, b5, d, pool);
    }

    private Map3 inceptionB(Map3 x, String p) {
        Map3 b3 = conv(x, p + ".branch3x3", 2, 0, 0);
        Map3 d = conv(conv(conv(x, p + ".branch3x3dbl_1", 1, 0, 0), p + ".branch3x3dbl_2", 1, 1, 1), p + ".branch3x3dbl_3", 2, 0, 0);
        return concat(b3, d, maxPool(x, 3, 2, 0));
    }

    private Map3 inceptionC(Map3 x, String p) {
        Map3 b1 = conv(x, p + ".branch1x1", 1, 0, 0);
        Map3 s = conv(x, p + ".branch7x7_1", 1, 0, 0);
        s = conv(s, p + ".branch7x7_2", 1, 0, 3);
        s = conv(s, p + ".branch7x7_3", 1, 3, 0);
        Map3 d = conv(x, p + ".branch7x7dbl_1", 1, 0, 0);
        d = conv(d, p + ".branch7x7dbl_2", 1, 3, 0);
        d = conv(d, p + ".branch7x7dbl_3", 1, 0, 3);
        d = conv(d, p + ".branch7x7dbl_4", 1, 3, 0);
        d = conv(d, p + ".branch7x7dbl_5", 1, 0, 3);
        Map3 pool = conv(avgPoolExcludingPadding(x), p + ".branch_pool", 1, 0, 0);
        return concat(b1, s, d, pool);
    }

    private Map3 inceptionD(Map3 x, String p) {
        Map3 a = conv(conv(x, p + ".branch3x3_1", 1, 0, 0), p + ".branch3x3_2", 2, 0, 0);
        Map3 b = conv(x, p + ".branch7x7x3_1", 1, 0, 0);
        b = conv(b, p + ".branch7x7x3_2", 1, 0, 3);
        b = conv(b, p + ".branch7x7x3_3", 1, 3, 0);
        b = conv(b, p + ".branch7x7x3_4", 2, 0, 0);
        return concat(a, b, maxPool(x, 3, 2, 0));
    }

    private Map3 inceptionE(Map3 x, String p, boolean maxPoolBranch) {
        Map3 b1 = conv(x, p + ".branch1x1", 1, 0, 0);
        Map3 t = conv(x, p + ".branch3x3_1", 1, 0, 0);
        Map3 t3 = concat(conv(t, p + ".branch3x3_2a", 1, 0, 1), conv(t, p + ".branch3x3_2b", 1, 1, 0));
        Map3 d = conv(conv(x, p + ".branch3x3dbl_1", 1, 0, 0), p + ".branch3x3dbl_2", 1, 1, 1);
        Map3 d3 = concat(conv(d, p + ".branch3x3dbl_3a", 1, 0, 1), conv(d, p + ".branch3x3dbl_3b", 1, 1, 0));
        Map3 pooled = maxPoolBranch ? maxPool(x, 3, 1, 1) : avgPoolExcludingPadding(x);
        return concat(b1, t3, d3, conv(pooled, p + ".branch_pool", 1, 0, 0));
    }

    /** BasicConv2d: convolution (no bias), BatchNorm in eval mode, ReLU. */
    private Map3 conv(Map3 x, String p, int stride, int padH, int padW) {
        double[] w = weights.get(p + ".conv.weight");
        int[] ws = shapes.get(p + ".conv.weight");
        int o = ws[0], kh = ws[2], kw = ws[3];
        if (ws[1] != x.c) throw new IllegalStateException(p + ": weight expects " + ws[1] + " channels, got " + x.c);
        double[] g = weights.get(p + ".bn.weight"), b = weights.get(p + ".bn.bias");
        double[] mean = weights.get(p + ".bn.running_mean"), var = weights.get(p + ".bn.running_var");
        int oh = (x.h + 2 * padH - kh) / stride + 1, ow = (x.w + 2 * padW - kw) / stride + 1;
        double[] y = new double[o * oh * ow];
        for (int oc = 0; oc < o; oc++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int c = 0; c < x.c; c++)
                        for (int a = 0; a < kh; a++)
                            for (int e = 0; e < kw; e++) {
                                int r = i * stride + a - padH, col = j * stride + e - padW;
                                if (r >= 0 && r < x.h && col >= 0 && col < x.w)
                                    s += w[((oc * x.c + c) * kh + a) * kw + e] * x.at(c, r, col);
                            }
                    double bn = (s - mean[oc]) / Math.sqrt(var[oc] + 1e-3) * g[oc] + b[oc];
                    y[(oc * oh + i) * ow + j] = Math.max(bn, 0);
                }
        return new Map3(o, oh, ow, y);
    }

    private static Map3 maxPool(Map3 x, int k, int stride, int pad) {
        int oh = (x.h + 2 * pad - k) / stride + 1, ow = (x.w + 2 * pad - k) / stride + 1;
        double[] y = new double[x.c * oh * ow];
        for (int c = 0; c < x.c; c++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++) {
                            int r = i * stride + a - pad, col = j * stride + b - pad;
                            if (r >= 0 && r < x.h && col >= 0 && col < x.w) m = Math.max(m, x.at(c, r, col));
                        }
                    y[(c * oh + i) * ow + j] = m;
                }
        return new Map3(x.c, oh, ow, y);
    }

    /** F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False). */
    private static Map3 avgPoolExcludingPadding(Map3 x) {
        double[] y = new double[x.v.length];
        for (int c = 0; c < x.c; c++)
            for (int i = 0; i < x.h; i++)
                for (int j = 0; j < x.w; j++) {
                    double s = 0;
                    int n = 0;
                    for (int r = i - 1; r <= i + 1; r++)
                        for (int col = j - 1; col <= j + 1; col++)
                            if (r >= 0 && r < x.h && col >= 0 && col < x.w) {
                                s += x.at(c, r, col);
                                n++;
                            }
                    y[(c * x.h + i) * x.w + j] = s / n;
                }
        return new Map3(x.c, x.h, x.w, y);
    }

    private static Map3 concat(Map3... parts) {
        int c = 0;
        for (Map3 p : parts) c += p.c;
        double[] v = new double[c * parts[0].h * parts[0].w];
        int at = 0;
        for (Map3 p : parts) {
            System.arraycopy(p.v, 0, v, at, p.v.length);
            at += p.v.length;
        }
        return new Map3(c, parts[0].h, parts[0].w, v);
    }

    /** F.interpolate(mode="bilinear", align_corners=False), sample by sample. */
    static Map3 resize(Map3 x, int oh, int ow) {
        double[] y = new double[x.c * oh * ow];
        for (int c = 0; c < x.c; c++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double sy = Math.max((i + 0.5) * x.h / oh - 0.5, 0), sx = Math.max((j + 0.5) * x.w / ow - 0.5, 0);
                    int y0 = (int) sy, x0 = (int) sx, y1 = Math.min(y0 + 1, x.h - 1), x1 = Math.min(x0 + 1, x.w - 1);
                    double fy = sy - y0, fx = sx - x0;
                    y[(c * oh + i) * ow + j] = (1 - fy) * ((1 - fx) * x.at(c, y0, x0) + fx * x.at(c, y0, x1))
                            + fy * ((1 - fx) * x.at(c, y1, x0) + fx * x.at(c, y1, x1));
                }
        return new Map3(x.c, oh, ow, y);
    }
}

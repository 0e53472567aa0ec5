package org.stylemap.model;

import java.util.Map;
import org.stylemap.tensor.Tensor;

/**
 * LPIPS written out with plain loops over double arrays, straight from the definition in the
 * official code (spec section 16), as an independent reference for LpipsTest. Weights are read
 * by their state dict names; the VGG16 feature indices are spelled out here, not derived.
 */
final class LpipsReference {
    private static final int[][] CONV_INDICES = {{0, 2}, {5, 7}, {10, 12, 14}, {17, 19, 21}, {24, 26, 28}};
    private static final double[] SHIFT = {(float) -0.030, (float) -0.088, (float) -0.188};
    private static final double[] SCALE = {(float) 0.458, (float) 0.448, (float) 0.450};

    private LpipsReference() {}

    /** One distance per sample of the [N, 3, H, W] images a and b. */
    static double[] distances(Map<String, Tensor> sd, Tensor a, Tensor b) {
        int n = a.shape(0), h = a.shape(2), w = a.shape(3);
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray(), out = new double[n];
        for (int i = 0; i < n; i++) {
            double[][][][] fa = features(sd, image(av, i, h, w)), fb = features(sd, image(bv, i, h, w));
            for (int k = 0; k < 5; k++) out[i] += layerDistance(fa[k], fb[k], sd.get("lin" + k + ".model.1.weight").toDoubleArray());
        }
        return out;
    }

    private static double[][][] image(double[] v, int i, int h, int w) {
        double[][][] x = new double[3][h][w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int z = 0; z < w; z++) x[c][y][z] = (v[((i * 3 + c) * h + y) * w + z] - SHIFT[c]) / SCALE[c];
        return x;
    }

    private static double[][][][] features(Map<String, Tensor> sd, double[][][] x) {
        double[][][][] taps = new double[5][][][];
        for (int s = 0; s < 5; s++) {
            if (s > 0) x = maxPool(x);
            for (int idx : CONV_INDICES[s]) {
                String p = "net.slice" + (s + 1) + "." + idx + ".";
                x = convReLU(x, sd.get(p + "weight").toDoubleArray(), sd.get(p + "bias").toDoubleArray());
            }
            taps[s] = x;
        }
        return taps;
    }

    /** relu(conv3x3(x, w) + b), zero padding 1. */
    private static double[][][] convReLU(double[][][] x, double[] w, double[] b) {
        int cin = x.length, h = x[0].length, wd = x[0][0].length, cout = b.length;
        double[][][] y = new double[cout][h][wd];
        for (int o = 0; o < cout; o++)
            for (int r = 0; r < h; r++)
                for (int c = 0; c < wd; c++) {
                    double s = b[o];
                    for (int i = 0; i < cin; i++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++) {
                                int yy = r + ky - 1, xx = c + kx - 1;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < wd) s += w[((o * cin + i) * 3 + ky) * 3 + kx] * x[i][yy][xx];
                            }
                    y[o][r][c] = Math.max(s, 0);
                }
        return y;
    }

    private static double[][][] maxPool(double[][][] x) {
        int h = x[0].length / 2, w = x[0][0].length / 2;
        double[][][] y = new double[x.length][h][w];
        for (int c = 0; c < x.length; c++)
            for (int r = 0; r < h; r++)
                for (int z = 0; z < w; z++)
                    y[c][r][z] = Math.max(Math.max(x[c][2 * r][2 * z], x[c][2 * r][2 * z + 1]),
                            Math.max(x[c][2 * r + 1][2 * z], x[c][2 * r + 1][2 * z + 1]));
        return y;
    }

    /** mean over pixels of sum_c lin_c (fa/|fa| - fb/|fb|)^2, norms over channels with eps 1e-10. */
    private static double layerDistance(double[][][] fa, double[][][] fb, double[] lin) {
        int ch = fa.length, h = fa[0].length, w = fa[0][0].length;
        double total = 0;
        for (int r = 0; r < h; r++)
            for (int z = 0; z < w; z++) {
                double na = 0, nb = 0;
                for (int c = 0; c < ch; c++) {
                    na += fa[c][r][z] * fa[c][r][z];
                    nb += fb[c][r][z] * fb[c][r][z];
                }
                na = Math.sqrt(na) + 1e-10;
                nb = Math.sqrt(nb) + 1e-10;
                for (int c = 0; c < ch; c++) {
                    double d = fa[c][r][z] / na - fb[c][r][z] / nb;
                    total += lin[c] * d * d;
                }
            }
        return total / (h * w);
    }
}

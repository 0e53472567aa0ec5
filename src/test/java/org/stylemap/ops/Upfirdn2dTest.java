package org.stylemap.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class Upfirdn2dTest {

    /** StyleGAN's make_kernel([1,3,3,1]) (size 4) or [1,2,1] (size 3): outer product, normalised to sum 1. */
    static Tensor blurKernel(int size) {
        double[] k1 = size == 4 ? new double[] {1, 3, 3, 1} : new double[] {1, 2, 1};
        double sum = 0;
        double[] k = new double[size * size];
        for (int i = 0; i < size; i++) for (int j = 0; j < size; j++) sum += k[i * size + j] = k1[i] * k1[j];
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        return of(k, size, size);
    }

    /** Zero-stuff, pad (negative crops), true convolution (flipped kernel), downsample: the literal definition. */
    static double[] reference(double[] x, int[] xs, double[] k, int kh, int kw, int upX, int upY, int downX, int downY,
                              int padX0, int padX1, int padY0, int padY1) {
        int n = xs[0] * xs[1], h = xs[2], w = xs[3];
        int uh = h * upY, uw = w * upX;
        int ph = uh + padY0 + padY1, pw = uw + padX0 + padX1;
        int ch = ph - kh + 1, cw = pw - kw + 1;
        int oh = (ch - 1) / downY + 1, ow = (cw - 1) / downX + 1;
        double[] out = new double[n * oh * ow];
        for (int p = 0; p < n; p++) {
            double[] up = new double[uh * uw];
            for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) up[i * upY * uw + j * upX] = x[(p * h + i) * w + j];
            double[] pad = new double[ph * pw];
            for (int r = 0; r < ph; r++)
                for (int c = 0; c < pw; c++) {
                    int ur = r - padY0, uc = c - padX0;
                    if (ur >= 0 && ur < uh && uc >= 0 && uc < uw) pad[r * pw + c] = up[ur * uw + uc];
                }
            double[] conv = new double[ch * cw];
            for (int r = 0; r < ch; r++)
                for (int c = 0; c < cw; c++) {
                    double s = 0;
                    // true convolution: out[r][c] = sum k[a][b] * in[r + kh-1-a][c + kw-1-b]
                    for (int a = 0; a < kh; a++) for (int b = 0; b < kw; b++) s += k[a * kw + b] * pad[(r + kh - 1 - a) * pw + c + kw - 1 - b];
                    conv[r * cw + c] = s;
                }
            for (int r = 0; r < oh; r++) for (int c = 0; c < ow; c++) out[(p * oh + r) * ow + c] = conv[r * downY * cw + c * downX];
        }
        return out;
    }

    private static void check(Tensor x, Tensor k, int upX, int upY, int downX, int downY, int padX0, int padX1, int padY0, int padY1,
                              int expectH, int expectW) {
        Tensor y = Upfirdn2d.apply(x, k, upX, upY, downX, downY, padX0, padX1, padY0, padY1);
        assertShape(y, x.shape(0), x.shape(1), expectH, expectW);
        double[] ref = reference(x.toDoubleArray(), x.shape(), k.toDoubleArray(), k.shape(0), k.shape(1), upX, upY, downX, downY,
                padX0, padX1, padY0, padY1);
        assertClose(ref, y, 1e-14);
        assertGradOk(t -> Upfirdn2d.apply(t[0], k, upX, upY, downX, downY, padX0, padX1, padY0, padY1), x);
    }

    @Test
    void styleGanUpsample() {
        // Upsample(factor 2): kernel * 4, pads (2, 1); output exactly 2x
        Tensor k = blurKernel(4).mul(4);
        check(randn(1, 1, 2, 5, 3), k, 2, 2, 1, 1, 2, 1, 2, 1, 10, 6);
        check(randn(2, 2, 1, 4, 4), k, 2, 2, 1, 1, 2, 1, 2, 1, 8, 8);
        check(randn(3, 1, 1, 1, 1), k, 2, 2, 1, 1, 2, 1, 2, 1, 2, 2);
    }

    @Test
    void styleGanDownsample() {
        // Downsample(factor 2): pads (1, 1)
        Tensor k = blurKernel(4);
        check(randn(4, 1, 2, 6, 8), k, 1, 1, 2, 2, 1, 1, 1, 1, 3, 4);
        check(randn(5, 2, 1, 7, 5), k, 1, 1, 2, 2, 1, 1, 1, 1, 3, 2);   // odd sizes floor
    }

    @Test
    void pureBlurWithPad() {
        // Blur before a stride-2 3x3 conv: pads (2, 2) keep the size + 1; pads (1, 2) keep it
        Tensor k = blurKernel(4);
        check(randn(6, 1, 2, 5, 5), k, 1, 1, 1, 1, 2, 2, 2, 2, 6, 6);
        check(randn(7, 2, 1, 3, 7), k, 1, 1, 1, 1, 1, 2, 1, 2, 3, 7);
        check(randn(8, 1, 1, 5, 3), blurKernel(3), 1, 1, 1, 1, 1, 1, 1, 1, 5, 3);
    }

    @Test
    void blurKernelIsNormalised() {
        double[] k = blurKernel(4).toDoubleArray();
        double s = 0;
        for (double v : k) s += v;
        assertEquals(1, s, 1e-15);
        assertEquals(9.0 / 64, k[1 * 4 + 1], 1e-15);
        assertEquals(1.0 / 64, k[0], 1e-15);
    }

    @Test
    void constantImageStaysConstantInsideWhenBlurred() {
        Tensor x = Tensor.full(DType.F64, CPU, 2.5, 1, 1, 6, 6);
        double[] y = Upfirdn2d.apply(x, blurKernel(4), 1, 1, 0, 0).toDoubleArray();   // valid blur: 3x3
        assertEquals(9, y.length);
        for (double v : y) assertEquals(2.5, v, 1e-14);
    }

    @Test
    void flipIsTestedWithANonSymmetricKernel() {
        // A delta at the kernel's (0, 1) position: a true convolution shifts the image by (0, +1) (right),
        // a correlation would shift it left. 1x1 input padded by 2: the output is the kernel itself.
        double[] kv = new double[9];
        kv[1] = 1;
        Tensor k = of(kv, 3, 3);
        Tensor x = of(new double[] {1}, 1, 1, 1, 1);
        double[] y = Upfirdn2d.apply(x, k, 1, 1, 2, 2).toDoubleArray();   // 3x3 output
        assertArrayEquals(kv, y, 0.0);   // convolving a delta with k gives k (unflipped)
        Tensor img = randn(9, 1, 1, 4, 4);
        double[] iv = img.toDoubleArray(), shifted = Upfirdn2d.apply(img, k, 1, 1, 1, 1).toDoubleArray();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                // out(i, j) = sum_ab k[a][b] padded[i + 2 - a][j + 2 - b]; only a = 0, b = 1: padded (i+2, j+1) = in (i+1, j)
                double expect = i + 1 < 4 ? iv[(i + 1) * 4 + j] : 0;
                assertEquals(expect, shifted[i * 4 + j], 0.0, "at " + i + "," + j);
            }
    }

    @Test
    void theFlipFlagReadsTheKernelRotatedWithoutCopyingIt() {
        // The backward passes flipKernel to the primitive instead of flipping the kernel on the host.
        Tensor x = randn(21, 2, 3, 5, 7), k = randn(22, 3, 4);
        double[] kv = k.toDoubleArray(), rotated = new double[kv.length];
        for (int i = 0; i < kv.length; i++) rotated[i] = kv[kv.length - 1 - i];
        Tensor viaFlag = Tensor.empty(DType.F64, CPU, 2, 3, 7, 8), viaCopy = Tensor.empty(DType.F64, CPU, 2, 3, 7, 8);
        x.backend().upfirdn2d(x, k, true, 1, 1, 1, 1, 2, 1, 2, 2, viaFlag);
        x.backend().upfirdn2d(x, of(rotated, 3, 4), false, 1, 1, 1, 1, 2, 1, 2, 2, viaCopy);
        assertArrayEquals(viaCopy.toDoubleArray(), viaFlag.toDoubleArray(), 0.0);
        Tensor xg = randn(23, 1, 2, 4, 4).requiresGrad(true);
        long reads = Tensor.hostReads();
        org.stylemap.autograd.Autograd.backward(Reductions.sum(Upfirdn2d.apply(xg, k, 2, 1, 2, 1), null, false));
        assertEquals(0, Tensor.hostReads() - reads, "no host round trip in the forward or the backward");
    }

    @Test
    void nonSymmetricRandomKernels() {
        Tensor k = randn(10, 3, 4);
        check(randn(11, 1, 2, 5, 3), k, 1, 1, 1, 1, 2, 1, 1, 1, 5, 3);
        check(randn(12, 1, 1, 5, 7), k, 2, 2, 1, 1, 2, 2, 1, 1, 10, 15);
        check(randn(13, 2, 1, 7, 5), k, 1, 1, 2, 2, 1, 2, 1, 1, 4, 3);
        check(randn(14, 1, 1, 3, 5), randn(15, 2, 2), 2, 2, 2, 2, 1, 0, 0, 1, 3, 5);
        check(randn(15, 1, 1, 1, 1), randn(16, 3, 3), 1, 1, 1, 1, 2, 2, 2, 2, 3, 3);
    }

    @ParameterizedTest
    // upX, upY, downX, downY, padX0, padX1, padY0, padY1
    @CsvSource({
            "2, 1, 1, 2, 1, 0, 0, 2",
            "1, 2, 2, 1, 0, 1, 2, 1",
            "2, 2, 1, 1, -1, 0, 0, -1",
            "1, 1, 2, 2, -1, 2, 2, -1",
            "3, 1, 1, 3, 2, 1, 1, 1"})
    void separateXandYParameters(int upX, int upY, int downX, int downY, int padX0, int padX1, int padY0, int padY1) {
        Tensor k = randn(20, 3, 2);   // KH=3, KW=2: a transposed kernel would not even fit the expected shapes
        Tensor x = randn(21, 1, 2, 5, 3);
        int oh = Math.floorDiv(5 * upY + padY0 + padY1 - 3, downY) + 1, ow = Math.floorDiv(3 * upX + padX0 + padX1 - 2, downX) + 1;
        check(x, k, upX, upY, downX, downY, padX0, padX1, padY0, padY1, oh, ow);
    }

    @Test
    void float32MatchesReference() {
        Tensor x = randn(30, 1, 2, 5, 4), k = randn(31, 3, 3);
        Tensor y = Upfirdn2d.apply(x.to(DType.F32), k.to(DType.F32), 2, 1, 1, 1);
        assertEquals(DType.F32, y.dtype());
        assertClose(reference(x.toDoubleArray(), x.shape(), k.toDoubleArray(), 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), y, 1e-5);
    }

    /**
     * float32 without resampling (the blur of every resampling layer) against the float64
     * reference: wide and narrow planes (row ends on and off the vector length), asymmetric,
     * negative (cropping) and kernel-wide pads, a non-symmetric kernel so a missing flip shows.
     */
    @ParameterizedTest
    // h, w, padX0, padX1, padY0, padY1
    @CsvSource({"33, 33, 1, 1, 1, 1", "16, 16, 2, 2, 2, 2", "7, 37, 2, 1, 1, 2", "9, 5, -1, 2, 0, -1", "5, 18, 3, 3, 3, 3",
            "1, 1, 3, 0, 0, 3"})
    void float32BlurMatchesReference(int h, int w, int padX0, int padX1, int padY0, int padY1) {
        Tensor x = randn(40 + h, 2, 3, h, w), k = randn(41, 4, 3);
        Tensor y = Upfirdn2d.apply(x.to(DType.F32), k.to(DType.F32), 1, 1, 1, 1, padX0, padX1, padY0, padY1);
        double[] ref = reference(x.to(DType.F32).toDoubleArray(), x.shape(), k.to(DType.F32).toDoubleArray(), 4, 3, 1, 1, 1, 1,
                padX0, padX1, padY0, padY1);
        assertShape(y, 2, 3, h + padY0 + padY1 - 3, w + padX0 + padX1 - 2);
        assertClose(ref, y, 1e-5);
    }

    @Test
    void nonContiguousInput() {
        Tensor big = randn(32, 1, 2, 5, 7);
        Tensor view = big.transpose(2, 3).slice(2, 1, 6);   // [1,2,5,5]
        Tensor k = blurKernel(4);
        assertClose(reference(view.contiguous().toDoubleArray(), view.shape(), k.toDoubleArray(), 4, 4, 1, 1, 2, 2, 1, 1, 1, 1),
                Upfirdn2d.apply(view, k, 1, 2, 1, 1), 1e-14);
        assertGradOk(t -> Upfirdn2d.apply(t[0].transpose(2, 3).slice(2, 1, 6), k, 1, 2, 1, 1), big);
    }

    @Test
    void kernelOfAnotherDtypeIsNotMisread() {
        Tensor x = randn(33, 1, 1, 4, 4), k = blurKernel(4);
        double[] ref = reference(x.toDoubleArray(), x.shape(), k.toDoubleArray(), 4, 4, 1, 1, 1, 1, 2, 1, 2, 1);
        for (Tensor[] pair : new Tensor[][] {{x.to(DType.F32), k}, {x, k.to(DType.F32)}}) {
            try {
                assertClose(ref, Upfirdn2d.apply(pair[0], pair[1], 1, 1, 2, 1), 1e-6);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("upfirdn2d") && e.getMessage().contains("dtype"), e.getMessage());
            }
        }
    }

    @Test
    void kernelMustBeConstant() {
        Tensor k = blurKernel(4).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> Upfirdn2d.apply(randn(1, 1, 1, 4, 4), k, 1, 1, 1, 1));
    }

    @Test
    void secondOrder() {
        Tensor x = randn(40, 1, 2, 4, 3);
        Tensor k = blurKernel(4);
        assertSecondOk(t -> Upfirdn2d.apply(t[0], k.mul(4), 2, 1, 2, 1).square(), x);
        assertSecondOk(t -> Upfirdn2d.apply(t[0].exp(), k, 1, 2, 1, 1), x);
        Tensor kr = randn(41, 3, 2);
        assertSecondOk(t -> Upfirdn2d.apply(t[0], kr, 2, 1, 1, 2, 1, 0, 0, 2).square(), x);
        assertSecondOk(t -> Upfirdn2d.apply(t[0], kr, 1, 1, 2, 2, -1, 2, 2, -1).square(), randn(42, 1, 1, 5, 5));
    }
}

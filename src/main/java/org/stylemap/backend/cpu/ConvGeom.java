package org.stylemap.backend.cpu;

/**
 * The shape of one 2-D convolution (NCHW input, OIHW weight, dilation 1): n images of c channels
 * and h x w pixels, o output channels, a kh x kw kernel, strides sh, sw, symmetric zero padding
 * ph, pw, and groups (c and o divisible by it).
 */
public record ConvGeom(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int groups) {
    public ConvGeom {
        if (n < 0 || c <= 0 || h <= 0 || w <= 0 || o <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0
                || groups <= 0 || c % groups != 0 || o % groups != 0)
            throw new IllegalArgumentException("bad convolution geometry: " + fields());
        if (h + 2 * ph < kh || w + 2 * pw < kw)
            throw new IllegalArgumentException("kernel larger than the padded input: " + fields());
    }

    private String fields() {
        return "n=" + n + " c=" + c + " h=" + h + " w=" + w + " o=" + o + " k=" + kh + "x" + kw + " stride=" + sh + "x" + sw
                + " pad=" + ph + "x" + pw + " groups=" + groups;
    }

    public int oh() { return (h + 2 * ph - kh) / sh + 1; }

    public int ow() { return (w + 2 * pw - kw) / sw + 1; }

    /** Input channels per group. */
    public int cg() { return c / groups; }

    /** Output channels per group. */
    public int og() { return o / groups; }

    /** Rows of one group's im2col matrix: its input channels times the kernel window. */
    public int colRows() { return cg() * kh * kw; }

    /** Multiply-adds times two, the usual FLOP count of forward (and of each backward pass). */
    public double flops() { return 2.0 * n * o * oh() * ow() * cg() * kh * kw; }

    /** A 1x1, stride-1, unpadded convolution: the input already is its im2col matrix. */
    boolean pointwise() { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }
}

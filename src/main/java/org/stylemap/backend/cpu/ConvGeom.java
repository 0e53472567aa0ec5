package org.stylemap.backend.cpu;

/** Placeholder until the fast kernels land. */
public record ConvGeom(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int groups) {
    public int oh() { return (h + 2 * ph - kh) / sh + 1; }
    public int ow() { return (w + 2 * pw - kw) / sw + 1; }
}

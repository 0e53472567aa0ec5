package org.stylemap.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D convolutions (cross-correlation as in PyTorch's conv2d) on dense NCHW tensors with OIHW
 * weights, dilation 1. Most are lowered to {@link Gemm}: the im2col matrix of one group holds a
 * row per (input channel, kernel row, kernel column) and a column per output pixel, and is built
 * a band of output rows at a time into a per-thread scratch buffer, so it stays cache-sized
 * however big the image. Pointwise (1x1, stride 1, unpadded) convolutions skip it: the input
 * already is that matrix. Convolutions with one input channel per group (depthwise) are too thin
 * for a GEMM and run directly. Copies move raw elements, so one path serves float32 and float64;
 * only sums look at the element type, and float32 at stride 1 has vectorised depthwise kernels
 * ({@link DepthwiseF32}) beside the plain loops, which double as the float64 reference. Work is split over images,
 * bands, channels or planes with {@link Parallel}.
 */
public final class ConvKernels {
    /**
     * Target size of one im2col band: big enough to amortise packing the weights, small enough to
     * stay in cache between im2col and the GEMM. Measured on Zen 5 (1 MiB L2), N=8 C=128 64x64
     * 3x3, one thread, both vector widths: 1 MiB bands are 6-10% faster than 4 MiB for forward
     * and weight gradient; backward-data is 4% faster with 4 MiB (its band is the GEMM's output).
     */
    private static final long BAND_BYTES = 1L << 20, DATA_BAND_BYTES = 4L << 20;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ConvKernels() {}

    /** y[N,O,OH,OW] = conv2d(x[N,C,H,W], w[O,C/G,KH,KW]); y is overwritten. */
    public static void forward(boolean f64, ConvGeom g, MemorySegment x, MemorySegment w, MemorySegment y) {
        int es = f64 ? Double.BYTES : Float.BYTES, og = g.og(), kk = g.colRows(), p = g.oh() * g.ow();
        if (g.pointwise()) {
            // One GEMM per group, batched over images: y[n, group] = w[group] * x[n, group].
            for (int grp = 0; grp < g.groups(); grp++)
                Gemm.gemmBatched(f64, false, false, g.n(), og, p, kk, 1, w, (long) grp * og * kk, kk, 0,
                        x, (long) grp * g.cg() * p, p, (long) g.c() * p, 0, y, (long) grp * og * p, p, (long) g.o() * p);
            return;
        }
        if (g.cg() == 1) {
            directPlanes(f64, g, false, x, w, y);
            return;
        }
        Bands bands = Bands.plan(g, kk, es, BAND_BYTES);
        Parallel.forRange(g.groups() * bands.count(), 1, (from, to) -> {
            MemorySegment col = Scratch.get(Scratch.COL, (long) kk * bands.maxColumns(g.ow()) * es);
            for (int it = from; it < to; it++) {
                int grp = it / bands.count(), b = it % bands.count(), r0 = bands.start(b), r1 = bands.end(b);
                int np = (r1 - r0) * g.ow();
                for (int r = r0; r < r1; ) {
                    int n = r / g.oh(), oh0 = r % g.oh(), oh1 = Math.min(g.oh(), oh0 + r1 - r);
                    im2col(es, g, x, ((long) n * g.c() + (long) grp * g.cg()) * g.h() * g.w(), g.cg(), oh0, oh1,
                            col, (long) (r - r0) * g.ow(), np);
                    r += oh1 - oh0;
                }
                int n0 = r0 / g.oh();
                long yOff = ((long) n0 * g.o() + (long) grp * og) * p + (long) (r0 % g.oh()) * g.ow();
                if (bands.withinImage(b)) {
                    Gemm.gemm(f64, false, false, og, np, kk, 1, w, (long) grp * og * kk, kk, col, 0, np, 0, y, yOff, p);
                    continue;
                }
                // Several whole images: their outputs are og x p blocks, one per image, so the
                // product goes to scratch first and its columns are handed out image by image.
                MemorySegment out = Scratch.get(Scratch.OUT, (long) og * np * es);
                Gemm.gemm(f64, false, false, og, np, kk, 1, w, (long) grp * og * kk, kk, col, 0, np, 0, out, 0, np);
                for (int q = 0; q < np / p; q++)
                    for (int o = 0; o < og; o++)
                        MemorySegment.copy(out, ((long) o * np + (long) q * p) * es, y, (yOff + (long) q * g.o() * p + (long) o * p) * es,
                                (long) p * es);
            }
        });
    }

    /**
     * dx[N,C,H,W] = the adjoint of {@link #forward} with respect to x applied to dy[N,O,OH,OW]
     * (PyTorch's conv_transpose2d(dy, w, stride, padding) when the sizes match); dx is overwritten.
     */
    public static void backwardData(boolean f64, ConvGeom g, MemorySegment dy, MemorySegment w, MemorySegment dx) {
        int es = f64 ? Double.BYTES : Float.BYTES, og = g.og(), kk = g.colRows(), p = g.oh() * g.ow();
        if (g.pointwise()) {
            for (int grp = 0; grp < g.groups(); grp++)
                Gemm.gemmBatched(f64, true, false, g.n(), kk, p, og, 1, w, (long) grp * og * kk, kk, 0,
                        dy, (long) grp * og * p, p, (long) g.o() * p, 0, dx, (long) grp * g.cg() * p, p, (long) g.c() * p);
            return;
        }
        if (g.cg() == 1) {
            directPlanes(f64, g, true, dy, w, dx);
            return;
        }
        Bands bands = Bands.plan(g, kk, es, DATA_BAND_BYTES);
        int hw = g.h() * g.w();
        // Bands of one image overlap in dx (halo rows), so an image cut into bands is one work
        // item; bands of whole images are items of their own.
        int perItem = bands.imagesPerBand() == 0 ? bands.count() / g.n() : 1;
        Parallel.forRange(g.groups() * bands.count() / perItem, 1, (from, to) -> {
            MemorySegment col = Scratch.get(Scratch.COL, (long) kk * bands.maxColumns(g.ow()) * es);
            for (int it = from; it < to; it++) {
                int grp = it / (bands.count() / perItem), first = it % (bands.count() / perItem) * perItem;
                int n0 = bands.start(first) / g.oh(), n1 = ceilDiv(bands.end(first + perItem - 1), g.oh());
                for (int n = n0; n < n1; n++)
                    dx.asSlice(((long) n * g.c() + (long) grp * g.cg()) * hw * es, (long) g.cg() * hw * es).fill((byte) 0);
                for (int b = first; b < first + perItem; b++) {
                    int r0 = bands.start(b), r1 = bands.end(b), np = (r1 - r0) * g.ow();
                    long dyOff = ((long) (r0 / g.oh()) * g.o() + (long) grp * og) * p + (long) (r0 % g.oh()) * g.ow();
                    // col = w[group]^T * dy[band]; dy of several whole images is gathered into one og x np matrix first.
                    MemorySegment b2 = dy;
                    long bOff = dyOff;
                    int ldb = p;
                    if (!bands.withinImage(b)) {
                        b2 = Scratch.get(Scratch.OUT, (long) og * np * es);
                        for (int q = 0; q < np / p; q++)
                            for (int o = 0; o < og; o++)
                                MemorySegment.copy(dy, (dyOff + (long) q * g.o() * p + (long) o * p) * es, b2,
                                        ((long) o * np + (long) q * p) * es, (long) p * es);
                        bOff = 0;
                        ldb = np;
                    }
                    Gemm.gemm(f64, true, false, kk, np, og, 1, w, (long) grp * og * kk, kk, b2, bOff, ldb, 0, col, 0, np);
                    for (int r = r0; r < r1; ) {
                        int n = r / g.oh(), oh0 = r % g.oh(), oh1 = Math.min(g.oh(), oh0 + r1 - r);
                        col2im(f64, g, col, (long) (r - r0) * g.ow(), np, dx, ((long) n * g.c() + (long) grp * g.cg()) * hw, oh0, oh1);
                        r += oh1 - oh0;
                    }
                }
            }
        });
    }

    /**
     * dw[O,C/G,KH,KW] = the adjoint of {@link #forward} with respect to w, i.e. the sum over
     * images and output pixels of dy times the matching input window; dw is overwritten.
     */
    public static void backwardWeight(boolean f64, ConvGeom g, MemorySegment x, MemorySegment dy, MemorySegment dw) {
        int es = f64 ? Double.BYTES : Float.BYTES, og = g.og(), kk = g.colRows(), p = g.oh() * g.ow();
        int khw = g.kh() * g.kw(), hw = g.h() * g.w();
        if (g.n() == 0) {
            dw.asSlice(0, (long) g.o() * kk * es).fill((byte) 0);
            return;
        }
        if (g.cg() == 1 && !g.pointwise()) {
            directWeight(f64, g, x, dy, dw);
            return;
        }
        // The reduction runs over pixels, along which both x and dy are contiguous. Transposing dy
        // once to [N, pixel, O] lets the GEMM read it as rows, and computing dw^T = col * dy^T
        // lets the im2col band play the operand that needs no transpose either.
        MemorySegment dyT = Scratch.get(Scratch.DY_T, (long) g.n() * g.o() * p * es);
        Parallel.forRange(g.n(), 1, (from, to) -> {
            for (int n = from; n < to; n++)
                transpose(es, dy, (long) n * g.o() * p, g.o(), p, dyT, (long) n * g.o() * p);
        });
        // Threads split the input channels of each group: each owns rows of dw^T, so nothing needs summing.
        MemorySegment dwT = Scratch.get(Scratch.DW_T, (long) g.o() * kk * es);
        int splits = Math.max(1, Math.min(g.cg(), ceilDiv(Parallel.THREADS, g.groups())));
        // Bands run over (image, output row) pairs: the pixels of consecutive images are consecutive
        // rows of dy^T, so a band may span images, which keeps K long when images are small.
        int outRows = g.n() * g.oh();
        Parallel.forRange(g.groups() * splits, 1, (from, to) -> {
            for (int it = from; it < to; it++) {
                int grp = it / splits, part = it % splits;
                int c0 = (int) ((long) g.cg() * part / splits), c1 = (int) ((long) g.cg() * (part + 1) / splits);
                int rows = (c1 - c0) * khw;
                if (rows == 0) continue;
                // A pointwise conv reads its input planes in place, so its bands stay within one image.
                // Bands are sized for the whole group, not this thread's share of it: they cut the
                // sum over pixels, whose order must not depend on the thread count.
                int band = g.pointwise() ? g.oh() : Bands.budgetRows(g, g.cg() * khw, es, BAND_BYTES);
                MemorySegment col = g.pointwise() ? null : Scratch.get(Scratch.COL, (long) rows * band * g.ow() * es);
                long cOff = ((long) grp * kk + (long) c0 * khw) * og;
                for (int r0 = 0; r0 < outRows; r0 += band) {
                    int r1 = Math.min(outRows, r0 + band), np = (r1 - r0) * g.ow();
                    long dyOff = (long) r0 * g.ow() * g.o() + (long) grp * og;
                    MemorySegment a = x;
                    long aOff;
                    int lda;
                    if (g.pointwise()) {
                        aOff = ((long) (r0 / g.oh()) * g.c() + (long) grp * g.cg() + c0) * hw;
                        lda = p;
                    } else {
                        for (int r = r0; r < r1; ) {
                            int n = r / g.oh(), oh0 = r % g.oh(), oh1 = Math.min(g.oh(), oh0 + r1 - r);
                            im2col(es, g, x, ((long) n * g.c() + (long) grp * g.cg() + c0) * hw, c1 - c0, oh0, oh1,
                                    col, (long) (r - r0) * g.ow(), np);
                            r += oh1 - oh0;
                        }
                        a = col;
                        aOff = 0;
                        lda = np;
                    }
                    Gemm.gemm(f64, false, false, rows, og, np, 1, a, aOff, lda, dyT, dyOff, g.o(), r0 == 0 ? 0 : 1, dwT, cOff, og);
                }
            }
        });
        Parallel.forRange(g.groups(), 1, (from, to) -> {
            for (int grp = from; grp < to; grp++)
                transpose(es, dwT, (long) grp * kk * og, kk, og, dw, (long) grp * og * kk);
        });
    }

    /** Columns a band should have at least: each band's GEMM packs the weights once, so a narrow band spends its time packing. */
    private static final int MIN_BAND_COLUMNS = 256;

    /**
     * How the N * OH output rows (image-major) are cut into im2col bands: into pieces of one
     * image of `rows` rows when an image's columns exceed the budget (imagesPerBand == 0), else
     * into runs of imagesPerBand whole images, spread evenly over at least as many bands as
     * threads where there are enough images. Either way a band has at least MIN_BAND_COLUMNS
     * columns where the images allow. Only forward and backward-data use the whole-image runs;
     * their bands cut no sum, so the thread count may shape them.
     */
    private record Bands(int n, int oh, int rows, int imagesPerBand) {
        static Bands plan(ConvGeom g, int colRows, int es, long bandBytes) {
            int rows = budgetRows(g, colRows, es, bandBytes);
            if (rows < g.oh()) {
                int pieces = ceilDiv(g.oh(), rows);
                return new Bands(g.n(), g.oh(), ceilDiv(g.oh(), pieces), 0);
            }
            int most = Math.min(g.n(), rows / g.oh()), count = Math.max(ceilDiv(g.n(), most), Math.min(g.n(), Parallel.THREADS));
            return new Bands(g.n(), g.oh(), 0, ceilDiv(g.n(), count));
        }

        /** Output rows that fit bandBytes of im2col, at least MIN_BAND_COLUMNS columns' worth. */
        static int budgetRows(ConvGeom g, int colRows, int es, long bandBytes) {
            long fit = Math.max(1, bandBytes / ((long) colRows * g.ow() * es));
            return (int) Math.min((long) g.n() * g.oh(), Math.max(fit, ceilDiv(MIN_BAND_COLUMNS, g.ow())));
        }

        int count() {
            return imagesPerBand == 0 ? n * ceilDiv(oh, rows) : ceilDiv(n, imagesPerBand);
        }

        /** First output row (image-major) of band b. */
        int start(int b) {
            if (imagesPerBand > 0) return b * imagesPerBand * oh;
            int pieces = ceilDiv(oh, rows);
            return b / pieces * oh + b % pieces * rows;
        }

        int end(int b) {
            if (imagesPerBand > 0) return Math.min(n, (b + 1) * imagesPerBand) * oh;
            return Math.min(b / ceilDiv(oh, rows) * oh + oh, start(b) + rows);
        }

        boolean withinImage(int b) {
            return end(b) - start(b) <= oh;
        }

        /** Columns of the widest band, for scratch sizes. */
        int maxColumns(int ow) {
            return (imagesPerBand > 0 ? imagesPerBand * oh : rows) * ow;
        }
    }

    /** One kernel tap's footprint on a band of output rows; see {@link #forEachTap}. */
    @FunctionalInterface
    private interface TapVisitor {
        void visit(int c, int i, int j, int ohLo, int ohHi, int lo, int hi);
    }

    /**
     * Visits, in im2col row order, every tap (channel c < channels, kernel row i, column j) for
     * the output rows [oh0, oh1). Rows in [ohLo, ohHi) read input row ih = oh*sh - ph + i inside
     * the image, and of those, columns in [lo, hi) read input column ow*sw - pw + j inside it;
     * every other output position of the band reads zero padding. Both ranges may be empty.
     */
    private static void forEachTap(ConvGeom g, int channels, int oh0, int oh1, TapVisitor v) {
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < g.kh(); i++) {
                int ohLo = Math.max(oh0, firstInside(i - g.ph(), g.sh()));
                int ohHi = Math.max(ohLo, Math.min(oh1, endInside(i - g.ph(), g.sh(), g.h(), g.oh())));
                for (int j = 0; j < g.kw(); j++) {
                    int lo = firstInside(j - g.pw(), g.sw()), hi = Math.max(lo, endInside(j - g.pw(), g.sw(), g.w(), g.ow()));
                    v.visit(c, i, j, ohLo, lo < hi ? ohHi : ohLo, lo, hi);
                }
            }
    }

    /** The first output index o with o * stride + shift >= 0. */
    private static int firstInside(int shift, int stride) {
        return shift >= 0 ? 0 : ceilDiv(-shift, stride);
    }

    /** One past the last output index o < out with o * stride + shift < extent. */
    private static int endInside(int shift, int stride, int extent, int out) {
        return extent - 1 - shift < 0 ? 0 : Math.min(out, (extent - 1 - shift) / stride + 1);
    }

    /** Index of input (oh*sh - ph + i, ow*sw - pw + j) within a plane. */
    private static long inputAt(ConvGeom g, int oh, int i, int ow, int j) {
        return (long) (oh * g.sh() - g.ph() + i) * g.w() + (long) ow * g.sw() - g.pw() + j;
    }

    /** Row of the im2col matrix (or band) that holds tap (c, i, j). */
    private static long colRow(ConvGeom g, int c, int i, int j) {
        return ((long) c * g.kh() + i) * g.kw() + j;
    }

    /**
     * Writes the im2col band of channels [0, channels) of the input planes at x[xOff] for output
     * rows [oh0, oh1): row (c, i, j), column (oh - oh0) * OW + ow holds x[c, oh*sh - ph + i,
     * ow*sw - pw + j], or zero where that falls in the padding. Row r of the band starts at
     * col[colOff + r * ld].
     */
    private static void im2col(int es, ConvGeom g, MemorySegment x, long xOff, int channels, int oh0, int oh1,
                               MemorySegment col, long colOff, long ld) {
        if (es == Float.BYTES) {
            im2colF32(g, x, xOff, channels, oh0, oh1, col, colOff, ld);
            return;
        }
        int ow = g.ow(), sw = g.sw();
        long hw = (long) g.h() * g.w();
        forEachTap(g, channels, oh0, oh1, (c, i, j, ohLo, ohHi, lo, hi) -> {
            long row = colOff + colRow(g, c, i, j) * ld;
            zero(es, col, row, (long) (ohLo - oh0) * ow);
            zero(es, col, row + (long) (ohHi - oh0) * ow, (long) (oh1 - ohHi) * ow);
            for (int oh = ohLo; oh < ohHi; oh++) {
                long dst = row + (long) (oh - oh0) * ow, src = xOff + c * hw + inputAt(g, oh, i, lo, j);
                zero(es, col, dst, lo);
                zero(es, col, dst + hi, ow - hi);
                if (sw == 1) {
                    MemorySegment.copy(x, src * es, col, (dst + lo) * es, (long) (hi - lo) * es);
                } else {
                    for (int t = lo; t < hi; t++, src += sw) copyElement(es, x, src, col, dst + t);
                }
            }
        });
    }

    /**
     * The adjoint of im2col: adds each element of the col band for output rows [oh0, oh1) (row r
     * of the band at col[colOff + r * ld]) onto the input position it was copied from, in the
     * planes at dx[dxOff] (all cg channels of a group).
     */
    private static void col2im(boolean f64, ConvGeom g, MemorySegment col, long colOff, long ld, MemorySegment dx, long dxOff,
                               int oh0, int oh1) {
        if (!f64) {
            col2imF32(g, col, colOff, ld, dx, dxOff, oh0, oh1);
            return;
        }
        int ow = g.ow();
        long hw = (long) g.h() * g.w();
        forEachTap(g, g.cg(), oh0, oh1, (c, i, j, ohLo, ohHi, lo, hi) -> {
            long row = colOff + colRow(g, c, i, j) * ld;
            for (int oh = ohLo; oh < ohHi; oh++)
                axpy(f64, 1, col, row + (long) (oh - oh0) * ow + lo, 1, dx, dxOff + c * hw + inputAt(g, oh, i, lo, j),
                        g.sw(), hi - lo);
        });
    }

    /**
     * {@link #im2col} in float32 through heap buffers (see {@link HeapPlanes}): per channel, the
     * input rows the band reads are copied once into a zero-bordered plane, every tap's rows are
     * gathered from it with array copies (no padding cases left), and the channel's block of
     * kh * kw rows goes to col in bulk.
     */
    private static void im2colF32(ConvGeom g, MemorySegment x, long xOff, int channels, int oh0, int oh1,
                                  MemorySegment col, long colOff, long ld) {
        int ow = g.ow(), sh = g.sh(), sw = g.sw(), taps = g.kh() * g.kw();
        int rows = (oh1 - oh0 - 1) * sh + g.kh(), width = (ow - 1) * sw + g.kw(), nb = (oh1 - oh0) * ow;
        HeapPlanes hp = HeapPlanes.local();
        float[] plane = hp.get(HeapPlanes.PLANE, rows * width), block = hp.get(HeapPlanes.AUX, taps * nb);
        long hw = (long) g.h() * g.w();
        for (int c = 0; c < channels; c++) {
            HeapPlanes.pad(plane, x, xOff + c * hw, g.h(), g.w(), g.ph() - oh0 * sh, g.pw(), rows, width, rows);
            for (int i = 0, d = 0; i < g.kh(); i++)
                for (int j = 0; j < g.kw(); j++)
                    for (int r = 0; r < oh1 - oh0; r++, d += ow) {
                        int s = (r * sh + i) * width + j;
                        if (sw == 1) System.arraycopy(plane, s, block, d, ow);
                        else for (int t = 0; t < ow; t++) block[d + t] = plane[s + t * sw];
                    }
            long row0 = colOff + colRow(g, c, 0, 0) * ld;
            if (ld == nb) {
                MemorySegment.copy(block, 0, col, ValueLayout.JAVA_FLOAT, row0 * Float.BYTES, taps * nb);
            } else {
                for (int t = 0; t < taps; t++)
                    MemorySegment.copy(block, t * nb, col, ValueLayout.JAVA_FLOAT, (row0 + t * ld) * Float.BYTES, nb);
            }
        }
    }

    /**
     * {@link #col2im} in float32 through heap buffers: per channel, the band's kh * kw col rows
     * come over in one bulk copy, every tap adds its rows into a zero-bordered plane of the input
     * rows the band touches (taps in im2col order), and that plane's inside is added onto dx.
     */
    private static void col2imF32(ConvGeom g, MemorySegment col, long colOff, long ld, MemorySegment dx, long dxOff, int oh0, int oh1) {
        int ow = g.ow(), sh = g.sh(), sw = g.sw(), taps = g.kh() * g.kw(), w = g.w();
        int rows = (oh1 - oh0 - 1) * sh + g.kh(), width = (ow - 1) * sw + g.kw(), nb = (oh1 - oh0) * ow;
        int ih0 = oh0 * sh - g.ph(), r0 = Math.max(0, -ih0), r1 = Math.min(rows, g.h() - ih0);
        int iw1 = Math.min(w, width - g.pw());
        HeapPlanes hp = HeapPlanes.local();
        float[] plane = hp.get(HeapPlanes.PLANE, rows * width), block = hp.get(HeapPlanes.AUX, taps * nb);
        float[] row = hp.get(HeapPlanes.OUT, w);
        long hw = (long) g.h() * w;
        for (int c = 0; c < g.cg(); c++) {
            long row0 = colOff + colRow(g, c, 0, 0) * ld;
            if (ld == nb) {
                MemorySegment.copy(col, ValueLayout.JAVA_FLOAT, row0 * Float.BYTES, block, 0, taps * nb);
            } else {
                for (int t = 0; t < taps; t++)
                    MemorySegment.copy(col, ValueLayout.JAVA_FLOAT, (row0 + t * ld) * Float.BYTES, block, t * nb, nb);
            }
            java.util.Arrays.fill(plane, 0, rows * width, 0f);
            for (int i = 0, d = 0; i < g.kh(); i++)
                for (int j = 0; j < g.kw(); j++)
                    for (int r = 0; r < oh1 - oh0; r++, d += ow) {
                        int s = (r * sh + i) * width + j;
                        if (sw == 1) addInto(plane, s, block, d, ow);
                        else for (int t = 0; t < ow; t++) plane[s + t * sw] += block[d + t];
                    }
            // Padded column iw + pw holds input column iw; the padding itself is dropped.
            for (int r = r0; r < r1 && iw1 > 0; r++) {
                long at = (dxOff + c * hw + (long) (ih0 + r) * w) * Float.BYTES;
                MemorySegment.copy(dx, ValueLayout.JAVA_FLOAT, at, row, 0, iw1);
                addInto(row, 0, plane, r * width + g.pw(), iw1);
                MemorySegment.copy(row, 0, dx, ValueLayout.JAVA_FLOAT, at, iw1);
            }
        }
    }

    /**
     * dst[d + t] += src[s + t] for t < n, in explicit vectors with a masked last step: a plain
     * loop made backward-data 15% slower on 64x64 images, a scalar tail twice as slow on 8x8.
     */
    private static void addInto(float[] dst, int d, float[] src, int s, int n) {
        for (int t = 0; t < n; t += F.length()) {
            VectorMask<Float> m = F.indexInRange(t, n);
            FloatVector.fromArray(F, dst, d + t, m).add(FloatVector.fromArray(F, src, s + t, m)).intoArray(dst, d + t, m);
        }
    }

    /**
     * Convolutions with one input channel per group (depthwise, e.g. a per-channel blur) are
     * far too thin for a GEMM, so they run directly, one plane at a time. With adjoint, computes
     * {@link #backwardData} (src = dy, dst = dx) instead of {@link #forward} (src = x, dst = y);
     * dst is overwritten. float32 at stride 1 takes {@link DepthwiseF32}; everything else the
     * plain loop below, where each tap adds a scaled, shifted copy of one plane onto another.
     */
    private static void directPlanes(boolean f64, ConvGeom g, boolean adjoint, MemorySegment src, MemorySegment w,
                                     MemorySegment dst) {
        int es = f64 ? Double.BYTES : Float.BYTES, og = g.og(), taps = g.kh() * g.kw();
        long hw = (long) g.h() * g.w(), p = (long) g.oh() * g.ow();
        int planes = adjoint ? g.c() : g.o();
        boolean fast = !f64 && g.sh() == 1 && g.sw() == 1;
        Parallel.forRange(g.n() * planes, 1, (from, to) -> {
            float[] tapsF32 = new float[taps];
            HeapPlanes hp = fast ? HeapPlanes.local() : null;
            for (int it = from; it < to; it++) {
                int n = it / planes, q = it % planes;
                long dstPlane = it * (adjoint ? hw : p);
                if (!fast) zero(es, dst, dstPlane, adjoint ? hw : p);
                // Forward: output channel q reads input channel q / og; adjoint: input channel q gets og outputs.
                int o0 = adjoint ? q * og : q, o1 = adjoint ? o0 + og : q + 1;
                for (int o = o0; o < o1; o++) {
                    long xPlane = ((long) n * g.c() + o / og) * hw, yPlane = ((long) n * g.o() + o) * p;
                    long wo = (long) o * taps;
                    if (fast) {
                        // At stride 1 the adjoint is itself a correlation: of dy, with the kernel flipped and padding k - 1 - p.
                        for (int t = 0; t < taps; t++)
                            tapsF32[t] = w.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, wo + (adjoint ? taps - 1 - t : t));
                        if (adjoint)
                            DepthwiseF32.correlate(hp, src, yPlane, g.oh(), g.ow(), g.kh() - 1 - g.ph(), g.kw() - 1 - g.pw(), tapsF32,
                                    g.kh(), g.kw(), dst, dstPlane, g.h(), g.w(), o > o0);
                        else
                            DepthwiseF32.correlate(hp, src, xPlane, g.h(), g.w(), g.ph(), g.pw(), tapsF32, g.kh(), g.kw(),
                                    dst, dstPlane, g.oh(), g.ow(), false);
                        continue;
                    }
                    forEachTap(g, 1, 0, g.oh(), (c, i, j, ohLo, ohHi, lo, hi) -> {
                        double wv = Gemm.get(f64, w, wo + (long) i * g.kw() + j);
                        for (int oh = ohLo; oh < ohHi; oh++) {
                            long xi = xPlane + inputAt(g, oh, i, lo, j), yi = yPlane + (long) oh * g.ow() + lo;
                            if (adjoint) axpy(f64, wv, src, yi, 1, dst, xi, g.sw(), hi - lo);
                            else axpy(f64, wv, src, xi, g.sw(), dst, yi, 1, hi - lo);
                        }
                    });
                }
            }
        });
    }

    /**
     * {@link #backwardWeight} for one input channel per group: each weight is a sum of dot
     * products of rows; float32 at stride 1 takes {@link DepthwiseF32#weight}.
     */
    private static void directWeight(boolean f64, ConvGeom g, MemorySegment x, MemorySegment dy, MemorySegment dw) {
        int og = g.og(), taps = g.kh() * g.kw();
        long hw = (long) g.h() * g.w(), p = (long) g.oh() * g.ow();
        boolean fast = !f64 && g.sh() == 1 && g.sw() == 1;
        Parallel.forRange(g.o(), 1, (from, to) -> {
            double[] acc = new double[taps];
            HeapPlanes hp = fast ? HeapPlanes.local() : null;
            for (int o = from; o < to; o++) {
                java.util.Arrays.fill(acc, 0);
                for (int n = 0; n < g.n(); n++) {
                    long xPlane = ((long) n * g.c() + o / og) * hw, yPlane = ((long) n * g.o() + o) * p;
                    if (fast) {
                        DepthwiseF32.weight(hp, x, xPlane, g.h(), g.w(), g.ph(), g.pw(), dy, yPlane, g.oh(), g.ow(), g.kh(), g.kw(), acc);
                        continue;
                    }
                    forEachTap(g, 1, 0, g.oh(), (c, i, j, ohLo, ohHi, lo, hi) -> {
                        for (int oh = ohLo; oh < ohHi; oh++)
                            acc[i * g.kw() + j] += dot(f64, dy, yPlane + (long) oh * g.ow() + lo, 1,
                                    x, xPlane + inputAt(g, oh, i, lo, j), g.sw(), hi - lo);
                    });
                }
                for (int t = 0; t < taps; t++) Gemm.put(f64, dw, (long) o * taps + t, acc[t]);
            }
        });
    }


    /** dst[d + t * ds] += a * src[s + t * ss] for t < n. */
    private static void axpy(boolean f64, double a, MemorySegment src, long s, int ss, MemorySegment dst, long d, int ds, int n) {
        if (!f64 && ss == 1 && ds == 1) {
            // Runs are short (one image row): the ragged end is one masked vector, not a scalar loop.
            FloatVector va = FloatVector.broadcast(F, (float) a);
            long sb = s * Float.BYTES, db = d * Float.BYTES;
            int bulk = F.loopBound(n);
            for (int t = 0; t < bulk; t += F.length()) {
                long o = (long) t * Float.BYTES;
                FloatVector.fromMemorySegment(F, src, sb + o, NATIVE)
                        .fma(va, FloatVector.fromMemorySegment(F, dst, db + o, NATIVE)).intoMemorySegment(dst, db + o, NATIVE);
            }
            if (bulk < n) {
                long o = (long) bulk * Float.BYTES;
                VectorMask<Float> m = F.indexInRange(bulk, n);
                FloatVector.fromMemorySegment(F, src, sb + o, NATIVE, m)
                        .fma(va, FloatVector.fromMemorySegment(F, dst, db + o, NATIVE, m)).intoMemorySegment(dst, db + o, NATIVE, m);
            }
            return;
        }
        for (int t = 0; t < n; t++, s += ss, d += ds) Gemm.put(f64, dst, d, Gemm.get(f64, dst, d) + a * Gemm.get(f64, src, s));
    }

    /** The sum of a[ai + t * as] * b[bi + t * bs] for t < n; only the plain path uses it (float32 at stride 1 has its own). */
    private static double dot(boolean f64, MemorySegment a, long ai, int as, MemorySegment b, long bi, int bs, int n) {
        double sum = 0;
        for (int t = 0; t < n; t++, ai += as, bi += bs) sum += Gemm.get(f64, a, ai) * Gemm.get(f64, b, bi);
        return sum;
    }

    /** Edge of the square tiles a transpose works in. */
    private static final int TILE = 64;

    /**
     * dst[dOff + c * rows + r] = src[sOff + r * cols + c]: a rows x cols matrix transposed, a
     * tile at a time. float32 tiles go through on-heap arrays, copied in and out a row at a time
     * in bulk: far faster than element-wise memory-segment accesses, each of which is checked.
     */
    private static void transpose(int es, MemorySegment src, long sOff, int rows, int cols, MemorySegment dst, long dOff) {
        float[] in = es == Float.BYTES ? new float[TILE * TILE] : null, out = in == null ? null : new float[TILE * TILE];
        for (int r0 = 0; r0 < rows; r0 += TILE)
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int rn = Math.min(TILE, rows - r0), cn = Math.min(TILE, cols - c0);
                if (in == null) {
                    for (int r = r0; r < r0 + rn; r++)
                        for (int c = c0; c < c0 + cn; c++)
                            copyElement(es, src, sOff + (long) r * cols + c, dst, dOff + (long) c * rows + r);
                    continue;
                }
                for (int r = 0; r < rn; r++) {
                    long from = (sOff + (long) (r0 + r) * cols + c0) * Float.BYTES;
                    MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, from, in, r * TILE, cn);
                }
                for (int r = 0; r < rn; r++)
                    for (int c = 0; c < cn; c++) out[c * TILE + r] = in[r * TILE + c];
                for (int c = 0; c < cn; c++) {
                    long to = (dOff + (long) (c0 + c) * rows + r0) * Float.BYTES;
                    MemorySegment.copy(out, c * TILE, dst, ValueLayout.JAVA_FLOAT, to, rn);
                }
            }
    }

    private static void copyElement(int es, MemorySegment src, long s, MemorySegment dst, long d) {
        if (es == Double.BYTES)
            dst.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, d, src.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, s));
        else
            dst.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, d, src.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, s));
    }

    private static void zero(int es, MemorySegment seg, long at, long n) {
        if (n > 0) seg.asSlice(at * es, n * es).fill((byte) 0);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Per-thread native buffers, kept and grown across calls: convolutions run thousands of
     * times per training step and their scratch is megabytes. A slot is only used between the
     * start and end of one kernel call on its thread.
     */
    private static final class Scratch {
        static final int COL = 0, DY_T = 1, DW_T = 2, OUT = 3;
        private static final ThreadLocal<MemorySegment[]> SLOTS = ThreadLocal.withInitial(() -> new MemorySegment[4]);

        /** A buffer of at least bytes bytes, contents undefined. */
        static MemorySegment get(int slot, long bytes) {
            MemorySegment[] slots = SLOTS.get();
            MemorySegment s = slots[slot];
            if (s == null || s.byteSize() < bytes) {
                // Grow geometrically; the old buffer goes when the GC collects it.
                long size = Math.max(bytes, s == null ? 0 : s.byteSize() * 3 / 2);
                slots[slot] = s = Arena.ofAuto().allocate(Math.max(size, 64), 64);
            }
            return s;
        }
    }
}

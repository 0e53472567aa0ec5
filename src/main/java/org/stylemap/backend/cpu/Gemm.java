package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense matrix products on off-heap row-major matrices; offsets and leading dimensions count
 * elements. float32 runs a cache-blocked, packed, register-blocked Vector API kernel on all
 * cores; float64 runs a plain i-k-j loop that stays the readable reference (its sizes are small:
 * gradient checks and parity tests).
 */
public final class Gemm {
    private Gemm() {}

    /**
     * C = alpha * op(A) * op(B) + beta * C. op(A) is M x K and op(B) is K x N. With transA, A is
     * stored K x M (lda >= M) instead of M x K (lda >= K); likewise B. beta == 0 overwrites C
     * (its old contents, even NaN, are ignored); otherwise C is scaled and accumulated into.
     */
    public static void gemm(boolean f64, boolean transA, boolean transB, int M, int N, int K,
                            double alpha, MemorySegment a, long aOff, int lda,
                            MemorySegment b, long bOff, int ldb,
                            double beta, MemorySegment c, long cOff, int ldc) {
        gemmBatched(f64, transA, transB, 1, M, N, K, alpha, a, aOff, lda, 0, b, bOff, ldb, 0, beta, c, cOff, ldc, 0);
    }

    /**
     * {@link #gemm} for batch independent products; matrix i of X starts at xOff + i * strideX
     * (stride 0 broadcasts one matrix to every product). The C matrices must not overlap.
     */
    public static void gemmBatched(boolean f64, boolean transA, boolean transB, int batch, int M, int N, int K,
                                   double alpha, MemorySegment a, long aOff, int lda, long strideA,
                                   MemorySegment b, long bOff, int ldb, long strideB,
                                   double beta, MemorySegment c, long cOff, int ldc, long strideC) {
        if (batch < 0 || M < 0 || N < 0 || K < 0) throw new IllegalArgumentException("negative GEMM size");
        if (batch == 0 || M == 0 || N == 0) return;
        // A leading dimension only matters when its matrix has more than one row.
        if (tooSmall(lda, transA, M, K) || tooSmall(ldb, transB, K, N) || tooSmall(ldc, false, M, N))
            throw new IllegalArgumentException("leading dimension too small: lda=" + lda + " ldb=" + ldb + " ldc=" + ldc
                    + " for " + (transA ? "A^T " : "") + (transB ? "B^T " : "") + M + "x" + N + "x" + K);
        Operand A = Operand.of(a, aOff, lda, !transA), B = Operand.of(b, bOff, ldb, transB);
        if (K == 0 || alpha == 0) {
            // BLAS convention: A and B are not read, C only scaled.
            forPieces(batch, M, Math.max(1, (1 << 16) / N), (p, i0, i1) ->
                    scale(f64, c, cOff + p * strideC + (long) i0 * ldc, ldc, i1 - i0, N, beta));
        } else if (f64) {
            Reference.run(batch, M, N, K, alpha, A, strideA, B, strideB, beta, c, cOff, ldc, strideC);
        } else {
            f32().run(batch, M, N, K, (float) alpha, A, strideA, B, strideB, (float) beta, c, cOff, ldc, strideC);
        }
    }

    /** Whether ld is too small for an op(X) of rows x cols stored row-major (transposed: cols x rows). */
    private static boolean tooSmall(int ld, boolean trans, int rows, int cols) {
        int stored = trans ? cols : rows, width = trans ? rows : cols;
        return stored > 1 && ld < width;
    }

    /**
     * A GEMM operand seen as rows t (A's rows, or B's columns) of K elements: element (t, k) lives
     * at off + t * st + k * sk. Both packing and the reference loop only need this view.
     */
    record Operand(MemorySegment seg, long off, long st, long sk) {
        static Operand of(MemorySegment seg, long off, int ld, boolean kContiguous) {
            return kContiguous ? new Operand(seg, off, ld, 1) : new Operand(seg, off, 1, ld);
        }

        /** The same operand starting at row t of product p. */
        Operand at(long pOffset, long t) {
            return new Operand(seg, off + pOffset + t * st, st, sk);
        }
    }

    @FunctionalInterface
    private interface PieceBody {
        void run(long product, int from, int to);
    }

    /**
     * Runs body over batch products each cut into units pieces, in parallel chunks of at least
     * grain pieces. The pieces of one product that fall into one chunk come as one range, so each
     * thread packs operands once per product it touches.
     */
    private static void forPieces(int batch, int units, int grain, PieceBody body) {
        long total = (long) batch * units;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("GEMM batch too large: " + total);
        Parallel.forRange((int) total, grain, (from, to) -> {
            for (int it = from; it < to; ) {
                int p = it / units, u0 = it % units, u1 = Math.min(units, u0 + (to - it));
                body.run(p, u0, u1);
                it += u1 - u0;
            }
        });
    }

    /** C = beta * C over an m x n block (beta == 0 writes zeros). */
    private static void scale(boolean f64, MemorySegment c, long off, int ldc, int m, int n, double beta) {
        for (int i = 0; i < m; i++)
            for (long j = off + (long) i * ldc, end = j + n; j < end; j++)
                put(f64, c, j, beta == 0 ? 0 : beta * get(f64, c, j));
    }

    // Scalar accesses use the unaligned layouts: the data is aligned anyway, and the aligned
    // layouts' per-access alignment check is not always hoisted out of loops.
    static double get(boolean f64, MemorySegment s, long i) {
        return f64 ? s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i) : s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
    }

    static void put(boolean f64, MemorySegment s, long i, double v) {
        if (f64) s.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, v);
        else s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) v);
    }

    /** c[at] = alpha * sum + beta * c[at] in float32, c[at] unread when beta == 0. */
    private static void storeF32(MemorySegment c, long at, float alpha, float beta, float sum) {
        float v = alpha * sum;
        if (beta != 0) v += beta * c.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at);
        c.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at, v);
    }

    /** The float64 path: i-k-j loops (the inner loop walks a row of C), parallel over rows. */
    private static final class Reference {
        static void run(int batch, int M, int N, int K, double alpha, Operand A, long strideA,
                        Operand B, long strideB, double beta, MemorySegment c, long cOff, int ldc, long strideC) {
            int grain = (int) Math.max(1, (1L << 16) / ((long) N * K));
            forPieces(batch, M, grain, (p, i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    long crow = cOff + p * strideC + (long) i * ldc;
                    scale(true, c, crow, ldc, 1, N, beta);
                    for (int k = 0; k < K; k++) {
                        double aik = alpha * get(true, A.seg(), A.off() + p * strideA + i * A.st() + k * A.sk());
                        long bk = B.off() + p * strideB + k * B.sk();
                        for (int j = 0; j < N; j++) {
                            long cj = crow + j;
                            put(true, c, cj, get(true, c, cj) + aik * get(true, B.seg(), bk + j * B.st()));
                        }
                    }
                }
            });
        }
    }

    /** The float32 path with the micro-kernel chosen for this machine (null until first use); tests swap it to cover every shape. */
    private static volatile F32 f32;

    /**
     * The float32 path, set up on first use rather than in a static initialiser, so that a bad
     * -Dstylemap.gemm.kernel is an IllegalArgumentException naming it (one line from the CLI),
     * not an ExceptionInInitializerError.
     */
    private static F32 f32() {
        F32 p = f32;
        if (p == null) f32 = p = new F32(MicroKernel.choose(CpuFeatures.HOST, System.getProperty(MicroKernel.OVERRIDE)));
        return p;
    }

    /** The float32 micro-kernel and cache blocks in use, e.g. "12x32 micro-kernel (MC=96 KC=256 NC=4096)". */
    public static String describe() {
        F32 p = f32();
        return p.kernel.label() + " micro-kernel (MC=" + p.mc + " KC=" + F32.KC + " NC=" + p.nc + ")";
    }

    static MicroKernel kernel() {
        return f32().kernel;
    }

    /** Makes the float32 path use kernel from now on (tests run every shape on every machine). */
    static void useKernel(MicroKernel kernel) {
        f32 = new F32(kernel);
    }

    /**
     * The float32 path, organised like BLIS: C is cut into column panels of NC and K into blocks
     * of KC; each KC x NC block of the vector operand is packed into NR-wide slivers, each MC x KC
     * block of the broadcast operand into MR-tall slivers, and the MR x NR micro-kernel keeps its
     * whole tile of C in registers while it walks K. Packing makes every layout look alike to the
     * kernel and pads edges with zeros, so the kernel always runs full tiles. KC is the same for
     * every kernel, so every kernel sums in the same order and gives the same bits.
     */
    private static final class F32 {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
        private static final int L = S.length();
        /** K block: a B sliver (KC x NR) stays in L1 across a column of tiles. */
        static final int KC = 256;
        /** Columns of the packed B panel (KC x NC, 4 MiB, kept in L3). */
        private static final int NC_FLOATS = 4096;
        /** Smallest piece of work worth a thread, in flops (a fork-join round trip costs microseconds). */
        private static final long MIN_TASK_FLOPS = 4L << 20;
        /** Products in a batch beyond which each product runs whole on one thread. */
        private static final int BATCH_PARALLEL = 4 * Parallel.THREADS;
        /** Per thread: operand rows on their way into packed slivers (a block of A rows, or one row of B along K). */
        private static final ThreadLocal<float[]> STAGE = ThreadLocal.withInitial(() -> new float[KC]);

        final MicroKernel kernel;
        /** Micro-tile rows and columns; row block (the A block, MC x KC, stays in L2); column panel (the B panel, KC x NC, in L3). */
        final int mr, nr, mc, nc;
        private final ThreadLocal<float[][]> buffers;

        F32(MicroKernel kernel) {
            this.kernel = kernel;
            mr = kernel.mr;
            nr = kernel.nr;
            mc = kernel.mc;
            nc = NC_FLOATS / nr * nr;
            buffers = ThreadLocal.withInitial(() -> new float[][] {new float[mc * KC], new float[KC * nc], new float[mr * nr]});
        }

        void run(int batch, int M, int N, int K, float alpha, Operand A, long strideA,
                 Operand B, long strideB, float beta, MemorySegment c, long cOff, int ldc, long strideC) {
            if (Math.min(M, N) <= Thin.THIN) {
                Thin.run(batch, M, N, K, alpha, A, strideA, B, strideB, beta, c, cOff, ldc, strideC);
                return;
            }
            // The vector operand is packed as rows of N; stored with K contiguous it costs a transpose.
            // Computing C^T = op(B)^T op(A)^T swaps the roles, at the price of scalar stores to C.
            long keep = transposeCost(B, N, K), swap = transposeCost(A, M, K) + (long) M * N * ((K + KC - 1) / KC);
            if (swap < keep) core(batch, N, M, K, alpha, B, strideB, A, strideA, beta, c, cOff, 1, ldc, strideC);
            else core(batch, M, N, K, alpha, A, strideA, B, strideB, beta, c, cOff, ldc, 1, strideC);
        }

        private static long transposeCost(Operand vectorOperand, int extent, int K) {
            return vectorOperand.st() == 1 ? 0 : (long) extent * K;
        }

        /** C(i, j) at cOff + i * crs + j * ccs: crs = ldc, ccs = 1 for C itself, the reverse for C^T. */
        private void core(int batch, int m, int n, int k, float alpha, Operand A, long strideA,
                          Operand B, long strideB, float beta, MemorySegment c, long cOff, long crs, long ccs,
                          long strideC) {
            // Threads split C along its longer side in whole tiles, so each packs only its share of that operand.
            boolean splitM = (long) ((m + mr - 1) / mr) * nr >= (long) ((n + nr - 1) / nr) * mr;
            int tileSize = splitM ? mr : nr, extent = splitM ? m : n;
            int tiles = (extent + tileSize - 1) / tileSize;
            int units = batch >= BATCH_PARALLEL ? 1 : tiles, unitSize = tiles / units * tileSize;
            long unitFlops = 2L * k * (splitM ? n : m) * Math.min(unitSize, extent);
            int grain = (int) Math.max(1, MIN_TASK_FLOPS / unitFlops);
            forPieces(batch, units, grain, (p, u0, u1) -> {
                int lo = u0 * unitSize, hi = Math.min(extent, u1 * unitSize);
                int i0 = splitM ? lo : 0, j0 = splitM ? 0 : lo;
                block(splitM ? hi - lo : m, splitM ? n : hi - lo, k, alpha, A.at(p * strideA, i0), B.at(p * strideB, j0),
                        beta, c, cOff + p * strideC + i0 * crs + j0 * ccs, crs, ccs);
            });
        }

        /** One thread's m x n block of C, the operands already positioned at its first row / column. */
        private void block(int m, int n, int k, float alpha, Operand A, Operand B, float beta,
                           MemorySegment c, long cOff, long crs, long ccs) {
            float[][] buf = buffers.get();
            float[] ap = buf[0], bp = buf[1], tile = buf[2];
            // A slivers copy whole rows when A runs along K (no transpose), else they are k-major.
            boolean aRows = A.sk() == 1;
            for (int jc = 0; jc < n; jc += nc) {
                int ncb = Math.min(nc, n - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    int rowStride = aRows ? kc : 1, kStride = aRows ? 1 : mr;
                    // Later K blocks add onto what the first one wrote.
                    float betaBlock = pc == 0 ? beta : 1f;
                    for (int ic = 0; ic < m; ic += mc) {
                        int mcb = Math.min(mc, m - ic);
                        packA(A, ic, mcb, pc, kc, aRows, ap);
                        for (int jr = 0; jr < ncb; jr += nr) {
                            int nrb = Math.min(nr, ncb - jr);
                            // The first row block packs each B sliver just before using it, while it is hot in L1.
                            if (ic == 0) packKMajor(B, jc + jr, nrb, nr, pc, kc, bp, jr * kc);
                            for (int ir = 0; ir < mcb; ir += mr) {
                                kernel.run(kc, ap, ir * kc, rowStride, kStride, bp, jr * kc, tile);
                                writeTile(tile, nr, c, cOff + (ic + ir) * crs + (jc + jr) * ccs, crs, ccs,
                                        Math.min(mr, mcb - ir), nrb, alpha, betaBlock);
                            }
                        }
                    }
                }
            }
        }

        /**
         * Packs rows [t0, t0 + m) of A, k in [k0, k0 + kc), as m / mr slivers (the last padded
         * with zero rows) of kc * mr floats: [mr][kc] when rows (A runs along K: one bulk copy per
         * row), else [kc][mr]. In the second case each row k of the block is first copied in bulk
         * into a heap buffer and the slivers are cut from there.
         */
        private void packA(Operand src, int t0, int m, int k0, int kc, boolean rows, float[] dst) {
            MemorySegment seg = src.seg();
            int slivers = (m + mr - 1) / mr;
            if (rows) {
                for (int t = 0, d = 0; t < slivers * mr; t++, d += kc) {
                    if (t < m)
                        MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, (src.off() + (t0 + t) * src.st() + k0) * Float.BYTES, dst, d, kc);
                    else
                        Arrays.fill(dst, d, d + kc, 0f);
                }
                return;
            }
            int width = slivers * mr;
            float[] staged = STAGE.get();
            if (staged.length < kc * width) STAGE.set(staged = new float[Math.max(kc * width, KC * mc)]);
            for (int k = 0; k < kc; k++) {
                MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, (src.off() + t0 + (k0 + k) * src.sk()) * Float.BYTES,
                        staged, k * width, m);
                Arrays.fill(staged, k * width + m, (k + 1) * width, 0f);
            }
            for (int ir = 0; ir < width; ir += mr)
                for (int k = 0, d = ir * kc; k < kc; k++, d += mr) System.arraycopy(staged, k * width + ir, dst, d, mr);
        }

        /**
         * Packs rows t0 .. t0+valid of B, k in [k0, k0 + kc), as dst[dOff + k * width + t]; rows
         * valid .. width are zeros. Full slivers of rows contiguous along t are copied by vectors;
         * rows contiguous along k are copied in bulk into a row buffer and scattered from there; a
         * partial sliver (the last of a panel) element by element. (No masked loads: near the end
         * of a segment they take a slow path, measured as a fifth of a training step on AVX2.)
         */
        private static void packKMajor(Operand src, int t0, int valid, int width, int k0, int kc, float[] dst, int dOff) {
            MemorySegment seg = src.seg();
            long st = src.st(), sk = src.sk(), base = src.off() + t0 * st + k0 * sk;
            if (st == 1 && valid == width) {
                for (int k = 0; k < kc; k++) {
                    long row = (base + k * sk) * Float.BYTES;
                    for (int t = 0; t < width; t += L)
                        FloatVector.fromMemorySegment(S, seg, row + (long) t * Float.BYTES, NATIVE).intoArray(dst, dOff + k * width + t);
                }
                return;
            }
            if (st == 1) {
                for (int k = 0; k < kc; k++)
                    for (int t = 0, d = dOff + k * width; t < valid; t++)
                        dst[d + t] = seg.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, base + k * sk + t);
            } else {
                // Not contiguous along t, so along k (an Operand has one unit stride).
                float[] line = STAGE.get();
                if (line.length < kc) STAGE.set(line = new float[KC]);
                for (int t = 0; t < valid; t++) {
                    MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, (base + t * st) * Float.BYTES, line, 0, kc);
                    for (int k = 0, d = dOff + t; k < kc; k++, d += width) dst[d] = line[k];
                }
            }
            for (int k = 0; k < kc && valid < width; k++) {
                int d = dOff + k * width;
                Arrays.fill(dst, d + valid, d + width, 0f);
            }
        }

        /**
         * C(r, j) = alpha * tile[r * nrTile + j] + beta * C(r, j) for r < mr, j < nr, C(r, j) at
         * cOff + r * crs + j * ccs (C unread when beta == 0). Rows of C are written by vectors, masked
         * at the right edge; a transposed C (ccs != 1) element by element.
         */
        private static void writeTile(float[] tile, int nrTile, MemorySegment c, long cOff, long crs, long ccs, int mr, int nr,
                                      float alpha, float beta) {
            if (ccs != 1) {
                for (int r = 0; r < mr; r++)
                    for (int j = 0; j < nr; j++) storeF32(c, cOff + r * crs + j * ccs, alpha, beta, tile[r * nrTile + j]);
                return;
            }
            FloatVector vBeta = FloatVector.broadcast(S, beta);
            for (int r = 0; r < mr; r++) {
                long at = (cOff + r * crs) * Float.BYTES;
                for (int j = 0; j < nr; j += L, at += L * Float.BYTES) {
                    FloatVector v = FloatVector.fromArray(S, tile, r * nrTile + j).mul(alpha);
                    if (j + L <= nr) {
                        if (beta != 0) v = FloatVector.fromMemorySegment(S, c, at, NATIVE).fma(vBeta, v);
                        v.intoMemorySegment(c, at, NATIVE);
                    } else {
                        VectorMask<Float> mask = S.indexInRange(j, nr);
                        if (beta != 0) v = FloatVector.fromMemorySegment(S, c, at, NATIVE, mask).fma(vBeta, v);
                        v.intoMemorySegment(c, at, NATIVE, mask);
                    }
                }
            }
        }
    }

    /**
     * float32 products with a side of at most THIN (matrix-vector and similar shapes). Micro-tiles
     * of 12 x 32 or 6 x 16 would be mostly padding there, and packing would double the memory traffic, so
     * the wide operand is streamed once straight from memory: by dot products along K when it is
     * contiguous along K, else by adding scaled rows into per-thread accumulators. The thin
     * operand is first copied into a small zero-padded block, one K-contiguous row per index.
     */
    private static final class Thin {
        static final int THIN = 8;
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
        private static final int L = S.length();
        /** Dot products take thin rows four at a time: four accumulators keep the FMA pipes busy. */
        private static final int GROUP = 4;
        /** Target size in floats of the row form's block of wide rows: stays in L2. */
        private static final int ROWS_BLOCK = 1 << 15;
        /** Per thread: the thin block, the row form's accumulators and its block of wide rows, grown on demand. */
        private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[3][0]);

        static void run(int batch, int M, int N, int K, float alpha, Operand A, long strideA,
                        Operand B, long strideB, float beta, MemorySegment c, long cOff, int ldc, long strideC) {
            boolean thinB = N <= M || M > THIN;
            Operand wide = thinB ? A : B, thin = thinB ? B : A;
            long strideW = thinB ? strideA : strideB, strideT = thinB ? strideB : strideA;
            int wideCount = thinB ? M : N, thinCount = thinB ? N : M;
            // C(wide index w, thin index t) lives at w * cw + t * ct.
            long cw = thinB ? ldc : 1, ct = thinB ? 1 : ldc;
            int grain = (int) Math.max(1, (1L << 18) / (2L * K * thinCount));
            forPieces(batch, wideCount, grain, (p, w0, w1) -> {
                int kp = (K + L - 1) / L * L;
                float[] tb = thinBlock(thin.at(p * strideT, 0), thinCount, K, kp);
                Operand w = wide.at(p * strideW, 0);
                long cp = cOff + p * strideC;
                if (w.sk() == 1) dots(w, w0, w1, thinCount, K, kp, tb, alpha, beta, c, cp, cw, ct);
                else rows(w, w0, w1, thinCount, K, kp, tb, alpha, beta, c, cp, cw, ct);
            });
        }

        /** The thin operand as rows of kp floats (zeros past K), rounded up to whole groups of zero rows. */
        private static float[] thinBlock(Operand thin, int thinCount, int K, int kp) {
            float[][] buf = BUFFERS.get();
            int rows = (thinCount + GROUP - 1) / GROUP * GROUP;
            if (buf[0].length < rows * kp) buf[0] = new float[rows * kp];
            float[] tb = buf[0];
            Arrays.fill(tb, 0, rows * kp, 0f);
            if (thin.sk() == 1) {
                for (int t = 0; t < thinCount; t++)
                    MemorySegment.copy(thin.seg(), ValueLayout.JAVA_FLOAT, (thin.off() + t * thin.st()) * Float.BYTES, tb, t * kp, K);
            } else {
                // Thin rows interleaved along k (stride st, usually 1): read in memory order.
                for (int k = 0; k < K; k++) {
                    long base = thin.off() + k * thin.sk();
                    for (int t = 0; t < thinCount; t++)
                        tb[t * kp + k] = thin.seg().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, base + t * thin.st());
                }
            }
            return tb;
        }

        /** Wide rows [w0, w1) contiguous along K: each is dotted with a group of thin rows per pass. */
        private static void dots(Operand wide, int w0, int w1, int thinCount, int K, int kp, float[] tb,
                                 float alpha, float beta, MemorySegment c, long cOff, long cw, long ct) {
            int bulk = S.loopBound(K);
            VectorMask<Float> tail = S.indexInRange(bulk, K);
            for (int w = w0; w < w1; w++) {
                long row = (wide.off() + w * wide.st()) * Float.BYTES;
                for (int g = 0; g < thinCount; g += GROUP) {
                    int t0 = g * kp, t1 = t0 + kp, t2 = t1 + kp, t3 = t2 + kp;
                    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                    // The thin rows are zero-padded to kp, so the ragged end of K is one masked step.
                    for (int k = 0; k < kp; k += L) {
                        FloatVector v = k < bulk
                                ? FloatVector.fromMemorySegment(S, wide.seg(), row + (long) k * Float.BYTES, NATIVE)
                                : FloatVector.fromMemorySegment(S, wide.seg(), row + (long) k * Float.BYTES, NATIVE, tail);
                        a0 = v.fma(FloatVector.fromArray(S, tb, t0 + k), a0);
                        a1 = v.fma(FloatVector.fromArray(S, tb, t1 + k), a1);
                        a2 = v.fma(FloatVector.fromArray(S, tb, t2 + k), a2);
                        a3 = v.fma(FloatVector.fromArray(S, tb, t3 + k), a3);
                    }
                    long at = cOff + w * cw + g * ct;
                    int n = Math.min(GROUP, thinCount - g);
                    storeF32(c, at, alpha, beta, Lanes.sum(a0));
                    if (n > 1) storeF32(c, at + ct, alpha, beta, Lanes.sum(a1));
                    if (n > 2) storeF32(c, at + 2 * ct, alpha, beta, Lanes.sum(a2));
                    if (n > 3) storeF32(c, at + 3 * ct, alpha, beta, Lanes.sum(a3));
                }
            }
        }

        /**
         * Wide rows [w0, w1) contiguous along the wide index (the wide operand is rows k of wide
         * elements). A block of rows of k is copied into a per-thread buffer with sequential reads
         * (reading column strips straight from memory would stall on every row); then 32 wide
         * columns by four thin rows accumulate in registers down the block.
         */
        private static void rows(Operand wide, int w0, int w1, int thinCount, int K, int kp, float[] tb,
                                 float alpha, float beta, MemorySegment c, long cOff, long cw, long ct) {
            int n = w1 - w0, np = (n + 2 * L - 1) / (2 * L) * (2 * L), groups = (thinCount + GROUP - 1) / GROUP;
            int kb = Math.max(16, Math.min(256, ROWS_BLOCK / np)), bulk = S.loopBound(n);
            VectorMask<Float> tail = S.indexInRange(bulk, n);
            float[][] buf = BUFFERS.get();
            if (buf[1].length < groups * GROUP * np) buf[1] = new float[groups * GROUP * np];
            if (buf[2].length < kb * np) buf[2] = new float[kb * np];
            float[] acc = buf[1], blk = buf[2];
            Arrays.fill(acc, 0, groups * GROUP * np, 0f);
            for (int k0 = 0; k0 < K; k0 += kb) {
                int k1 = Math.min(K, k0 + kb);
                // Rows are short, so a vector loop beats MemorySegment.copy's per-call overhead. Columns
                // past n hold stale values; they only reach accumulators that are never written out.
                for (int k = k0; k < k1; k++) {
                    long row = (wide.off() + w0 + k * wide.sk()) * Float.BYTES;
                    int v = 0;
                    for (; v < bulk; v += L)
                        FloatVector.fromMemorySegment(S, wide.seg(), row + (long) v * Float.BYTES, NATIVE)
                                .intoArray(blk, (k - k0) * np + v);
                    if (v < n)
                        FloatVector.fromMemorySegment(S, wide.seg(), row + (long) v * Float.BYTES, NATIVE, tail)
                                .intoArray(blk, (k - k0) * np + v);
                }
                for (int g = 0; g < thinCount; g += GROUP) {
                    int t0 = g * kp, t1 = t0 + kp, t2 = t1 + kp, t3 = t2 + kp;
                    for (int v = 0; v < n; v += 2 * L) {
                        int r0 = g * np + v, r1 = r0 + np, r2 = r1 + np, r3 = r2 + np;
                        FloatVector a00 = FloatVector.fromArray(S, acc, r0), a01 = FloatVector.fromArray(S, acc, r0 + L);
                        FloatVector a10 = FloatVector.fromArray(S, acc, r1), a11 = FloatVector.fromArray(S, acc, r1 + L);
                        FloatVector a20 = FloatVector.fromArray(S, acc, r2), a21 = FloatVector.fromArray(S, acc, r2 + L);
                        FloatVector a30 = FloatVector.fromArray(S, acc, r3), a31 = FloatVector.fromArray(S, acc, r3 + L);
                        for (int k = k0, x = v; k < k1; k++, x += np) {
                            FloatVector x0 = FloatVector.fromArray(S, blk, x), x1 = FloatVector.fromArray(S, blk, x + L);
                            FloatVector b;
                            b = FloatVector.broadcast(S, tb[t0 + k]); a00 = x0.fma(b, a00); a01 = x1.fma(b, a01);
                            b = FloatVector.broadcast(S, tb[t1 + k]); a10 = x0.fma(b, a10); a11 = x1.fma(b, a11);
                            b = FloatVector.broadcast(S, tb[t2 + k]); a20 = x0.fma(b, a20); a21 = x1.fma(b, a21);
                            b = FloatVector.broadcast(S, tb[t3 + k]); a30 = x0.fma(b, a30); a31 = x1.fma(b, a31);
                        }
                        a00.intoArray(acc, r0); a01.intoArray(acc, r0 + L);
                        a10.intoArray(acc, r1); a11.intoArray(acc, r1 + L);
                        a20.intoArray(acc, r2); a21.intoArray(acc, r2 + L);
                        a30.intoArray(acc, r3); a31.intoArray(acc, r3 + L);
                    }
                }
            }
            for (int t = 0; t < thinCount; t++)
                for (int v = 0; v < n; v++) storeF32(c, cOff + (w0 + v) * cw + t * ct, alpha, beta, acc[t * np + v]);
        }

    }
}

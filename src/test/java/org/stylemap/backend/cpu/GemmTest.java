package org.stylemap.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Gemm against a naive triple loop in double precision. The float32 path is checked with a
 * tolerance relative to the sum of |terms| of each output (which bounds its rounding error), once
 * with every micro-kernel shape whatever this machine would choose; the float64 path must agree
 * to ~1e-12. Shapes cover tile and cache-block edges (odd sizes, sizes just past multiples of 6,
 * 12 and 16, past the row blocks), padded leading dimensions and every transpose combination.
 */
class GemmTest {
    static final double F32_TOL = 1e-4, F64_TOL = 1e-12;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    // ---- helpers shared with ConvKernelsTest ----

    static double[] random(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 2 * r.nextDouble() - 1;
        return v;
    }

    /** v rounded to what a tensor of this dtype stores, so references see exactly the kernel's inputs. */
    static double[] stored(boolean f64, double[] v) {
        double[] out = v.clone();
        if (!f64) for (int i = 0; i < out.length; i++) out[i] = (float) out[i];
        return out;
    }

    /** A native, 64-byte aligned segment holding v; shared so the kernels' worker threads can read it. */
    static MemorySegment segment(Arena arena, boolean f64, double[] v) {
        MemorySegment s = arena.allocate((long) Math.max(1, v.length) * (f64 ? 8 : 4), 64);
        for (int i = 0; i < v.length; i++) {
            if (f64) s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v[i]);
            else s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v[i]);
        }
        return s;
    }

    static double[] read(boolean f64, MemorySegment s, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++)
            v[i] = f64 ? s.getAtIndex(ValueLayout.JAVA_DOUBLE, i) : s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        return v;
    }

    /** Asserts |got - want| <= tol * scale elementwise (scale: the sum of |terms| behind each element, at least 1). */
    static void assertClose(String what, double[] want, double[] scale, double[] got, double tol) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]), bound = tol * Math.max(1, scale[i]);
            if (!(err <= bound))
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (error " + err + " > " + bound + ")");
        }
    }

    /** Runs body once with each micro-kernel shape, then restores the machine's choice. */
    static void withEachKernel(Consumer<MicroKernel> body) {
        MicroKernel chosen = Gemm.kernel();
        try {
            for (MicroKernel k : MicroKernel.values()) {
                Gemm.useKernel(k);
                body.accept(k);
            }
        } finally {
            Gemm.useKernel(chosen);
        }
    }

    // ---- the reference ----

    /** One problem instance: operands as stored (row-major with the given leading dimensions) plus C's old contents. */
    private record Case(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc,
                        double alpha, double beta, double[] a, double[] b, double[] c) {
        double aAt(int i, int kk) { return transA ? a[kk * lda + i] : a[i * lda + kk]; }

        double bAt(int kk, int j) { return transB ? b[j * ldb + kk] : b[kk * ldb + j]; }

        /** [expected C, sum of |terms| per element]. */
        double[][] reference() {
            double[] want = c.clone(), scale = new double[c.length];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double sum = 0, abs = 0;
                    for (int kk = 0; kk < k; kk++) {
                        double t = aAt(i, kk) * bAt(kk, j);
                        sum += t;
                        abs += Math.abs(t);
                    }
                    double old = c[i * ldc + j];
                    want[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * old);
                    scale[i * ldc + j] = Math.abs(alpha) * abs + (beta == 0 ? 0 : Math.abs(beta * old));
                }
            return new double[][] {want, scale};
        }
    }

    private static Case randomCase(Random r, boolean f64, boolean transA, boolean transB, int m, int n, int k,
                                   double alpha, double beta) {
        int lda = (transA ? m : k) + r.nextInt(3), ldb = (transB ? k : n) + r.nextInt(3), ldc = n + r.nextInt(3);
        double[] a = stored(f64, random(r, (transA ? k : m) * lda));
        double[] b = stored(f64, random(r, (transB ? n : k) * ldb));
        double[] c = stored(f64, random(r, m * ldc));
        return new Case(transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, a, b, c);
    }

    /** Runs the case and returns C as the kernel left it. */
    private double[] run(boolean f64, Case t) {
        MemorySegment a = segment(arena, f64, t.a), b = segment(arena, f64, t.b), c = segment(arena, f64, t.c);
        Gemm.gemm(f64, t.transA, t.transB, t.m, t.n, t.k, t.alpha, a, 0, t.lda, b, 0, t.ldb, t.beta, c, 0, t.ldc);
        return read(f64, c, t.c.length);
    }

    private void check(boolean f64, Case t) {
        double[][] ref = t.reference();
        String what = (f64 ? "f64 " : "f32 " + Gemm.kernel().label() + " ") + (t.transA ? "T" : "N") + (t.transB ? "T" : "N")
                + " " + t.m + "x" + t.n + "x" + t.k + " alpha=" + t.alpha + " beta=" + t.beta;
        assertClose(what, ref[0], ref[1], run(f64, t), f64 ? F64_TOL : F32_TOL);
    }

    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 17, 33}, {17, 3, 65}, {33, 65, 17}, {65, 33, 129}, {129, 129, 3}, {13, 31, 257},
            {12, 32, 256}, {25, 47, 300}, {100, 70, 1}, {1, 129, 65}, {129, 1, 65}, {97, 50, 513},
            // Thin products (a side <= 8) take their own path; K a multiple of the vector length or not.
            {5, 40, 64}, {40, 8, 32}, {8, 9, 16}, {9, 8, 17}, {4, 1000, 37}, {2, 2, 2},
            // Edges of the 6-row tile and of the row blocks (96 and 144 rows).
            {6, 16, 9}, {7, 15, 31}, {11, 33, 100}, {97, 17, 40}, {145, 20, 70}, {150, 47, 260},
    };

    @Test
    void float32MatchesReferenceForAllTransposes() {
        withEachKernel(kernel -> {
            Random r = new Random(1);
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true})
                    for (int[] s : SHAPES) check(false, randomCase(r, false, ta, tb, s[0], s[1], s[2], 1, 0));
        });
    }

    /**
     * Every kernel sums each element of C in the same order, so all give the same bits: results
     * (and a resumed training run) do not depend on the machine's vector width.
     */
    @Test
    void everyKernelGivesTheSameBits() {
        Random r = new Random(9);
        Case[] cases = {randomCase(r, false, false, false, 150, 70, 600, 1, 0), randomCase(r, false, true, true, 61, 97, 300, 0.5, 1),
                randomCase(r, false, false, true, 13, 200, 257, 1, -0.5), randomCase(r, false, true, false, 33, 18, 5, 2, 0)};
        double[][] first = new double[cases.length][];
        withEachKernel(kernel -> {
            for (int i = 0; i < cases.length; i++) {
                double[] got = run(false, cases[i]);
                if (first[i] == null) first[i] = got;
                else assertArrayEquals(first[i], got, "case " + i + " with the " + kernel.label() + " kernel");
            }
        });
    }

    @Test
    void kernelShapeFollowsTheRegisterCount() {
        CpuFeatures avx2 = new CpuFeatures("test", List.of("avx2", "fma"), 256, 16);
        CpuFeatures avx512 = new CpuFeatures("test", List.of("avx512f"), 512, 32);
        assertEquals(MicroKernel.ROWS_6, MicroKernel.choose(avx2, null));
        assertEquals(MicroKernel.ROWS_12, MicroKernel.choose(avx512, null));
        assertEquals(MicroKernel.ROWS_6, MicroKernel.choose(avx512, MicroKernel.ROWS_6.label()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MicroKernel.choose(avx2, "7x7"));
        assertTrue(e.getMessage().contains(MicroKernel.OVERRIDE) && e.getMessage().contains(MicroKernel.ROWS_6.label()), e.getMessage());
        // Each tile's accumulators, two B vectors and the broadcast fit the register file it is chosen for.
        assertTrue(2 * MicroKernel.ROWS_12.mr + 3 <= 32 && 2 * MicroKernel.ROWS_6.mr + 3 <= 16);
    }

    @Test
    void float64MatchesReferenceForAllTransposes() {
        Random r = new Random(2);
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true})
                for (int[] s : SHAPES) check(true, randomCase(r, true, ta, tb, s[0], s[1], s[2], 1, 0));
    }

    @Test
    void alphaAndBetaScaleAndAccumulate() {
        withEachKernel(kernel -> {
            Random r = new Random(3);
            for (boolean f64 : new boolean[] {false, true})
                for (double beta : new double[] {0, 1, -0.5})
                    for (boolean ta : new boolean[] {false, true})
                        for (boolean tb : new boolean[] {false, true})
                            check(f64, randomCase(r, f64, ta, tb, 37, 45, 290, 0.7, beta));
        });
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        for (boolean f64 : new boolean[] {false, true}) {
            Random r = new Random(4);
            Case t = randomCase(r, f64, false, false, 20, 40, 30, 1.5, 0);
            java.util.Arrays.fill(t.c, Double.NaN);
            check(f64, t);
        }
    }

    @Test
    void zeroKOrAlphaOnlyScalesC() {
        Random r = new Random(5);
        for (boolean f64 : new boolean[] {false, true}) {
            check(f64, randomCase(r, f64, false, true, 9, 21, 0, 1, 0.5));
            check(f64, randomCase(r, f64, true, false, 9, 21, 7, 0, -2));
        }
    }

    @Test
    void blocksLargerThanTheCacheBlocks() {
        // Crosses the K block (256), the row block and the 4096-column panel; exercises parallel splits.
        withEachKernel(kernel -> {
            Random r = new Random(6);
            check(false, randomCase(r, false, false, false, 150, 4200, 530, 1, 0));
            check(false, randomCase(r, false, true, true, 4100, 40, 300, 1, 1));
        });
    }

    @Test
    void skinnyShapesWithLongK() {
        Random r = new Random(7);
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true}) {
                check(false, randomCase(r, false, ta, tb, 1, 1, 100_000, 1, 0));
                check(false, randomCase(r, false, ta, tb, 8, 3, 50_000, 1, 0));
                check(false, randomCase(r, false, ta, tb, 2, 300, 3000, 1, 0));
                check(false, randomCase(r, false, ta, tb, 300, 5, 3000, 1, 0));
            }
        check(true, randomCase(r, true, false, true, 3, 2, 100_000, 1, 0));
    }

    @Test
    void batchedWithBroadcastOperands() {
        Random r = new Random(8);
        for (boolean f64 : new boolean[] {false, true})
            for (int batch : new int[] {1, 3, 40})
                for (boolean broadcastA : new boolean[] {false, true}) {
                    boolean ta = r.nextBoolean(), tb = r.nextBoolean();
                    int m = batch == 3 ? 3 : 19, n = 35, k = 70, lda = ta ? m : k, ldb = tb ? k : n, ldc = n + 1;
                    long strideA = broadcastA ? 0 : (long) (ta ? k : m) * lda + 5;
                    long strideB = broadcastA ? (long) (tb ? n : k) * ldb + 3 : 0;
                    long strideC = (long) m * ldc + 2;
                    double[] a = stored(f64, random(r, (int) (strideA * (batch - 1)) + (ta ? k : m) * lda));
                    double[] b = stored(f64, random(r, (int) (strideB * (batch - 1)) + (tb ? n : k) * ldb));
                    double[] c = stored(f64, random(r, (int) (strideC * (batch - 1)) + m * ldc));
                    MemorySegment sa = segment(arena, f64, a), sb = segment(arena, f64, b), sc = segment(arena, f64, c);
                    Gemm.gemmBatched(f64, ta, tb, batch, m, n, k, 0.5, sa, 0, lda, strideA, sb, 0, ldb, strideB,
                            0.25, sc, 0, ldc, strideC);
                    double[] got = read(f64, sc, c.length);
                    for (int p = 0; p < batch; p++) {
                        Case t = new Case(ta, tb, m, n, k, lda, ldb, ldc, 0.5, 0.25,
                                slice(a, p * strideA, (ta ? k : m) * lda), slice(b, p * strideB, (tb ? n : k) * ldb),
                                slice(c, p * strideC, m * ldc));
                        double[][] ref = t.reference();
                        assertClose("batch " + p + "/" + batch + (f64 ? " f64" : " f32"), ref[0], ref[1],
                                slice(got, p * strideC, m * ldc), f64 ? F64_TOL : F32_TOL);
                    }
                    // Gaps between the C matrices stay untouched.
                    for (int p = 0; p + 1 < batch; p++)
                        for (long g = p * strideC + (long) m * ldc; g < (p + 1) * strideC; g++)
                            assertEquals(c[(int) g], got[(int) g], "gap element " + g);
                }
    }

    @Test
    void leadingDimensionsAreCheckedWhereTheyMatter() {
        MemorySegment a = arena.allocate(4096, 64), b = arena.allocate(4096, 64), c = arena.allocate(4096, 64);
        try {
            Gemm.gemm(false, false, false, 4, 4, 4, 1, a, 0, 3, b, 0, 4, 0, c, 0, 4);
            fail("lda < K accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("lda"));
        }
        // A single stored row never steps by its leading dimension, so any value is fine there.
        Gemm.gemm(false, false, false, 1, 4, 4, 1, a, 0, 1, b, 0, 4, 0, c, 0, 1);
    }

    private static double[] slice(double[] v, long from, int n) {
        return java.util.Arrays.copyOfRange(v, (int) from, (int) from + n);
    }
}

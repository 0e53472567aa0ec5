package org.stylemap.random;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

class RandomTest {
    private static final Device CPU = Device.CPU;

    private static double[] randn(long seed, long offset, DType t, int n) {
        return Tensor.randn(new Rng(seed, offset), t, CPU, n).toDoubleArray();
    }

    @Test
    void sameSeedGivesIdenticalValues() {
        assertArrayEquals(randn(42, 0, DType.F64, 1000), randn(42, 0, DType.F64, 1000), 0.0);
        Tensor a = Tensor.rand(new Rng(7), DType.F32, CPU, 3, 5), b = Tensor.rand(new Rng(7), DType.F32, CPU, 3, 5);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
    }

    @Test
    void differentSeedsAndOffsetsGiveDifferentValues() {
        double[] base = randn(42, 0, DType.F64, 1000);
        double[] otherSeed = randn(43, 0, DType.F64, 1000);
        double[] otherOffset = randn(42, 1000, DType.F64, 1000);
        int sameSeed = 0, sameOffset = 0;
        for (int i = 0; i < base.length; i++) {
            if (base[i] == otherSeed[i]) sameSeed++;
            if (base[i] == otherOffset[i]) sameOffset++;
        }
        assertEquals(0, sameSeed);
        assertEquals(0, sameOffset);
        // a high seed word matters too
        assertFalse(Arrays.equals(randn(42, 0, DType.F64, 8), randn(42 + (1L << 32), 0, DType.F64, 8)));
        // and a high counter word
        assertFalse(Arrays.equals(randn(42, 0, DType.F64, 8), randn(42, 1L << 32, DType.F64, 8)));
    }

    @Test
    void generatorAdvancesAndResumes() {
        Rng g = new Rng(5);
        double[] first = Tensor.randn(g, DType.F64, CPU, 10).toDoubleArray();
        assertEquals(10, g.offset());
        double[] second = Tensor.randn(g, DType.F64, CPU, 7).toDoubleArray();
        assertEquals(17, g.offset());
        assertFalse(Arrays.equals(Arrays.copyOf(first, 7), second));
        double[] all = randn(5, 0, DType.F64, 17);
        assertArrayEquals(first, Arrays.copyOfRange(all, 0, 10), 0.0);
        assertArrayEquals(second, Arrays.copyOfRange(all, 10, 17), 0.0);
        // restoring (seed, offset) continues the stream
        assertArrayEquals(second, randn(5, 10, DType.F64, 7), 0.0);
        assertEquals(17, g.take(3));
        assertEquals(20, g.offset());
    }

    @Test
    void valuesDoNotDependOnTheTensorSizeOrThreads() {
        // a large draw (split across threads) agrees with the small draw of its first elements
        double[] big = randn(11, 0, DType.F64, 200_003);
        double[] small = randn(11, 0, DType.F64, 100);
        assertArrayEquals(small, Arrays.copyOf(big, 100), 0.0);
        double[] tail = randn(11, 200_000, DType.F64, 3);
        assertArrayEquals(tail, Arrays.copyOfRange(big, 200_000, 200_003), 0.0);
    }

    @Test
    void randnMomentsOver100k() {
        double[] v = randn(2024, 0, DType.F64, 100_000);
        double mean = 0, m2 = 0, m4 = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        for (double x : v) {
            m2 += (x - mean) * (x - mean);
            m4 += Math.pow(x - mean, 4);
        }
        double var = m2 / v.length, kurt = m4 / v.length / (var * var);
        assertEquals(0, mean, 0.015);          // standard error 0.0032
        assertEquals(1, var, 0.02);            // standard error 0.0045
        assertEquals(3, kurt, 0.1);            // normal, not uniform (1.8)
        long within1 = Arrays.stream(v).filter(x -> Math.abs(x) < 1).count();
        assertEquals(0.6827, within1 / (double) v.length, 0.01);
        for (double x : v) assertTrue(Double.isFinite(x));
    }

    @Test
    void randUniformMoments() {
        double[] v = Tensor.rand(new Rng(99), DType.F64, CPU, 100_000).toDoubleArray();
        double mean = 0, var = 0;
        for (double x : v) {
            assertTrue(x >= 0 && x < 1, "out of [0, 1): " + x);
            mean += x;
        }
        mean /= v.length;
        for (double x : v) var += (x - mean) * (x - mean);
        var /= v.length;
        assertEquals(0.5, mean, 0.005);
        assertEquals(1.0 / 12, var, 0.002);
        // coarse histogram: 10 bins within 5% of 10k
        int[] bins = new int[10];
        for (double x : v) bins[(int) (x * 10)]++;
        for (int b : bins) assertEquals(10_000, b, 500);
    }

    @Test
    void float32AndFloat64DrawsAgree() {
        double[] d = randn(77, 3, DType.F64, 5000), f = randn(77, 3, DType.F32, 5000);
        for (int i = 0; i < d.length; i++) assertEquals((float) d[i], f[i], 0.0, "element " + i);
        double[] ud = Tensor.rand(new Rng(8), DType.F64, CPU, 1000).toDoubleArray();
        double[] uf = Tensor.rand(new Rng(8), DType.F32, CPU, 1000).toDoubleArray();
        for (int i = 0; i < ud.length; i++) assertEquals(ud[i], uf[i], 1e-7 * Math.max(1, Math.abs(ud[i])));
    }

    @Test
    void float32UniformStaysBelowOne() {
        // counter 38471471 of seed 0 gives u = 0.99999999551..., which rounds to 1.0f
        int[] scratch = new int[4];
        double u = Philox.uniform(0, 38_471_471L, scratch);
        assertTrue(u < 1 && (float) u == 1f, "precondition: this counter's value rounds to 1.0f, u = " + u);
        double[] f = Tensor.rand(new Rng(0, 38_471_470L), DType.F32, CPU, 3).toDoubleArray();
        for (double v : f) assertTrue(v >= 0 && v < 1, "float32 uniform out of [0, 1): " + v);
        assertEquals(u, f[1], 1e-7);
        double[] d = Tensor.rand(new Rng(0, 38_471_471L), DType.F64, CPU, 1).toDoubleArray();
        assertEquals(u, d[0], 0.0);
    }

    @Test
    void philoxKnownAnswer() {
        // Random123's known-answer vector for philox4x32-10 with zero counter and zero key
        int[] out = new int[4];
        Philox.block(0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
    }

    /**
     * Box-Muller's log and cos(2 pi u) are our own (so that the GPU and the emulator give the CPU's
     * bits): within an ulp or two of StrictMath over the whole range the generator feeds them.
     */
    @Test
    void portableLogAndCosineAreAccurate() {
        java.util.Random r = new java.util.Random(3);
        double worstLog = 0, worstCos = 0;
        for (int i = 0; i < 200_000; i++) {
            // u in [2^-53, 1]: uniform, then log-uniform down to 2^-53, plus the ends and the sqrt(2) seam
            double u = i % 3 == 0 ? 1 - r.nextLong(1L << 53) * 0x1.0p-53 : Math.scalb(1 + r.nextDouble(), -1 - r.nextInt(53));
            if (i < 4) u = new double[] {1, 0x1.0p-53, 1 - 0x1.0p-53, Math.sqrt(0.5)}[i];
            double exact = StrictMath.log(u);
            worstLog = Math.max(worstLog, Math.abs(Philox.log(u) - exact) / Math.ulp(exact == 0 ? 1 : exact));
            if (u == 1 && Philox.log(u) != 0) fail("log(1) = " + Philox.log(u));
            double v = r.nextLong(1L << 53) * 0x1.0p-53;
            if (i < 9) v = i / 8.0; // the quadrant seams: 0, 1/8, 1/4, ..., 1
            if (v == 1) continue;
            // absolute error in ulps of 1 (near the zeros of cos the value is multiplied by a radius anyway),
            // against StrictMath at an argument below pi/4, where rounding 2 pi w costs StrictMath little:
            // cos(2 pi v) = cos(2 pi w + q pi/2) with w = v - q/4 (exact), |w| <= 1/8
            long q = Math.round(4 * v);
            double w = v - q / 4.0, c = StrictMath.cos(2 * Math.PI * w), sn = StrictMath.sin(2 * Math.PI * w);
            double exactCos = switch ((int) (q % 4)) { case 0 -> c; case 1 -> -sn; case 2 -> -c; default -> sn; };
            worstCos = Math.max(worstCos, Math.abs(Philox.cos2pi(v) - exactCos) / Math.ulp(1.0));
        }
        assertTrue(worstLog <= 1.5, "log: largest error " + worstLog + " ulp");
        assertTrue(worstCos <= 1.5, "cos(2 pi u): largest error " + worstCos + " ulp of 1");
    }
}

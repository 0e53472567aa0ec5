package org.stylemap.random;

/**
 * Philox4x32-10, a counter-based generator (Salmon et al., SC'11): the numbers for counter c
 * depend only on (seed, c), so a tensor's i-th random value is the same whatever the device,
 * the thread count or the order of evaluation.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {}

    /** The four 32-bit words for (seed, counter), written into out[0..3]. */
    public static void block(long seed, long counter, int[] out) {
        int c0 = (int) counter, c1 = (int) (counter >>> 32), c2 = 0, c3 = 0;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int r = 0; r < 10; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0, n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
    }

    /** Uniform in [0, 1) with 53 random bits from two words. */
    private static double unit(int hi, int lo) {
        long bits = ((hi & 0xFFFFFFFFL) << 21) ^ ((lo & 0xFFFFFFFFL) >>> 11);
        return (bits & ((1L << 53) - 1)) * 0x1.0p-53;
    }

    /** Uniform [0, 1) value number {@code counter} of the stream {@code seed}. */
    public static double uniform(long seed, long counter, int[] scratch) {
        block(seed, counter, scratch);
        return unit(scratch[0], scratch[1]);
    }

    /** Standard normal value number {@code counter} of the stream {@code seed} (Box-Muller). */
    public static double normal(long seed, long counter, int[] scratch) {
        block(seed, counter, scratch);
        double u1 = 1.0 - unit(scratch[0], scratch[1]); // in (0, 1], so the log is finite
        double u2 = unit(scratch[2], scratch[3]);
        return Math.sqrt(-2.0 * log(u1)) * cos2pi(u2);
    }

    // log and cos(2 pi u) from +, -, *, /, sqrt and fused multiply-adds only: every step is one
    // IEEE rounding, so kernels/random.cu (the same steps) gives the same bits on the GPU and the
    // emulator, which Math.log and Math.cos (intrinsics within an ulp, not specified to the bit)
    // could not promise. Accuracy: within about an ulp of the true values.

    /**
     * log(u) for u in [2^-53, 1]: u = m 2^e with m in [sqrt(2)/2, sqrt(2)), f = m - 1 (exact),
     * s = f / (2 + f), log(m) = 2 atanh(s) = f - s (f - t) with t = 2 s^2 (1/3 + s^2/5 + s^4/7 + ...).
     */
    static double log(double u) {
        long bits = Double.doubleToRawLongBits(u);
        int e = (int) (bits >> 52) - 1023;
        double m = Double.longBitsToDouble((bits & 0x000fffffffffffffL) | 0x3ff0000000000000L);
        if (m > 0x1.6a09e667f3bcdp+0) {
            m = m * 0.5;
            e += 1;
        }
        double f = m - 1.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double p = 2.0 / 25.0;
        for (int odd = 23; odd >= 3; odd -= 2) p = Math.fma(p, z, 2.0 / odd);
        double t = z * p;
        double logm = Math.fma(-s, f - t, f);
        return Math.fma(e, 0x1.62e42fefa39efp-1, Math.fma(e, 0x1.abc9e3b39803fp-56, logm));
    }

    /** (-1)^k (2 pi)^(2k) / (2k)!, k = 9 down to 1: the Taylor series of cos(2 pi r). */
    private static final double[] COS = {-0x1.2a0c591af8314p-5, 0x1.20c62c2f2d7f5p-2, -0x1.b6e24f44b128fp+0,
            0x1.f9d38a3763cc3p+2, -0x1.a6d1f2a204a8cp+4, 0x1.e1f506891babbp+5, -0x1.55d3c7e3cbffap+6,
            0x1.03c1f081b5ac4p+6, -0x1.3bd3cc9be45dep+4};
    /** (-1)^k (2 pi)^(2k+1) / (2k+1)!, k = 9 down to 0: the Taylor series of sin(2 pi r) / r. */
    private static final double[] SIN = {-0x1.8a404211f9547p-7, 0x1.aaec32af93359p-4, -0x1.6fadb9f155744p-1,
            0x1.e8f434d018d63p+1, -0x1.e3074fde8871fp+3, 0x1.50783487ee782p+5, -0x1.32d2cce62bd86p+6,
            0x1.466bc6775aae2p+6, -0x1.4abbce625be53p+5, 0x1.921fb54442d18p+2};

    /**
     * cos(2 pi u) for u in [0, 1), a multiple of 2^-53: u = n/4 + r exactly with |r| <= 1/8, then the
     * Taylor series of cos(2 pi r) or sin(2 pi r) (terms to r^19: below 2^-60 of the result).
     */
    static double cos2pi(double u) {
        int n = (int) (u * 4.0 + 0.5);
        double r = u - n * 0.25;
        double t = r * r;
        if ((n & 1) == 0) {
            double c = COS[0];
            for (int k = 1; k < COS.length; k++) c = Math.fma(c, t, COS[k]);
            c = Math.fma(c, t, 1.0);
            return (n & 2) == 0 ? c : -c;
        }
        double s = SIN[0];
        for (int k = 1; k < SIN.length; k++) s = Math.fma(s, t, SIN[k]);
        s = s * r;
        // cos(x + pi/2) = -sin(x), cos(x + 3 pi/2) = sin(x)
        return (n & 2) == 0 ? -s : s;
    }
}

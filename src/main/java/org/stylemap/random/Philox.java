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
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
